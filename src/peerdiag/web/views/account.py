"""A person's own account: two-factor sign-in set-up, recovery codes, and invitation links."""

from __future__ import annotations

import re

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from qrcode.image.svg import SvgPathImage

from peerdiag.accounts.domain import two_factor
from peerdiag.accounts.domain.invitations import REFUSALS, accept_invitation
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import Invitation, User
from peerdiag.common.errors import DomainError
from peerdiag.web.forms.auth import ChoosePasswordForm, ConfirmAppForm

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
    return render(
        request,
        "web/account/account.html",
        {
            "nav": "account",
            "person": getattr(user, "person", None),
            "device": device,
            "codes_left": two_factor.unused_recovery_codes(user) if device else 0,
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
            "required": two_factor.two_factor_required(user),
        },
    )


@never_cache
@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Asks first; a POST replaces every recovery code and shows the new ones once."""
    user = _user(request)
    if not two_factor.has_confirmed_device(user):
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
