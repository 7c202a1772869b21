"""A task for the fault tests: sleeps, then appends one line to a file (its only effect)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_mark(path: str, seconds: float) -> str:
    time.sleep(seconds)
    with Path(path).open("a", encoding="utf-8") as f:
        f.write("done\n")
    return "done"
