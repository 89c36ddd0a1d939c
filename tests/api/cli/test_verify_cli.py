"""`gongzhi verify`, run as a real subprocess the way an auditor runs it (issue #3 §7).

One SQLite database per module: compound A of tests/support/world.py, an election run through the
in-process app (three owners vote, one re-votes), closed, counted, certified by two supervisors
and published. Then the command verifies it from the database against the values on the
results notice and writes an export; the export verifies on its own with the deployment's secret
(without it the recount cannot run, and that is no verification); any edit of a ledger line in
the export — a changed choice, a deleted line, two lines swapped — makes it exit 1 naming the
first broken entry. Issue #12 item 3: forgeries that re-hash the chain, null a digest or a
fingerprint, or rewrite the sign-offs fail too, and a file that is no export is said plainly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.formats.ledger_export import read_lines
from api.http.app import create_app
from api.runtime import Runtime
from api.services.elections import election_secret
from tests.conftest import SECRET, Gql, make_settings
from tests.support.elections import (
    CLOSES,
    SIGN_OFF,
    cast,
    extra_supervisor,
    open_election,
    owner_tokens,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.world import build_world
from voting import ledger, secrecy
from voting.codec import canonical_json
from voting.replay import match_ballots
from voting.verify import recount_digest


@dataclass(frozen=True)
class Audited:
    root: Path
    election: int
    ledger_head: str
    result_digest: str
    codes: tuple[str, ...] = ()  # every printed voting code

    @property
    def notice(self) -> tuple[str, ...]:
        """The values on the results notice, as an auditor passes them in."""
        return ("--expect-head", self.ledger_head, "--expect-digest", self.result_digest)

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


async def _run_election(root: Path) -> tuple[int, str, str, tuple[str, ...]]:
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
            closed = (await transition(gql, "closeElection", e.id, committee))["election"]
            assert closed["state"] == "CLOSED"
            signed = {
                "electionId": e.id,
                "resultDigest": closed["resultDigest"],
                "rollFingerprint": closed["rollFingerprint"],
                "ledgerHead": closed["ledgerHead"],
            }
            for sup in (world.tokens["supervisor"], await extra_supervisor(rt, world.a)):
                r = await gql(SIGN_OFF, {"i": signed}, token=sup)
                assert r["data"]["signOffElection"]["__typename"] == "ElectionSaved", r
            published = await transition(gql, "publishElection", e.id, committee)
            assert published["election"]["state"] == "PUBLISHED"
            codes = tuple(str(n["code"]) for n in e.notices)
            return int(e.id), closed["ledgerHead"], closed["resultDigest"], codes
    finally:
        await rt.close()


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Audited:
    root = tmp_path_factory.mktemp("verify")
    (root / "var").mkdir()
    shutil.copy(sqlite_template, root / "var" / "gongzhi.db")
    election, head, digest, codes = asyncio.run(_run_election(root))
    return Audited(root, election, head, digest, codes)


@pytest.fixture(scope="module")
def export(audited: Audited) -> Path:
    path = audited.root / "election.jsonl"
    r = audited.run(str(audited.election), "--export", str(path), *audited.notice)
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
    r = audited.run(str(audited.election), *audited.notice)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"ledger entries: 5, head: {audited.ledger_head}" in r.stdout
    assert "roll fingerprint: ok" in r.stdout and "result recount: ok" in r.stdout
    assert "supervisors' sign-offs: ok" in r.stdout and "results notice: ok" in r.stdout
    assert "verified" in r.stdout
    lines = _lines(export)
    kinds = [x["type"] for x in lines]
    assert kinds[0] == "election" and kinds.count("ledger") == 5 and kinds.count("ballot") == 4
    assert kinds.count("unit") == 6 and kinds.count("elector") == 4
    assert kinds.count("signoff") == 2 and kinds.count("weight") == 4
    assert lines[0]["ledger_head"] == audited.ledger_head


def test_the_export_verifies_on_its_own(audited: Audited, export: Path) -> None:
    with_secret = audited.run("--from", str(export), *audited.notice)
    assert with_secret.returncode == 0, with_secret.stdout + with_secret.stderr
    assert "result recount: ok" in with_secret.stdout
    # Without the secret the recount cannot run: the rest is checked, but that is no
    # verification (it exited 0 before issue #12).
    without = audited.run("--from", str(export), *audited.notice, secret=None)
    assert without.returncode == 1, without.stdout + without.stderr
    assert "result recount: not checked" in without.stdout
    assert "ballots match the ledger: ok" in without.stdout
    assert "not verified: a check could not run" in without.stderr
    assert "verified / 验证通过" not in without.stdout


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
    copy = Audited(tmp_path, audited.election, audited.ledger_head, audited.result_digest)
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
    copy = Audited(tmp_path, audited.election, audited.ledger_head, audited.result_digest)
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


# -- issue #12 item 3: forgeries that re-hash the chain -------------------------------------------


def _slot_secret(election: int) -> bytes:
    """The election secret a forger who holds the deployment's secret can compute."""
    return election_secret(hmac.new(SECRET.encode(), b"slot", hashlib.sha256).digest(), election)


def _flip_no_to_yes(
    election: int, entries: list[dict[str, Any]], ballots: dict[str, dict[str, Any]]
) -> str:
    """Every "no" becomes "yes" in the ledger and the ballot rows, tracking codes recomputed and
    the chain re-hashed from the genesis: → the new head. Edits the dicts in place."""
    prev: ledger.LedgerEntry | None = None
    for e in entries:
        payload = json.loads(e["payload"])
        if e["kind"] == "ballot.cast" and '"no"' in payload["choices"]:
            payload["choices"] = payload["choices"].replace('"no"', '"yes"')
            record = secrecy.ballot_record(
                election_id=str(election), choices=payload["choices"], nonce=payload["nonce"]
            )
            payload["tracking"] = secrecy.tracking_code(record)
            b = ballots[payload["ballot"]]
            b["choices"], b["tracking"] = payload["choices"], payload["tracking"]
            e["payload"] = canonical_json(payload)
        entry = ledger.append(prev, e["kind"], e["payload"])
        e["prev_hash"], e["hash"] = entry.prev_hash, entry.hash
        prev = entry
    assert prev is not None
    return prev.hash


def _forged_export(audited: Audited, export: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = _lines(export)
    entries = [x for x in lines if x["type"] == "ledger"]
    ballots = {str(x["id"]): x for x in lines if x["type"] == "ballot"}
    lines[0]["ledger_head"] = _flip_no_to_yes(audited.election, entries, ballots)
    return lines


def _recomputed_digest(path: Path, election: int) -> str:
    """What a forger holding the secret computes as the forged election's result digest."""
    with path.open(encoding="utf-8") as fh:
        record = read_lines(fh)
    counted = match_ballots(record.ledger, record.ballots, str(election))
    assert counted is not None
    digest = recount_digest(record, counted, _slot_secret(election))
    assert digest is not None
    return digest


def test_a_forged_export_with_every_no_flipped_and_the_chain_rehashed_fails(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    """Issue #12 item 3: with the result digest erased the forgery verified (exit 0, secret
    set). Erasing is now a failure; a forger who holds the secret and recomputes the digest and
    the sign-offs is caught by the values on the results notice, and without them nothing
    counted verifies."""
    erased = _forged_export(audited, export)
    erased[0]["result_digest"] = None
    path = _write(tmp_path / "erased.jsonl", erased)
    for notice in ((), audited.notice):
        r = audited.run("--from", str(path), *notice)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "RESULT_DIGEST_MISSING" in r.stderr and "verified /" not in r.stdout
    # the forger also claims the election never closed and drops the sign-offs
    reopened = [x for x in erased if x["type"] != "signoff"]
    reopened[0]["state"] = "open"
    r = audited.run("--from", str(_write(tmp_path / "open.jsonl", reopened)), *audited.notice)
    assert r.returncode == 1 and "PUBLISHED_HEAD_MISMATCH" in r.stderr, r.stdout + r.stderr

    rewritten = _forged_export(audited, export)
    path = _write(tmp_path / "rewritten.jsonl", rewritten)
    rewritten[0]["result_digest"] = _recomputed_digest(path, audited.election)
    for x in rewritten:
        if x["type"] == "signoff":
            x["result_digest"] = rewritten[0]["result_digest"]
            x["ledger_head"] = rewritten[0]["ledger_head"]
    path = _write(path, rewritten)
    consistent = audited.run("--from", str(path))  # checks 1-5 agree with the forgery ...
    assert "result recount: ok" in consistent.stdout and "sign-offs: ok" in consistent.stdout
    assert consistent.returncode == 1 and "--expect-head" in consistent.stderr  # ... unanchored
    r = audited.run("--from", str(path), *audited.notice)
    assert r.returncode == 1 and "PUBLISHED_HEAD_MISMATCH" in r.stderr, r.stdout + r.stderr
    assert "results notice: MISMATCH" in r.stdout


def test_a_forged_export_that_claims_the_vote_never_opened_fails(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    """Found by the adversarial review: every "no" flipped, the chain re-hashed, the result
    digest and sign-offs dropped, and the state set to one that never opened (draft, announced,
    cancelled): no result was required, so the forgery printed "verified", exit 0, without the
    results notice. Such a state holds no ballot, so a ledger that is there fails."""
    forged = [x for x in _forged_export(audited, export) if x["type"] != "signoff"]
    forged[0]["result_digest"] = None
    for state in ("draft", "announced", "cancelled"):
        forged[0]["state"] = state
        r = audited.run("--from", str(_write(tmp_path / f"{state}.jsonl", forged)))
        assert r.returncode == 1, (state, r.stdout + r.stderr)
        assert "LEDGER_BEFORE_OPENING" in r.stderr and "verified /" not in r.stdout


def test_a_null_roll_fingerprint_or_head_fails(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    for field, reason in (
        ("roll_fingerprint", "ROLL_FINGERPRINT_MISSING"),
        ("ledger_head", "LEDGER_HEAD_MISSING"),
    ):
        lines = _lines(export)
        lines[0][field] = None
        r = audited.run("--from", str(_write(tmp_path / f"{field}.jsonl", lines)), *audited.notice)
        assert r.returncode == 1 and reason in r.stderr, r.stdout + r.stderr


def test_sign_off_rows_that_differ_from_the_result_fail(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    lines = _lines(export)
    signoff = next(x for x in lines if x["type"] == "signoff")
    signoff["result_digest"] = "e" * 64
    r = audited.run("--from", str(_write(tmp_path / "signoff.jsonl", lines)), *audited.notice)
    assert r.returncode == 1 and "SIGNOFF_MISMATCH" in r.stderr, r.stdout + r.stderr
    lines = [x for x in _lines(export) if x["type"] != "signoff" or x is signoff]
    r = audited.run("--from", str(_write(tmp_path / "one.jsonl", lines)), *audited.notice)
    assert r.returncode == 1 and "SIGNOFFS_MISSING" in r.stderr, r.stdout + r.stderr
    copy = _copy(audited, tmp_path / "db")
    with sqlite3.connect(copy.db) as conn:
        conn.execute(
            "UPDATE certification SET ledger_head = ? WHERE election_id = ? AND id = "
            "(SELECT min(id) FROM certification WHERE election_id = ?)",
            ("d" * 64, audited.election, audited.election),
        )
    r = copy.run(str(audited.election), *audited.notice)
    assert r.returncode == 1 and "SIGNOFF_MISMATCH" in r.stderr, r.stdout + r.stderr


def _copy(audited: Audited, root: Path) -> Audited:
    (root / "var").mkdir(parents=True)
    shutil.copy(audited.db, root / "var" / "gongzhi.db")
    return Audited(root, audited.election, audited.ledger_head, audited.result_digest)


def test_a_tampered_database_fails_like_a_forged_export(audited: Audited, tmp_path: Path) -> None:
    """The same forgery in the database: every "no" flipped, chain re-hashed, head moved, the
    result digest erased — or recomputed with the secret and the sign-offs rewritten."""
    copy = _copy(audited, tmp_path / "erased")
    with sqlite3.connect(copy.db) as conn:
        head = _forge_database(conn, audited.election)
        conn.execute("UPDATE election SET result_digest = NULL WHERE id = ?", (audited.election,))
    r = copy.run(str(audited.election), *audited.notice)
    assert r.returncode == 1 and "RESULT_DIGEST_MISSING" in r.stderr, r.stdout + r.stderr

    copy = _copy(audited, tmp_path / "rewritten")
    export = tmp_path / "rewritten.jsonl"
    with sqlite3.connect(copy.db) as conn:
        head = _forge_database(conn, audited.election)
    r = copy.run(str(audited.election), "--export", str(export))
    assert r.returncode == 1 and "RESULT_MISMATCH" in r.stderr  # the old digest no longer fits
    digest = _recomputed_digest(export, audited.election)
    with sqlite3.connect(copy.db) as conn:
        conn.execute(
            "UPDATE election SET result_digest = ? WHERE id = ?", (digest, audited.election)
        )
        conn.execute(
            "UPDATE certification SET result_digest = ?, ledger_head = ? WHERE election_id = ?",
            (digest, head, audited.election),
        )
    r = copy.run(str(audited.election))
    assert "result recount: ok" in r.stdout and r.returncode == 1 and "--expect-head" in r.stderr
    r = copy.run(str(audited.election), *audited.notice)
    assert r.returncode == 1 and "PUBLISHED_HEAD_MISMATCH" in r.stderr, r.stdout + r.stderr


def _forge_database(conn: sqlite3.Connection, election: int) -> str:
    conn.row_factory = sqlite3.Row
    entries = [
        dict(row)
        for row in conn.execute(
            "SELECT seq, kind, payload, prev_hash, hash FROM ballot_ledger WHERE election_id = ? "
            "ORDER BY seq",
            (election,),
        )
    ]
    ballots = {
        row["id"]: dict(row)
        for row in conn.execute(
            "SELECT id, choices, tracking FROM ballot WHERE election_id = ?", (election,)
        )
    }
    head = _flip_no_to_yes(election, entries, ballots)
    for e in entries:
        conn.execute(
            "UPDATE ballot_ledger SET payload = ?, prev_hash = ?, hash = ? "
            "WHERE election_id = ? AND seq = ?",
            (e["payload"], e["prev_hash"], e["hash"], election, e["seq"]),
        )
    for b in ballots.values():
        conn.execute(
            "UPDATE ballot SET choices = ?, tracking = ? WHERE id = ?",
            (b["choices"], b["tracking"], b["id"]),
        )
    conn.execute("UPDATE election SET ledger_head = ? WHERE id = ?", (head, election))
    return head


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"id,name\n1,x\n", b'{"a": 1}\n', b"[1, 2]\n", b""],
    ids=["binary", "csv", "json-without-header", "json-list", "empty"],
)
def test_a_file_that_is_no_export_is_said_plainly(
    audited: Audited, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "not-an-export.jsonl"
    path.write_bytes(content)
    r = audited.run("--from", str(path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "not a Gongzhi election export" in r.stderr and "不是共治的表决导出文件" in r.stderr
    missing = audited.run("--from", str(tmp_path / "nowhere.jsonl"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


# -- issue #12 item 5: an auditor recounts with the recount key, which links nothing ----------------


def _recount_key(audited: Audited) -> str:
    r = audited.run(str(audited.election), "--print-recount-key")
    assert r.returncode == 0, r.stdout + r.stderr
    key = r.stdout.strip()
    assert len(bytes.fromhex(key)) == 32
    return key


def test_an_auditor_recounts_with_the_recount_key_alone(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    """The auditor is given the election's recount key, not the deployment's secret: the
    export's weight lines (weights under anonymous tags) recount the certified result. The
    database was written before the key existed: nothing stored depends on it."""
    key = _key_file(tmp_path / "key", _recount_key(audited))
    r = audited.run("--from", str(export), *audited.notice, "--recount-key", key, secret=None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "result recount: ok" in r.stdout and "verified / 验证通过" in r.stdout
    other = _key_file(tmp_path / "other", "ab" * 32)
    wrong = audited.run("--from", str(export), *audited.notice, "--recount-key", other, secret=None)
    assert wrong.returncode == 1 and "RESULT_MISMATCH" in wrong.stderr
    junk = _key_file(tmp_path / "junk", "not hex")
    r = audited.run("--from", str(export), "--recount-key", junk, secret=None)
    assert r.returncode == 2 and "64 hex digits" in r.stderr and "Traceback" not in r.stderr


def _key_file(path: Path, key: str) -> str:
    path.write_text(key + "\n", encoding="utf-8")
    return str(path)


def test_the_recount_key_derives_no_voting_code_and_links_no_slot(
    audited: Audited, export: Path
) -> None:
    key = bytes.fromhex(_recount_key(audited))
    lines = _lines(export)
    electors = [str(x["key"]) for x in lines if x["type"] == "elector"]
    slots = {str(x["slot"]) for x in lines if x["type"] == "ballot"}
    eid = audited.election
    real = _slot_secret(eid)
    assert {secrecy.slot_key(real, k) for k in electors} >= slots  # the secret links them ...
    as_secret = election_secret(key, eid)
    for k in electors:  # ... the recount key, used every way a slot key is made, does not
        assert secrecy.slot_key(key, k) not in slots
        assert secrecy.slot_key(as_secret, k) not in slots
    codes = set(audited.codes)
    assert len(codes) == len(electors)
    for k in electors:
        for gen in range(3):
            assert secrecy.derive_voting_code(key, str(eid), k, gen) not in codes
            assert secrecy.derive_voting_code(as_secret, str(eid), k, gen) not in codes
    # and the weight lines carry no elector key: only tags, in tag order
    weights = [x for x in lines if x["type"] == "weight"]
    assert not {str(x["tag"]) for x in weights} & (set(electors) | slots)
    assert [x["tag"] for x in weights] == sorted(str(x["tag"]) for x in weights)


def test_forged_weights_fail_the_recount_key_and_the_secret(
    audited: Audited, export: Path, tmp_path: Path
) -> None:
    key = _key_file(tmp_path / "key", _recount_key(audited))
    lines = _lines(export)
    weights = [x for x in lines if x["type"] == "weight"]
    weights[0]["area"] = int(str(weights[0]["area"])) + 10_000  # a heavier vote for someone
    path = _write(tmp_path / "weights.jsonl", lines)
    by_key = audited.run("--from", str(path), *audited.notice, "--recount-key", key, secret=None)
    by_secret = audited.run("--from", str(path), *audited.notice)
    for r in (by_key, by_secret):
        assert r.returncode == 1 and "WEIGHTS_MISMATCH" in r.stderr, r.stdout + r.stderr
    # two weights swapped between tags: the recount key cannot see whose tag is whose, the
    # secret can (the limit is in docs/design.md §3.6)
    lines = _lines(export)
    a, b = [x for x in lines if x["type"] == "weight"][:2]
    a["tag"], b["tag"] = b["tag"], a["tag"]
    path = _write(tmp_path / "swapped.jsonl", lines)
    r = audited.run("--from", str(path), *audited.notice)
    assert r.returncode == 1 and "WEIGHTS_MISMATCH" in r.stderr, r.stdout + r.stderr
