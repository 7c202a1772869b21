"""Pages of the case record review."""

from django.urls import URLPattern, path

from .views import casereview as v

C = "diagnostics/<str:ref>/case-review/"

urlpatterns: list[URLPattern] = [
    path(C, v.overview, name="casereview"),
    path(C + "sharing/", v.sharing, name="casereview_sharing"),
    path(C + "sharing/propose/", v.sharing_propose, name="casereview_sharing_propose"),
    path(C + "sharing/decide/", v.sharing_decide, name="casereview_sharing_decide"),
    path(C + "named-contact/", v.named_contact_set, name="casereview_named_contact"),
    path(C + "lists/<str:code>/upload/", v.upload, name="casereview_upload"),
    path(C + "reference-format/", v.reference_format, name="casereview_reference_format"),
    path(C + "sample/", v.draw, name="casereview_draw"),
    path(C + "sample/by-hand/", v.by_hand, name="casereview_by_hand"),
    path(C + "share-out/", v.share_out, name="casereview_share_out"),
    path(C + "cases/<str:code>/", v.case, name="casereview_case"),
    path(C + "cases/<str:code>/contacts/", v.contact, name="casereview_contact"),
    path(C + "cases/<str:code>/second-reading/", v.moderate, name="casereview_moderate"),
    path(C + "cases/<str:code>/concern/", v.raise_concern, name="casereview_raise_concern"),
    path(C + "concerns/<str:code>/", v.concern, name="casereview_concern"),
    path(C + "report/", v.report_download, name="casereview_report"),
    path(C + "issued-report/", v.issued_report, name="casereview_issued_report"),
    path(C + "report/text/", v.report_text, name="casereview_report_text"),
    path(C + "report/approve/", v.report_approve, name="casereview_report_approve"),
]
