"""The `gongzhi` command, run as a real subprocess the way an operator runs it.

Each test gets its own working directory and ``GONGZHI_VAR_DIR`` / ``GONGZHI_DATABASE_URL`` in it;
the import-roll tests share one database seeded once by ``gongzhi demo --seed-only`` (compound 1,
1,000 units) and import into compounds of their own, so they do not depend on each other.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.http.app import create_app
from api.runtime import Runtime
from api.store.models import Community
from tests.conftest import make_settings
from tests.support import demo_template
from tests.support.demo import ADMIN as ADMIN_PHONE

COMMANDS = (
    "serve",
    "migrate",
    "demo",
    "import-roll",
    "create-admin",
    "create-district",
    "appoint-official",
    "list-roles",
    "revoke-role",
)

ROLL_HEADER = "楼栋,房号,楼层,专有面积,业主姓名,手机,共有人,开发商未售"
ROLL_ROWS = [
    "1号楼,101,1,90.00,张三,13900000001,,",
    "1号楼,102,1,80.00,张三,13900000001,,",
    "1号楼,201,2,100.50,李四,13900000002,王五:13900000003,",
    "2号楼,301,3,60.00,华景置业,13900000009,,是",
]


def gbk_roll(rows: list[str]) -> bytes:
    """The roll as a property office's Excel saves it: GBK, CRLF."""
    return "\r\n".join([ROLL_HEADER, *rows, ""]).encode("gbk")


@dataclass
class Place:
    """A working directory with its own var dir and SQLite database."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "var" / "gongzhi.db"

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        env.update(
            GONGZHI_VAR_DIR=str(self.root / "var"),
            GONGZHI_DATABASE_URL=self.url,
            GONGZHI_ARGON2_MEMORY_KIB="1024",
            GONGZHI_ARGON2_TIME_COST="1",
            PYTHONIOENCODING="utf-8",
        )
        env.update(extra)
        return env

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = 120, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api.cli.main", *args],
            cwd=self.root,
            env=self.env(**extra),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(sql, params))

    def units(self, community_id: int) -> int:
        [(n,)] = self.query("SELECT count(*) FROM unit WHERE community_id = ?", community_id)
        return int(n)

    def roll_version(self, community_id: int) -> int:
        [(v,)] = self.query("SELECT roll_version FROM community WHERE id = ?", community_id)
        return int(v)

    def new_compound(self, name: str) -> int:
        """A compound with an empty roll, in the demo district (id 1)."""
        engine = create_engine(f"sqlite:///{self.db}")
        try:
            with Session(engine) as s:
                community = Community(district_id=1, name=name)
                s.add(community)
                s.commit()
                return community.id
        finally:
            engine.dispose()


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Place:
    p = Place(tmp_path_factory.mktemp("demo"))
    demo_template.prepare(p.root / "var", p.env())  # a copy of the run's seeded demo
    r = p.run("demo", "--seed-only")
    assert r.returncode == 0, r.stderr
    assert "gongzhi-demo" in r.stdout  # the demo password is printed with the logins
    assert ADMIN_PHONE in r.stdout
    assert p.units(1) == 1000
    return p


def write(place: Place, name: str, data: bytes) -> str:
    path = place.root / name
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------------------------


def test_help_lists_every_command(place: Place) -> None:
    r = place.run("--help")
    assert r.returncode == 0, r.stderr
    for command in COMMANDS:
        assert command in r.stdout
    assert "GONGZHI_" in r.stdout  # points to where settings come from


@pytest.mark.parametrize("secret", [None, "change-me", "too-short-secret", "a" * 32])
def test_serve_refuses_without_a_proper_secret(place: Place, secret: str | None) -> None:
    extra = {} if secret is None else {"GONGZHI_SECRET_KEY": secret}
    # were the check to pass, the server would start: the timeout turns that into a failure
    r = place.run("serve", "--port", "0", timeout=30, **extra)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "GONGZHI_SECRET_KEY" in r.stderr
    assert "Traceback" not in r.stderr
    assert not place.db.exists()  # refused before migrating anything


def test_the_demo_flag_does_not_let_serve_run_on_a_generated_secret(place: Place) -> None:
    """Issue #12: `GONGZHI_DEMO=1 gongzhi serve` served on a generated secret, silently."""
    r = place.run("serve", "--port", "0", timeout=30, GONGZHI_DEMO="1")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "GONGZHI_SECRET_KEY" in r.stderr and "gongzhi demo" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not place.db.exists()


def test_the_demo_refuses_a_deployment_secret_and_writes_nothing(place: Place) -> None:
    """Issue #12: `gongzhi demo` in a deployment's environment planted an administrator whose
    password is public. A configured GONGZHI_SECRET_KEY is refused before anything is made."""
    r = place.run("demo", "--seed-only", GONGZHI_SECRET_KEY=secrets.token_urlsafe(32))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "GONGZHI_SECRET_KEY" in r.stderr
    assert "拒绝运行" in r.stderr and "refused" in r.stderr and "Nothing was written" in r.stderr
    assert "Traceback" not in r.stderr and "gongzhi-demo" not in r.stdout
    assert not (place.root / "var").exists()  # no database, no generated secret


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_demo_refuses_a_database_it_did_not_make_and_writes_nothing(place: Place) -> None:
    """Issue #12: the demo beside a real administrator (the working directory is the service's, or
    GONGZHI_DATABASE_URL names its database). Refused, in both languages; the file is unchanged."""
    r = place.run("create-admin", "13911112222", "--password-stdin", stdin="a real pass phrase\n")
    assert r.returncode == 0, r.stderr
    before = _digest(place.db)
    files = sorted(p.name for p in place.db.parent.iterdir())

    r = place.run("demo", "--seed-only")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "account: 1" in r.stderr, r.stderr
    assert "不是演示生成的数据" in r.stderr, r.stderr
    assert "holds data the demo did not make" in r.stderr and "Nothing was written" in r.stderr
    assert "Traceback" not in r.stderr
    assert _digest(place.db) == before
    assert sorted(p.name for p in place.db.parent.iterdir()) == files
    assert place.query("SELECT phone FROM account") == [("13911112222",)]


def test_serve_refuses_the_demos_database_unless_told_it_is_a_demo(demo: Place) -> None:
    """The other way round (issue #12): a demo seeded into an empty database meant for production
    is marked, and `gongzhi serve` will not put its public administrator on line."""
    r = demo.run("serve", "--port", "0", timeout=30, GONGZHI_SECRET_KEY=secrets.token_urlsafe(32))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "demo's database" in r.stderr and "GONGZHI_DEMO=1" in r.stderr, r.stderr
    assert "演示数据库" in r.stderr and "Traceback" not in r.stderr


def test_the_demo_runs_again_on_its_own_database_which_is_private(demo: Place) -> None:
    """The README's first command works on a fresh machine (the fixture) and again on the demo's
    own database, marked as a demo's; what it made is the service user's only (issue #12)."""
    assert demo.query("SELECT id, demo FROM installation") == [(1, 1)]
    r = demo.run("demo", "--seed-only")
    assert r.returncode == 0, r.stderr
    assert ADMIN_PHONE in r.stdout
    assert demo.query("SELECT count(*) FROM account WHERE phone = ?", ADMIN_PHONE) == [(1,)]
    assert stat.S_IMODE(demo.db.stat().st_mode) == 0o600
    assert stat.S_IMODE(demo.db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((demo.db.parent / "secret.key").stat().st_mode) == 0o600


def test_migrate_creates_the_database_and_is_idempotent(place: Place) -> None:
    assert not place.db.exists()
    r = place.run("migrate")
    assert r.returncode == 0, r.stderr
    assert "up to date" in r.stdout
    assert place.db.exists()
    tables = {name for (name,) in place.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"alembic_version", "account", "community", "unit", "ownership"} <= tables
    [(version,)] = place.query("SELECT version_num FROM alembic_version")

    again = place.run("migrate")
    assert again.returncode == 0, again.stderr
    assert place.query("SELECT version_num FROM alembic_version") == [(version,)]


@pytest.fixture
async def app_client(place: Place) -> AsyncIterator[httpx.AsyncClient]:
    """The service in-process, on the database the subprocesses wrote."""
    rt = Runtime.create(make_settings(place.root / "app", place.url))
    transport = httpx.ASGITransport(app=create_app(runtime=rt))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await rt.close()


LOGIN = """
mutation ($phone: String!, $password: String!) {
  login(input: {phone: $phone, password: $password, bearer: true}) {
    __typename
    ... on LoginSuccess { token me { displayName roles { role communityId } } }
    ... on Problem { code }
  }
}
"""


async def login(client: httpx.AsyncClient, phone: str, password: str) -> dict[str, Any]:
    r = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"phone": phone, "password": password}},
        headers={"x-gongzhi-csrf": "1"},  # the client keeps the session cookie, as a browser
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["login"]
    return result


async def test_create_admin_then_log_in(place: Place, app_client: httpx.AsyncClient) -> None:
    name = ("--name", "物业 管理员")
    r = place.run(
        "create-admin", ADMIN_PHONE, *name, "--password-stdin", stdin="first pass phrase\n"
    )
    assert r.returncode == 0, r.stderr
    assert ADMIN_PHONE in r.stdout
    assert "first pass phrase" not in r.stdout + r.stderr
    [(stored,)] = place.query("SELECT password_hash FROM account WHERE phone = ?", ADMIN_PHONE)
    assert stored.startswith("$argon2id$")

    ok = await login(app_client, ADMIN_PHONE, "first pass phrase")
    assert ok["__typename"] == "LoginSuccess", ok
    assert ok["me"]["displayName"] == "物业 管理员"
    assert ok["me"]["roles"] == [{"role": "admin", "communityId": None}]
    wrong = await login(app_client, ADMIN_PHONE, "not the pass phrase")
    assert wrong == {"__typename": "Problem", "code": "BAD_CREDENTIALS"}

    # running it again resets the password and does not duplicate the account or role
    r = place.run("create-admin", ADMIN_PHONE, "--password-stdin", stdin="second pass phrase\n")
    assert r.returncode == 0, r.stderr
    assert place.query("SELECT count(*) FROM account") == [(1,)]
    assert place.query("SELECT count(*) FROM role_membership WHERE role = 'admin'") == [(1,)]
    assert (await login(app_client, ADMIN_PHONE, "first pass phrase"))["__typename"] == "Problem"
    second = await login(app_client, ADMIN_PHONE, "second pass phrase")
    assert second["__typename"] == "LoginSuccess", second


def test_create_admin_refuses_a_weak_password(place: Place) -> None:
    r = place.run("create-admin", ADMIN_PHONE, "--password-stdin", stdin="short\n")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "8" in r.stderr  # the minimum length
    assert "Traceback" not in r.stderr
    assert place.query("SELECT count(*) FROM account") == [(0,)]


def test_import_roll_gbk_then_reimport_changes_nothing(demo: Place) -> None:
    cid = demo.new_compound("国标小区")
    data = gbk_roll(ROLL_ROWS)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK, not UTF-8 that happens to decode
    path = write(demo, "roll-gbk.csv", data)

    r = demo.run("import-roll", str(cid), path)
    assert r.returncode == 0, r.stderr
    assert "新增 4 户" in r.stdout and "4 added" in r.stdout
    assert f"imported 4 units into compound {cid}" in r.stdout
    assert demo.units(cid) == 4
    names = {n for (n,) in demo.query("SELECT name FROM person WHERE community_id = ?", cid)}
    assert names == {"张三", "李四", "王五", "华景置业"}
    [(buildings,)] = demo.query("SELECT count(*) FROM building WHERE community_id = ?", cid)
    assert buildings == 2
    version = demo.roll_version(cid)
    assert version == 1

    again = demo.run("import-roll", str(cid), path)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert "0 added, 0 removed, 0 changed" in again.stdout
    assert demo.units(cid) == 4
    assert demo.roll_version(cid) == version
    assert demo.units(1) == 1000  # another compound's roll is never touched


def test_import_roll_dry_run_writes_nothing(demo: Place) -> None:
    cid = demo.new_compound("试运行小区")
    path = write(demo, "roll-dry.csv", gbk_roll(ROLL_ROWS))
    [(audit_before,)] = demo.query("SELECT count(*) FROM audit_entry")

    r = demo.run("import-roll", str(cid), path, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "4 added" in r.stdout
    assert "dry run: nothing was written" in r.stdout
    assert demo.units(cid) == 0
    assert demo.query("SELECT count(*) FROM person WHERE community_id = ?", cid) == [(0,)]
    assert demo.roll_version(cid) == 0
    assert demo.query("SELECT count(*) FROM audit_entry") == [(audit_before,)]

    # a corrected roll, dry-run against an imported one: the change is shown, not applied
    assert demo.run("import-roll", str(cid), path).returncode == 0
    corrected = [row.replace("80.00", "81.25") for row in ROLL_ROWS]
    fixed = write(demo, "roll-fixed.csv", gbk_roll(corrected))
    r = demo.run("import-roll", str(cid), fixed, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "1 changed" in r.stdout
    assert "Bldg 1, Rm 102" in r.stdout and "81.25" in r.stdout
    assert demo.query("SELECT area_centi FROM unit WHERE community_id = ? AND number = '102'", cid)[
        0
    ] == (8000,)
    assert demo.roll_version(cid) == 1

    r = demo.run("import-roll", str(cid), fixed)
    assert r.returncode == 0, r.stderr
    assert demo.query("SELECT area_centi FROM unit WHERE community_id = ? AND number = '102'", cid)[
        0
    ] == (8125,)
    assert demo.roll_version(cid) == 2


def test_import_roll_with_bad_rows_lists_them_and_imports_nothing(demo: Place) -> None:
    rows = [
        ROLL_ROWS[0],  # line 2
        "1号楼,102,1,八十,张三,13900000001,,",  # line 3: area is not a number
        ROLL_ROWS[2],  # line 4
        "2号楼,301,3,60.00,华景置业,1234,,是",  # line 5: bad phone
        "2号楼,302,3,-5.00,华景置业,13900000009,,是",  # line 6: negative area
    ]
    path = write(demo, "roll-bad.csv", gbk_roll(rows))
    units_before = demo.units(1)
    version_before = demo.roll_version(1)
    [(people_before,)] = demo.query("SELECT count(*) FROM person WHERE community_id = 1")

    # the rows follow the locale (issue #12): a Chinese one here, English below
    r = demo.run("import-roll", "1", path, LANG="zh_CN.UTF-8", LC_ALL="", LC_MESSAGES="")
    assert r.returncode == 1, (r.stdout, r.stderr)
    for line in (3, 5, 6):
        assert f"第 {line} 行" in r.stderr, r.stderr
    for line in (2, 4):
        assert f"第 {line} 行" not in r.stderr, r.stderr
    assert "3 error" in r.stderr
    assert "nothing was imported" in r.stderr
    assert "Traceback" not in r.stderr
    assert demo.units(1) == units_before == 1000
    assert demo.roll_version(1) == version_before
    assert demo.query("SELECT count(*) FROM person WHERE community_id = 1") == [(people_before,)]


def test_import_roll_stdout_holds_only_the_result(demo: Place) -> None:
    """Issue #12 item 18: the migration note and the progress bar went to stdout with the
    result; now stdout is the result alone (it can be saved or piped), the rest is on stderr."""
    cid = demo.new_compound("输出小区")
    path = write(demo, "roll-stdout.csv", gbk_roll(ROLL_ROWS))
    r = demo.run("import-roll", str(cid), path, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "新增 4 户，删除 0 户，变更 0 项 / 4 added, 0 removed, 0 changed",
        f"imported 4 units into compound {cid} (输出小区)",
    ]
    assert "database is up to date" in r.stderr
    assert "checking" in r.stderr and "4/4" in r.stderr


def test_import_roll_rows_follow_lang_or_the_locale(demo: Place) -> None:
    """Issue #12 item 18: bad rows were listed in Chinese only. ``--lang en`` (or an English
    locale, LC_ALL before LANG) lists them in English; a zh locale in Chinese."""
    rows = [ROLL_ROWS[0], "1号楼,102,1,八十,张三,13900000001,,"]  # line 3: area not a number
    path = write(demo, "roll-lang.csv", gbk_roll(rows))
    english = demo.run(
        "import-roll", "1", path, "--lang", "en", LANG="zh_CN.UTF-8", LC_ALL="", LC_MESSAGES=""
    )
    assert english.returncode == 1, english.stderr
    assert "  line 3, column “专有面积” (area): area must be a number" in english.stderr
    assert "第 3 行" not in english.stderr
    assert english.stdout == ""

    by_locale = demo.run("import-roll", "1", path, LANG="zh_CN.UTF-8", LC_ALL="en_US.UTF-8")
    assert (
        "  line 3, column “专有面积” (area)" in by_locale.stderr
        and "第 3 行" not in by_locale.stderr
    )

    chinese = demo.run("import-roll", "1", path, "--lang", "zh", LC_ALL="en_US.UTF-8")
    assert "  第 3 行「专有面积」列" in chinese.stderr and "line 3," not in chinese.stderr


def test_import_roll_lists_who_has_no_phone(demo: Place) -> None:
    """Issue #12 item 16 on the command line: a co-owner without a phone and an unsold unit
    without a contact import, and stdout lists them by line and unit."""
    cid = demo.new_compound("无手机小区")
    rows = [
        *ROLL_ROWS[:2],
        "1号楼,201,2,100.50,李四,13900000002,王五；赵六:,",
        "2号楼,301,3,60.00,华景置业,,,是",
    ]
    path = write(demo, "roll-nophone.csv", gbk_roll(rows))
    r = demo.run("import-roll", str(cid), path, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert (
        "3 people have no phone on the roll and cannot activate an account online until a "
        "phone is added:\n"
        "  line 4, Bldg 1, Rm 201: 王五 (co-owner)\n"
        "  line 4, Bldg 1, Rm 201: 赵六 (co-owner)\n"
        "  line 5, Bldg 2, Rm 301: 华景置业 (developer's contact)\n"
    ) in r.stdout
    assert demo.units(cid) == 4
    zh = demo.run("import-roll", str(cid), path, "--lang", "zh")
    assert (
        "3 人在名册上没有手机号" in zh.stdout and "第 4 行 1 栋 201 室：王五（共有人）" in zh.stdout
    )


def test_import_roll_into_an_unknown_compound(demo: Place) -> None:
    path = write(demo, "roll-nowhere.csv", gbk_roll(ROLL_ROWS))
    r = demo.run("import-roll", "9999", path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "9999" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_server_process_freezes_start_up_objects_and_collects_rarely(place: Place) -> None:
    """What uvicorn imports in each worker (api.http.asgi) tunes the cyclic collector for a process
    holding thousands of connections (why: api/http/asgi.py); the test process itself is untouched."""
    probe = (
        "import gc; before = gc.get_threshold(); import api.http.asgi; "
        "print(before, gc.get_threshold(), gc.get_freeze_count() > 1000)"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[3],
        env=place.env(GONGZHI_DEMO="1"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["(700,", "10,", "10)", "(50000,", "20,", "10)", "True"], r.stdout
