"""A council's request for a diagnostic (issue 17)."""

from django.urls import path

from .views import dcs_flag, requests

D = "diagnostics/<str:ref>/"

urlpatterns = [
    path("requests/new/", requests.request_create, name="council_request_create"),
    path(D + "request/", requests.request_detail, name="council_request"),
    path(D + "request/sent/", requests.request_sent, name="council_request_sent"),
    path(D + "request/decline/", requests.request_decline, name="council_request_decline"),
    path(D + "council/people/<str:code>/dcs/", dcs_flag.person_dcs_flag, name="person_dcs_flag"),
]
