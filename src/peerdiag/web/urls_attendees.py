"""URLs of the attendees pages (see views/attendees.py)."""

from django.urls import URLPattern, path

from .views import attendees

D = "diagnostics/<str:ref>/"

urlpatterns: list[URLPattern] = [
    path(D + "attendees/", attendees.attendee_list, name="attendees"),
    path(D + "attendees/new/", attendees.attendee_add, name="attendee_add"),
    path(
        D + "attendees/spreadsheet/",
        attendees.availability_template,
        name="availability_template",
    ),
    path(D + "attendees/import/", attendees.availability_import, name="availability_import"),
    path(D + "attendees/<str:code>/", attendees.attendee_edit, name="attendee_edit"),
    path(D + "attendees/<str:code>/remove/", attendees.attendee_remove, name="attendee_remove"),
    path(D + "availability/<str:code>/", attendees.availability, name="availability"),
]
