"""URLs of the insight pages: heat map, search, meeting pack, KIT digests (see views/insight.py)."""

from django.urls import URLPattern, path

from .views import insight

D = "diagnostics/<str:ref>/"
K = D + "kit-digests/"

urlpatterns: list[URLPattern] = [
    path(D + "evidence/coverage/", insight.evidence_coverage_page, name="evidence_coverage"),
    path(D + "evidence/search/", insight.evidence_search, name="evidence_search"),
    path(D + "peer-team-pack/", insight.peer_team_pack_page, name="peer_team_pack"),
    path(K, insight.kit_digests, name="kit_digests"),
    path(K + "draft/", insight.kit_digest_draft, name="kit_digest_draft"),
    path(K + "<str:code>/", insight.kit_digest, name="kit_digest"),
    path(K + "<str:code>/items/", insight.kit_digest_items, name="kit_digest_items"),
    path(K + "<str:code>/items/new/", insight.kit_digest_item_add, name="kit_digest_item_add"),
    path(
        K + "<str:code>/items/<int:item>/remove/",
        insight.kit_digest_item_remove,
        name="kit_digest_item_remove",
    ),
    path(K + "<str:code>/share/", insight.kit_digest_share, name="kit_digest_share"),
]
