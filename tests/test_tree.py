"""The shape of the test tree: test modules share code through tests/support (and a directory's
own helper modules), never by importing another test module; and every test has exactly one
tier (tests/conftest.py assigns them, pyproject.toml registers them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import TIERS

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path, as_path: Path | None = None) -> list[tuple[int, str]]:
    """(line, dotted name) of every module ``path`` imports, lazy imports included; relative
    imports are resolved as if the file were at ``as_path`` (by default where it is)."""
    where = (as_path or path).relative_to(ROOT).with_suffix("").parts
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # from .x import y
                module = ".".join([*where[: -node.level], *([module] if module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_no_module_imports_a_test_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for directory in ("tests", "bench")
        for path in sorted((ROOT / directory).rglob("*.py"))
        for line, name in imported_modules(path)
        if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert offenders == [], "share it through tests/support instead:\n" + "\n".join(offenders)


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    module = ROOT / "tests" / "api" / "services" / "probe.py"  # never written: a location
    source = (
        "from tests.api.services.test_documents import create\n"
        "from tests.api.live import test_pubsub\n"
        "from .test_comments import x\n"
        "def f():\n    import tests.e2e.test_live\n"
    )
    tree_file = tmp_path / "probe.py"
    tree_file.write_text(source, encoding="utf-8")
    names = {name for _, name in imported_modules(tree_file, module)}
    assert {
        "tests.api.services.test_documents",
        "tests.api.live.test_pubsub",
        "tests.api.services.test_comments",
        "tests.e2e.test_live",
    } <= names


def test_every_test_has_exactly_one_tier(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    assert items
    wrong = {
        item.nodeid: tiers
        for item in items
        if len(tiers := sorted({m.name for m in item.iter_markers() if m.name in TIERS})) != 1
    }
    assert wrong == {}


def test_the_tiers_are_registered(pytestconfig: pytest.Config) -> None:
    registered = {line.split(":", 1)[0] for line in pytestconfig.getini("markers")}
    assert set(TIERS) <= registered
