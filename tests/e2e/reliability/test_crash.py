"""Crash safety, short form (issue #7 part 1): `gongzhi serve` SIGKILLed under ballot casts.

The harness is bench/crashkit.py (its docstring lists every check); bench/crash_cycles.py is the
long form. Here, per database: three kill cycles with eight clients re-voting for a pool of 40
electors, then the checks — every acknowledged ballot counted as sent, nothing unacknowledged
half there, a restarted server answering owners' receipt checks, the ledger verified by
`gongzhi verify`, the tally equal to a plain recount.

Negative controls follow on the same data: a receipt the database does not hold (as if an
acknowledged ballot had vanished) must be reported as lost, and so must two acknowledged casts
whose ledger order contradicts the order they were answered in (their client-side times
swapped), so a check that could never fail would fail this test. Receipts are matched to
ballots by tracking code: a receipt carries no ledger position (issue #12 item 2). The election is then closed and `gongzhi verify` must confirm the stored
result as well.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from bench.crashkit import Attempt, CrashHarness

CYCLES = 3


async def test_no_acknowledged_ballot_is_lost_when_the_server_is_killed(
    db_url: str, tmp_path: Path
) -> None:
    lines: list[str] = []
    harness = CrashHarness(
        database_url=db_url,
        root=tmp_path / "crash",
        units=200,
        electors=40,
        clients=8,
        seed_value=7,
        log=lines.append,
    )
    await harness.prepare()
    await harness.run(cycles=CYCLES, min_up=1.5, max_up=3.0)
    found = await harness.check(close=False)
    print(found.summary())
    assert found.ok, (found.lost, found.problems, harness.refusals())
    assert found.cycles == CYCLES and len(lines) == CYCLES
    assert found.acknowledged > 0, "no cast was acknowledged: the load never reached the server"
    assert found.unknown > 0, "no kill cut off a request: the kills did not land under load"
    assert found.refused == 0, harness.refusals()
    assert found.stored == found.acknowledged + found.stored_unacknowledged
    assert found.stored_unacknowledged <= found.unknown

    # negative controls: an acknowledged receipt with no ballot behind it is reported lost, and
    # so is a ledger order that contradicts the order of acknowledgement: the first cast
    # answered is moved to after the last one sent was answered (the ledger has it earlier)
    acked = [a for a in harness.attempts if a.outcome == "acked"]
    first = min(acked, key=lambda a: a.answered)
    last = max(acked, key=lambda a: a.sent)
    assert first.answered < last.sent
    first.sent, first.answered = last.answered + 1, last.answered + 2
    voter = harness.pool[0]
    harness.attempts.append(
        Attempt(
            voter,
            0,
            CYCLES,
            outcome="acked",
            receipt={"trackingHash": secrets.token_hex(32), "counted": True},
        )
    )
    found = await harness.check(close=True, receipts_via_api=0)
    assert not found.problems, found.problems  # the close and its verification went through
    assert any("missing" in x for x in found.lost), found.lost
    moved = first.receipt["trackingHash"][:16]  # type: ignore[index]
    assert any(x.startswith(f"receipt {moved}") and "acknowledged" in x for x in found.lost)
    assert len(found.lost) == 2, found.lost
