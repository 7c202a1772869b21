"""URLs of the insight pages (see views/insight.py)."""

from django.urls import path  # noqa: F401

D = "diagnostics/<str:ref>/"

urlpatterns: list = []  # type: ignore[type-arg]
