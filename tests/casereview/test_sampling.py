from collections import Counter

import pytest

from peerdiag.casereview.domain.lists import import_case_list
from peerdiag.casereview.domain.reviews import record_sharing_mechanism
from peerdiag.casereview.domain.sampling import (
    draw_sample,
    select_by_hand,
    share_out,
    stratified_sample,
)
from peerdiag.casereview.models import CaseListEntry
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AgreedCaseList
from tests.casereview.helpers import add_auditor, csv_bytes, make_review

ITEMS = [(f"k{i:02d}", "cp" if i < 20 else ("cin" if i < 30 else "cic")) for i in range(40)]


def test_each_cohort_gets_its_proportional_share():
    chosen = stratified_sample(ITEMS, 8, "abc")
    strata = Counter(dict(ITEMS)[k] for k in chosen)
    assert strata == {"cp": 4, "cin": 2, "cic": 2}


def test_the_same_seed_draws_the_same_sample_and_another_seed_differs():
    assert stratified_sample(ITEMS, 8, "seed1") == stratified_sample(
        list(reversed(ITEMS)), 8, "seed1"
    )
    assert stratified_sample(ITEMS, 8, "seed1") != stratified_sample(ITEMS, 8, "seed2")


def test_a_sample_larger_than_the_lists_takes_every_case():
    assert stratified_sample(ITEMS[:3], 10, "x") == ["k00", "k01", "k02"]


@pytest.mark.django_db
def test_the_drawn_sample_is_reproducible_from_the_shown_seed(world):  # type: ignore[no-untyped-def]
    review = make_review(world.own, n=20)
    review.sample_size = 6
    review.save()
    first = sorted(
        c.entry.pseudonymous_ref for c in draw_sample(review, by=world.pcm, version=review.version)
    )
    seed = review.seed
    assert seed
    draw_sample(review, by=world.pcm, seed="other", version=review.version)
    again = sorted(
        c.entry.pseudonymous_ref
        for c in draw_sample(review, by=world.pcm, seed=seed, version=review.version)
    )
    assert again == first
    # Four cohorts of 5: 1.5 cases each, the spare two going to the first cohorts by name.
    assert Counter(c.entry.cohort for c in review.cases.select_related("entry")) == {
        "child_in_care": 2,
        "child_in_need": 2,
        "child_protection": 1,
        "early_help": 1,
    }


@pytest.mark.django_db
def test_only_cases_on_this_diagnostics_agreed_lists_are_sampled(world):  # type: ignore[no-untyped-def]
    review = make_review(world.own, n=4)
    other_list = AgreedCaseList.objects.create(diagnostic=world.other, name="Elsewhere")
    import_case_list(other_list, by=None, data=csv_bytes(30, prefix="OTHER"))
    drawn = draw_sample(review, by=world.pcm, version=review.version)
    assert {c.entry.case_list.diagnostic_id for c in drawn} == {world.own.pk}
    stranger = CaseListEntry.objects.filter(case_list=other_list).first()
    with pytest.raises(DomainError, match="agreed lists"):
        select_by_hand(
            review, by=world.pcm, entry=stranger, reason="Looks interesting", version=review.version
        )


@pytest.mark.django_db
def test_by_hand_needs_a_reason_and_counts_towards_the_size(world):  # type: ignore[no-untyped-def]
    review = make_review(world.own, n=12)
    review.sample_size = 4
    review.save()
    entry = CaseListEntry.objects.filter(case_list__diagnostic=world.own).first()
    with pytest.raises(DomainError, match="why"):
        select_by_hand(review, by=world.pcm, entry=entry, reason=" ", version=review.version)
    case = select_by_hand(
        review, by=world.pcm, entry=entry, reason="Recent serious incident", version=review.version
    )
    assert case.method == "by_hand" and case.reason == "Recent serious incident"
    assert len(draw_sample(review, by=world.pcm, version=review.version)) == 3
    assert review.cases.count() == 4


@pytest.mark.django_db
def test_cases_are_released_only_after_sharing_is_recorded_and_shared_evenly(world):  # type: ignore[no-untyped-def]
    review = make_review(world.own, n=12)
    a = add_auditor(world.own, "a@example.org", "Ann Auditor")
    b = add_auditor(world.own, "b@example.org", "Ben Auditor")
    review.sample_size = 5
    review.save()
    draw_sample(review, by=world.pcm, version=review.version)
    with pytest.raises(DomainError, match="Record how the council shares"):
        share_out(review, by=world.pcm, version=review.version)
    assert not review.cases.filter(released_at__isnull=False).exists()
    record_sharing_mechanism(
        review, by=world.pcm, text="Screen share with the practitioner", version=review.version
    )
    share_out(review, by=world.pcm, version=review.version)
    counts = Counter(review.cases.values_list("auditor__person__user__email", flat=True))
    assert counts == {a.email: 3, b.email: 2}
    with pytest.raises(DomainError, match="already released"):
        draw_sample(review, by=world.pcm, version=review.version)
