"""Importing an agreed case list from CSV, refusing anything that could identify a child
(decision 9: pseudonymous references only).

What a file must pass, cell by cell, before anything is written:

- Only the columns reference, cohort, team and legal_status (and a few spellings of them). Any
  other column is refused by its number, and by its heading only when the heading itself passes
  the checks below (a heading could be a child's name).
- No word in the reference, team or legal status is a common first name (common/data/forenames.txt),
  whatever its capitals or how it is joined: `AMY SMITH`, `amy.smith.2015`, `amy_smith` and
  `AmySmith` are all split into words and each word is looked up. A service word beside it does
  not help: "Amy Court" is refused.
- No cell holds a date in any common written form (see `looks_like_date`).
- The reference matches the council's format when the PCM has set one on the case review
  (`set_reference_pattern`); until then it must be letters and digits (with - / _ or .) and hold
  at least one digit.

Every refusal names the row and column but never repeats the value, so the page and the logs
never show the child data the check caught. Nothing is imported from a file with any refusal.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common.childdata import (  # noqa: F401  (re-exported for the case review)
    FORENAMES_FILE,
    forenames,
    has_forename,
    looks_like_date,
    words,
)
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.models import AgreedCaseList

from ..enums import Cohort
from ..models import CaseListEntry, CaseReview, normalise_reference

REQUIRED = ("reference", "cohort", "team", "legal_status")
# Other spellings of the four columns (after `_header_key`).
ALIASES = {
    "ref": "reference",
    "case_ref": "reference",
    "case_reference": "reference",
    "pseudonymous_ref": "reference",
    "pseudonymous_reference": "reference",
    "legal": "legal_status",
}
MAX_ROWS = 5000
MAX_REFERENCE = 60
MAX_TEXT = 100
MAX_PATTERN = 200
# Headers that name a person or a birth date; refused whatever their contents.
NAME_HEADERS = re.compile(
    r"^(full_?name|name|names|forename|forenames|first_?name|given_?name|surname|last_?name|"
    r"family_?name|child_?name|dob|d_o_b|date_?of_?birth|birth_?date|birthday)$"
)
# Until the PCM sets the council's format: letters and digits (with a few joining marks), and
# at least one digit, so a bare surname such as SMITH is refused too.
DEFAULT_REFERENCE = re.compile(r"[^\W_]+(?:[-/_.][^\W_]+)*")

# The council's reference format -----------------------------------------------------------------

# Each of these must be refused by a format before it is accepted: a format that lets a name
# or a date through is no check at all.
MUST_REFUSE = (
    "Amy Smith",
    "amy smith",
    "AMY SMITH",
    "Smith, Amy",
    "amy.smith.2015",
    "amy_smith",
    "amy-smith",
    "AmySmith",
    "AMYSMITH",
    "amysmith",
    "Amy Smith 05/01/2015",
    "05/01/2015",
    "2015-01-05",
    "5 January 2015",
)
_MAXREPEAT = 4_294_967_295


def _sre() -> tuple[Any, Any]:
    return importlib.import_module("re._parser"), importlib.import_module("re._constants")


def _nested_repeat(items: Any) -> str | None:
    """A reason to refuse a pattern that could take very long on some text (a repeat of a
    repeat or of a choice, like (a+)+), or uses back-references or look-arounds."""
    _, const = _sre()
    for op, arg in items:
        if op in (const.GROUPREF, const.GROUPREF_EXISTS):
            return "it refers back to an earlier group"
        if op in (const.ASSERT, const.ASSERT_NOT):
            return "it looks ahead or behind"
        if op in (const.MAX_REPEAT, const.MIN_REPEAT, getattr(const, "POSSESSIVE_REPEAT", None)):
            _lo, hi, body = arg
            if hi > 10 and _repeats_inside(body):
                return "it repeats something that itself repeats or offers a choice"
            inner = _nested_repeat(body)
            if inner:
                return inner
        elif op == const.SUBPATTERN:
            inner = _nested_repeat(arg[-1])
            if inner:
                return inner
        elif op == const.BRANCH:
            for branch in arg[1]:
                inner = _nested_repeat(branch)
                if inner:
                    return inner
        elif op == getattr(const, "ATOMIC_GROUP", None):
            inner = _nested_repeat(arg)
            if inner:
                return inner
    return None


def _repeats_inside(items: Any) -> bool:
    _, const = _sre()
    for op, arg in items:
        if op in (const.MAX_REPEAT, const.MIN_REPEAT) and arg[1] > 1:
            return True
        if op == const.BRANCH:
            return True
        if op == const.SUBPATTERN and _repeats_inside(arg[-1]):
            return True
    return False


def check_reference_pattern(pattern: str) -> str:
    """The pattern cleaned, or a DomainError (field 'pattern') saying what is wrong with it.
    An empty pattern is allowed: it means the standard check."""
    pattern = pattern.strip()
    if not pattern:
        return ""
    if len(pattern) > MAX_PATTERN:
        raise DomainError(
            f"The reference format can be up to {MAX_PATTERN} characters", field="pattern"
        )
    if any(not c.isprintable() for c in pattern):
        raise DomainError("The reference format must be on one line", field="pattern")
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise DomainError(
            f"The reference format is not a regular expression Python can read: {e.msg}",
            field="pattern",
        ) from None
    parser, _ = _sre()
    reason = _nested_repeat(parser.parse(pattern))
    if reason:
        raise DomainError(
            f"Use a simpler reference format: this one could make checking slow, because "
            f"{reason}. For example ^[A-Z]{{2}}\\d{{6}}$",
            field="pattern",
        )
    if compiled.fullmatch(""):
        raise DomainError(
            "The reference format must not accept an empty reference", field="pattern"
        )
    for sample in MUST_REFUSE:
        if compiled.fullmatch(sample):
            raise DomainError(
                f"The reference format accepts ‘{sample}’, which could be a child's name or "
                "date of birth: make it match only the council's case references, for example "
                "^[A-Z]{2}\\d{6}$",
                field="pattern",
            )
    return pattern


def pattern_literals(pattern: str) -> frozenset[str]:
    """Words written out in a format (the KEN of ^KEN\\d{6}$): a council's own prefix is not a
    child's name even when it spells one."""
    plain = re.sub(r"\\.|\[[^\]]*\]|\{[^}]*\}|\(\?P?<[^>]*>", " ", pattern)
    return frozenset(words(plain))


def set_reference_pattern(
    review: CaseReview, *, by: User | None, pattern: str, version: int | None
) -> CaseReview:
    """Set the council's case reference format (a regular expression every reference of an
    uploaded list must match in full), or clear it with ''. Refused when the format is not a
    regular expression, could be slow, or accepts a sample name or date of birth; refused with
    StaleEdit (nothing saved) when the review changed after `version`."""
    pattern = check_reference_pattern(pattern)
    with transaction.atomic():
        claim(review, version=version, by=by, noun="the case record review")
        old = review.reference_pattern
        review.reference_pattern = pattern
        review.save(update_fields=with_version_fields(["reference_pattern", "updated_at"]))
        record(
            review.diagnostic,
            by=by,
            action="case_reference_format",
            summary=(
                f"Case reference format set to {pattern}"
                if pattern
                else "Case reference format cleared: the standard check applies"
            ),
            changes=[
                {
                    "field": "reference_pattern",
                    "label": "Reference format",
                    "old": old,
                    "new": pattern,
                }
            ],
        )
    return review


# Reading the file -------------------------------------------------------------------------------

_COHORTS = {
    **{c.value: c.value for c in Cohort},
    **{str(c.label).lower(): c.value for c in Cohort},
    "cin": Cohort.CHILD_IN_NEED,
    "cp": Cohort.CHILD_PROTECTION,
    "cic": Cohort.CHILD_IN_CARE,
    "lac": Cohort.CHILD_IN_CARE,
    "send": Cohort.SEND_EHCP,
    "ehcp": Cohort.SEND_EHCP,
    "send/ehcp": Cohort.SEND_EHCP,
    "front door": Cohort.FRONT_DOOR,
}


def _header_key(raw: str) -> str:
    return re.sub(r"[\s-]+", "_", raw.strip().lower())


def _column(i: int, heading: str) -> str:
    """'column 5' and, when the heading itself is safe to show, its heading."""
    heading = heading.strip()
    safe = (
        heading
        and len(heading) <= 40
        and heading.isprintable()
        and not has_forename(heading)
        and not looks_like_date(heading)
    )
    return f"column {i} ('{heading}')" if safe else f"column {i}"


@dataclass(frozen=True)
class Row:
    reference: str
    cohort: str
    team: str
    legal_status: str


def _refuse(message: str) -> DomainError:
    return DomainError(f"{message}. Nothing was imported", field="file")


def _cell_problem(value: str, *, key: str, pattern: str, allowed: frozenset[str]) -> str | None:
    """Why a reference, team or legal status is refused (without repeating it), or None."""
    # With the council's format set, eight bare digits may be its own case numbers.
    if looks_like_date(value, compact=not (key == "reference" and pattern)):
        return "looks like a date (a date of birth must never be uploaded)"
    if has_forename(value, allowed=allowed):
        return (
            "holds a word that is a common first name. Use the council's pseudonymous case "
            "reference, never a child's name; if the word names a place or a building, shorten "
            "it or use initials"
        )
    if key == "reference" and pattern:
        if not re.fullmatch(pattern, value):
            return "does not match the council's reference format set for this review"
    elif key == "reference" and (
        not DEFAULT_REFERENCE.fullmatch(value) or not any(c.isdigit() for c in value)
    ):
        return (
            "is not a case reference: use letters and digits only (with - / _ or . "
            "between them), including at least one digit, or set the council's reference "
            "format"
        )
    return None


def _read_table(data: bytes) -> list[list[str]]:
    """The file's rows as lists of cells, or a DomainError when it cannot be read or is empty."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            "Save the file as CSV (UTF-8) and upload it again", field="file"
        ) from None
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise DomainError("The file is not a CSV file we can read", field="file") from None
    if not table or not any(h.strip() for h in table[0]):
        raise DomainError("The file is empty", field="file")
    return table


def _read_header(header: list[str]) -> tuple[list[str], dict[str, int]]:
    """Each column's key ('' for a column with no heading) and where each known key is, or a
    DomainError for a refused, unknown, repeated or missing column."""
    keys: list[str] = []
    where: dict[str, int] = {}
    for i, raw in enumerate(header, start=1):
        key = _header_key(raw)
        key = ALIASES.get(key, key)
        named = _column(i, raw)
        named = named[0].upper() + named[1:]
        if NAME_HEADERS.match(key):
            raise _refuse(f"{named} would hold names or dates of birth: remove it")
        if key and key not in REQUIRED:
            raise _refuse(
                f"{named} is not a column a case list can have: remove it. "
                "A list has only the columns reference, cohort, team and legal_status"
            )
        if key in where:
            raise _refuse(f"{named} repeats column {where[key]}: remove one of them")
        if key:
            where[key] = i
        keys.append(key)
    missing = [r for r in REQUIRED if r not in where]
    if missing:
        raise DomainError(
            f"The file needs the columns {', '.join(REQUIRED)}; missing: {', '.join(missing)}",
            field="file",
        )
    return keys, where


def _check_pattern_readable(pattern: str) -> None:
    """A DomainError when the council's stored reference format no longer compiles."""
    if pattern:
        try:
            re.compile(pattern)
        except re.error:
            raise DomainError(
                "The council's case reference format can no longer be read: set it again",
                field="file",
            ) from None


@dataclass(frozen=True)
class _Checks:
    """What a row's cells are checked against: the file's header and the council's words."""

    header: list[str]
    keys: list[str]
    pattern: str
    allowed_ref: frozenset[str]
    place_words: frozenset[str]


def _check_cell(n: int, col: int, key: str, value: str, checks: _Checks) -> None:
    """A DomainError naming row `n` and column `col` when the cell's value is refused."""
    label = _column(col, checks.header[col - 1])
    if key == "cohort":
        if value.lower() not in _COHORTS:
            choices = ", ".join(str(c.label).lower() for c in Cohort)
            raise _refuse(f"Row {n}, {label}: the cohort must be one of {choices}")
        return
    if key == "reference" and not value:
        raise _refuse(f"Row {n}, {label} has no case reference")
    limit = MAX_REFERENCE if key == "reference" else MAX_TEXT
    if len(value) > limit:
        name = "case reference" if key == "reference" else key.replace("_", " ")
        raise _refuse(f"Row {n}: the {name} can be up to {limit} characters, in {label}")
    if value:
        problem = _cell_problem(
            value,
            key=key,
            pattern=checks.pattern,
            allowed=checks.allowed_ref if key == "reference" else checks.place_words,
        )
        if problem:
            raise _refuse(f"Row {n}, {label} {problem}")


def _row_cells(n: int, values: list[str], checks: _Checks) -> dict[str, str]:
    """The cells of row `n` by key, each checked, or a DomainError for the first refused."""
    cells: dict[str, str] = {}
    for col, raw in enumerate(values, start=1):
        value = raw.strip()
        key = checks.keys[col - 1] if col <= len(checks.keys) else ""
        if not key:
            if value:
                raise _refuse(
                    f"Row {n}, column {col} has something in it but the column has no "
                    "heading: remove it"
                )
            continue
        cells[key] = value
        _check_cell(n, col, key, value, checks)
    return cells


def parse_case_csv(
    data: bytes, *, pattern: str = "", place_words: frozenset[str] = frozenset()
) -> list[Row]:
    """The rows of a case list, or a DomainError naming the first row and column at fault.

    `pattern` is the council's reference format (empty: the standard check); `place_words` are
    words of the host council's name (Kent, Chester), allowed in team and legal status."""
    table = _read_table(data)
    header, body = table[0], table[1:]
    keys, where = _read_header(header)
    _check_pattern_readable(pattern)
    checks = _Checks(header, keys, pattern, pattern_literals(pattern), place_words)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for n, values in enumerate(body, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(f"A list may hold at most {MAX_ROWS} cases", field="file")
        cells = _row_cells(n, values, checks)
        ref = cells.get("reference", "")
        if not ref:
            raise _refuse(f"Row {n}, column {where['reference']} has no case reference")
        if "cohort" not in cells:
            raise _refuse(f"Row {n}, column {where['cohort']} has no cohort")
        normal = normalise_reference(ref)
        if normal in seen:
            raise _refuse(
                f"Row {n}, column {where['reference']} repeats the case reference of "
                f"row {seen[normal]}"
            )
        seen[normal] = n
        rows.append(
            Row(
                ref,
                _COHORTS[cells["cohort"].lower()],
                cells.get("team", ""),
                cells.get("legal_status", ""),
            )
        )
    if not rows:
        raise DomainError("The file has no cases in it", field="file")
    return rows


def _place_words(case_list: AgreedCaseList) -> frozenset[str]:
    council = case_list.diagnostic.host_council
    return frozenset(words(council.name)) if council else frozenset()


def reference_pattern_for(case_list: AgreedCaseList) -> str:
    found = CaseReview.objects.filter(diagnostic_id=case_list.diagnostic_id).values_list(
        "reference_pattern", flat=True
    )
    return next(iter(found), "") or ""


def import_case_list(case_list: AgreedCaseList, *, by: User | None, data: bytes) -> int:
    """Replace the cases on an agreed list with those in a CSV file; returns how many.

    All or nothing: a refused row imports nothing. Cases already sampled stay (they are
    protected) and are updated in place. Writes an audit entry without any case reference.
    """
    rows = parse_case_csv(
        data, pattern=reference_pattern_for(case_list), place_words=_place_words(case_list)
    )
    with transaction.atomic():
        keep = set(
            CaseListEntry.objects.filter(case_list=case_list, samples__isnull=False).values_list(
                "pk", flat=True
            )
        )
        CaseListEntry.objects.filter(case_list=case_list).exclude(pk__in=keep).delete()
        # References are encrypted: matched here, in Python, by their normal form.
        existing = {
            normalise_reference(e.pseudonymous_ref): e
            for e in CaseListEntry.objects.filter(case_list=case_list)
        }
        for row in rows:
            entry = existing.get(normalise_reference(row.reference)) or CaseListEntry(
                case_list=case_list
            )
            entry.pseudonymous_ref = row.reference
            entry.cohort, entry.team, entry.legal_status = row.cohort, row.team, row.legal_status
            entry.save()
        record(
            case_list.diagnostic,
            by=by,
            action="case_list_imported",
            summary=f"{len(rows)} cases imported to the agreed list ‘{case_list.name}’",
        )
    return len(rows)
