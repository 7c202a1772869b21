from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "peerdiag.timetable"
    label = "timetable"
    verbose_name = "Timetable"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain.gate import register

        register()

        from peerdiag.diagnostics.domain.retention import register_retention_step

        from .domain import retention

        register_retention_step(retention.destroy_due_delivery_week, name=retention.STEP)
