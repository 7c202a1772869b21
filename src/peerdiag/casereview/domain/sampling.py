"""Choosing the cases (R25): a stratified random sample by cohort from the agreed lists, with
the seed shown so anyone can draw it again, or a case chosen by hand with a reason; then the
cases are shared out evenly among the case auditors and released (R26)."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, claim, created_by, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import TeamRole

from ..enums import SelectionMethod
from ..models import CaseListEntry, CaseReview, SampledCase
from .reviews import NOUN, restored_on_failure


def stratified_sample(items: Sequence[tuple[str, str]], size: int, seed: str) -> list[str]:
    """`size` keys out of (key, stratum) pairs: each stratum gets its share of the sample in
    proportion to its size (largest remainders first, ties by stratum name), drawn at random
    with `seed`. The same items, size and seed always give the same keys, in key order."""
    strata: dict[str, list[str]] = defaultdict(list)
    for key, stratum in items:
        strata[stratum].append(key)
    total = sum(len(v) for v in strata.values())
    size = min(size, total)
    if size <= 0:
        return []
    exact = {s: size * len(keys) / total for s, keys in strata.items()}
    share = {s: int(q) for s, q in exact.items()}
    left = size - sum(share.values())
    for s in sorted(strata, key=lambda s: (-(exact[s] - share[s]), s))[:left]:
        share[s] += 1
    rng = random.Random(seed)
    chosen: list[str] = []
    for s in sorted(strata):
        chosen += rng.sample(sorted(strata[s]), share[s])
    return sorted(chosen)


def eligible_entries(review: CaseReview) -> list[CaseListEntry]:
    """Cases on the diagnostic's agreed lists not yet in the sample."""
    return list(
        CaseListEntry.objects.filter(case_list__diagnostic_id=review.diagnostic_id)
        .exclude(samples__review=review)
        .order_by("pk")
    )


def _refuse_once_released(review: CaseReview) -> None:
    if review.cases.filter(released_at__isnull=False).exists():
        raise DomainError("The cases are already released to the auditors; the sample is fixed")


def draw_sample(
    review: CaseReview, *, by: User | None, seed: str = "", version: int | None
) -> list[SampledCase]:
    """Draw the random part of the sample again: cases chosen by hand stay and count towards
    the sample size. Refused once cases are released, and with StaleEdit (nothing changed)
    when the review or its sample changed after `version`. Returns the cases drawn."""
    _refuse_once_released(review)
    seed = seed.strip() or secrets.token_hex(4)
    with transaction.atomic(), restored_on_failure(review):
        claim(review, version=version, by=by, noun=NOUN)
        review.cases.filter(method=SelectionMethod.RANDOM).delete()
        by_hand = review.cases.count()
        entries = {e.code: e for e in eligible_entries(review)}
        if not entries:
            raise DomainError("No cases are on the agreed lists yet: upload a list first")
        keys = stratified_sample(
            [(code, e.cohort) for code, e in entries.items()], review.sample_size - by_hand, seed
        )
        made = [
            SampledCase.objects.create(
                review=review,
                entry=entries[k],
                method=SelectionMethod.RANDOM,
                selected_by=by,
                **created_by(by),
            )
            for k in keys
        ]
        review.seed = seed
        review.save(update_fields=with_version_fields(["seed", "updated_at"]))
        record(
            review.diagnostic,
            by=by,
            action="case_sample_drawn",
            summary=f"{len(made)} cases drawn at random by cohort (seed {seed})",
        )
    return made


def select_by_hand(
    review: CaseReview, *, by: User | None, entry: CaseListEntry, reason: str, version: int | None
) -> SampledCase:
    """Add one case from the agreed lists to the sample, with the reason for choosing it.
    Refused with StaleEdit (nothing added) when the review or its sample changed after
    `version`, for example by a new random draw."""
    _refuse_once_released(review)
    if entry.case_list.diagnostic_id != review.diagnostic_id:
        raise DomainError(
            "Only cases on this diagnostic's agreed lists can be chosen", field="entry"
        )
    if not reason.strip():
        raise DomainError("Say why this case is chosen", field="reason")
    if review.cases.filter(entry=entry).exists():
        raise DomainError("This case is already in the sample", field="entry")
    with transaction.atomic():
        # Two people adding the same case at once: the second meets the first's claim.
        claim(review, version=version, by=by, noun=NOUN)
        case = SampledCase.objects.create(
            review=review,
            entry=entry,
            method=SelectionMethod.BY_HAND,
            reason=reason.strip(),
            selected_by=by,
            **created_by(by),
        )
        record(
            review.diagnostic,
            by=by,
            action="case_chosen_by_hand",
            summary=f"Case {case.code} chosen by hand",
        )
    return case


def share_out(review: CaseReview, *, by: User | None, version: int | None) -> list[SampledCase]:
    """Share the sampled cases evenly among the case auditors and release them.

    Refused until the sharing mechanism is recorded (R26) or while there is no case auditor,
    and with StaleEdit (nothing released) when the review or its sample changed after
    `version`: nobody releases a sample they have not seen.
    """
    if not review.sharing_recorded_at:
        raise DomainError(
            "Record how the council shares the cases before releasing any: the peer challenge "
            "manager accepts the council's proposal"
        )
    auditors = list(
        review.diagnostic.team.filter(role=TeamRole.CASE_AUDITOR).order_by(
            "person__full_name", "pk"
        )
    )
    if not auditors:
        raise DomainError("The team has no case auditor to share the cases with")
    cases = list(review.cases.select_related("entry").order_by("entry__cohort", "pk"))
    if not cases:
        raise DomainError("Choose the cases first")
    now = timezone.now()
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        # Round robin over cases in cohort order, so each auditor also gets a mix of cohorts.
        for i, case in enumerate(cases):
            claim(case, version=UNCHECKED, by=by, noun="this case")
            if not hasattr(case, "audit"):
                case.auditor = auditors[i % len(auditors)]
            case.released_at = case.released_at or now
            case.save(update_fields=with_version_fields(["auditor", "released_at", "updated_at"]))
        record(
            review.diagnostic,
            by=by,
            action="cases_released",
            summary=f"{len(cases)} cases shared among {len(auditors)} case auditors and released",
        )
    return cases
