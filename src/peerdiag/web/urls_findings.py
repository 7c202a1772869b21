"""URLs of the findings pages and the drafting-day board (see views/findings.py)."""

from django.urls import URLPattern, path

from .views import findings

D = "diagnostics/<str:ref>/"
F = D + "findings/"
B = D + "drafting-board/"

urlpatterns: list[URLPattern] = [
    path(F, findings.findings, name="findings"),
    path(F + "new/", findings.finding_add, name="finding_add"),
    path(F + "recommendations/new/", findings.recommendation_add, name="recommendation_add"),
    path(
        F + "recommendations/<str:code>/",
        findings.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        F + "recommendations/<str:code>/history/",
        findings.recommendation_history,
        name="recommendation_history",
    ),
    path(
        F + "recommendations/<str:code>/history/<int:version>/restore/",
        findings.recommendation_restore,
        name="recommendation_restore",
    ),
    path(F + "<str:code>/", findings.finding_detail, name="finding_detail"),
    path(F + "<str:code>/edit/", findings.finding_edit, name="finding_edit"),
    path(F + "<str:code>/history/", findings.finding_history, name="finding_history"),
    path(
        F + "<str:code>/history/<int:version>/restore/",
        findings.finding_restore,
        name="finding_restore",
    ),
    path(F + "<str:code>/evidence/", findings.finding_link, name="finding_link"),
    path(
        F + "<str:code>/evidence/<str:note_code>/unlink/",
        findings.finding_unlink,
        name="finding_unlink",
    ),
    path(B, findings.drafting_board, name="drafting_board"),
    path(B + "approve-all/", findings.board_approve_all, name="board_approve_all"),
    path(B + "<str:code>/move/", findings.board_move, name="board_move"),
    path(B + "<str:code>/approve/", findings.board_approve, name="board_approve"),
]
