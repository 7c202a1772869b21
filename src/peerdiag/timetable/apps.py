from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "peerdiag.timetable"
    label = "timetable"
    verbose_name = "Timetable"
