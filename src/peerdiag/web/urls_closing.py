"""URLs of closing a diagnostic: destroying its working data early (see views/closing.py)."""

from django.urls import URLPattern, path

from .views import closing

D = "diagnostics/<str:ref>/"

urlpatterns: list[URLPattern] = [
    path(D + "closing/destroy/", closing.closing_destroy, name="closing_destroy"),
]
