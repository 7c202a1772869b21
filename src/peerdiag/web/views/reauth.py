"""Asking for the password again before sensitive actions (`recent_auth`), and its page."""

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
from peerdiag.accounts.domain.reauth import DEFAULT_MINUTES, auth_is_recent, mark_confirmed
from peerdiag.accounts.models import User

View = Callable[..., HttpResponse]


def recent_auth(minutes: int = DEFAULT_MINUTES) -> Callable[[View], View]:
    """Let the view run only if the password was confirmed in the last `minutes` minutes.

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


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:account")


@never_cache
@sensitive_post_parameters("password")
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Enter the password again; on success the session counts as freshly confirmed.

    Wrong passwords count towards the sign-in throttle, so this page is no way round it.
    """
    user = request.user
    assert isinstance(user, User)
    form = ReauthForm(request.POST or None)
    ip = throttle.client_ip(request.META)
    if request.method == "POST" and form.is_valid():
        until = throttle.locked_until(email=user.email, ip=ip)
        if until is None and user.check_password(form.cleaned_data["password"]):
            mark_confirmed(request.session)
            throttle.clear_failures(email=user.email)
            return redirect(_next(request))
        until = until or throttle.record_failure(email=user.email, ip=ip)
        if until is not None:
            form.add_error(None, throttle.refusal_message(until))
        else:
            form.add_error("password", "The password is not right")
    return render(request, "web/account/reauth.html", {"form": form, "next": _next(request)})
