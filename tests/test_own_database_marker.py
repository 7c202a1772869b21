"""Tests marked `own_database` are left out of CI's PostgreSQL pass (.ci/run): that is only safe
while none of them touches the run's database."""

from __future__ import annotations

import pytest

RUNS_DATABASE = {"db", "transactional_db", "django_db_setup", "world", "live_server", "page"}


def test_no_own_database_test_uses_the_runs_database(request: pytest.FixtureRequest) -> None:
    marked = [i for i in request.session.items if i.get_closest_marker("own_database")]
    if not marked:
        pytest.skip("no own_database test is in this run (CI's PostgreSQL pass deselects them)")
    using = {
        i.nodeid: sorted(RUNS_DATABASE & set(getattr(i, "fixturenames", ())))
        for i in marked
        if RUNS_DATABASE & set(getattr(i, "fixturenames", ())) or i.get_closest_marker("django_db")
    }
    assert using == {}, "these use the run's database, so CI must run them on PostgreSQL too"
