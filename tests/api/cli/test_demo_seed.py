"""The demo's open election (api/cli/demo.py): seeded once, through the election services with the
legal periods respected, and the demo owners' printed voting codes are the ones the service
accepts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.cli import demo
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Election, Elector, Question
from voting import secrecy


async def test_the_demo_seeds_one_open_election_and_prints_the_owners_codes(
    settings: Settings, runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await demo.seed(settings)
    second = await demo.seed(settings)  # idempotent: no second election, the same codes

    assert first.election is not None and first.election == second.election
    assert first.election.state == "open"
    codes = [(x.phone, x.name, x.note) for x in first if x.role == demo.VOTING_CODE]
    assert codes == [(x.phone, x.name, x.note) for x in second if x.role == demo.VOTING_CODE]
    owners = [x.phone for x in first if x.role == "owner"]
    assert sorted({phone for phone, _, _ in codes}) == sorted(owners)

    eid = first.election.id
    key = settings.key("voting-code")
    async with runtime.reader() as s:
        assert (await s.execute(select(func.count()).select_from(Election))).scalar_one() == 1
        election = await s.get(Election, eid)
        assert election is not None
        # notice and candidate publicity held; voting is open now
        assert election.announced_at is not None
        assert election.announced_at + timedelta(days=15) <= election.opens_at
        now = runtime.clock()
        assert election.opens_at <= now < election.closes_at
        assert election.roll_fingerprint and election.roll_heads == 966
        kinds = [
            (q.kind, q.matter, q.seats)
            for q in (
                await s.execute(
                    select(Question).where(Question.election_id == eid).order_by(Question.position)
                )
            ).scalars()
        ]
        assert kinds == [("committee", 3, 5), ("resolution", 2, None)]
        for _, code, note in codes:
            elector_id = int(note.split(":")[0].removeprefix("elector "))
            elector = await s.get(Elector, elector_id)
            assert elector is not None and elector.election_id == eid
            assert secrecy.check_code(key, str(eid), code, elector.code_mac)

    demo.print_logins(first, host="127.0.0.1", port=8000)
    out = capsys.readouterr().out
    assert f"demo election / 演示表决 #{eid} (open, " in out
    assert out.count("  votingcode   ") == 3
