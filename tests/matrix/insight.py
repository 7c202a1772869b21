"""Entries for the insight pages: the evidence heat map, search, the peer team meeting pack and
the KIT digests.

The heat map, search and pack are internal to the team (council 403). The council reads the
digest list and a shared digest (only its shared items); drafting, editing and sharing are for
the lead peer and the PCM (findings.lead); LGA admins (superusers) hold every permission.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerdiag.findings.domain.digest import item_state
from peerdiag.findings.models import DigestItem, KitDigest

from . import INTERNAL, RC, VIEW, Case, R, rel

LEAD_GET = rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)
LEAD_POST = rel(anon=302, admin=302, pcm=302, team=302, council=403, none=404)


def _digest(d: Any, *, shared: bool) -> KitDigest:
    digest = KitDigest.objects.create(diagnostic=d, shared_at=timezone.now() if shared else None)
    DigestItem.objects.create(digest=digest, text="Partners value the front door", shared=shared)
    return digest


def _draft(d: Any) -> dict[str, str]:
    return {"code": _digest(d, shared=False).code}


def _shared(d: Any) -> dict[str, str]:
    return {"code": _digest(d, shared=True).code}


def _item(d: Any) -> dict[str, str]:
    digest = _digest(d, shared=False)
    return {"code": digest.code, "item": str(digest.items.get().pk)}


def _items_data(d: Any) -> dict[str, str]:
    """The edit form of the digest `_draft` just made: every item reworded and shared."""
    digest = KitDigest.objects.filter(diagnostic=d).order_by("-pk").first()
    assert digest is not None
    out = {}
    for item in digest.items.all():
        out[f"text_{item.pk}"] = "Reworded theme"
        out[f"shared_{item.pk}"] = "on"
        out[f"version_{item.pk}"] = str(item.version)
        out[f"shown_{item.pk}"] = item_state(item.text, item.shared)
    return out


ENTRIES: dict[str, Case] = {
    "web:evidence_coverage": Case(INTERNAL, kwargs=R),
    "web:evidence_search": Case(INTERNAL, kwargs=R, data={"q": "front door"}),
    "web:peer_team_pack": Case(INTERNAL, kwargs=R),
    "web:kit_digests": Case(VIEW, kwargs=R, make=_shared),
    # A second draft is refused with a message while the first waits: still a redirect.
    "web:kit_digest_draft": Case(LEAD_POST, method="POST", kwargs=R),
    # The council reads a shared digest (an unshared one is 404 to it: tests/findings).
    "web:kit_digest": Case(VIEW, kwargs=RC, make=_shared),
    "web:kit_digest_items": Case(
        LEAD_POST, method="POST", kwargs=RC, make=_draft, data=_items_data
    ),
    "web:kit_digest_item_add": Case(
        LEAD_POST, method="POST", kwargs=RC, make=_draft, data={"text": "A theme of our own"}
    ),
    "web:kit_digest_item_remove": Case(LEAD_GET, kwargs=("ref", "code", "item"), make=_item),
    "web:kit_digest_share": Case(LEAD_GET, kwargs=RC, make=_draft),
}
