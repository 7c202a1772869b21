"""The import contracts catch what they should: "the solver and the renderers are pure Python",
and the layers of the apps (portfolio and privacy in their places).

Each case copies the source into a scratch folder, plants one import in the copy, and
runs `lint-imports` on the copy with the project's own contracts: a model of the solver's own
app, reached directly or through a module of that app that is not itself forbidden, must break
the contract (the second was the hole while indirect imports were allowed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = "The solver and the renderers are pure Python"


def _lint(tmp_path: Path, plant: dict[str, str]) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "peerdiag",
        src / "peerdiag",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "fonts", "data"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, text in plant.items():
        target = src / "peerdiag" / path
        target.write_text(target.read_text() + text if target.exists() else text)
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(  # noqa: S603 - our own tool on our own copy
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True
    )


def test_the_copy_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint(tmp_path, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{CONTRACT} KEPT" in done.stdout


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(
            {"timetable/solver/io.py": "\nfrom peerdiag.timetable.models import Session  # noqa\n"},
            id="a model of its own app, directly",
        ),
        pytest.param(
            {
                "timetable/shim.py": "from peerdiag.timetable.models import Session  # noqa\n",
                "timetable/solver/io.py": "\nfrom peerdiag.timetable import shim  # noqa\n",
            },
            id="a model of its own app, through a module that is not forbidden",
        ),
        pytest.param(
            {
                "reports/render/shim.py": "import django.db  # noqa\n",
                "reports/render/text.py": "\nfrom . import shim  # noqa\n",
            },
            id="Django, through a module of the renderers",
        ),
    ],
)
def test_a_planted_import_breaks_the_purity_contract(tmp_path: Path, plant: dict[str, str]) -> None:
    done = _lint(tmp_path, plant)
    assert done.returncode != 0
    assert f"{CONTRACT} BROKEN" in done.stdout, done.stdout


LAYERS = "Apps import one way"


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(
            {"evaluation/domain/gate.py": "\nimport peerdiag.portfolio.domain.charts  # noqa\n"},
            id="the evaluation stage reaching up into the portfolio",
        ),
        pytest.param(
            {"portfolio/domain/charts.py": "\nimport peerdiag.privacy.domain.erasure  # noqa\n"},
            id="the portfolio reaching across into privacy",
        ),
        pytest.param(
            {"privacy/domain/erasure.py": "\nfrom peerdiag.web.views import common  # noqa\n"},
            id="privacy reaching up into the pages",
        ),
    ],
)
def test_a_planted_import_breaks_the_layers(tmp_path: Path, plant: dict[str, str]) -> None:
    """portfolio/ and privacy/ sit above evaluation, below the web, the API and the demo, and
    neither imports the other."""
    done = _lint(tmp_path, plant)
    assert done.returncode != 0
    assert f"{LAYERS} BROKEN" in done.stdout, done.stdout
