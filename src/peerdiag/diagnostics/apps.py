from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "peerdiag.diagnostics"
    label = "diagnostics"
    verbose_name = "Diagnostics"

    def ready(self) -> None:
        from peerdiag.accounts.domain.two_factor import register_requirement

        from .domain import retention, team_gate
        from .domain.access import needs_two_factor

        team_gate.register()
        retention.register()
        from .domain import outbox

        outbox.register()
        register_requirement(needs_two_factor)
