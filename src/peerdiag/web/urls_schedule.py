"""URLs of the schedule pages (see views/schedule.py)."""

from django.urls import URLPattern, path

from .views import schedule

D = "diagnostics/<str:ref>/timetable/"

urlpatterns: list[URLPattern] = [
    path(D + "generate/", schedule.schedule_generate, name="schedule_generate"),
    path(D + "generate/progress/", schedule.schedule_progress, name="schedule_progress"),
    path(D + "grid/", schedule.schedule_grid, name="schedule_grid"),
    path(D + "itineraries/", schedule.schedule_people, name="schedule_people"),
    path(D + "itineraries/<str:code>/", schedule.itinerary, name="itinerary"),
    path(D + "sessions/<str:code>/move/", schedule.session_move, name="session_move"),
    path(D + "sessions/<str:code>/held/", schedule.session_held, name="session_held"),
    path(
        D + "sessions/<str:code>/attendance/",
        schedule.session_attendance,
        name="session_attendance",
    ),
    path(D + "attendance/", schedule.timetable_attendance, name="timetable_attendance"),
    path(D + "publish/", schedule.timetable_publish, name="timetable_publish"),
    path(D + "versions/agree/", schedule.timetable_agree, name="timetable_agree"),
    path(D + "versions/", schedule.timetable_versions, name="timetable_versions"),
    path(D + "versions/<int:number>/", schedule.timetable_version, name="timetable_version"),
    path(
        D + "published.xlsx",
        schedule.timetable_download,
        {"kind": "xlsx"},
        name="timetable_download_xlsx",
    ),
    path(
        D + "published.ics",
        schedule.timetable_download,
        {"kind": "ics"},
        name="timetable_download_ics",
    ),
]
