"""The election core stays pure: standard library only, no clock, no floats, no I/O.

docs/design.md §5: ``voting/`` imports nothing from ``api/``, ``schema/``, Starlette, Strawberry or
SQLAlchemy and takes ``now`` as an argument. These checks read the source with ``ast`` so that
a violation fails here, before it can hide behind a lazy import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "voting"
SOURCES = sorted(PACKAGE.rglob("*.py"))
FORBIDDEN_ROOTS = {"api", "schema", "starlette", "strawberry", "sqlalchemy"}
# Standard-library modules that would mean I/O, a clock or non-determinism in the core.
IMPURE_STDLIB = {
    "asyncio", "io", "logging", "os", "pathlib", "random", "shutil", "socket", "sqlite3",
    "subprocess", "tempfile", "threading", "time", "urllib",
}  # fmt: skip
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}
IO_BUILTINS = {"open", "print", "input", "float"}


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_roots(tree: ast.Module) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_sources_are_found() -> None:
    names = {p.name for p in SOURCES}
    assert {"roll.py", "rules.py", "ballot.py", "tally.py", "ledger.py", "secrecy.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_only_stdlib_and_itself(path: Path) -> None:
    roots = imported_roots(parsed(path))
    assert not roots & FORBIDDEN_ROOTS
    outside = {r for r in roots if r not in sys.stdlib_module_names and r != "voting"}
    assert not outside, f"{path.name} imports {sorted(outside)} from outside the stdlib"
    assert not roots & IMPURE_STDLIB, f"{path.name} imports {sorted(roots & IMPURE_STDLIB)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_clock_io_or_floats(path: Path) -> None:
    for node in ast.walk(parsed(path)):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                assert func.attr not in CLOCK_CALLS, f"clock read at {where}"
            if isinstance(func, ast.Name):
                assert func.id not in IO_BUILTINS, f"{func.id}() at {where}"
        # No float literals and no true division: areas and ratios stay integers.
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float | complex), f"float literal at {where}"
        if isinstance(node, ast.BinOp | ast.AugAssign):
            assert not isinstance(node.op, ast.Div), f"true division at {where}"


def test_the_checks_would_catch_a_violation() -> None:
    bad = ast.parse(
        "import sqlalchemy\nfrom api.store.models import x\nimport numpy\nimport time\n"
        "from datetime import datetime\nnow = datetime.now()\nshare = area / total\n"
    )
    roots = imported_roots(bad)
    assert {"sqlalchemy", "api", "numpy", "time"} <= roots
    assert "numpy" not in sys.stdlib_module_names
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call)]
    assert any(isinstance(c.func, ast.Attribute) and c.func.attr == "now" for c in calls)
    assert any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) for n in ast.walk(bad))
