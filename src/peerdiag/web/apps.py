from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "peerdiag.web"
    label = "web"
    verbose_name = "Web pages"
