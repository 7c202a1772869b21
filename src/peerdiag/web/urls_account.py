"""Pages about a person's own account: two-factor sign-in, invitations."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
