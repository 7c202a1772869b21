"""URLs of the portfolio pages (see views/portfolio.py)."""

from django.urls import path  # noqa: F401

D = "diagnostics/<str:ref>/"

urlpatterns: list = []  # type: ignore[type-arg]
