from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "peerdiag.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain.gate import register

        register()

        from peerdiag.diagnostics.domain.retention import register_retention_step

        from .domain import retention

        register_retention_step(retention.destroy_due_evaluation_text, name=retention.STEP)
