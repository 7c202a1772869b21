"""Pages of the scope: the sponsor's confirmation, the scoping meeting's link and invitations."""

from django.urls import URLPattern, path

from .views import scope

D = "diagnostics/<str:ref>/"

urlpatterns: list[URLPattern] = [
    path(D + "scope/", scope.scope, name="scope"),
    path(D + "scoping/meeting/", scope.scoping_meeting, name="scoping_meeting"),
    path(D + "scoping/invitations/", scope.scoping_invitations, name="scoping_invitations"),
]
