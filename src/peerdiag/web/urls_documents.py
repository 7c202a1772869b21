"""Pages of the documents capability: requests, uploads, review and downloads."""

from django.urls import URLPattern, path

from .views import documents

D = "diagnostics/<str:ref>/documents/"

urlpatterns: list[URLPattern] = [
    path(D, documents.document_list, name="document_list"),
    path(D + "new/", documents.document_request_create, name="document_request_create"),
    path(D + "standard/", documents.document_seed, name="document_seed"),
    path(
        D + "standard-list/",
        documents.document_standard_create,
        name="document_standard_create",
    ),
    path(D + "upload/", documents.document_multi_upload, name="document_multi_upload"),
    path(D + "files/<str:code>/", documents.document_download, name="document_download"),
    path(
        D + "files/<str:code>/sensitive/",
        documents.document_download_sensitive,
        name="document_download_sensitive",
    ),
    path(D + "<str:code>/", documents.document_detail, name="document_detail"),
    path(D + "<str:code>/upload/", documents.document_upload, name="document_upload"),
    path(D + "<str:code>/accept/", documents.document_accept, name="document_accept"),
    path(D + "<str:code>/return/", documents.document_return, name="document_return"),
    path(
        D + "<str:code>/classification/",
        documents.document_reclassify,
        name="document_reclassify",
    ),
]
