"""The names the portfolio had while it lived in the evaluation app still work."""

from __future__ import annotations

import pytest
from django.utils.module_loading import import_string
from django_tasks.base import Task

from peerdiag.portfolio.tasks import build_portfolio_export

pytestmark = pytest.mark.django_db


def test_a_job_queued_under_the_old_task_path_finds_the_task() -> None:
    # The database worker finds a queued job's task by the path stored with it.
    old = import_string("peerdiag.evaluation.tasks.build_portfolio_export")
    assert isinstance(old, Task)
    assert old is build_portfolio_export
    assert old.module_path == "peerdiag.portfolio.tasks.build_portfolio_export"


def test_the_old_permission_name_gives_the_same_answer(world):  # type: ignore[no-untyped-def]
    answers = {
        name: (user.has_perm("portfolio.view"), user.has_perm("evaluation.view_portfolio"))
        for name, user in world.users().items()
    }
    assert all(new == old for new, old in answers.values()), answers
    assert answers["pcm"] == (True, True)  # LGA staff
    assert answers["sponsor"] == (False, False)  # the council's own people
    assert answers["peer"] == (False, False)
