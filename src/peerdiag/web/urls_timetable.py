"""URLs of the timetable pages (see views/timetable.py)."""

from django.urls import URLPattern, path

from .views import timetable

D = "diagnostics/<str:ref>/"
T = D + "timetable/"

urlpatterns: list[URLPattern] = [
    path(T, timetable.timetable, name="timetable"),
    path(T + "fixed-meetings/", timetable.timetable_seed, name="timetable_seed"),
    path(T + "settings/", timetable.timetable_settings, name="timetable_settings"),
    path(T + "coverage/", timetable.coverage, name="coverage"),
    path(
        T + "coverage/people/<str:role>/dismiss/",
        timetable.must_hear_dismiss,
        name="must_hear_dismiss",
    ),
    path(
        T + "coverage/people/<str:role>/restore/",
        timetable.must_hear_restore,
        name="must_hear_restore",
    ),
    path(T + "links/", timetable.session_links, name="session_links"),
    path(T + "sessions/new/", timetable.session_add, name="session_add"),
    path(T + "sessions/<str:code>/", timetable.session_edit, name="session_edit"),
    path(T + "sessions/<str:code>/remove/", timetable.session_remove, name="session_remove"),
]
