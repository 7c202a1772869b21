from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerdiag.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from .domain.tokens import revoke_on_new_password
        from .domain.two_factor import is_administrator, register_requirement
        from .session_timeout import stamp_on_sign_in

        user_logged_in.connect(stamp_on_sign_in, dispatch_uid="peerdiag-idle-clock")
        # A new password, however it is set, stops every API token made before it.
        post_save.connect(
            revoke_on_new_password, sender=self.get_model("User"), dispatch_uid="peerdiag-tokens"
        )
        # LGA administrators and superusers see every council: always two factors.
        register_requirement(is_administrator)
