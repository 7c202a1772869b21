from django.apps import AppConfig


class CaseReviewConfig(AppConfig):
    name = "peerdiag.casereview"
    label = "casereview"
    verbose_name = "Case record review"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain import gate

        gate.register()
