"""Rules of the tree that no single module's tests would notice breaking (docs/design.md §5, §6).

* The package graph is api → schema → voting, without cycles: ``schema`` never imports ``api``
  (it reaches the services through the request context), and ``voting`` imports neither, nor any
  framework or database library, nor reads the clock.
* Every ``GONGZHI_*`` setting and every ``gongzhi`` command is documented in README.md, and the
  README documents no setting that does not exist.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli.main import build_parser
from api.settings import documented_names

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FRAMEWORKS = {"starlette", "strawberry", "sqlalchemy", "alembic", "graphql", "uvicorn", "httpx"}
# docs/design.md §5: the voting core takes the clock as an argument
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}


def modules(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    return files


def imported(path: Path, text: str | None = None) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth, including
    relative imports and import_module("...") / __import__("...") with a literal name.
    ``text`` stands in for the file's content (to test the walker without writing files)."""
    source = path.read_text(encoding="utf-8") if text is None else text
    tree = ast.parse(source, filename=str(path))
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = [*base, *(node.module.split(".") if node.module else [])]
                if node.module:
                    yield node.lineno, ".".join(prefix)
                else:
                    for alias in node.names:
                        yield node.lineno, ".".join([*prefix, alias.name])
            else:
                assert node.module is not None
                yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("__import__", "import_module")
                )
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            yield node.lineno, node.args[0].value


def top(name: str) -> str:
    return name.split(".", 1)[0]


def offenders(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imported(path)
        if top(name) in forbidden
    ]


def test_the_import_walker_sees_imports() -> None:
    """Guard for the tests below: they would pass vacuously if nothing were found."""
    schema_imports = {top(n) for p in modules("schema") for _, n in imported(p)}
    assert {"strawberry", "schema"} <= schema_imports
    api_imports = {top(n) for p in modules("api") for _, n in imported(p)}
    assert {"schema", "voting", "sqlalchemy"} <= api_imports


def test_schema_never_imports_api() -> None:
    bad = offenders("schema", {"api"})
    assert not bad, "schema/ must reach the services through the context, not import api/:\n" + (
        "\n".join(bad)
    )


def test_voting_imports_no_service_schema_or_framework() -> None:
    bad = offenders("voting", {"api", "schema", "migrations", *FRAMEWORKS})
    assert not bad, "voting/ is plain Python with no I/O or framework:\n" + "\n".join(bad)


def test_voting_does_not_read_the_clock() -> None:
    bad = []
    for path in modules("voting"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
                and isinstance(node.func.value, ast.Name | ast.Attribute)
            ):
                owner = ast.unparse(node.func.value)
                if owner.split(".")[-1] in {"datetime", "date", "time"}:
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.func)}()")
    assert not bad, "voting/ takes `now` as an argument instead of reading the clock:\n" + (
        "\n".join(bad)
    )


def readme() -> str:
    assert README.exists(), "README.md is missing: it must document every setting and command"
    return README.read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    text = readme()
    missing = [n for n in documented_names() if not re.search(rf"\b{n}\b", text)]
    assert not missing, "README.md does not document: " + ", ".join(missing)


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    known = {*documented_names(), "GONGZHI_TEST_PG_URL"}  # the test suite's own variable
    stale = sorted(set(re.findall(r"\bGONGZHI_[A-Z0-9_]*[A-Z0-9]\b", readme())) - known)
    assert not stale, "README.md documents settings the code does not read: " + ", ".join(stale)


def test_every_command_is_documented_in_the_readme() -> None:
    text = readme()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands = sorted(sub.choices)  # type: ignore[arg-type]
    assert {"serve", "migrate", "demo", "import-roll", "create-admin"} <= set(commands)
    missing = [c for c in commands if f"gongzhi {c}" not in text]
    assert not missing, "README.md does not document: " + ", ".join(f"gongzhi {c}" for c in missing)


@pytest.mark.parametrize(
    ("where", "code", "expected"),
    [
        ("schema/mod.py", "from .. import api", "api"),
        ("schema/sub/mod.py", "from ...api.models import Unit", "api.models"),
        ("schema/mod.py", "from . import errors", "schema.errors"),
        (
            "voting/mod.py",
            "import importlib\nimportlib.import_module('api.store.engine')",
            "api.store.engine",
        ),
        ("voting/mod.py", "def f():\n    from sqlalchemy import text", "sqlalchemy"),
    ],
)
def test_the_import_walker_resolves_hidden_imports(where: str, code: str, expected: str) -> None:
    """A relative, lazy or dynamic import cannot slip past the rules above."""
    assert expected in [name for _, name in imported(ROOT / where, code)]
