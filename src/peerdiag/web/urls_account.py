"""Pages about a person's own account: two-factor sign-in, invitations."""

from django.urls import URLPattern, path

from .views import account, auth

urlpatterns: list[URLPattern] = [
    path("sign-in/code/", auth.sign_in_code, name="sign_in_code"),
    path("account/", account.account, name="account"),
    path("account/two-factor/", account.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        account.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("invitation/<str:token>/", account.invitation_accept, name="invitation_accept"),
]
