"""URLs of the findings pages (see views/findings.py)."""

from django.urls import path  # noqa: F401

D = "diagnostics/<str:ref>/"

urlpatterns: list = []  # type: ignore[type-arg]
