"""Pages of the casereview capability."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
