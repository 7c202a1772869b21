from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", error_messages={"required": "Enter your e-mail address"}
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "The e-mail address or password is not right",
        "inactive": "This account is switched off",
    }


# A code box: browsers and password managers offer the one-time code (WCAG 1.3.5).
ONE_TIME_CODE = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}


def code_field() -> forms.CharField:
    """The second-factor code box: an app code or a recovery code (sign-in, re-authentication).

    No numeric keypad (`inputmode`) here: a recovery code has letters, and a phone showing
    only digits would shut out someone who has lost their authenticator app."""
    return forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs=ONE_TIME_CODE),
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes",
        error_messages={
            "required": "Enter the code from your authenticator app or a recovery code",
            "max_length": "That is too long for a code: enter 6 digits or a recovery code",
        },
    )


class SecondFactorForm(forms.Form):
    """The code from the authenticator app, or a recovery code, after the password."""

    code = code_field()


class ConfirmAppForm(forms.Form):
    """The first code from a newly added authenticator app, proving it was set up right."""

    code = forms.CharField(
        label="Enter the 6-digit code your app shows",
        max_length=20,
        widget=forms.TextInput(attrs={**ONE_TIME_CODE, "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 digits, like 123456")
        return code


class ChoosePasswordForm(forms.Form):
    """A new password, twice, checked with the site's password validators for this login."""

    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters. Do not use a common password, or one like your name "
        "or e-mail address",
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def add_domain_error(self, error: Any) -> None:
        field = {"password": "password1"}.get(error.field or "")
        self.add_error(field, error.message)
