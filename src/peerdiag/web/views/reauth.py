"""Asking for the password (and second factor) again before sensitive actions (`recent_auth`);
its page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from peerdiag.accounts.domain import passkeys, throttle
from peerdiag.accounts.domain.reauth import (
    confirm_identity,
    needs_code,
)
from peerdiag.accounts.domain.two_factor import has_confirmed_device
from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.web.forms.auth import code_field


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


class ReauthRecoveryForm(ReauthForm):
    """For someone whose second factor is a passkey alone: the password and the passkey, or a
    recovery code when the passkey cannot be used."""

    code = forms.CharField(
        label="Recovery code",
        max_length=20,
        required=False,
        help_text="Only if you cannot use your passkey: one of your recovery codes",
        error_messages={"max_length": "That is too long for a recovery code"},
    )


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
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:account")


@never_cache
@sensitive_post_parameters("password", "code", "credential")
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Enter the password again (and the second factor: a code, or a passkey); then go back.

    Wrong passwords, codes and passkey answers count towards the sign-in throttle, so this
    page is no way round it (see accounts/domain/reauth.py `confirm_identity`).
    """
    user = request.user
    assert isinstance(user, User)
    with_code = needs_code(user)
    has_app = has_confirmed_device(user)
    passkey = _passkey_check(request, user) if request.method == "POST" else None
    if has_app and passkey is None:
        form_class: type[ReauthForm] = ReauthCodeForm
    elif with_code:
        form_class = ReauthRecoveryForm
    else:
        form_class = ReauthForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("code", "")
        if with_code and not has_app and passkey is None and not code:
            form.add_error(None, "Use your passkey, or enter a recovery code if you cannot use it")
        else:
            try:
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
            else:
                return redirect(_next(request))
    context: dict[str, Any] = {
        "form": form,
        "next": _next(request),
        "with_code": with_code,
        "has_app": has_app,
    }
    options = passkeys.authentication_options(
        user, rp=passkeys.relying_party(host=request.get_host(), secure=request.is_secure())
    )
    if options is not None:
        options_json, challenge = options
        passkeys.keep_challenge(request.session, challenge, purpose=passkeys.SIGN_IN, user=user)
        context["passkey_options"] = json.loads(options_json)
    return render(request, "web/account/reauth.html", context)
