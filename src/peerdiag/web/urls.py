from django.urls import path

from .urls_account import urlpatterns as account_urls
from .urls_attendees import urlpatterns as attendees_urls
from .urls_calendar import urlpatterns as calendar_urls
from .urls_casereview import urlpatterns as casereview_urls
from .urls_closing import urlpatterns as closing_urls
from .urls_documents import urlpatterns as documents_urls
from .urls_evaluation import urlpatterns as evaluation_urls
from .urls_findings import urlpatterns as findings_urls
from .urls_insight import urlpatterns as insight_urls
from .urls_messages import urlpatterns as messages_urls
from .urls_notes import urlpatterns as notes_urls
from .urls_outbox import urlpatterns as outbox_urls
from .urls_portfolio import urlpatterns as portfolio_urls
from .urls_reports import urlpatterns as reports_urls
from .urls_requests import urlpatterns as requests_urls
from .urls_schedule import urlpatterns as schedule_urls
from .urls_scope import urlpatterns as scope_urls
from .urls_team import urlpatterns as team_urls
from .urls_timetable import urlpatterns as timetable_urls
from .urls_tokens import urlpatterns as tokens_urls
from .views import (
    accessibility,
    auth,
    dashboard,
    diagnostics,
    kloes,
    people,
    presence,
    session,
    sso,
    stages,
)

app_name = "web"

D = "diagnostics/<str:ref>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("accessibility/", accessibility.statement, name="accessibility"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("signed-out/", auth.signed_out, name="signed_out"),
    path("session/keep-alive/", session.keep_alive, name="session_keep_alive"),
    path("sign-in/sso/<slug:key>/", sso.sso_start, name="sso_start"),
    path("sign-in/sso/<slug:key>/callback/", sso.sso_callback, name="sso_callback"),
    path("password-reset/", auth.ResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("diagnostics/new/", diagnostics.diagnostic_create, name="diagnostic_create"),
    path(D, diagnostics.diagnostic_overview, name="diagnostic_overview"),
    path(D + "details/", diagnostics.diagnostic_edit, name="diagnostic_edit"),
    path(D + "dates/", diagnostics.diagnostic_dates, name="diagnostic_dates"),
    path(D + "audit/", diagnostics.diagnostic_audit, name="diagnostic_audit"),
    path(D + "kloes/", kloes.kloe_list, name="kloe_list"),
    path(D + "kloes/suggested/", kloes.kloe_add_suggestion, name="kloe_add_suggestion"),
    path(D + "kloes/<str:code>/", kloes.kloe_edit, name="kloe_edit"),
    path(D + "kloes/<str:code>/move/", kloes.kloe_move, name="kloe_move"),
    path(D + "kloes/<str:code>/remove/", kloes.kloe_delete, name="kloe_delete"),
    path(D + "council/", people.council_roles, name="council_roles"),
    path(D + "council/<str:code>/remove/", people.council_role_remove, name="council_role_remove"),
    path(D + "endorsements/<str:role>/", people.endorsement_edit, name="endorsement_edit"),
    path(D + "scoping/", people.scoping, name="scoping"),
    path(D + "people/<str:code>/invite/", people.invite_person, name="invite_person"),
    path(D + "advance/<str:to>/", stages.advance, name="advance"),
    path(D + "postpone/", stages.postpone, name="postpone"),
    path(D + "resume/", stages.resume, name="resume"),
    path(D + "cancel/", stages.cancel, name="cancel"),
    path(D + "presence/<slug:kind>/<str:code>/", presence.presence, name="presence"),
]

urlpatterns += account_urls + team_urls + documents_urls + casereview_urls
urlpatterns += timetable_urls + schedule_urls + attendees_urls + calendar_urls
urlpatterns += notes_urls + findings_urls + insight_urls
urlpatterns += reports_urls + evaluation_urls + portfolio_urls + tokens_urls
urlpatterns += requests_urls
urlpatterns += scope_urls
urlpatterns += messages_urls
urlpatterns += outbox_urls
urlpatterns += closing_urls
