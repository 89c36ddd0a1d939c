"""The demo's open election (api/cli/demo/): seeded once, through the election services with the
legal periods respected, and the demo owners' printed voting codes are the ones the service
accepts. What else the demo holds: tests/api/cli/test_demo_contents.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.cli import demo, demo_guard
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Account, District, Election, Elector, Installation, Question
from voting import secrecy


async def test_the_demo_seeds_its_open_election_once_and_prints_the_owners_codes(
    settings: Settings, runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await demo.seed(settings)
    async with runtime.reader() as s:
        elections = (await s.execute(select(func.count()).select_from(Election))).scalar_one()
    second = await demo.seed(settings)  # idempotent: no second history, the same codes

    assert first.election is not None and first.election == second.election
    assert first.election.state == "open"
    codes = [(x.phone, x.name, x.note) for x in first if x.role == demo.VOTING_CODE]
    assert codes == [(x.phone, x.name, x.note) for x in second if x.role == demo.VOTING_CODE]
    # the three demo owners of compound A vote; the owner of compound B is no elector there
    owners = [x.phone for x in first if x.role == "owner" and "和谐家园" not in x.note]
    assert len(owners) == 3 and sorted({phone for phone, _, _ in codes}) == sorted(owners)

    eid = first.election.id
    key = settings.key("voting-code")
    async with runtime.reader() as s:
        assert (await s.execute(select(func.count()).select_from(Election))).scalar_one() == 2
        assert elections == 2  # the published first election and the open 换届
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
        assert kinds == [("committee", 3, 5), ("resolution", 4, None)]
        for _, code, note in codes:
            elector_id = int(note.split(":")[0].removeprefix("elector "))
            elector = await s.get(Elector, elector_id)
            assert elector is not None and elector.election_id == eid
            assert secrecy.check_code(key, str(eid), code, elector.code_mac)

    demo.print_logins(first, host="127.0.0.1", port=8000)
    out = capsys.readouterr().out
    assert f"demo election / 演示表决 #{eid} (open, " in out
    assert out.count("  votingcode   ") == 3


async def test_the_demo_refuses_a_database_holding_anything_else_and_writes_nothing(
    settings: Settings, runtime: Runtime
) -> None:
    """Issue #12: seeding beside a real administrator planted one with a public password. On any
    database (SQLite, PostgreSQL) the seeding transaction refuses and leaves no row behind."""
    async with runtime.writer() as s:
        s.add(Account(phone="13911112222", display_name="真的管理员", password_hash="x"))
        await s.commit()

    with pytest.raises(demo_guard.DemoRefused) as refused:
        await demo.seed(settings)
    assert "account: 1" in refused.value.en and "account: 1" in refused.value.zh
    assert demo_guard.PUBLIC_LOGIN in refused.value.en  # says what it would have planted
    async with runtime.reader() as s:
        assert (await s.execute(select(func.count()).select_from(Account))).scalar_one() == 1
        assert (await s.execute(select(func.count()).select_from(District))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(Installation))).scalar_one() == 0


def test_the_refusal_names_the_login_the_demo_plants() -> None:
    assert f"{demo.ADMIN[0]} / {demo.DEMO_PASSWORD}" == demo_guard.PUBLIC_LOGIN
