"""A seeded demo made once per test run and copied into each demo server's fresh database.

`gongzhi demo` seeds five years of a district's history (assessments, surveys, elections, some
3,700 texts to owners); on this two-core machine that is about 20 s of CPU, and the server then
spends another 15 to 20 s sending those texts through the console adapter, in the background of
the tests and, when the module ends first, in its shutdown grace. Every test module that started
a demo server paid both: that was most of the fast loop's time.

While :func:`one_seed_per_run` is open (tests/conftest.py holds it for the whole run), the first
demo of a kind is seeded by the real commands — `gongzhi demo --seed-only`, then `gongzhi
deliver`, so its texts have gone out — into a template; every demo started afterwards on an
empty database of that kind gets a copy of the template first (a SQLite file copied; on
PostgreSQL ``CREATE DATABASE … TEMPLATE``) and runs `gongzhi demo` on it as usual: the demo's
run on its own database (it seeds nothing twice, prints the same logins and codes, and issues a
fresh activation code), then the server. The first-run path is still run by every template, and
the demo's own tests (tests/api/cli/test_demo_*.py) seed theirs from nothing.

A kind is the seeding's inputs: the planted secret (it keys the voting codes) and the child's
GONGZHI_* settings but those only a server reads (:data:`SERVING_ONLY`). Outside the test run
(bench/, which times a real start) nothing is copied.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import asyncpg

from api.settings import SECRET_FILE
from tests.support.server import run_cli

DATABASE = "gongzhi.db"
# settings that only the server reads, never the seeding: a demo seeded without them is the same
SERVING_ONLY = frozenset(
    {
        "GONGZHI_BODY_TIMEOUT_SECONDS",
        "GONGZHI_LOG_FORMAT",
        "GONGZHI_PUBSUB",
        "GONGZHI_REDIS_URL",
        "GONGZHI_WS_INIT_TIMEOUT_SECONDS",
    }
)
# where the child finds its database and secret: per copy, never part of the kind
PER_COPY = frozenset({"GONGZHI_VAR_DIR", "GONGZHI_DATABASE_URL"})

Kind = tuple[str, str | None, tuple[tuple[str, str], ...]]


class Templates:
    """The run's seeded demos, in a directory of their own (SQLite) or as databases on the
    PostgreSQL server (dropped at the end)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sqlite: dict[Kind, Path] = {}
        self.postgres: dict[Kind, tuple[str, str]] = {}  # kind -> (admin DSN, database name)
        self.copied: set[str] = set()  # the PostgreSQL databases made from a template

    def seed(self, var: Path, secret: str | None, env: Mapping[str, str]) -> None:
        """The real commands: the demo seeded into ``var``'s database, then its texts sent."""
        var.parent.mkdir(parents=True, exist_ok=True)  # the commands' working directory
        if secret is not None:  # as tests/support/server.py plant_secret does
            var.mkdir(exist_ok=True)
            (var / SECRET_FILE).write_text(secret)
        for args in (("demo", "--seed-only"), ("deliver",)):
            r = run_cli(var, *args, **env)
            assert r.returncode == 0, f"gongzhi {' '.join(args)}:\n{r.stdout}\n{r.stderr}"

    def sqlite_copy(self, var: Path, kind: Kind, env: dict[str, str]) -> None:
        if kind not in self.sqlite:
            made = self.root / f"sqlite-{len(self.sqlite)}" / "var"
            self.seed(made, kind[1], env)
            with contextlib.closing(sqlite3.connect(made / DATABASE)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole database in the file
            self.sqlite[kind] = made
        # each file with the private mode the demo gave it; ``var`` itself keeps its own, or is
        # made private as the service makes it (api/settings.py)
        var.mkdir(parents=True, exist_ok=True, mode=0o700)
        for item in self.sqlite[kind].iterdir():
            if item.is_dir():
                shutil.copytree(item, var / item.name, dirs_exist_ok=True)
            else:
                shutil.copy2(item, var / item.name)

    def postgres_copy(self, url: str, kind: Kind, env: dict[str, str]) -> None:
        base, _, name = url.rpartition("/")
        admin = f"{base.replace('postgresql+asyncpg://', 'postgresql://')}/postgres"
        if kind not in self.postgres:
            template = f"gz_demo_template_{uuid.uuid4().hex[:10]}"
            _admin(admin, f'CREATE DATABASE "{template}"')
            self.postgres[kind] = (admin, template)
            var = self.root / f"postgres-{len(self.postgres)}" / "var"
            self.seed(var, kind[1], {**env, "GONGZHI_DATABASE_URL": f"{base}/{template}"})
        _, template = self.postgres[kind]
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.copied.add(url)

    def drop(self) -> None:
        for admin, template in self.postgres.values():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                _admin(admin, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        shutil.rmtree(self.root, ignore_errors=True)


def _admin(dsn: str, sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


_templates: Templates | None = None


@contextlib.contextmanager
def one_seed_per_run() -> Iterator[None]:
    """While open, :func:`prepare` copies a seeded demo into each empty demo database."""
    global _templates
    _templates = Templates(Path(tempfile.mkdtemp(prefix="gongzhi-demo-templates-")))
    try:
        yield
    finally:
        templates, _templates = _templates, None
        templates.drop()


def prepare(var: Path, env: Mapping[str, str]) -> None:
    """Before `gongzhi demo` runs in ``var`` with the GONGZHI_* settings ``env``: a copy of the
    run's seeded demo of that kind, if :func:`one_seed_per_run` is open and the database (in
    ``var`` or the PostgreSQL one ``env`` names) has not been touched by a demo yet. A restart
    (the database is there) or a demo outside the run is left alone."""
    if _templates is None:
        return
    planted = var / SECRET_FILE
    secret = planted.read_text() if planted.exists() else None
    settings = {
        k: v
        for k, v in env.items()
        if k.startswith("GONGZHI_") and k not in SERVING_ONLY and k not in PER_COPY
    }
    url = env.get("GONGZHI_DATABASE_URL", "")
    kind = tuple(sorted(settings.items()))
    if not url or url == f"sqlite+aiosqlite:///{var / DATABASE}":  # the var directory's own
        if not (var / DATABASE).exists():
            _templates.sqlite_copy(var, ("sqlite", secret, kind), settings)
    elif url.startswith("postgresql") and url not in _templates.copied:
        _templates.postgres_copy(url, ("postgres", secret, kind), settings)
