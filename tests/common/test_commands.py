"""The daily jobs' `--date` option, shared by three commands (common/commands.py)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

DAILY = [
    ("documents", "remind", "reminder e-mail(s) for"),
    ("evaluation", "send", "evaluation survey(s) for"),
    ("written_feedback", "remind", "for"),
]


@pytest.mark.parametrize(("command", "sub", "said"), DAILY)
def test_a_given_date_is_the_day_acted_on(command: str, sub: str, said: str) -> None:
    out = io.StringIO()
    call_command(command, sub, "--date", "2027-03-01", stdout=out)
    assert said in out.getvalue() and "2027-03-01" in out.getvalue()


@pytest.mark.parametrize(("command", "sub", "said"), DAILY)
def test_no_date_means_today(command: str, sub: str, said: str) -> None:
    out = io.StringIO()
    call_command(command, sub, stdout=out)
    assert date.today().isoformat() in out.getvalue()


@pytest.mark.parametrize(("command", "sub", "said"), DAILY)
@pytest.mark.parametrize("bad", ["1 March 2027", "2027-02-30", "tomorrow"])
def test_a_date_that_does_not_parse_is_refused_in_one_line(
    command: str, sub: str, said: str, bad: str
) -> None:
    with pytest.raises(CommandError) as info:
        call_command(command, sub, "--date", bad, stdout=io.StringIO())
    message = str(info.value)
    assert message == f"--date must be a date like 2027-03-01, not {bad!r}"
    assert "\n" not in message
