"""The KIT digest: drafted from what emerged, edited by the lead peer, shared with the sponsor;
never a name, a small group's quote or a note's words."""

from __future__ import annotations

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.findings.domain.digest import (
    MAX_RESPONSE,
    QUOTE_WITHHELD,
    add_digest_item,
    draft_kit_digest,
    edit_digest_item,
    mark_digest_shared,
    remove_digest_item,
    set_item_shared,
    shared_digests,
)
from peerdiag.findings.domain.findings import add_finding, update_finding
from peerdiag.findings.domain.notes import add_note, add_quote
from peerdiag.findings.models import KitDigest

from .helpers import delivery


def _texts(digest: KitDigest) -> list[str]:
    return list(digest.items.values_list("text", flat=True))


def test_a_draft_holds_findings_and_polarity_counts_but_no_names_quotes_or_note_words(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    front = x.kloes[0]
    attendee = x.sessions[0].attendees.get().name  # "Attendee 0"
    for i in range(2):
        add_note(
            x.d,
            by=x.lead,
            source_type="interview",
            title=f"S{i}",
            body="The duty manager Attendee 0 said triage works well",
            kloes=[front],
            polarity="strength",
        )
    worry = add_note(
        x.d,
        by=x.lead,
        source_type="data",
        title="C",
        body="Secret body words never to be shared",
        kloes=[front],
        polarity="concern",
    )
    add_quote(worry, by=x.lead, text="Nobody reads my reports", group="IRO", group_size=1)
    add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement=f"{attendee} says: Nobody reads my reports. Oversight is thin",
        kloe=front,
    )
    digest = draft_kit_digest(x.d, by=x.lead, session=None)
    texts = _texts(digest)
    assert texts == [
        f"Area for consideration: [name removed] says: {QUOTE_WITHHELD}. Oversight is thin",
        "How well the front door works: 2 strengths and 1 concern noted so far",
    ]
    everything = " ".join(texts)
    assert attendee not in everything
    assert "Nobody reads my reports" not in everything
    assert "Secret body words" not in everything and "triage works" not in everything
    assert digest.since is None and digest.shared_at is None
    assert not digest.items.filter(shared=True).exists()
    assert AuditEntry.objects.filter(diagnostic=x.d, action="digest").count() == 1


def test_the_next_draft_covers_only_what_emerged_since_the_previous_digest(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    old = add_finding(x.d, by=x.lead, kind="strength", statement="Old news", kloe=None)
    first = draft_kit_digest(x.d, by=x.lead)
    with pytest.raises(DomainError, match="draft digest is waiting"):
        draft_kit_digest(x.d, by=x.lead)
    set_item_shared(first.items.get(), by=x.lead, shared=True, version=UNCHECKED)
    mark_digest_shared(
        first, by=x.lead, previews_final_messages=False, sponsor_response="", version=UNCHECKED
    )
    add_finding(x.d, by=x.lead, kind="area", statement="New theme", kloe=None)
    update_finding(
        old,
        by=x.lead,
        kind="strength",
        statement="Old news, revised",
        kloe=None,
        version=old.version,
    )
    add_note(x.d, by=x.lead, source_type="data", title="N", kloes=[x.kloes[1]], polarity="neutral")
    second = draft_kit_digest(x.d, by=world.pcm)
    assert second.since == first.created_at
    assert _texts(second) == [
        "Area for consideration: New theme",
        "Strength: Old news, revised",
        "The quality of practice: 1 other observation noted since the last KIT meeting",
    ]


def test_editing_and_sharing_then_the_digest_is_fixed(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_finding(x.d, by=x.lead, kind="strength", statement="Calm front door", kloe=None)
    add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None)
    digest = draft_kit_digest(x.d, by=x.lead)
    calm, slow = list(digest.items.all())
    edit_digest_item(calm, by=x.lead, text="The front door is calm and well run", version=UNCHECKED)
    with pytest.raises(DomainError) as err:
        edit_digest_item(slow, by=x.lead, text="  ", version=UNCHECKED)
    assert err.value.field == "text"
    extra = add_digest_item(digest, by=x.lead, text="Staff are proud to work here")
    remove_digest_item(slow, by=x.lead, version=UNCHECKED)
    with pytest.raises(DomainError, match="at least one item"):
        mark_digest_shared(
            digest, by=x.lead, previews_final_messages=True, sponsor_response="", version=UNCHECKED
        )
    set_item_shared(calm, by=x.lead, shared=True, version=UNCHECKED)
    with pytest.raises(DomainError, match="lead peer or the peer challenge manager"):
        set_item_shared(extra, by=x.om, shared=True, version=UNCHECKED)
    with pytest.raises(DomainError, match="lead peer or the peer challenge manager"):
        mark_digest_shared(
            digest,
            by=world.sponsor,
            previews_final_messages=True,
            sponsor_response="",
            version=UNCHECKED,
        )
    mark_digest_shared(
        digest,
        by=x.lead,
        previews_final_messages=True,
        sponsor_response="  Helpful, thanks  ",
        version=UNCHECKED,
    )
    digest.refresh_from_db()
    assert digest.shared_at is not None and digest.previews_final_messages
    assert digest.sponsor_response == "Helpful, thanks"
    assert _texts(digest) == ["The front door is calm and well run", "Staff are proud to work here"]
    for attempt in (
        lambda: edit_digest_item(extra, by=x.lead, text="changed", version=UNCHECKED),
        lambda: add_digest_item(digest, by=x.lead, text="late"),
        lambda: set_item_shared(extra, by=x.lead, shared=True, version=UNCHECKED),
        lambda: remove_digest_item(extra, by=x.lead, version=UNCHECKED),
        lambda: mark_digest_shared(
            digest, by=x.lead, previews_final_messages=False, sponsor_response="", version=UNCHECKED
        ),
    ):
        with pytest.raises(DomainError, match="can no longer change"):
            attempt()
    # The sponsor's view: the shared digest with only the shared item.
    [seen] = shared_digests(x.d)
    assert [i.text for i in seen.visible] == ["The front door is calm and well run"]
    summaries = list(
        AuditEntry.objects.filter(diagnostic=x.d, action="digest")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert len(summaries) == 6
    assert summaries[-1] == "Shared 1 item with the sponsor (previewing the final messages)"


def test_a_sponsor_response_over_the_limit_is_refused_whole_not_cut(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest = KitDigest.objects.create(diagnostic=x.d)
    digest.items.create(text="Calm front door", shared=True)
    too_long = "x" * (MAX_RESPONSE + 1)
    with pytest.raises(DomainError) as err:
        mark_digest_shared(
            digest,
            by=x.lead,
            previews_final_messages=False,
            sponsor_response=too_long,
            version=digest.version,
        )
    assert err.value.field == "sponsor_response" and "up to 10,000 characters" in err.value.message
    digest.refresh_from_db()
    assert digest.shared_at is None and digest.sponsor_response == ""
    at_limit = "y" * MAX_RESPONSE
    mark_digest_shared(
        digest,
        by=x.lead,
        previews_final_messages=False,
        sponsor_response=at_limit,
        version=digest.version,
    )
    digest.refresh_from_db()
    assert digest.sponsor_response == at_limit
