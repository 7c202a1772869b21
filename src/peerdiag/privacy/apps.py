from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "peerdiag.privacy"
    label = "privacy"
    verbose_name = "Privacy"
