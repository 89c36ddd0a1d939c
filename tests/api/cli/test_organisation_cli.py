"""`gongzhi create-district`, `appoint-official`, `list-roles`, `revoke-role` (issue #13 item 8):
each has its --help, acts as the account of --by through the same service functions as the API
(so the same checks: an official appoints nobody, the last admin stays), prints in Chinese and
English, and a refusal exits 2 writing nothing.

The commands run in this process (``main([...])``) against a world on SQLite: a subprocess per
call would cost a second each for nothing the in-process call does not show; ``--help`` runs once
as the installed command would.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli.main import main
from tests.support.world import World

# The command line is exercised on SQLite only (the services it calls have PostgreSQL variants):
# db_url is given its SQLite parameter alone, so no PostgreSQL case is collected to be skipped.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, world: World) -> str:
    monkeypatch.setenv("GONGZHI_DATABASE_URL", db_url)
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path / "var"))
    return db_url.removeprefix("sqlite+aiosqlite:///")


def _rows(path: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return list(db.execute(sql))


def test_every_command_has_help() -> None:
    for command in ("create-district", "appoint-official", "list-roles", "revoke-role"):
        r = subprocess.run(
            [sys.executable, "-m", "api.cli.main", command, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0 and "--by" in r.stdout and "usage:" in r.stdout, r.stderr


@SQLITE_ONLY
def test_district_official_list_and_revoke_from_the_command_line(
    env: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = "13700000000"
    assert (
        main(["create-district", "金融街街道", "xicheng-jr", "--by", admin, "--reason", "批复"])
        == 0
    )
    out = capsys.readouterr().out
    assert "街道已创建 / district created" in out and "xicheng-jr" in out
    [(district,)] = _rows(env, "SELECT id FROM district WHERE code = 'xicheng-jr'")

    args = ["appoint-official", str(district), "13800007777", "--name", "王科长"]
    assert main([*args, "--by", admin, "--reason", "任命", "--until", "2031-01-01"]) == 0
    out = capsys.readouterr().out
    assert "已任命 / appointed" in out and "王科长" in out and "2031-01-01 00:00" in out
    assert "activation code of the new account" in out
    code = out.rsplit(": ", 1)[1].strip()
    assert len(code.replace("-", "")) == 12
    [(kind,)] = _rows(env, "SELECT kind FROM audit_entry ORDER BY id DESC LIMIT 1")
    assert kind == "role.grant"

    assert main(["list-roles", "--district", str(district), "--by", admin]) == 0
    listed = capsys.readouterr().out
    assert "official 王科长 13800007777" in listed and "理由: 任命" in listed

    [(grant,)] = _rows(
        env,
        "SELECT r.id FROM role_membership r JOIN account a ON a.id = r.account_id "
        "WHERE a.phone = '13700000003'",
    )
    # the official of district 1 revokes the committee member of compound A
    assert main(["revoke-role", str(grant), "--by", "13700000001", "--reason", "辞职"]) == 0
    out = capsys.readouterr().out
    assert "已撤销 / revoked" in out and "revoked 已撤销" in out and "辞职" in out
    assert main(["list-roles", "--community", str(world.a), "--all", "--by", admin]) == 0
    assert f"#{grant} committee committee" in capsys.readouterr().out


@SQLITE_ONLY
def test_the_commands_make_the_apis_checks_and_write_nothing_when_refused(
    env: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (
        _rows(env, "SELECT count(*) FROM role_membership"),
        _rows(env, "SELECT count(*) FROM audit_entry"),
    )
    official = "13700000001"
    refused = [
        ["create-district", "私设", "rogue", "--by", official, "--reason", "x"],
        [
            "appoint-official",
            str(world.district_1),
            official,
            "--name",
            "x",
            "--by",
            official,
            "--reason",
            "自己任命自己",
        ],
        ["list-roles", "--admins", "--by", official],
        ["revoke-role", "999999", "--by", official, "--reason", "x"],
        ["list-roles", "--community", str(world.a), "--by", "13600000000"],  # no such account
    ]
    for argv in refused:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "gongzhi: " in err and "Traceback" not in err
    [(admin_grant,)] = _rows(
        env,
        "SELECT r.id FROM role_membership r WHERE r.role = 'admin'",
    )
    assert main(["revoke-role", str(admin_grant), "--by", "13700000000", "--reason", "x"]) == 2
    err = capsys.readouterr().err
    assert "最后一个有效的管理员" in err and "last admin grant" in err
    after = (
        _rows(env, "SELECT count(*) FROM role_membership"),
        _rows(env, "SELECT count(*) FROM audit_entry"),
    )
    assert after == before
    assert _rows(env, "SELECT count(*) FROM role_membership WHERE revoked_at IS NOT NULL") == [(0,)]
