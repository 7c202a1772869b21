"""URLs of the reports pages (see views/reports.py)."""

from django.urls import path  # noqa: F401

D = "diagnostics/<str:ref>/"

urlpatterns: list = []  # type: ignore[type-arg]
