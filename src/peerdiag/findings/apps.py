from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "peerdiag.findings"
    label = "findings"
    verbose_name = "Evidence and findings"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
        from .domain.gate import register

        register()
