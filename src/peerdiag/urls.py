from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from peerdiag.accounts import admin_site
from peerdiag.accounts.domain.two_factor import has_second_factor
from peerdiag.accounts.models import User
from peerdiag.api.urls import api
from peerdiag.web.views.auth import begin_second_step
from peerdiag.web.views.health import healthz
from peerdiag.web.views.security_txt import security_txt

admin.site.site_header = "peerdiag administration"
admin.site.site_title = "peerdiag admin"
# A password alone never opens the admin site: the session must have passed the second factor.
admin_site.require_second_factor(admin.site)


def _admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Where the admin site sends anyone it refuses.

    One sign-in page for the whole service, the admin site included. A signed-in LGA
    administrator whose session has not passed the second factor goes to the second step of
    signing in (or, with no second factor yet, to set one up); never to the admin pages.
    """
    next_url = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("web:login"))
    assert isinstance(user, User)
    if not (user.is_active and user.is_staff):
        # Signed in, but not an administrator: sending them to sign in would come straight back.
        raise PermissionDenied("The admin site is for LGA administrators")
    if admin_site.admin_session_verified(request):
        return redirect(next_url)
    if not has_second_factor(user):
        return redirect("web:two_factor_setup")
    backend = request.session.get(BACKEND_SESSION_KEY, "django.contrib.auth.backends.ModelBackend")
    return begin_second_step(request, user, backend=backend, next=next_url)


urlpatterns = [
    path("admin/login/", _admin_sign_in),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz/", healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("", include("peerdiag.web.urls")),
]
