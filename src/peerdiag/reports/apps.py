from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerdiag.reports"
    label = "reports"
    verbose_name = "Feedback and reports"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain.gate import register

        register()
