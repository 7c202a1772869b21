"""Spotting what could identify a child in free text: a common first name (data/forenames.txt)
or a date as people or spreadsheets write one. Pure functions, no Django; the case list import
(casereview/domain/lists.py) and the messages thread (messaging/domain/threads.py) both use them.

`words` splits text into lower-case words without accents, also where the case changes inside a
run of letters (`AmySmith`, `amy.smith.2015`, `amy_smith`); `has_forename` looks each word up;
`looks_like_date` finds numeric, compact and written dates, and a year beside a word about birth.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

FORENAMES_FILE = Path(__file__).resolve().parent / "data" / "forenames.txt"


# Names ------------------------------------------------------------------------------------------


@cache
def forenames() -> frozenset[str]:
    """The shipped list of first names (lower case, three letters or more)."""
    lines = FORENAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


LETTERS = re.compile(r"[^\W\d_]+")


def split_case(run: str) -> list[str]:
    """A run of letters split where its case changes: "AmySmith" -> Amy, Smith;
    "AMYSmith" -> AMY, Smith; "AMY" and "Amy" stay whole."""
    parts, start = [], 0
    for i in range(1, len(run)):
        lower_then_upper = run[i - 1].islower() and run[i].isupper()
        upper_before_word = (
            run[i - 1].isupper() and run[i].isupper() and i + 1 < len(run) and run[i + 1].islower()
        )
        if lower_then_upper or upper_before_word:
            parts.append(run[start:i])
            start = i
    parts.append(run[start:])
    return parts


def words(value: str) -> list[str]:
    """The words of `value`, lower case and without accents: split at anything that is not a
    letter, and where the case changes inside a run of letters."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return [w.lower() for run in LETTERS.findall(plain) for w in split_case(run)]


def has_forename(value: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    names = forenames()
    return any(w in names and w not in allowed for w in words(value))


# Dates ------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Months that are also ordinary words ("may", "mar") count only with a year beside them.
_MONTH_WORDY = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?<!\d)(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d])"
_SEP = r"[\s,./'-]*"
_YEAR = r"(?<!\d)(?:\d{4}|\d{2})(?!\d)"
_YEAR4 = r"(?<!\d)(?:19\d{2}|20\d{2})(?!\d)"
_WB = r"(?<![^\W\d_])"  # no letter before
_WE = r"(?![^\W\d_])"  # no letter after
_WRITTEN = [
    # 5th January 2015, 5 Jan 15, 05-Jan-2015, 5th of January
    rf"{_DAY}{_SEP}(?:of{_SEP})?{_WB}{_MONTH}{_WE}{_SEP}{_YEAR}",
    rf"{_DAY}{_SEP}(?:of{_SEP})?{_WB}{_MONTH_WORDY}{_WE}",
    # January 5, 2015; Jan 5th 15; January 5
    rf"{_WB}{_MONTH}{_WE}{_SEP}{_DAY}{_SEP}{_YEAR}",
    rf"{_WB}{_MONTH_WORDY}{_WE}{_SEP}{_DAY}",
    # January 2015, Jan-98, 2015 January
    rf"{_WB}{_MONTH}{_WE}{_SEP}{_YEAR}",
    rf"{_YEAR4}{_SEP}{_WB}{_MONTH}{_WE}",
]
_WRITTEN_DATE = re.compile("|".join(f"(?:{p})" for p in _WRITTEN), re.IGNORECASE)
# A year beside a word about birth: "born 2015", "DOB: 2015", "birth year 2015".
_BIRTH_WORD = re.compile(
    rf"{_WB}(?:born|dob|d\.?o\.?b|birth|birthday|bday|b\.d\.|yob){_WE}", re.IGNORECASE
)
_ANY_YEAR = re.compile(_YEAR4)
# Three numbers with separators: 2015/01/05, 05/01/2015, 5.1.15, 2015-01-05, 05-01-2015.
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[/.\-\\](\d{1,2})[/.\-\\](\d{1,4})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)\d{8}(?!\d)")


def _real(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _numeric_date(a: str, b: str, c: str) -> bool:
    if len(a) == 4:
        return 1900 <= int(a) <= 2099 and len(c) <= 2 and _real(int(a), int(b), int(c))
    if len(c) not in (2, 4) or len(a) > 2:
        return False
    year = int(c) if len(c) == 4 else 2000 + int(c)
    if len(c) == 4 and not 1900 <= year <= 2099:
        return False
    # Day first (as written in the UK) or month first (as a US spreadsheet writes it).
    return _real(year, int(b), int(a)) or _real(year, int(a), int(b))


def _compact_date(digits: str) -> bool:
    y1, m1, d1 = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if 1900 <= y1 <= 2099 and _real(y1, m1, d1):
        return True
    d2, m2, y2 = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    return 1900 <= y2 <= 2099 and _real(y2, m2, d2)


def looks_like_date(value: str, *, compact: bool = True) -> bool:
    """Whether `value` holds a date as people or spreadsheets write one (a date of birth must
    never be uploaded). `compact=False` leaves out eight bare digits (20150105), for a
    reference the council's own format says is eight digits."""
    if any(_numeric_date(*m.groups()) for m in _NUMERIC.finditer(value)):
        return True
    if compact and any(_compact_date(m.group()) for m in _COMPACT.finditer(value)):
        return True
    if _WRITTEN_DATE.search(value):
        return True
    return bool(_BIRTH_WORD.search(value) and _ANY_YEAR.search(value))
