from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "peerdiag.documents"
    label = "documents"
    verbose_name = "Key documents"

    def ready(self) -> None:
        from .domain.gate import register

        register()
