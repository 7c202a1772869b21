from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "peerdiag.documents"
    label = "documents"
    verbose_name = "Key documents"

    def ready(self) -> None:
        from .domain.gate import register

        register()

        from peerdiag.diagnostics.domain.retention import register_retention_step

        from .domain import retention

        register_retention_step(retention.destroy_due_document_files, name=retention.STEP)
