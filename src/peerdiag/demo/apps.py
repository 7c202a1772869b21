from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader and its commands (`peerdiag demo`, `peerdiag demo_code`); no models."""

    name = "peerdiag.demo"
    label = "demo"
    verbose_name = "Demo data"
