from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from peerdiag.api.urls import api
from peerdiag.web.views.health import healthz
from peerdiag.web.views.security_txt import security_txt

admin.site.site_header = "peerdiag administration"
admin.site.site_title = "peerdiag admin"


def _admin_sign_in(request: HttpRequest) -> HttpResponse:
    # One sign-in page for the whole service, the admin site included.
    return redirect_to_login(request.GET.get("next", "/admin/"), login_url=reverse("web:login"))


urlpatterns = [
    path("admin/login/", _admin_sign_in),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz/", healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("", include("peerdiag.web.urls")),
]
