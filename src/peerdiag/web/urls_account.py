"""Pages about a person's own account: two-factor sign-in (app or passkeys), invitations."""

from django.urls import URLPattern, path

from .views import account, auth

urlpatterns: list[URLPattern] = [
    path("sign-in/code/", auth.sign_in_code, name="sign_in_code"),
    path("sign-in/passkey/", auth.sign_in_passkey, name="sign_in_passkey"),
    path("account/", account.account, name="account"),
    path("account/two-factor/", account.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        account.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    # Under the set-up address, so someone who must set up two-factor sign-in can use them.
    path("account/two-factor/passkeys/add/", account.passkey_add, name="passkey_add"),
    path(
        "account/two-factor/passkeys/<str:code>/remove/",
        account.passkey_remove,
        name="passkey_remove",
    ),
    path("invitation/<str:token>/", account.invitation_accept, name="invitation_accept"),
]
