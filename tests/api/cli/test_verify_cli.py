"""`gongzhi verify`, run as a real subprocess the way an auditor runs it (issue #3 §7).

One SQLite database per module: compound A of tests/support/world.py, an election run through the
in-process app (three owners vote, one re-votes), closed and counted. Then the command verifies
it from the database and writes an export; the export verifies on its own, with the deployment's
secret (the recount runs) or without it (the recount is "not checked"); and any edit of a ledger
line in the export — a changed choice, a deleted line, two lines swapped — makes it exit 1
naming the first broken entry.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.http.app import create_app
from api.runtime import Runtime
from tests.conftest import SECRET, Gql, make_settings
from tests.support.elections import (
    CLOSES,
    cast,
    open_election,
    owner_tokens,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.world import build_world
from voting import ledger, secrecy
from voting.codec import canonical_json


@dataclass(frozen=True)
class Audited:
    root: Path
    election: int
    ledger_head: str

    @property
    def db(self) -> Path:
        return self.root / "var" / "gongzhi.db"

    def run(self, *args: str, secret: str | None = SECRET) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        env.update(
            GONGZHI_VAR_DIR=str(self.root / "var"),
            GONGZHI_DATABASE_URL=f"sqlite+aiosqlite:///{self.db}",
            PYTHONIOENCODING="utf-8",
        )
        if secret is not None:
            env["GONGZHI_SECRET_KEY"] = secret
        return subprocess.run(
            [sys.executable, "-m", "api.cli.main", "verify", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )


async def _run_election(root: Path) -> tuple[int, str]:
    url = f"sqlite+aiosqlite:///{root / 'var' / 'gongzhi.db'}"
    rt = Runtime.create(make_settings(root, url))
    try:
        world = await build_world(rt)
        transport = httpx.ASGITransport(app=create_app(runtime=rt), client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            gql = Gql(c)
            clock = use_clock(rt)
            committee = world.tokens["committee"]
            e = await open_election(
                gql,
                clock,
                world.a,
                committee,
                resolution_spec(),
                printer=world.tokens["supervisor"],
            )
            owners = await owner_tokens(rt, world.a, ["13900000002", "13900000004"])
            votes = [
                (world.tokens["owner"], ("张三",), "yes"),
                (owners["13900000002"], ("李四", "王五"), "no"),
                (owners["13900000004"], ("赵六",), "yes"),
                (owners["13900000004"], ("赵六",), "abstain"),
            ]
            for token, names, answer in votes:
                r = await cast(gql, token, e.id, e.code(*names), e.answer(answer))
                assert r["__typename"] == "BallotCast", r
            clock.now = CLOSES
            closed = await transition(gql, "closeElection", e.id, committee)
            assert closed["election"]["state"] == "CLOSED"
            return int(e.id), closed["election"]["ledgerHead"]
    finally:
        await rt.close()


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Audited:
    root = tmp_path_factory.mktemp("verify")
    (root / "var").mkdir()
    shutil.copy(sqlite_template, root / "var" / "gongzhi.db")
    election, head = asyncio.run(_run_election(root))
    return Audited(root, election, head)


@pytest.fixture(scope="module")
def export(audited: Audited) -> Path:
    path = audited.root / "election.jsonl"
    r = audited.run(str(audited.election), "--export", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    return path


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def test_verify_the_database_and_export_it(audited: Audited, export: Path) -> None:
    r = audited.run(str(audited.election))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"ledger entries: 5, head: {audited.ledger_head}" in r.stdout
    assert "roll fingerprint: ok" in r.stdout and "result recount: ok" in r.stdout
    assert "verified" in r.stdout
    lines = _lines(export)
    kinds = [x["type"] for x in lines]
    assert kinds[0] == "election" and kinds.count("ledger") == 5 and kinds.count("ballot") == 4
    assert kinds.count("unit") == 6 and kinds.count("elector") == 4
    assert lines[0]["ledger_head"] == audited.ledger_head


def test_the_export_verifies_on_its_own(audited: Audited, export: Path) -> None:
    with_secret = audited.run("--from", str(export))
    assert with_secret.returncode == 0, with_secret.stdout + with_secret.stderr
    assert "result recount: ok" in with_secret.stdout
    without = audited.run("--from", str(export), secret=None)
    assert without.returncode == 0, without.stdout + without.stderr
    assert "result recount: not checked" in without.stdout
    assert "ballots match the ledger: ok" in without.stdout


def _ledger_positions(lines: list[dict[str, object]]) -> list[int]:
    return [i for i, x in enumerate(lines) if x["type"] == "ledger"]


def _change_a_choice(lines: list[dict[str, object]]) -> int:
    i = _ledger_positions(lines)[1]  # seq 2: 李四's "no"
    payload = json.loads(str(lines[i]["payload"]))
    assert '"no"' in payload["choices"]
    payload["choices"] = payload["choices"].replace('"no"', '"yes"')
    lines[i]["payload"] = canonical_json(payload)
    return 2


def _delete_a_line(lines: list[dict[str, object]]) -> int:
    del lines[_ledger_positions(lines)[2]]  # seq 3
    return 3


def _swap_two_lines(lines: list[dict[str, object]]) -> int:
    a, b = _ledger_positions(lines)[1:3]  # seq 2 and 3
    lines[a], lines[b] = lines[b], lines[a]
    return 2


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_change_a_choice, "HASH_MISMATCH"),
        (_delete_a_line, "SEQ_MISMATCH"),
        (_swap_two_lines, "SEQ_MISMATCH"),
    ],
)
def test_an_edited_ledger_line_fails_naming_the_entry(
    audited: Audited, export: Path, tmp_path: Path, tamper: object, reason: str
) -> None:
    lines = _lines(export)
    assert callable(tamper)
    seq = tamper(lines)
    edited = _write(tmp_path / "edited.jsonl", lines)
    for secret in (SECRET, None):
        r = audited.run("--from", str(edited), secret=secret)
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"FAILED at entry {seq}: {reason}" in r.stderr


def test_a_ballot_line_that_disagrees_with_the_ledger_fails(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    lines = _lines(export)
    ballot = next(x for x in lines if x["type"] == "ballot" and '"no"' in str(x["choices"]))
    ballot["choices"] = str(ballot["choices"]).replace('"no"', '"yes"')
    r = audited.run("--from", str(_write(tmp_path / "ballot.jsonl", lines)))
    assert r.returncode == 1 and "BALLOTS_DIFFER_FROM_LEDGER" in r.stderr


def test_a_changed_roll_fails_the_fingerprint(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    lines = _lines(export)
    unit = next(x for x in lines if x["type"] == "unit")
    unit["area"] = int(str(unit["area"])) + 1
    r = audited.run("--from", str(_write(tmp_path / "roll.jsonl", lines)))
    assert r.returncode == 1 and "ROLL_FINGERPRINT_MISMATCH" in r.stderr
    assert "roll fingerprint: MISMATCH" in r.stdout


def test_a_wrong_secret_is_a_failed_recount_not_a_crash(audited: Audited, export: Path) -> None:
    r = audited.run("--from", str(export), secret="another-deployment-secret-0123456789abcdef")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "result recount: MISMATCH" in r.stdout


def test_the_database_after_tampering_and_an_unknown_election(
    audited: Audited, tmp_path: Path
) -> None:
    copy = Audited(tmp_path, audited.election, audited.ledger_head)
    (tmp_path / "var").mkdir()
    shutil.copy(audited.db, copy.db)
    with sqlite3.connect(copy.db) as conn:
        conn.execute(
            "UPDATE ballot_ledger SET payload = replace(payload, '\\\"yes\\\"', '\\\"no\\\"') "
            "WHERE election_id = ? AND seq = 1",
            (audited.election,),
        )
        assert conn.total_changes == 1
    r = copy.run(str(audited.election))
    assert r.returncode == 1 and "FAILED at entry 1: HASH_MISMATCH" in r.stderr
    missing = copy.run("999")
    assert missing.returncode == 2 and "no election with id 999" in missing.stderr


def test_a_forged_ballot_with_a_rehashed_chain_fails_the_recount(
    audited: Audited, tmp_path: Path
) -> None:
    """Someone with write access appends a ballot and re-hashes the chain consistently (and
    moves the election's head). Chain and rows agree, but without the secret they cannot make
    a slot key that belongs to an elector: the recount refuses it (exit 1, no traceback)."""
    copy = Audited(tmp_path, audited.election, audited.ledger_head)
    (tmp_path / "var").mkdir()
    shutil.copy(audited.db, copy.db)
    with sqlite3.connect(copy.db) as conn:
        community, choices = conn.execute(
            "SELECT community_id, choices FROM ballot WHERE election_id = ? LIMIT 1",
            (audited.election,),
        ).fetchone()
        seq, head = conn.execute(
            "SELECT seq, hash FROM ballot_ledger WHERE election_id = ? ORDER BY seq DESC LIMIT 1",
            (audited.election,),
        ).fetchone()
        nonce = "1" * 32
        tracking = secrecy.tracking_code(
            secrecy.ballot_record(election_id=str(audited.election), choices=choices, nonce=nonce)
        )
        ballot = {
            "ballot": "ab" * 16,
            "slot": "cd" * 32,
            "channel": "online",
            "choices": choices,
            "nonce": nonce,
            "tracking": tracking,
            "counted": True,
        }
        entry = ledger.append(
            ledger.LedgerEntry(seq, "", "", "", head), "ballot.cast", canonical_json(ballot)
        )
        conn.execute(
            "INSERT INTO ballot_ledger (election_id, community_id, seq, kind, payload, prev_hash, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (audited.election, community, entry.seq, entry.kind, entry.payload, head, entry.hash),
        )
        conn.execute(
            "INSERT INTO ballot (id, election_id, community_id, slot, channel, choices, nonce, "
            "tracking, status, seq) VALUES (?, ?, ?, ?, 'online', ?, ?, ?, 'counted', ?)",
            (
                ballot["ballot"],
                audited.election,
                community,
                ballot["slot"],
                choices,
                nonce,
                tracking,
                entry.seq,
            ),
        )
        conn.execute(
            "UPDATE election SET ledger_seq = ?, ledger_head = ? WHERE id = ?",
            (entry.seq, entry.hash, audited.election),
        )
    r = copy.run(str(audited.election))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "ballots match the ledger: ok" in r.stdout  # the forgery is consistent ...
    assert "result recount: MISMATCH" in r.stdout  # ... but counts for nobody on the roll
    assert "RESULT_MISMATCH" in r.stderr


def test_the_stored_result_counts_the_frozen_units(audited: Audited) -> None:
    """Issue #12 item 6: every stored result said ``"roll": {"units": 0}`` inside the record
    the digest signs (the close built its electors without units)."""
    with sqlite3.connect(audited.db) as conn:
        (result_json,) = conn.execute(
            "SELECT result_json FROM election WHERE id = ?", (audited.election,)
        ).fetchone()
        (units,) = conn.execute(
            "SELECT count(*) FROM election_unit WHERE election_id = ?", (audited.election,)
        ).fetchone()
    assert units == 6
    assert json.loads(result_json)["result"]["roll"]["units"] == units
