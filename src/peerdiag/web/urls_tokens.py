"""Pages for a person's own API tokens, and the password check before sensitive actions."""

from django.urls import URLPattern, path

from .views import reauth, tokens

urlpatterns: list[URLPattern] = [
    path("account/confirm-password/", reauth.reauth, name="reauth"),
    path("account/api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("account/api-tokens/new/", tokens.api_token_create, name="api_token_create"),
    path("account/api-tokens/<str:code>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
]
