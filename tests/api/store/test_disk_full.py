"""A full disk during voting (issue #7 §7, docs/deployment.md "The disk is full").

SQLite's ``max_page_count`` set to the file's current size is a disk with no room left: the
next write that needs a new page fails with SQLITE_FULL, exactly where a full disk fails. Owners
keep re-casting until that happens. The cast that hit it must answer an error and no receipt,
every receipt given before it must be in a ledger that still verifies, the failed cast must
have left nothing behind, and once there is room again casting simply goes on.

SQLite only: on PostgreSQL a full disk stops the server, which is "the database is down"
(tests/api/http/test_health.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from api.runtime import Runtime
from api.store.models import Ballot, Election
from tests.conftest import Gql
from tests.support.elections import CAST, VERIFY, open_election, resolution_spec, use_clock
from tests.support.world import World

OWNERS = ("张三", "李四", "赵六")
LIMIT = 400  # casts before giving up on filling the "disk" (a failure guard)


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only (this module's subject is SQLite's behaviour on a full disk)."""
    path = tmp_path / "gongzhi.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


class Disk:
    """Applied on every checkout of a pooled connection: full → no page beyond the current
    ones; not full → SQLite's own maximum again."""

    def __init__(self) -> None:
        self.full = False

    def __call__(self, dbapi_conn: Any, _record: object, _proxy: object) -> None:
        cur = dbapi_conn.cursor()
        if self.full:
            cur.execute("PRAGMA page_count")
            cur.execute(f"PRAGMA max_page_count = {int(cur.fetchone()[0])}")
        else:
            cur.execute("PRAGMA max_page_count = 4294967294")
        cur.close()


async def _ledger_seq(runtime: Runtime, election: str) -> int:
    async with runtime.reader() as s:
        found = await s.get(Election, int(election))
        assert found is not None
        return found.ledger_seq


async def _stored(runtime: Runtime, election: str) -> dict[str, tuple[int, str]]:
    """tracking code → (ledger seq, status) of every stored ballot: a receipt names its ballot
    by the tracking code only (its ledger position is the count, issue #12 item 2)."""
    async with runtime.reader() as s:
        rows = await s.execute(
            select(Ballot.tracking, Ballot.seq, Ballot.status).where(
                Ballot.election_id == int(election)
            )
        )
        return {t: (seq, status) for t, seq, status in rows}


async def test_a_full_disk_refuses_the_cast_and_keeps_every_receipt(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    supervisor = world.tokens["supervisor"]
    e = await open_election(gql, clock, world.a, committee, resolution_spec(), printer=supervisor)

    async def cast(n: int) -> dict[str, Any]:
        payload = {"electionId": e.id, "code": e.code(OWNERS[0]), "answers": e.answer("yes")}
        payload["electorId"] = e.elector(OWNERS[0])
        return await gql(CAST, {"i": payload}, token=owner, expect_errors=True)

    receipts = [(await cast(0))["data"]["castBallot"]["receipt"]]

    disk = Disk()
    event.listen(runtime.engine.sync_engine, "checkout", disk)
    disk.full = True  # every connection from now on sees a full disk
    refused: dict[str, Any] | None = None
    for n in range(LIMIT):
        before = await _ledger_seq(runtime, e.id)
        body = await cast(n)
        result = (body.get("data") or {}).get("castBallot")
        if result and result.get("__typename") == "BallotCast":
            receipts.append(result["receipt"])
            continue
        refused = body
        assert await _ledger_seq(runtime, e.id) == before, "a refused cast changed the ledger"
        break
    assert refused is not None, f"{LIMIT} casts fit: the disk never filled"
    assert refused.get("errors") or refused["data"]["castBallot"]["__typename"] == "Problem"
    assert "receipt" not in str(refused.get("data"))

    # reading still works on a full disk, and the ledger verifies with every receipt in it
    report = (await gql(VERIFY, {"e": e.id}, token=supervisor))["data"]["verifyElection"]
    assert report["ok"], report
    stored = await _stored(runtime, e.id)
    missing = [r["trackingHash"] for r in receipts if r["trackingHash"] not in stored]
    assert not missing, f"{len(missing)} of {len(receipts)} acknowledged ballots are not stored"
    assert report["entries"] >= max(stored[r["trackingHash"]][0] for r in receipts)

    # room again: casting goes on where it stopped
    disk.full = False
    after = (await cast(LIMIT))["data"]["castBallot"]
    assert after["__typename"] == "BallotCast", after
    stored = await _stored(runtime, e.id)
    seq, status = stored[after["receipt"]["trackingHash"]]
    assert status == "counted" and seq > max(stored[r["trackingHash"]][0] for r in receipts)
    report = (await gql(VERIFY, {"e": e.id}, token=supervisor))["data"]["verifyElection"]
    assert report["ok"], report
    print(f"\n{len(receipts)} receipts before the disk was full; the next cast was refused")
