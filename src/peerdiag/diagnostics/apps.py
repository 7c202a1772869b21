from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "peerdiag.diagnostics"
    label = "diagnostics"
    verbose_name = "Diagnostics"

    def ready(self) -> None:
        from .domain import team_gate

        team_gate.register()
