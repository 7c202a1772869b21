from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerdiag.reports"
    label = "reports"
    verbose_name = "Feedback and reports"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain.gate import register

        register()

        from peerdiag.diagnostics.domain.retention import register_retention_step

        from .domain import retention

        register_retention_step(retention.destroy_due_factual_comments, name=retention.STEP)
