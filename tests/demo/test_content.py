"""The demo's words (demo/content.py), checked over every plan without a database.

The issue's complaint was boilerplate: identical findings in two councils' reports, the same
focus everywhere, the same three lines of enquiry for every safeguarding diagnostic, one-line
findings. These tests hold the content to what a real peer team would write, and to the limits
the domain functions enforce, so the walk never trips over its own texts.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from peerdiag.common.childdata import has_forename, looks_like_date
from peerdiag.demo import content
from peerdiag.demo.plans import PLANS, Plan
from peerdiag.diagnostics.domain.requests import MAX_CONCERNS
from peerdiag.findings.domain.notes import MAX_BODY, MAX_GROUP, MAX_QUOTE
from peerdiag.findings.enums import SMALL_GROUP, FindingKind, Polarity

# Limits the product enforces: the finding and recommendation forms (2,000), the KLOE and theme
# checks in diagnostics/domain/kloes.py (1,000 and 100), the case list name column (200).
MAX_FINDING = 2000
MAX_RECOMMENDATION = 2000
MAX_KLOE = 1000
MAX_THEME = 100
MAX_CASE_LIST = 200
MAX_FOCUS = 1000  # no hard limit: a focus statement is a paragraph, not an essay

# Ordinary English words (and a council) that are also in the shipped list of first names; the
# demo uses them only as words. Anything else in that list fails the check.
ALLOWED = frozenset(
    {"will", "may", "many", "see", "carry", "else", "spring", "summer", "autumn", "cliff", "kent"}
)

SENTENCE_END = re.compile(r"[.!?][”\"’)]?(?=\s|$)")


def sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text.strip()))


def all_texts(plan: Plan) -> list[str]:
    """Every piece of text content.py writes for a plan."""
    s = content.scoping(plan)
    texts = [content.focus(plan), s.concerns, s.rationale, s.team_requirements, s.background]
    texts += [*s.case_lists, content.not_suitable_rationale(plan)]
    texts += [t for pair in content.kloes(plan) for t in pair]
    texts += [h.text for h in content.heard(plan)]
    texts += [f"{q.group}: {q.text}" for q in content.quotes(plan)]
    texts += [b.statement for b in content.board(plan)]
    texts += [a.text for a in content.recommendations(plan)]
    return texts


def _dupes(values: list[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def test_no_two_diagnostics_share_a_focus_kloe_finding_or_recommendation() -> None:
    focuses = [content.focus(p) for p in PLANS]
    kloes = [text for p in PLANS for _, text in content.kloes(p)]
    findings = [b.statement for p in PLANS for b in content.board(p)]
    advice = [a.text for p in PLANS for a in content.recommendations(p)]
    assert _dupes(focuses) == []
    assert _dupes(kloes) == []
    assert _dupes(findings) == []
    assert _dupes(advice) == []


def test_heard_notes_do_not_repeat_within_a_plan() -> None:
    for p in PLANS:
        texts = [h.text for h in content.heard(p)]
        assert _dupes(texts) == [], p.key


def test_safeguarding_diagnostics_get_lines_that_follow_their_titles() -> None:
    safeguarding = [p for p in PLANS if p.type == "safeguarding"]
    assert len(safeguarding) >= 4
    themes = {p.key: tuple(t for t, _ in content.kloes(p)) for p in safeguarding}
    assert len(set(themes.values())) == len(safeguarding)
    mash = next(p for p in safeguarding if p.key == "derby-mash")
    exploit = next(p for p in safeguarding if p.key == "lewisham-exploit")
    assert any("threshold" in t.lower() for _, t in content.kloes(mash))
    assert any("exploit" in t.lower() for _, t in content.kloes(exploit))


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_three_to_five_kloes_each_with_a_theme(plan: Plan) -> None:
    kloes = content.kloes(plan)
    assert 3 <= len(kloes) <= 5
    for theme, text in kloes:
        assert theme.strip() and len(theme) <= MAX_THEME
        assert text.endswith("?") and len(text) <= MAX_KLOE


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_findings_are_two_to_four_sentences_three_to_five_of_each_kind(plan: Plan) -> None:
    items = content.board(plan)
    kinds = Counter(b.kind for b in items)
    assert set(kinds) == {FindingKind.STRENGTH, FindingKind.AREA}
    assert 3 <= kinds[FindingKind.STRENGTH] <= 5
    assert 3 <= kinds[FindingKind.AREA] <= 5
    for b in items:
        assert 2 <= sentences(b.statement) <= 4, b.statement
        assert len(b.statement) <= MAX_FINDING
        assert plan.council in b.statement or b.statement.count("“") == 1


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_indexes_point_at_real_lines_and_areas(plan: Plan) -> None:
    n = len(content.kloes(plan))
    items = content.board(plan)
    heard = content.heard(plan)
    assert all(0 <= h.kloe < n for h in heard)
    assert all(0 <= b.kloe < n for b in items)
    assert all(0 <= q.kloe < n for q in content.quotes(plan))
    advice = content.recommendations(plan)
    assert 3 <= len(advice) <= 5
    followed: list[int] = []
    for a in advice:
        assert a.findings, a.text
        for i in a.findings:
            assert 0 <= i < len(items) and items[i].kind == FindingKind.AREA
        followed += a.findings
        assert len(a.text) <= MAX_RECOMMENDATION
    # Every area leads to a recommendation, and none is claimed twice.
    areas = [i for i, b in enumerate(items) if b.kind == FindingKind.AREA]
    assert sorted(followed) == areas


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_heard_notes_cover_every_line_both_ways(plan: Plan) -> None:
    heard = content.heard(plan)
    assert 12 <= len(heard) <= 20
    polarities = {p.value for p in Polarity}
    for h in heard:
        assert h.polarity in polarities
        assert 2 <= sentences(h.text) <= 3, h.text
        assert len(h.text) <= MAX_BODY
    for i in range(len(content.kloes(plan))):
        mine = {h.polarity for h in heard if h.kloe == i}
        assert {"strength", "concern"} <= mine, (plan.key, i)


def test_some_findings_quote_a_group_and_the_quote_is_one_they_gave() -> None:
    quoted = 0
    for p in PLANS:
        said = {q.text for q in content.quotes(p)}
        for b in content.board(p):
            found = re.findall(r"“(.+?)”", b.statement)
            for words in found:
                assert words in said, (p.key, words)
            quoted += bool(found)
        assert any("“" in b.statement for b in content.board(p)), p.key
    total = sum(len(content.board(p)) for p in PLANS)
    assert 0.2 * total <= quoted <= 0.8 * total


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_quotes_come_from_groups_big_enough_to_show(plan: Plan) -> None:
    for q in content.quotes(plan):
        assert q.group_size >= SMALL_GROUP
        assert len(q.text) <= MAX_QUOTE and len(q.group) <= MAX_GROUP
        assert q.polarity in {"strength", "concern"}


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_scoping_notes_fit_and_name_case_lists_only_with_a_case_review(plan: Plan) -> None:
    s = content.scoping(plan)
    assert 0 < len(s.concerns) <= MAX_CONCERNS
    assert s.rationale and s.team_requirements and s.background
    if plan.case_review:
        assert s.case_lists and all(len(n) <= MAX_CASE_LIST for n in s.case_lists)
        assert "case record review" in s.team_requirements
    else:
        assert s.case_lists == []
    assert 0 < len(content.focus(plan)) <= MAX_FOCUS
    assert plan.council in content.focus(plan)


def test_the_not_suitable_plan_explains_why() -> None:
    plan = next(p for p in PLANS if p.stage == "closed_not_suitable")
    why = content.not_suitable_rationale(plan)
    assert plan.council in why and "peer challenge" in why
    assert why != content.not_suitable_rationale(PLANS[0])
    assert content.kloes(plan)


def test_the_same_words_on_every_call() -> None:
    for p in PLANS:
        assert all_texts(p) == all_texts(p)


def test_seeds_vary_the_words_not_only_the_names() -> None:
    """Two plans of one type do not pick the same evidence and closing sentences throughout."""

    def tails(p: Plan) -> list[str]:
        return [b.statement.split(". ", 1)[1] for b in content.board(p)]

    safeguarding = [p for p in PLANS if p.type == "safeguarding"]
    assert len({tuple(tails(p)) for p in safeguarding}) == len(safeguarding)


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_no_child_name_or_date_of_birth_in_any_text(plan: Plan) -> None:
    allowed = ALLOWED | {plan.council.lower()}
    for text in all_texts(plan):
        assert not has_forename(text, allowed=allowed), text
        assert not looks_like_date(text), text
        assert "{" not in text and "}" not in text, text  # every slot filled in


def test_the_name_check_can_fail() -> None:
    assert has_forename("Amelia told us she felt listened to.", allowed=ALLOWED)


@pytest.mark.parametrize("type_", ["safeguarding", "send", "early_years", "other"])
def test_a_plan_added_without_a_topic_still_gets_usable_content(type_: str) -> None:
    """A new plan in plans.py without words written for it yet does not break the walk."""
    plan = Plan("new-plan", "Something new", "Somerset", type_, "enquiry", 1)
    assert 3 <= len(content.kloes(plan)) <= 5
    items = content.board(plan)
    areas = {i for i, b in enumerate(items) if b.kind == FindingKind.AREA}
    assert len(areas) >= 3
    assert all(set(a.findings) <= areas for a in content.recommendations(plan))
    assert 12 <= len(content.heard(plan)) <= 20
