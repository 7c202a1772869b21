from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "peerdiag.diagnostics"
    label = "diagnostics"
    verbose_name = "Diagnostics"
