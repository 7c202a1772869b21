from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "peerdiag.common"
    label = "common"
    verbose_name = "Common"
