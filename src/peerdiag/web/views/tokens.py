"""A person's own API tokens: the list, making one (shown once) and revoking one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from peerdiag.accounts.domain.tokens import NAME_MAX, issue_token, revoke_token, tokens_of
from peerdiag.accounts.models import ApiToken, User
from peerdiag.common.errors import DomainError

from .reauth import recent_auth


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


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


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
    """Name a new token; the page that follows shows the token itself, this once only."""
    user = _user(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = issue_token(user, name=form.cleaned_data["name"], by=user)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            return render(
                request, "web/tokens/created.html", {"nav": "account", "token": token, "raw": raw}
            )
    return render(request, "web/tokens/create.html", {"nav": "account", "form": form})


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
