"""Pages of the documents capability."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
