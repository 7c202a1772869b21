"""Pages of the peer team capability: the bench, the team builder, briefing, confidentiality."""

from django.urls import URLPattern, path

from .views import bench, team

D = "diagnostics/<str:ref>/"

urlpatterns: list[URLPattern] = [
    path("bench/", bench.bench, name="bench"),
    path("bench/new/", bench.bench_add, name="bench_add"),
    path("bench/<str:code>/", bench.bench_profile, name="bench_profile"),
    path("bench/<str:code>/edit/", bench.bench_profile_edit, name="bench_profile_edit"),
    path("bench/<str:code>/recent-work/", bench.bench_recent_work, name="bench_recent_work"),
    path(D + "team/", team.team, name="team"),
    path(D + "team/<str:code>/remove/", team.team_remove, name="team_remove"),
    path(D + "team/<str:code>/continues/", team.team_continues, name="team_continues"),
    path(D + "proposed-peers/", team.team_review, name="team_review"),
    path(D + "proposed-peers/<str:code>/", team.team_decide, name="team_decide"),
    path(D + "declaration/", team.declaration, name="declaration"),
    path(D + "briefing/", team.briefing, name="briefing"),
    path(D + "briefing/<str:code>/", team.briefing_download, name="briefing_download"),
    path(D + "briefing/<str:code>/read/", team.briefing_acknowledge, name="briefing_acknowledge"),
    path(D + "confidentiality/", team.confidentiality, name="confidentiality"),
    path(
        D + "confidentiality/<str:code>/sign/",
        team.confidentiality_sign,
        name="confidentiality_sign",
    ),
    path(D + "data-access/", team.data_access, name="data_access"),
]
