"""Asking for the password (and code) again before sensitive actions (`recent_auth`); its page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.domain.reauth import (
    DEFAULT_MINUTES,
    auth_is_recent,
    confirm_identity,
    needs_code,
)
from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.web.forms.auth import code_field

View = Callable[..., HttpResponse]


def recent_auth(minutes: int = DEFAULT_MINUTES) -> Callable[[View], View]:
    """Let the view run only if the person proved who they are in the last `minutes` minutes.

    Otherwise a GET goes to the re-authentication page, which comes back to the same address.
    A POST goes there too and comes back to the page the form was on (its Referer, if it is
    ours), never repeating the action: the person sees what they were about to do and submits
    it again. Signed-out visitors go to the sign-in page as with login_required.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if auth_is_recent(request.session, minutes=minutes):
                return view(request, *args, **kwargs)
            query = urlencode({"next": _return_to(request)})
            target = f"{reverse('web:reauth')}?{query}"
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)

        wrapper.recent_auth_minutes = minutes  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _return_to(request: HttpRequest) -> str:
    """Where to come back to: this address for a GET; for a POST the page that sent it."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


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


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:account")


@never_cache
@sensitive_post_parameters("password", "code")
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Enter the password again (and a code, with an authenticator app); then go back.

    Wrong passwords and codes count towards the sign-in throttle, so this page is no way
    round it (see accounts/domain/reauth.py `confirm_identity`).
    """
    user = request.user
    assert isinstance(user, User)
    with_code = needs_code(user)
    form_class = ReauthCodeForm if with_code else ReauthForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm_identity(
                request.session,
                user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code", ""),
                ip=throttle.client_ip(request.META),
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            return redirect(_next(request))
    return render(
        request,
        "web/account/reauth.html",
        {"form": form, "next": _next(request), "with_code": with_code},
    )
