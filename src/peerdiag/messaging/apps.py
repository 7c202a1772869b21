from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "peerdiag.messaging"
    label = "messaging"
    verbose_name = "Messages between the council and the LGA team"

    def ready(self) -> None:
        from peerdiag.diagnostics.domain.retention import register_retention_step

        from . import rules  # noqa: F401 (registers the permissions)
        from .domain import retention

        register_retention_step(retention.destroy_due_messages, name=retention.STEP)
