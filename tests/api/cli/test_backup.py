"""`gongzhi backup` and `gongzhi restore` on a real SQLite database with an election (#7 §7).

A `gongzhi serve` holds the demo election; clients keep casting ballots while `gongzhi backup`
runs as its own process. The backup must come out verified, and restored into an empty
deployment its ledger must be a prefix of the live one holding every ballot acknowledged
before the backup began (found by its receipt's tracking code). Restore refuses a database in use by the server, a
database that holds data without --force, and any backup that does not verify (a corrupted
file, a truncated one, one with a ledger entry edited) — each with a bilingual error and the
database byte for byte as it was. After the server stops, a second backup restored with
--force gives exactly the final ledger, and the replaced database is kept beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.services.backup import PAGES_PER_STEP
from tests.support.server import SECRET, Server, ledger, run_cli, seeded

WAIT = 60.0  # a failure guard, never a timing assertion


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(var: Path, *args: str) -> Any:
    return run_cli(var, *args, GONGZHI_SECRET_KEY=SECRET)


def _cast_tracking(entries: list[dict[str, Any]]) -> set[str]:
    """The tracking codes of the ballots cast in these ledger lines (of `gongzhi verify --export`)."""
    return {json.loads(e["payload"])["tracking"] for e in entries if e["kind"] == "ballot.cast"}


def _refused(result: Any, *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.fixture
def live(tmp_path: Path) -> Any:
    # No outbox worker in this server: its scheduled passes write (closing reminders for the
    # open vote), and the test needs an idle server whose file nothing changes; the deployment
    # this mirrors runs `gongzhi deliver` from a timer (GONGZHI_DELIVERY_IN_SERVE=0).
    server, _ = seeded(tmp_path / "live", GONGZHI_DELIVERY_IN_SERVE="0")
    try:
        yield server.start()
    finally:
        server.stop()


def test_backup_while_casting_restore_and_refusals(live: Server, tmp_path: Path) -> None:
    owners = list(live.codes)
    tokens = {p: live.sign_in(p) for p in owners}
    ballots = {p: live.answers(tokens[p], "yes") for p in owners}
    receipts: list[dict[str, Any]] = []
    stop = threading.Event()

    def casting() -> None:
        n = 0
        while not stop.is_set():
            phone = owners[n % len(owners)]
            body = live.cast_ballot(tokens[phone], phone, ballots[phone])
            receipts.append(body["data"]["castBallot"]["receipt"])
            n += 1

    caster = threading.Thread(target=casting, daemon=True)
    caster.start()
    deadline = time.monotonic() + WAIT
    while len(receipts) < 20:
        assert time.monotonic() < deadline and caster.is_alive(), receipts[-3:]
        time.sleep(0.01)
    # a receipt names its ballot by the tracking code (its ledger position is not on it)
    acknowledged = {r["trackingHash"] for r in list(receipts)}
    first = tmp_path / "first.db"
    before_backup = len(receipts)
    made = _cli(live.var, "backup", str(first))
    after_backup = len(receipts)
    stop.set()
    caster.join(WAIT)
    assert made.returncode == 0, made.stdout + made.stderr
    assert after_backup > before_backup, "no ballot was cast while the backup ran"
    pages = int(re.search(r"\((\d+) pages", made.stdout)[1])  # type: ignore[index]
    assert pages > 2 * PAGES_PER_STEP, "the copy took one step: the snapshot was not tested"
    print(f"\nbackup of {pages} pages while {after_backup - before_backup} ballots were cast")
    assert f"election {live.election_id}:" in made.stdout and "验证通过" in made.stdout
    assert not first.with_name("first.db.partial").exists()

    # a backup never overwrites
    _refused(_cli(live.var, "backup", str(first)), "exists", "已存在")
    # restore refuses the database of a running server, even with --force
    before = _digest(live.var / "gongzhi.db")
    _refused(_cli(live.var, "restore", str(first), "--force"), "in use", "正在被使用")
    assert _digest(live.var / "gongzhi.db") == before  # (idle now: nothing checkpoints)
    assert live.get("/healthz")[0] == 200

    live.signal()
    live.wait_exit()
    final = ledger(live.var, live.election_id)

    # restored into an empty deployment: a prefix of the live ledger that holds every ballot
    # acknowledged when the backup started
    other = tmp_path / "other"
    restored = _cli(other, "restore", str(first))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    copy = ledger(other, live.election_id)
    assert len(copy) <= len(final)
    assert copy == final[: len(copy)]
    assert acknowledged <= _cast_tracking(copy), "an acknowledged ballot is not in the backup"

    # a database that holds data is replaced only with --force; and then exactly
    second = tmp_path / "second.db"
    assert _cli(live.var, "backup", str(second)).returncode == 0
    held = _digest(other / "gongzhi.db")
    _refused(_cli(other, "restore", str(second)), "--force", "holds data", "已有数据")
    assert _digest(other / "gongzhi.db") == held
    forced = _cli(other, "restore", str(second), "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert ledger(other, live.election_id) == final
    kept = list(other.glob("gongzhi.db.before-restore-*"))
    # the replaced database, whole (its journal mode left WAL: the bytes differ there)
    assert len(kept) == 1
    assert _entries(kept[0], live.election_id) == [(e["seq"], e["hash"]) for e in copy]

    # corrupted backups are refused and change nothing
    now = _digest(other / "gongzhi.db")
    for name, damage in _damages(second, tmp_path, live.election_id).items():
        result = _cli(other, "restore", str(damage), "--force")
        _refused(result, "does not verify", "校验失败", "nothing was changed")
        assert _digest(other / "gongzhi.db") == now, name
    assert len(list(other.glob("gongzhi.db.before-restore-*"))) == 1
    assert not list(other.glob("*.restoring"))


def _entries(db: Path, election: str) -> list[tuple[int, str]]:
    """The ledger of one election (the demo holds a published one besides the open one)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [
            (s, h)
            for s, h in conn.execute(
                "SELECT seq, hash FROM ballot_ledger WHERE election_id = ? ORDER BY seq",
                (int(election),),
            )
        ]
    finally:
        conn.close()


def _damages(good: Path, where: Path, election: str) -> dict[str, Path]:
    """Copies of ``good``, each broken in its own way (the ledger edited in ``election``)."""
    out: dict[str, Path] = {}
    data = good.read_bytes()
    page = int.from_bytes(data[16:18], "big") or 65536
    pages = len(data) // page

    garbled = where / "garbled.db"  # the middle half of the pages overwritten
    middle = bytearray(data)
    for n in range(pages // 4, 3 * pages // 4):
        middle[n * page : (n + 1) * page] = bytes([0xA5]) * page
    garbled.write_bytes(bytes(middle))
    out["garbled"] = garbled

    truncated = where / "truncated.db"
    truncated.write_bytes(data[: len(data) // 2])
    out["truncated"] = truncated

    text = where / "notes.db"
    text.write_text("not a database\n")
    out["not a database"] = text

    edited = where / "edited.db"  # a valid SQLite file whose ledger was edited
    shutil.copy(good, edited)
    conn = sqlite3.connect(edited)
    with conn:
        changed = conn.execute(
            "UPDATE ballot_ledger SET payload = replace(payload, '\"counted\":true', "
            "'\"counted\":false') WHERE election_id = :e AND seq = (SELECT min(seq) FROM "
            "ballot_ledger WHERE election_id = :e AND kind = 'ballot.cast' "
            "AND payload LIKE '%\"counted\":true%')",
            {"e": int(election)},
        ).rowcount
    conn.close()
    assert changed == 1
    out["ledger edited"] = edited
    return out


def test_backup_is_for_sqlite_only(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path / "var",
        "backup",
        str(tmp_path / "x.db"),
        GONGZHI_DATABASE_URL="postgresql+asyncpg://root@127.0.0.1/whatever",
    )
    _refused(result, "pg_dump", "只用于 SQLite")
    assert not (tmp_path / "x.db").exists()
