from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerdiag.reports"
    label = "reports"
    verbose_name = "Feedback and reports"
