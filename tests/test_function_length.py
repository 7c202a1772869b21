"""No function or method in `src/peerdiag` runs over 80 lines, outside migrations and the demo.

A function is measured from its `def` line (decorators not counted) to its last line, docstring
included; a nested function counts on its own and also inside its parent. A function that must
stay long goes in `ALLOW` with the reason beside it; a stale entry (gone, or now short) fails.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "peerdiag"
LIMIT = 80
SKIPPED = ("migrations", "demo")

# "path::qualified.name" (path relative to src/peerdiag) -> why it may stay over the limit.
# Keep it empty if at all possible; each entry needs a comment saying when it can go.
ALLOW: dict[str, str] = {}


@dataclass(frozen=True)
class LongFunction:
    """A function over the limit: where it starts, its qualified name and its length."""

    path: str
    line: int
    name: str
    lines: int

    @property
    def key(self) -> str:
        """The key this function would have in `ALLOW`."""
        return f"{self.path}::{self.name}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.name} ({self.lines} lines)"


def _functions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method under `tree`, nested ones included, with a qualified name."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def long_functions(source: str, path: str, limit: int = LIMIT) -> list[LongFunction]:
    """The functions in `source` (the text of the file at `path`) longer than `limit` lines."""
    found = []
    for name, node in _functions(ast.parse(source, filename=path)):
        assert node.end_lineno is not None
        lines = node.end_lineno - node.lineno + 1
        if lines > limit:
            found.append(LongFunction(path, node.lineno, name, lines))
    return found


def _sources(package: Path) -> Iterator[Path]:
    for file in sorted(package.rglob("*.py")):
        parts = file.relative_to(package).parts
        if not any(part in SKIPPED for part in parts[:-1]):
            yield file


def scan(package: Path = PACKAGE, limit: int = LIMIT) -> list[LongFunction]:
    """Every function over `limit` lines in the package, outside migrations and the demo."""
    found = []
    for file in _sources(package):
        path = file.relative_to(package).as_posix()
        found.extend(long_functions(file.read_text(encoding="utf-8"), path, limit))
    return found


def offenders(found: list[LongFunction], allow: dict[str, str]) -> list[LongFunction]:
    """The long functions that are not allow-listed."""
    return [item for item in found if item.key not in allow]


def stale_entries(found: list[LongFunction], allow: dict[str, str]) -> list[str]:
    """Allow-list keys whose function is gone or no longer over the limit."""
    still_long = {item.key for item in found}
    return sorted(key for key in allow if key not in still_long)


def test_no_function_is_over_80_lines() -> None:
    listed = offenders(scan(), ALLOW)
    assert not listed, (
        f"{len(listed)} function(s) over {LIMIT} lines; split them, or allow-list them "
        "with a reason:\n" + "\n".join(str(item) for item in listed)
    )


def test_the_allow_list_holds_no_stale_entry() -> None:
    stale = stale_entries(scan(), ALLOW)
    assert not stale, "allowed but gone or no longer too long; remove from ALLOW:\n" + "\n".join(
        stale
    )


def test_a_planted_long_function_is_reported(tmp_path: Path) -> None:
    body = [f"    x{i} = {i}\n" for i in range(LIMIT)]
    planted = (
        "class Holder:\n"
        "    @staticmethod\n"
        "    def short() -> None:\n"
        '        """Short."""\n'
        "\n"
        "    async def method(self) -> None:\n"
        '        """Long only through the function nested in it."""\n'
        "        def inner() -> None:\n"
        + "".join("        " + line for line in body)
        + "\n"
        + "def exactly_the_limit() -> None:\n"
        + "".join(body[:-1])
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "long.py").write_text(planted)
    for skipped in SKIPPED:
        (tmp_path / "app" / skipped).mkdir()
        (tmp_path / "app" / skipped / "long.py").write_text(planted)

    found = scan(tmp_path)

    assert [str(item) for item in found] == [
        f"app/long.py:6 Holder.method ({LIMIT + 3} lines)",
        f"app/long.py:8 Holder.method.inner ({LIMIT + 1} lines)",
    ]
    allow = {
        "app/long.py::Holder.method": "allowed",
        "app/long.py::exactly_the_limit": "not too long",
        "app/gone.py::vanished": "no such function",
    }
    assert [item.name for item in offenders(found, allow)] == ["Holder.method.inner"]
    assert stale_entries(found, allow) == [
        "app/gone.py::vanished",
        "app/long.py::exactly_the_limit",
    ]
