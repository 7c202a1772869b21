from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerdiag.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session_timeout import stamp_on_sign_in

        user_logged_in.connect(stamp_on_sign_in, dispatch_uid="peerdiag-idle-clock")
