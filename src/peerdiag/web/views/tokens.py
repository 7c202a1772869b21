"""A person's own API tokens: the list, making one (shown once) and revoking one.

Making a token asks what it may do (its scope) and how long it works. The sensitive scope
also needs the password and second factor confirmed in the last few minutes: without that, the
page sends the person to confirm them (web/views/reauth.py) and back to the form, filled in again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from peerdiag.accounts.domain.reauth import auth_is_recent, confirmed_at, needs_code
from peerdiag.accounts.domain.tokens import (
    DAY_CHOICES,
    NAME_MAX,
    SENSITIVE_CONFIRM_MINUTES,
    SENSITIVE_HOUR_CHOICES,
    SENSITIVE_LONGEST,
    issue_token,
    revoke_token,
    tokens_of,
)
from peerdiag.accounts.models import ApiToken, User
from peerdiag.common.errors import DomainError

from .common import recent_auth

Scope = ApiToken.Scope

SCOPE_CHOICES = [
    (Scope.READ.value, "Read only"),
    (Scope.WRITE.value, "Read and change"),
    (Scope.SENSITIVE.value, "Read, change and download sensitive files"),
]
SCOPE_HINTS = {
    Scope.READ.value: "It can look things up but cannot change anything.",
    Scope.WRITE.value: "It can look things up and make the changes you can make on the pages.",
    Scope.SENSITIVE.value: "It can also download files classed as official-sensitive or as "
    "containing personal data, where you are cleared to see them. You need two-factor sign-in "
    "(an authenticator app or a passkey) for this. If you have not confirmed your password and "
    f"second factor in the last {SENSITIVE_CONFIRM_MINUTES} minutes, you will be asked to. It "
    f"works for {SENSITIVE_HOUR_CHOICES[-1]} hours at most.",
}
DAYS = [(f"{n}d", f"{n} days") for n in DAY_CHOICES]
HOURS = [(f"{n}h", f"{n} hour" if n == 1 else f"{n} hours") for n in SENSITIVE_HOUR_CHOICES]
DEFAULT_LIFETIME = "90d"
SENSITIVE_TOO_LONG = (
    "A token that can download sensitive files works for 8 hours at most. Choose 1, 4 or 8 hours"
)


def lifetime_of(choice: str) -> timedelta:
    """'90d' → 90 days, '8h' → 8 hours (only the offered choices reach here)."""
    number, unit = int(choice[:-1]), choice[-1]
    return timedelta(days=number) if unit == "d" else timedelta(hours=number)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="What the token is for, so you know which to revoke later, like "
        "“Weekly export script”",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": f"The name must be {NAME_MAX} characters or fewer",
        },
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=SCOPE_CHOICES,
        initial=Scope.READ.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the token may do",
            "invalid_choice": "Choose what the token may do",
        },
    )
    lifetime = forms.ChoiceField(
        label="How long should it work?",
        choices=DAYS + HOURS,
        initial=DEFAULT_LIFETIME,
        widget=forms.RadioSelect,
        help_text="It stops working after this time, and you can revoke it sooner. A token "
        "that can download sensitive files works for 8 hours at most.",
        error_messages={
            "required": "Choose how long the token works for",
            "invalid_choice": "Choose how long the token works for",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("scope") == Scope.SENSITIVE
            and data.get("lifetime")
            and lifetime_of(data["lifetime"]) > SENSITIVE_LONGEST
        ):
            self.add_error("lifetime", SENSITIVE_TOO_LONG)
        return data


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _initial(query: QueryDict) -> dict[str, str]:
    """Choices carried back from the password-and-code page (ignored unless they are offered)."""
    name, scope, lifetime = (str(query.get(k, "")) for k in ("name", "scope", "lifetime"))
    initial: dict[str, str] = {}
    if 0 < len(name) <= NAME_MAX:
        initial["name"] = name
    if scope in dict(SCOPE_CHOICES):
        initial["scope"] = scope
    if lifetime in dict(DAYS + HOURS):
        initial["lifetime"] = lifetime
    return initial


def _confirmed_at(request: HttpRequest) -> datetime | None:
    at = confirmed_at(request.session)
    return None if at is None else datetime.fromtimestamp(at, tz=UTC)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/tokens/list.html",
        {"nav": "account", "tokens": tokens_of(_user(request))},
    )


@never_cache
@recent_auth()
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Name a new token, its scope and how long it works; the page that follows shows the token
    itself, this once only. The owner is e-mailed that it was made."""
    user = _user(request)
    form = TokenForm(request.POST or None, initial=_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (
            data["scope"] == Scope.SENSITIVE
            and needs_code(user)
            and not auth_is_recent(request.session, minutes=SENSITIVE_CONFIRM_MINUTES)
        ):
            # Confirm the password and second factor, then come back to the form as filled in.
            filled = {k: data[k] for k in ("name", "scope", "lifetime")}
            back = f"{reverse('web:api_token_create')}?{urlencode(filled)}"
            return redirect(reverse("web:reauth") + "?" + urlencode({"next": back}))
        try:
            token, raw = issue_token(
                user,
                name=data["name"],
                by=user,
                scope=data["scope"],
                lifetime=lifetime_of(data["lifetime"]),
                confirmed_at=_confirmed_at(request),
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            return render(
                request,
                "web/tokens/created.html",
                {"nav": "account", "token": token, "raw": raw, "scope": Scope(token.scope).label},
            )
    return render(
        request,
        "web/tokens/create.html",
        {
            "nav": "account",
            "form": form,
            "scopes": _options(form, "scope", SCOPE_CHOICES, SCOPE_HINTS),
            "days": _options(form, "lifetime", DAYS),
            "hours": _options(form, "lifetime", HOURS),
        },
    )


def _options(
    form: TokenForm,
    field: str,
    choices: list[tuple[str, str]],
    hints: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Radio options for the template, with the one chosen (or the default) checked."""
    chosen = str(form[field].value() or "")
    return [
        {
            "value": value,
            "label": label,
            "hint": (hints or {}).get(value, ""),
            "checked": value == chosen,
        }
        for value, label in choices
    ]


@never_cache
@recent_auth()
def api_token_revoke(request: HttpRequest, code: str) -> HttpResponse:
    """Asks first; a POST stops the token working at once. Another person's token is a 404."""
    user = _user(request)
    token = get_object_or_404(ApiToken, user=user, code=code)
    if request.method == "POST":
        if revoke_token(token, by=user):
            messages.success(request, f"The token “{token.name}” is revoked and no longer works")
        return redirect("web:api_tokens")
    return render(request, "web/tokens/revoke.html", {"nav": "account", "token": token})
