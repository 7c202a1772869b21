from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "peerdiag.api"
    label = "api"
    verbose_name = "HTTP API"
