"""The project's URLs plus two probe views behind the real `sensitive` gatekeeper.

Pages with sensitive documents and case records arrive with the documents and case review
capabilities; until then the probes let the tests exercise the gatekeeper itself.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from peerdiag.urls import urlpatterns as project_urls
from peerdiag.web.views.sensitive import sensitive


@sensitive("documents")
def document_probe(request: HttpRequest, ref: str) -> HttpResponse:
    return HttpResponse("sensitive document")


@sensitive("child_data")
def case_probe(request: HttpRequest, ref: str) -> HttpResponse:
    return HttpResponse("case record")


urlpatterns = [
    path("probe/<str:ref>/document/", document_probe, name="probe_document"),
    path("probe/<str:ref>/case/", case_probe, name="probe_case"),
    *project_urls,
]
