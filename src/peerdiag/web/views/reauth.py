"""Asking for the password (and second factor) again before sensitive actions (`recent_auth`);
its page.

A session that signed in through an organisation's provider (single sign-on) is also offered
"Confirm with <provider>" (web/views/sso.py::start_reauth); for someone without a usable
password it is the only way. When the provider has proved who it is but peerdiag's own second
factor is still needed, the page asks for that alone (no password).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from peerdiag.accounts.domain import passkeys, throttle
from peerdiag.accounts.domain.reauth import (
    PROOF_EXPIRED,
    PROVIDER_PROOF_SESSION_KEY,
    confirm_identity,
    confirm_second_factor,
    needs_code,
    provider_proof,
)
from peerdiag.accounts.domain.two_factor import has_confirmed_device
from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.web.forms.auth import code_field

from . import sso
from .common import safe_next


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class ReauthCodeForm(ReauthForm):
    """For someone with an authenticator app: the password and a code, as at sign-in."""

    code = code_field()


def _recovery_code_field() -> forms.CharField:
    return forms.CharField(
        label="Recovery code",
        max_length=20,
        required=False,
        help_text="Only if you cannot use your passkey: one of your recovery codes",
        error_messages={"max_length": "That is too long for a recovery code"},
    )


class ReauthRecoveryForm(ReauthForm):
    """For someone whose second factor is a passkey alone: the password and the passkey, or a
    recovery code when the passkey cannot be used."""

    code = _recovery_code_field()


class ProvedCodeForm(forms.Form):
    """After the provider has confirmed who it is: the app code alone."""

    code = code_field()


class ProvedRecoveryForm(forms.Form):
    """After the provider has confirmed who it is, for someone whose second factor is a passkey
    alone: the passkey, or a recovery code."""

    code = _recovery_code_field()


def _passkey_check(request: HttpRequest, user: User) -> Callable[[], bool] | None:
    """Checks the passkey answer the page sent, if it sent one; the kept challenge is used up."""
    answer = request.POST.get("credential", "")
    if not answer:
        return None
    challenge = passkeys.take_challenge(request.session, purpose=passkeys.SIGN_IN, user=user)
    rp = passkeys.relying_party(host=request.get_host(), secure=request.is_secure())
    return lambda: passkeys.check_passkey(user, credential=answer, challenge=challenge, rp=rp)


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, candidate) or reverse("web:account")


def _form_class(*, proved: bool, has_app: bool, passkey: Any, with_code: bool) -> type[forms.Form]:
    """Which questions the page asks: after the provider's proof, the second factor alone;
    otherwise the password, with a code (an app), a recovery code (a passkey) or nothing."""
    if proved:
        return ProvedCodeForm if has_app and passkey is None else ProvedRecoveryForm
    if has_app and passkey is None:
        return ReauthCodeForm
    if with_code:
        return ReauthRecoveryForm
    return ReauthForm


def _confirmed(
    request: HttpRequest, user: User, form: forms.Form, *, proved: bool, code: str, passkey: Any
) -> bool:
    """Checks what was given (the second factor alone after the provider's proof, else the
    password too); on a refusal puts the error on the form and answers False."""
    try:
        if proved:
            confirm_second_factor(
                request.session,
                user,
                code=code,
                passkey=passkey,
                ip=throttle.client_ip(request.META),
            )
        else:
            confirm_identity(
                request.session,
                user,
                password=form.cleaned_data["password"],
                code=code,
                passkey=passkey,
                ip=throttle.client_ip(request.META),
            )
    except DomainError as e:
        form.add_error(e.field if e.field in form.fields else None, e.message)
        return False
    return True


@never_cache
@sensitive_post_parameters("password", "code", "credential")
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Enter the password again (and the second factor: a code, or a passkey); then go back.

    Or, for a session that signed in through a provider, sign in there again ("via=provider"
    posted here starts it); when that proved who it is and a second factor is still needed,
    the page asks for the second factor alone.

    Wrong passwords, codes and passkey answers count towards the sign-in throttle, so this
    page is no way round it (see accounts/domain/reauth.py `confirm_identity`).
    """
    user = request.user
    assert isinstance(user, User)
    provider = sso.session_provider(request)
    if request.method == "POST" and request.POST.get("via") == "provider" and provider:
        return sso.start_reauth(request, provider, _next(request))
    proved = provider_proof(request.session, user) is not None
    provider_error = request.session.pop(sso.REAUTH_ERROR_SESSION_KEY, "")
    posted = request.method == "POST"
    if not proved and request.session.pop(PROVIDER_PROOF_SESSION_KEY, None) is not None:
        # The provider's proof ran out while the page waited for the code: start again.
        provider_error, posted = PROOF_EXPIRED, False
    # Someone without a usable password whose session came through a provider confirms there.
    has_password = user.has_usable_password()
    password_way = has_password or provider is None
    with_code = needs_code(user)
    has_app = has_confirmed_device(user)
    passkey = _passkey_check(request, user) if posted else None
    form_class = _form_class(proved=proved, has_app=has_app, passkey=passkey, with_code=with_code)
    form = form_class((request.POST or None) if posted and (proved or password_way) else None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data.get("code", "")
        if with_code and not has_app and passkey is None and not code:
            form.add_error(None, "Use your passkey, or enter a recovery code if you cannot use it")
        elif _confirmed(request, user, form, proved=proved, code=code, passkey=passkey):
            return redirect(_next(request))
    context: dict[str, Any] = {
        "form": form,
        "next": _next(request),
        "with_code": with_code,
        "has_app": has_app,
        "proved": proved,
        "provider": provider,
        "has_password": has_password,
        "provider_error": provider_error,
    }
    options = (
        passkeys.authentication_options(
            user, rp=passkeys.relying_party(host=request.get_host(), secure=request.is_secure())
        )
        if proved or password_way
        else None  # only the provider's button is shown
    )
    if options is not None:
        options_json, challenge = options
        passkeys.keep_challenge(request.session, challenge, purpose=passkeys.SIGN_IN, user=user)
        context["passkey_options"] = json.loads(options_json)
    return render(request, "web/account/reauth.html", context)
