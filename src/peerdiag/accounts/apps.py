from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerdiag.accounts"
    label = "accounts"
    verbose_name = "Accounts"
