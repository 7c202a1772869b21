"""Signing in (password, then the second factor when the person has one), out and resets.

The second factor is a code (authenticator app or recovery code) or a passkey. Failed passwords,
wrong codes and passkey answers that do not check out all count towards the sign-in throttle
(accounts/domain/throttle.py); while an IP is locked out or an address must wait, the page
refuses without checking anything.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from peerdiag.accounts.domain import passkeys, throttle
from peerdiag.accounts.domain.reauth import USED_CODE, WRONG_CODE, mark_confirmed
from peerdiag.accounts.domain.sso import (
    email_domain,
    password_allowed,
    provider_instead_of_password,
)
from peerdiag.accounts.domain.tokens import revoke_all_tokens
from peerdiag.accounts.domain.two_factor import (
    CodeCheck,
    check_second_factor,
    has_confirmed_device,
    has_second_factor,
)
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import User
from peerdiag.accounts.session_timeout import IDLE_SIGNED_OUT_KEY, idle_seconds
from peerdiag.accounts.sso_config import SsoProvider, providers
from peerdiag.web.forms.auth import SecondFactorForm, SignInForm

from . import sso

# Between the password and the code the session holds who is signing in, not a login.
PENDING_SESSION_KEY = "two_factor_pending"
# How long the code page waits after the password, and how many wrong codes it takes.
PENDING_SECONDS = 5 * 60
MAX_CODE_TRIES = 5


class LockedSignInForm(SignInForm):
    """The sign-in form while its IP is locked out or its address must wait: refuses without
    authenticating."""

    wait: Any = None

    def clean(self) -> dict[str, Any]:
        raise ValidationError(self.wait.message(), code="locked")


class PasswordsOffForm(SignInForm):
    """The sign-in form for an address whose organisation signs in through a provider only
    (single sign-on with `passwords: false`): refuses without authenticating."""

    sso: Any = None

    def clean(self) -> dict[str, Any]:
        raise ValidationError(
            f"Passwords are not used for addresses at {email_domain(self.sso.email)}. Use the "
            f"‘{self.sso.provider.label}’ button above instead",
            code="sso_only",
        )


@dataclass(frozen=True)
class _SsoOnly:
    email: str
    provider: SsoProvider


class SignInView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    wait: Any = None
    sso_only: _SsoOnly | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.session.pop(IDLE_SIGNED_OUT_KEY, False):
            minutes = idle_seconds() // 60
            messages.info(
                request,
                f"You were signed out because peerdiag was not used for {minutes} minutes. "
                "Sign in again to carry on",
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.wait = throttle.waiting(
            email=request.POST.get("username", ""), ip=throttle.client_ip(request.META)
        )
        email = request.POST.get("username", "").strip()
        instead = provider_instead_of_password(email) if email else None
        self.sso_only = _SsoOnly(email, instead) if instead is not None else None
        return super().post(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        if self.wait is not None:
            return LockedSignInForm
        if self.sso_only is not None:
            return PasswordsOffForm
        return super().get_form_class()

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        if isinstance(form, LockedSignInForm):
            form.wait = self.wait
        if isinstance(form, PasswordsOffForm):
            form.sso = self.sso_only
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = providers()
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            wait = throttle.record_failure(
                email=form.cleaned_data.get("username") or self.request.POST.get("username"),
                ip=throttle.client_ip(self.request.META),
            )
            if wait is not None and wait.network:
                form.errors[NON_FIELD_ERRORS] = form.error_class([wait.message()])
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not has_second_factor(user):
            response = super().form_valid(form)
            throttle.record_success(email=user.email, ip=throttle.client_ip(self.request.META))
            mark_confirmed(self.request.session)
            return response
        # The password was right, but nobody is signed in until the second factor is too.
        return begin_second_step(
            self.request, user, backend=user.backend, next=self.get_success_url()
        )


def begin_second_step(request: HttpRequest, user: User, *, backend: str, next: str) -> HttpResponse:
    """Send `user` to the second step of signing in (a code or a passkey), then on to `next`.

    Also used for a signed-in session that has not passed the second factor (the admin site).
    """
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": backend,
        "at": time.time(),
        "next": next,
        "tries": 0,
    }
    return redirect("web:sign_in_code")


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        del request.session[PENDING_SESSION_KEY]
        messages.error(request, "That took too long. Sign in again")
        return None
    return pending


class RecoveryCodeForm(forms.Form):
    """For someone whose second factor is a passkey alone: a recovery code instead."""

    code = forms.CharField(
        label="Recovery code",
        max_length=20,
        help_text="One of the recovery codes you were given when you added your first passkey",
        error_messages={
            "required": "Enter one of your recovery codes",
            "max_length": "That is too long for a recovery code",
        },
    )


PASSKEY_NOT_CHECKED = "The passkey could not be checked. Try again, or use another way to sign in"


def _code_form_class(user: User) -> type[forms.Form]:
    return SecondFactorForm if has_confirmed_device(user) else RecoveryCodeForm


def _code_form_saying(user: User, message: str) -> forms.Form:
    """An empty code form that shows `message` in its error summary (after a passkey try)."""
    form = _code_form_class(user)()
    form.cleaned_data = {}  # an unbound form has none, and add_error needs it
    form.add_error(None, message)
    return form


def _code_page(request: HttpRequest, user: User, form: forms.Form) -> HttpResponse:
    """The second step's page: the code form, and "Use a passkey" for someone who has one.

    Each time it is shown, a fresh passkey challenge is kept in the session for one answer.
    """
    context: dict[str, Any] = {"form": form, "has_app": has_confirmed_device(user)}
    rp = passkeys.relying_party(host=request.get_host(), secure=request.is_secure())
    options = passkeys.authentication_options(user, rp=rp)
    if options is not None:
        options_json, challenge = options
        passkeys.keep_challenge(request.session, challenge, purpose=passkeys.SIGN_IN, user=user)
        context["passkey_options"] = json.loads(options_json)
    return render(request, "web/account/sign_in_code.html", context)


def _pending_user(request: HttpRequest, pending: dict[str, Any]) -> User | None:
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[PENDING_SESSION_KEY]
    return user


def _signed_in(
    request: HttpRequest, user: User, pending: dict[str, Any], ip: str | None
) -> HttpResponse:
    """The second factor checked out: sign in, mark the session verified, clear the counts."""
    del request.session[PENDING_SESSION_KEY]
    login(request, user, backend=pending["backend"])
    request.session[VERIFIED_SESSION_KEY] = True
    mark_confirmed(request.session)
    throttle.record_success(email=user.email, ip=ip)
    return HttpResponseRedirect(pending["next"] or resolve_url(settings.LOGIN_REDIRECT_URL))


def _refused_by_wait(request: HttpRequest, wait: Any) -> HttpResponse:
    del request.session[PENDING_SESSION_KEY]
    messages.error(request, wait.message())
    return redirect(settings.LOGIN_URL)


def _count_failure(
    request: HttpRequest, user: User, pending: dict[str, Any], ip: str | None
) -> HttpResponse | None:
    """Count a wrong code, or a passkey answer that did not check out, as a failed sign-in.

    Returns where to send the person when that was one too many; None to show the page again.
    Failures count towards the address's delay too, so signing in again with the password does
    not buy fresh tries each time.
    """
    wait = throttle.record_failure(email=user.email, ip=ip)
    pending["tries"] += 1
    locked = wait is not None and wait.network
    if pending["tries"] >= MAX_CODE_TRIES:
        del request.session[PENDING_SESSION_KEY]
        later = f" after {throttle.refusal_time(wait.until)}" if wait and locked else ""
        messages.error(request, f"The code was wrong too many times. Sign in again{later}")
        return redirect(settings.LOGIN_URL)
    if wait is not None and locked:
        return _refused_by_wait(request, wait)
    request.session[PENDING_SESSION_KEY] = pending
    return None


@never_cache
@sensitive_post_parameters("code")
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code (used up).

    Someone with a passkey can use it instead: the page posts its answer to `sign_in_passkey`.
    """
    pending = _pending(request)
    if pending is None:
        return redirect(settings.LOGIN_URL)
    user = _pending_user(request, pending)
    if user is None:
        return redirect(settings.LOGIN_URL)
    form = _code_form_class(user)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = throttle.client_ip(request.META)
        wait = throttle.waiting(email=user.email, ip=ip)
        if wait is not None and wait.network:
            return _refused_by_wait(request, wait)
        if wait is not None:
            # Too soon after the last failure: nothing is checked or counted, and the code
            # page stays, so the person can try again once the few seconds have passed.
            form.add_error(None, wait.message())
            return _code_page(request, user, form)
        check = check_second_factor(user, code=form.cleaned_data["code"])
        if check is CodeCheck.RIGHT:
            return _signed_in(request, user, pending, ip)
        if check is CodeCheck.USED:
            # A code seen already (typed twice, or sent twice): not a guess, so not counted.
            form.add_error("code", USED_CODE)
            return _code_page(request, user, form)
        gone = _count_failure(request, user, pending, ip)
        if gone is not None:
            return gone
        form.add_error("code", WRONG_CODE)
    return _code_page(request, user, form)


@never_cache
@require_POST
@sensitive_post_parameters("credential")
def sign_in_passkey(request: HttpRequest) -> HttpResponse:
    """The second step of signing in with a passkey: the page's script posts the browser's answer.

    Throttled and counted exactly as a code is: refused unchecked while the address must wait,
    an answer that does not check out counts as a wrong code, and success marks the session
    verified and clears the counts.
    """
    pending = _pending(request)
    if pending is None:
        return redirect(settings.LOGIN_URL)
    user = _pending_user(request, pending)
    if user is None:
        return redirect(settings.LOGIN_URL)
    ip = throttle.client_ip(request.META)
    # Taken before anything else, so the challenge is used up whatever happens next.
    challenge = passkeys.take_challenge(request.session, purpose=passkeys.SIGN_IN, user=user)
    wait = throttle.waiting(email=user.email, ip=ip)
    if wait is not None and wait.network:
        return _refused_by_wait(request, wait)
    if wait is not None:
        return _code_page(request, user, _code_form_saying(user, wait.message()))
    rp = passkeys.relying_party(host=request.get_host(), secure=request.is_secure())
    if passkeys.check_passkey(
        user, credential=request.POST.get("credential", ""), challenge=challenge, rp=rp
    ):
        return _signed_in(request, user, pending, ip)
    gone = _count_failure(request, user, pending, ip)
    if gone is not None:
        return gone
    return _code_page(request, user, _code_form_saying(user, PASSKEY_NOT_CHECKED))


class SignOutView(auth_views.LogoutView):
    """Signs out of peerdiag. A session that came from single sign-on then gets a page that
    offers to sign out of the provider too (its end-session address); others go to sign-in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        also = sso.end_session_link(request) if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if also is None:
            return response
        # The old session is gone; the new, anonymous one carries the link to one page view
        # (a GET, so reloading it asks nothing of the browser).
        request.session[SIGNED_OUT_KEY] = also
        return redirect("web:signed_out")


SIGNED_OUT_KEY = "signed_out_of_sso"


def signed_out(request: HttpRequest) -> HttpResponse:
    """After signing out of a session that came from single sign-on: offers the provider's
    end-session link, once. Without one (reloaded later, or opened directly) it goes to sign in."""
    also = request.session.pop(SIGNED_OUT_KEY, None)
    if request.user.is_authenticated or not isinstance(also, dict):
        return redirect("web:login")
    return render(request, "web/auth/signed_out.html", {"also": also})


class SsoAwareResetForm(PasswordResetForm):
    """Sends no reset link to an address whose organisation signs in through a provider only
    (the page says the same either way, so it tells nobody which addresses exist)."""

    def get_users(self, email: str) -> Any:
        if not password_allowed(email):
            return iter(())
        return super().get_users(email)


class ResetView(auth_views.PasswordResetView):
    form_class = SsoAwareResetForm
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # A new password stops every API token made with the old one, in the same transaction.
        with transaction.atomic():
            response = super().form_valid(form)
            revoke_all_tokens(form.user, reason="password reset")
        return response


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"
