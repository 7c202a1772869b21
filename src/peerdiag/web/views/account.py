"""A person's own account: two-factor sign-in set-up (an authenticator app or passkeys), recovery
codes, and invitation links."""

from __future__ import annotations

import json
import re

import qrcode
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from qrcode.image.svg import SvgPathImage

from peerdiag.accounts.domain import passkeys, two_factor
from peerdiag.accounts.domain.invitations import REFUSALS, accept_invitation
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import Invitation, Passkey, User
from peerdiag.common.errors import DomainError
from peerdiag.web.forms.auth import ChoosePasswordForm, ConfirmAppForm

from .common import recent_auth

QR_PIXELS = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def qr_svg(data: str) -> SafeString:
    """`data` as a QR code, an inline <svg> with a name for assistive technology."""
    svg = qrcode.make(data, image_factory=SvgPathImage).to_string(encoding="unicode")
    assert isinstance(svg, str) and svg.startswith("<svg ")
    svg = re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        f'<svg width="{QR_PIXELS}" height="{QR_PIXELS}" role="img" focusable="false" '
        'aria-label="QR code for your authenticator app"',
        svg,
        count=1,
    )
    # Made by qrcode from our own otpauth address: no text of it appears in the markup.
    return mark_safe(svg)  # noqa: S308


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    device = two_factor.confirmed_device(user)
    keys = passkeys.passkeys_of(user)
    on = device is not None or bool(keys)
    return render(
        request,
        "web/account/account.html",
        {
            "nav": "account",
            "person": getattr(user, "person", None),
            "device": device,
            "passkeys": keys,
            "two_factor_on": on,
            "codes_left": two_factor.unused_recovery_codes(user) if on else 0,
            "required": two_factor.two_factor_required(user),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then prove it with a code; shows recovery codes once."""
    user = _user(request)
    if two_factor.has_confirmed_device(user):
        messages.info(request, "Two-factor sign-in is set up already")
        return redirect("web:account")
    device, uri = two_factor.start_totp(user)
    form = ConfirmAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_totp(user, code=form.cleaned_data["code"])
        except DomainError as e:
            form.add_error("code", e.message)
        else:
            request.session[VERIFIED_SESSION_KEY] = True
            return render(
                request,
                "web/account/recovery_codes.html",
                {"nav": "account", "codes": codes, "first_time": True},
            )
    return render(
        request,
        "web/account/two_factor_setup.html",
        {
            "nav": "account",
            "form": form,
            "qr": qr_svg(uri),
            "secret": two_factor.secret_for_display(device.secret),
            "uri": uri,
            "required": two_factor.two_factor_required(user)
            and not two_factor.has_second_factor(user),
        },
    )


class PasskeyForm(forms.Form):
    """A name for a new passkey; the page's script adds the browser's answer."""

    name = forms.CharField(
        label="Name this passkey",
        max_length=passkeys.NAME_MAX,
        help_text="So you can tell your passkeys apart, for example ‘Work laptop’ or ‘Phone’",
        error_messages={
            "required": "Enter a name for the passkey",
            "max_length": f"The name must be {passkeys.NAME_MAX} characters or fewer",
        },
    )
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


def _relying_party(request: HttpRequest) -> passkeys.RelyingParty:
    return passkeys.relying_party(host=request.get_host(), secure=request.is_secure())


@never_cache
@sensitive_post_parameters("credential")
@recent_auth()
def passkey_add(request: HttpRequest) -> HttpResponse:
    """Name a passkey and make it (the page's script asks the browser); the first second factor
    also shows recovery codes once.

    Each showing of the page keeps a fresh challenge in the session; the answer uses it up.
    """
    user = _user(request)
    form = PasskeyForm(request.POST or None)
    if request.method == "POST":
        challenge = passkeys.take_challenge(request.session, purpose=passkeys.REGISTER, user=user)
        if form.is_valid():
            credential = form.cleaned_data["credential"]
            try:
                if not credential:
                    raise DomainError(
                        "Your browser did not make a passkey. Choose ‘Add passkey’ and follow "
                        "what your browser asks",
                        field="name",
                    )
                had_factor = two_factor.has_second_factor(user)
                passkey, codes = passkeys.add_passkey(
                    user,
                    name=form.cleaned_data["name"],
                    credential=credential,
                    challenge=challenge,
                    rp=_relying_party(request),
                )
            except DomainError as e:
                form.add_error("name", e.message)
            else:
                if not had_factor:
                    # As with the app: making the first second factor proves this session has it.
                    request.session[VERIFIED_SESSION_KEY] = True
                if codes:
                    return render(
                        request,
                        "web/account/recovery_codes.html",
                        {"nav": "account", "codes": codes, "first_time": True},
                    )
                messages.success(request, f"Passkey ‘{passkey.name}’ added")
                return redirect("web:account")
    options_json, challenge = passkeys.registration_options(user, rp=_relying_party(request))
    passkeys.keep_challenge(request.session, challenge, purpose=passkeys.REGISTER, user=user)
    return render(
        request,
        "web/account/passkey_add.html",
        {
            "nav": "account",
            "form": form,
            "passkey_options": json.loads(options_json),
            "required": two_factor.two_factor_required(user)
            and not two_factor.has_second_factor(user),
        },
    )


@never_cache
@recent_auth()
def passkey_remove(request: HttpRequest, code: str) -> HttpResponse:
    """Asks first; a POST removes the passkey. Removing the last second factor of someone who
    must use one sends them to set it up again."""
    user = _user(request)
    passkey = Passkey.objects.filter(user=user, code=code).first()
    if passkey is None:
        raise Http404("No such passkey")
    others = Passkey.objects.filter(user=user).exclude(pk=passkey.pk).exists()
    last = not others and not two_factor.has_confirmed_device(user)
    if request.method == "POST":
        none_left = passkeys.remove_passkey(passkey, by=user)
        if none_left:
            request.session.pop(VERIFIED_SESSION_KEY, None)
            if two_factor.two_factor_required(user):
                messages.info(
                    request,
                    f"Passkey ‘{passkey.name}’ removed. Your role needs two-factor sign-in, so "
                    "set it up again",
                )
                return redirect("web:two_factor_setup")
        messages.success(request, f"Passkey ‘{passkey.name}’ removed")
        return redirect("web:account")
    return render(
        request,
        "web/account/passkey_remove.html",
        {
            "nav": "account",
            "passkey": passkey,
            "last": last,
            "required": two_factor.two_factor_required(user),
        },
    )


@never_cache
@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Asks first; a POST replaces every recovery code and shows the new ones once."""
    user = _user(request)
    if not two_factor.has_second_factor(user):
        return redirect("web:two_factor_setup")
    if request.method == "POST":
        codes = two_factor.regenerate_recovery_codes(user)
        return render(
            request,
            "web/account/recovery_codes.html",
            {"nav": "account", "codes": codes, "first_time": False},
        )
    return render(
        request,
        "web/account/recovery_codes_confirm.html",
        {"nav": "account", "codes_left": two_factor.unused_recovery_codes(user)},
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a password with an invitation link, then sign in.

    A link that was never issued answers 404; one that was used, replaced by a newer one or has
    expired answers 200 with a page saying why and whom to ask. Neither names the person.
    """
    invitation = Invitation.objects.for_token(token)
    if invitation is None:
        return _refused(request, REFUSALS["unknown"], status=404)
    state = invitation.state()
    if state != "open":
        return _refused(request, REFUSALS[state])
    form = ChoosePasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(token, password=form.cleaned_data["password1"])
        except DomainError as e:
            if e.field == "token":
                return _refused(request, e.message)
            form.add_domain_error(e)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your password is saved and you are signed in")
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request, "web/account/invitation_accept.html", {"form": form, "invitee": invitation.user}
    )


def _refused(request: HttpRequest, reason: str, *, status: int = 200) -> HttpResponse:
    return render(request, "web/account/invitation_refused.html", {"reason": reason}, status=status)
