from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "peerdiag.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers the permissions)
