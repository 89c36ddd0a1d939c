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
import subprocess
import sys
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
        ("schema/sub/mod.py", "from ...api.store.models import Unit", "api.store.models"),
        ("schema/mod.py", "from . import problem", "schema.problem"),
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


# --- the packages inside api/ (docs/design.md §5) -------------------------------------------
# From the outside in: a module may import a package of a higher rank than its own (or its own
# package), never a lower one; packages of equal rank do not import each other.
API_RANKS = {
    "api.cli": 0,
    "api.http": 1,
    "api.live": 2,
    "api.access": 3,
    "api.runtime": 4,
    "api.services": 5,
    "api.formats": 6,
    "api.store": 6,
    "api.settings": 7,
}
# Only the outermost layers build the GraphQL schema; everything else sees schema.contract.
SCHEMA_USERS = {"api.cli", "api.http"}
LIMITS = {"module": 500, "class": 400, "function": 80}  # lines, for api/ and schema/


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(name: str) -> str | None:
    return next((p for p in API_RANKS if name == p or name.startswith(p + ".")), None)


KNOWN = {module_name(p) for pkg in ("api", "schema", "voting") for p in modules(pkg)}


def edges(path: Path) -> set[str]:
    """Our modules that ``path`` imports, ``from package import module`` resolved to the module,
    lazy and dynamic imports included (the walker above)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in KNOWN:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in KNOWN else node.module)
    found |= {name for _, name in imported(path) if name in KNOWN and top(name) != name}
    return {n for n in found if n not in ("api", "schema", "voting")}


GRAPH = {module_name(p): edges(p) for pkg in ("api", "schema", "voting") for p in modules(pkg)}


def test_the_package_graph_is_seen() -> None:
    assert {"api.runtime", "api.services.accounts"} <= GRAPH["api.http.app"] | {
        d for dep in GRAPH["api.http.app"] for d in GRAPH.get(dep, ())
    }
    assert all(package_of(m) for m in GRAPH if m.startswith("api.") and m != "api")


def test_api_packages_import_only_inwards() -> None:
    bad = []
    for name, deps in GRAPH.items():
        mine = package_of(name)
        if mine is None:
            continue
        for dep in deps:
            theirs = package_of(dep)
            if theirs is None or theirs == mine:
                continue
            if API_RANKS[theirs] <= API_RANKS[mine]:
                bad.append(f"{name} imports {dep} ({mine} may not import {theirs})")
    assert not bad, "package directions (docs/design.md §5):\n" + "\n".join(sorted(bad))


def test_only_http_and_cli_import_the_graphql_schema() -> None:
    bad = [
        f"{name} imports {dep}"
        for name, deps in GRAPH.items()
        if package_of(name) and package_of(name) not in SCHEMA_USERS
        for dep in deps
        if dep.startswith("schema.") and not dep.startswith("schema.contract")
    ]
    assert not bad, "below api/http, only schema.contract is visible:\n" + "\n".join(sorted(bad))


def test_schema_contract_imports_no_other_schema_module() -> None:
    bad = [
        f"{name} imports {dep}"
        for name, deps in GRAPH.items()
        if name.startswith("schema.contract")
        for dep in deps
        if not dep.startswith(("schema.contract", "voting"))
    ]
    assert not bad, "\n".join(bad)


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components over every import, lazy ones included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in GRAPH.get(node, ()):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in GRAPH.get(node, ()):
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" ⇄ ".join(c) for c in cycles)


def test_services_and_the_contract_load_no_web_or_graphql_framework() -> None:
    """Services raise contract errors and return plain data: importing one must not load
    Strawberry, graphql-core or Starlette (checked in a fresh interpreter)."""
    names = sorted(
        n
        for n in GRAPH
        if n.startswith(("api.services.", "api.store", "api.formats", "schema.contract"))
    )
    probe = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'strawberry', 'graphql', 'starlette'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def sizes(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    where = path.relative_to(ROOT)
    if lines > LIMITS["module"]:
        yield f"{where}: {lines} lines (module limit {LIMITS['module']})"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            kind = "class"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind = "function"
        else:
            continue
        assert node.end_lineno is not None
        length = node.end_lineno - node.lineno + 1
        if length > LIMITS[kind]:
            yield f"{where}:{node.lineno} {kind} {node.name}: {length} lines (limit {LIMITS[kind]})"


def test_modules_classes_and_functions_stay_readable() -> None:
    too_big = [line for pkg in ("api", "schema") for p in modules(pkg) for line in sizes(p)]
    assert not too_big, "split these (issue #11):\n" + "\n".join(too_big)


def test_every_module_says_what_it_is_for() -> None:
    bare = [
        str(p.relative_to(ROOT))
        for pkg in ("api", "schema", "voting")
        for p in modules(pkg)
        if p.name != "__main__.py"
        and not ast.get_docstring(ast.parse(p.read_text("utf-8")))
        and p.stat().st_size > 0
    ]
    assert not bare, "modules without a docstring:\n" + "\n".join(bare)
