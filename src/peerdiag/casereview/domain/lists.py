"""Importing an agreed case list from CSV, refusing anything that looks like a name or a
date of birth (decision 9: pseudonymous references only)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.models import AgreedCaseList

from ..enums import Cohort
from ..models import CaseListEntry

REQUIRED = ("reference", "cohort", "team", "legal_status")
MAX_ROWS = 5000
# Headers that name a person or a birth date; refused whatever their contents.
NAME_HEADERS = re.compile(
    r"^(full_?name|name|names|forename|forenames|first_?name|given_?name|surname|last_?name|"
    r"family_?name|child_?name|dob|d_o_b|date_?of_?birth|birth_?date|birthday)$"
)
FULL_DATE = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|"
    r"\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})\b",
    re.IGNORECASE,
)
# Two or more capitalised words, such as "Amy Smith" or "Amy Jane Smith"...
PERSONAL_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)+\b")
# ...unless a word in it belongs to the names of services, teams and legal statuses.
SERVICE_WORDS = frozenset(
    [
        "access",
        "adolescent",
        "adoption",
        "after",
        "aftercare",
        "area",
        "assessment",
        "authority",
        "board",
        "care",
        "careleaver",
        "central",
        "child",
        "children",
        "city",
        "court",
        "district",
        "disabilities",
        "disability",
        "door",
        "duty",
        "early",
        "east",
        "edge",
        "education",
        "family",
        "front",
        "health",
        "help",
        "hub",
        "in",
        "intake",
        "interim",
        "leaver",
        "leavers",
        "leaving",
        "local",
        "looked",
        "mash",
        "need",
        "north",
        "order",
        "orders",
        "permanence",
        "placement",
        "plan",
        "planning",
        "protection",
        "referral",
        "safeguarding",
        "section",
        "send",
        "service",
        "services",
        "south",
        "special",
        "support",
        "supervision",
        "team",
        "teams",
        "the",
        "west",
        "youth",
    ]
)

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


@dataclass(frozen=True)
class Row:
    reference: str
    cohort: str
    team: str
    legal_status: str


def _problem(value: str) -> str | None:
    if FULL_DATE.search(value):
        return "looks like a full date (a date of birth must not be uploaded)"
    for match in PERSONAL_NAME.finditer(value):
        if not {w.lower() for w in match.group().split()} & SERVICE_WORDS:
            return "looks like a person's name (use the council's pseudonymous case reference)"
    return None


def parse_case_csv(data: bytes) -> list[Row]:
    """The rows of a case list, or a DomainError naming the first row and column at fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            "Save the file as CSV (UTF-8) and upload it again", field="file"
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise DomainError("The file is empty", field="file")
    keys = [_header_key(h) for h in header]
    for i, key in enumerate(keys, start=1):
        if NAME_HEADERS.match(key):
            raise DomainError(
                f"Column {i} ('{header[i - 1].strip()}') would hold names or dates of birth: "
                "remove it. Nothing was imported",
                field="file",
            )
    keys = ["reference" if k in ("ref", "case_reference", "pseudonymous_ref") else k for k in keys]
    missing = [r for r in REQUIRED if r not in keys]
    if missing:
        raise DomainError(
            f"The file needs the columns {', '.join(REQUIRED)}; missing: {', '.join(missing)}",
            field="file",
        )
    rows: list[Row] = []
    seen: set[str] = set()
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(f"A list may hold at most {MAX_ROWS} cases", field="file")
        cells = dict(zip(keys, (v.strip() for v in values), strict=False))
        for col, key in enumerate(keys, start=1):
            # The cohort is checked against its own list below.
            problem = None if key == "cohort" else _problem(cells.get(key, ""))
            if problem:
                raise DomainError(
                    f"Row {n}, column {col} ('{header[col - 1].strip()}') {problem}. "
                    "Nothing was imported",
                    field="file",
                )
        ref = cells.get("reference", "")
        if not ref:
            raise DomainError(f"Row {n} has no case reference. Nothing was imported", field="file")
        if len(ref) > 60:
            raise DomainError(f"Row {n}: the case reference is too long", field="file")
        cohort = _COHORTS.get(cells.get("cohort", "").lower())
        if cohort is None:
            choices = ", ".join(str(c.label).lower() for c in Cohort)
            raise DomainError(
                f"Row {n}: the cohort must be one of {choices}. Nothing was imported",
                field="file",
            )
        if ref in seen:
            raise DomainError(f"Row {n}: the case {ref} is listed twice", field="file")
        seen.add(ref)
        for key in ("team", "legal_status"):
            if len(cells.get(key, "")) > 100:
                raise DomainError(
                    f"Row {n}: the {key.replace('_', ' ')} can be up to 100 characters. "
                    "Nothing was imported",
                    field="file",
                )
        rows.append(Row(ref, cohort, cells.get("team", ""), cells["legal_status"]))
    if not rows:
        raise DomainError("The file has no cases in it", field="file")
    return rows


def import_case_list(case_list: AgreedCaseList, *, by: User | None, data: bytes) -> int:
    """Replace the cases on an agreed list with those in a CSV file; returns how many.

    All or nothing: a refused row imports nothing. Cases already sampled stay (they are
    protected) and are updated in place. Writes an audit entry without any case reference.
    """
    rows = parse_case_csv(data)
    with transaction.atomic():
        keep = set(
            CaseListEntry.objects.filter(case_list=case_list, samples__isnull=False).values_list(
                "pk", flat=True
            )
        )
        CaseListEntry.objects.filter(case_list=case_list).exclude(pk__in=keep).delete()
        existing = {
            e.pseudonymous_ref: e for e in CaseListEntry.objects.filter(case_list=case_list)
        }
        for row in rows:
            entry = existing.get(row.reference) or CaseListEntry(
                case_list=case_list, pseudonymous_ref=row.reference
            )
            entry.cohort, entry.team, entry.legal_status = row.cohort, row.team, row.legal_status
            entry.save()
        record(
            case_list.diagnostic,
            by=by,
            action="case_list_imported",
            summary=f"{len(rows)} cases imported to the agreed list ‘{case_list.name}’",
        )
    return len(rows)
