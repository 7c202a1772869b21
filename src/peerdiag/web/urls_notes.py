"""URLs of the notes pages (see views/notes.py)."""

from django.urls import URLPattern, path

from .views import notes

D = "diagnostics/<str:ref>/notes/"

urlpatterns: list[URLPattern] = [
    path(D, notes.notes, name="notes"),
    path(D + "new/", notes.note_add, name="note_add"),
    path(D + "case-review/", notes.notes_pull_case_review, name="notes_pull_case_review"),
    path(D + "sessions/<str:code>/", notes.session_note, name="session_note"),
    path(D + "<str:code>/", notes.note_edit, name="note_edit"),
    path(D + "<str:code>/save/", notes.note_save, name="note_save"),
    path(D + "<str:code>/quotes/", notes.quote_add, name="quote_add"),
    path(D + "<str:code>/quotes/<int:pk>/allow/", notes.quote_override, name="quote_override"),
]
