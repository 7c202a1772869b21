"""The demo, loaded once per test process and shared by the tests that read it.

Loading the demo walks eighteen diagnostics through every gate and solves their weeks: far too
slow to repeat for every test. `demo` loads it once inside a transaction that is rolled back
when the last test using it has run; each test runs in its own savepoint inside it, so what a
test changes is undone before the next one. Tests that need the demo on a given day, or an
empty database, load it themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from peerdiag.demo.cast import Account


@pytest.fixture(scope="session")
def demo_day() -> date:
    """The day the shared demo is loaded for (today, as `make run` does)."""
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture(scope="package")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the shared demo's files (documents, briefings, reports) are stored."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, demo_media: Path) -> None:  # type: ignore[no-untyped-def]
    # Replaces tests/conftest.py's fixture of the same name here: the demo's files stay
    # readable by every test of the package (and still never land in var/media).
    settings.MEDIA_ROOT = demo_media


@pytest.fixture(scope="package")
def demo(  # type: ignore[no-untyped-def]
    django_db_setup: None, django_db_blocker, demo_day: date, demo_media: Path
) -> Iterator[list[Account]]:
    from peerdiag.demo.loader import load_demo

    # The per-test settings of tests/conftest.py are not in force yet: the same fast hasher
    # (so the tests can check the demo's passwords) and the package's media folder.
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=demo_media, PASSWORD_HASHERS=fast),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo(demo_day)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here runs in one xdist worker, one after another (`--dist loadgroup`), so the
    package's demo is loaded once per run, not once per worker or per chunk of tests."""
    for item in items:
        if "tests/demo/loaded/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("demo"))
