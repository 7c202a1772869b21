"""URLs of the reports pages (see views/reports.py)."""

from django.urls import path

from .views import reports

D = "diagnostics/<str:ref>/"
W = D + "written-feedback/"
X = D + "exports/"

urlpatterns = [
    path(W, reports.written_feedback, name="written_feedback"),
    path(W + "move/", reports.written_move, name="written_move"),
    path(W + "sections/<slug:key>/", reports.written_paragraph, name="written_paragraph"),
    path(
        W + "sections/<slug:key>/history/",
        reports.written_paragraph_history,
        name="written_paragraph_history",
    ),
    path(
        W + "sections/<slug:key>/history/put-back/",
        reports.written_paragraph_restore,
        name="written_paragraph_restore",
    ),
    path(W + "comments/", reports.written_comment_add, name="written_comment_add"),
    path(
        W + "comments/<str:code>/", reports.written_comment_respond, name="written_comment_respond"
    ),
    path(W + "files/<str:which>/", reports.written_download, name="written_download"),
    path(X, reports.report_exports, name="report_exports"),
    path(X + "<str:code>/", reports.report_export_status, name="report_export_status"),
    path(X + "<str:code>/download/", reports.report_export_download, name="report_export_download"),
]
