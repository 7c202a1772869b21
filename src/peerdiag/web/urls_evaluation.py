"""URLs of the evaluation pages (see views/evaluation.py)."""

from django.urls import path  # noqa: F401

D = "diagnostics/<str:ref>/"

urlpatterns: list = []  # type: ignore[type-arg]
