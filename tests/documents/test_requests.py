"""Requests: due dates, the standard list, the review flow and the gate."""

from __future__ import annotations

from datetime import date

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.enums import Stage
from peerdiag.documents.domain.gate import documents_blockers
from peerdiag.documents.domain.requests import (
    accept_document,
    request_document,
    return_document,
    seed_standard_requests,
    standard_list,
)
from peerdiag.documents.domain.uploads import supply_document
from tests.factories import KloeFactory

from .helpers import PDF, upload

pytestmark = pytest.mark.django_db


def test_a_request_is_due_15_working_days_before_day_1_by_default(world):  # type: ignore[no-untyped-def]
    world.own.day1 = date(2027, 3, 1)  # a Monday
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    assert ask.due_on == date(2027, 2, 8)
    other = request_document(
        world.own, by=world.pcm, title="Ofsted letter", due_on=date(2027, 1, 4)
    )
    assert other.due_on == date(2027, 1, 4)


def test_a_request_without_day_1_has_no_due_date_and_titles_are_unique(world):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="  Plan  ")
    assert (ask.title, ask.due_on) == ("Plan", None)
    with pytest.raises(DomainError) as e:
        request_document(world.own, by=world.pcm, title="plan")
    assert e.value.field == "title"


def test_kloes_must_belong_to_the_diagnostic(world):  # type: ignore[no-untyped-def]
    mine = KloeFactory(diagnostic=world.own, order=1)
    ask = request_document(world.own, by=world.pcm, title="Plan", kloes=[mine])
    assert list(ask.kloes.all()) == [mine]
    with pytest.raises(DomainError) as e:
        request_document(
            world.own, by=world.pcm, title="Other", kloes=[KloeFactory(diagnostic=world.other)]
        )
    assert e.value.field == "kloes"


def test_the_standard_list_is_requested_once(world):  # type: ignore[no-untyped-def]
    request_document(world.own, by=world.pcm, title="Current improvement plan")
    made = seed_standard_requests(world.own, by=world.pcm)
    expected = len(standard_list(world.own.type))
    assert len(made) == expected - 1
    assert seed_standard_requests(world.own, by=world.pcm) == []
    assert world.own.document_requests.count() == expected


def test_supplied_then_returned_then_supplied_again_then_accepted(world):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Plan")
    with pytest.raises(DomainError):
        accept_document(ask, by=world.pcm, version=ask.version)  # nothing supplied yet
    supply_document(ask, by=world.organiser, file=upload(PDF, "p.pdf"), name="p.pdf")
    with pytest.raises(DomainError) as e:
        return_document(ask, by=world.pcm, comment="   ", version=ask.version)
    assert e.value.field == "comment"
    return_document(ask, by=world.pcm, comment="This is last year's plan", version=ask.version)
    assert (ask.status, ask.return_comment) == ("returned", "This is last year's plan")
    supply_document(ask, by=world.organiser, file=upload(PDF, "p2.pdf"), name="p2.pdf")
    ask.refresh_from_db()
    assert ask.status == "supplied"
    accept_document(ask, by=world.pcm, version=ask.version)
    ask.refresh_from_db()
    assert (ask.status, ask.return_comment) == ("accepted", "")
    with pytest.raises(DomainError):
        supply_document(ask, by=world.organiser, file=upload(PDF, "p3.pdf"), name="p3.pdf")
    summaries = list(world.own.audit.order_by("id").values_list("summary", flat=True))
    assert summaries[-1] == "Accepted ‘Plan’"
    assert "Returned ‘Plan’ to the council: This is last year's plan" in summaries


def test_the_gate_blocks_until_every_request_is_accepted(world):  # type: ignore[no-untyped-def]
    d = world.own
    assert [b.code for b in documents_blockers(d, Stage.READY)] == ["documents.none_requested"]
    assert documents_blockers(d, Stage.POSTPONED) == []
    a = request_document(d, by=world.pcm, title="Plan")
    b = request_document(d, by=world.pcm, title="Letter")
    supply_document(b, by=world.organiser, file=upload(PDF, "b.pdf"), name="b.pdf")
    messages = [x.message for x in documents_blockers(d, Stage.CASE_REVIEW)]
    assert messages == ["‘Letter’ is supplied but not yet accepted", "‘Plan’ has not been supplied"]
    supply_document(a, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    accept_document(a, by=world.pcm, version=a.version)
    b.refresh_from_db()
    accept_document(b, by=world.pcm, version=b.version)
    assert documents_blockers(d, Stage.READY) == []


def test_the_capability_is_registered_with_the_gates(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.stage = Stage.PREPARATION
    codes = [b.code for b in gate_blockers(d, Stage.READY)]
    assert "documents.none_requested" in codes
    assert "documents.unavailable" not in codes
