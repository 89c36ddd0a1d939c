"""The events owners hear of (issue #15 part 3, api/services/inbox_events.py): an election announced
and voting opened reach the accounts on the compound's roll, in the inbox and by text; 24 hours
before the close, once, the accounts whose units have not voted (the scheduler reads the
runtime's clock; the test moves it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.runtime import Runtime
from api.services import delivery
from api.store.models import Election, InboxItem, OutboxMessage
from tests.conftest import Gql
from tests.support.elections import (
    cast,
    open_resolution_in_a,
    owner_tokens,
    use_clock,
)
from tests.support.world import World

INBOX = "{ inbox { nodes { kind zh en link } } }"


async def kinds(gql: Gql, token: str) -> list[str]:
    nodes = (await gql(INBOX, token=token))["data"]["inbox"]["nodes"]
    return [n["kind"] for n in nodes]


async def test_announcement_opening_and_the_reminder_before_the_close(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    use_clock(runtime)
    zhao = (await owner_tokens(runtime, world.a, ["13900000004"]))["13900000004"]  # 赵六
    zhang = world.tokens["owner"]  # 张三
    clock, opened = await open_resolution_in_a(gql, world, runtime)
    for token in (zhang, zhao):
        assert await kinds(gql, token) == ["voting_opened", "election_announced"]
    nodes = (await gql(INBOX, token=zhang))["data"]["inbox"]["nodes"]
    assert nodes[0]["link"] == f"/election/{opened.id}"
    assert "北京时间" in nodes[0]["zh"] and "Beijing time" in nodes[0]["en"]
    # a compound B owner hears nothing of compound A's vote
    assert await kinds(gql, world.tokens["owner_b"]) == []
    async with runtime.reader() as s:
        texted = (
            await s.execute(
                select(OutboxMessage.phone, OutboxMessage.kind).order_by(OutboxMessage.id)
            )
        ).all()
    assert ("13900000001", "election_announced") in texted
    assert ("13900000004", "voting_opened") in texted

    receipt = await cast(gql, zhang, opened.id, opened.code("张三"), opened.answer("yes"))
    assert receipt["__typename"] == "BallotCast", receipt
    async with runtime.reader() as s:
        election = await s.get(Election, int(opened.id))
        assert election is not None
        closes = election.closes_at
    clock.now = closes - timedelta(hours=25)
    assert await delivery.scheduled(runtime) == 0  # not yet within 24 hours
    clock.now = closes - timedelta(hours=23)
    assert await delivery.scheduled(runtime) == 1  # 赵六 only: 张三's units have voted
    assert await delivery.scheduled(runtime) == 0  # once per election and account
    clock.now = closes - timedelta(hours=1)
    assert await delivery.scheduled(runtime) == 0
    assert (await kinds(gql, zhao))[0] == "voting_closing_soon"
    assert "voting_closing_soon" not in await kinds(gql, zhang)
    clock.now = closes + timedelta(minutes=1)
    assert await delivery.scheduled(runtime) == 0  # closed: nothing more
    async with runtime.reader() as s:
        reminders = (
            (await s.execute(select(InboxItem).where(InboxItem.kind == "voting_closing_soon")))
            .scalars()
            .all()
        )
    assert len(reminders) == 1


async def test_a_consultation_opening_and_closing_is_told_once(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from tests.support.drafting import create, install_clock, publish

    clock = install_clock(runtime)
    v1 = await create(gql, world)
    await publish(gql, world, v1["id"], clock, days=10)  # opens in an hour, for ten days
    assert await delivery.scheduled(runtime) == 0
    clock.advance(hours=2)
    told = await delivery.scheduled(runtime)
    assert told >= 1 and await delivery.scheduled(runtime) == 0
    owner = world.tokens["owner"]
    nodes = (await gql(INBOX, token=owner))["data"]["inbox"]["nodes"]
    assert [(n["kind"], n["link"]) for n in nodes] == [
        ("consultation_opened", f"/version/{v1['id']}")
    ]
    assert await kinds(gql, world.tokens["owner_b"]) == []  # compound B hears nothing
    clock.advance(days=10)
    assert await delivery.scheduled(runtime) == told
    assert (await kinds(gql, owner))[0] == "consultation_closed"
    clock.advance(days=5)  # older windows are not told again, nor told late
    assert await delivery.scheduled(runtime) == 0


async def test_the_published_result_reaches_the_owners_on_the_roll(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from tests.support.terms import OWNERS_BALLOTS, elect

    clock = use_clock(runtime)
    eid = await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
    )
    nodes = (await gql(INBOX, token=world.tokens["owner"]))["data"]["inbox"]["nodes"]
    assert (nodes[0]["kind"], nodes[0]["link"]) == ("result_published", f"/election/{eid}")
    assert "结果已公布" in nodes[0]["zh"] and "was published" in nodes[0]["en"]
    assert await kinds(gql, world.tokens["owner_b"]) == []


async def test_a_reissued_code_is_a_security_text_to_the_roll_phone_whatever_the_owner_chose(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from dataclasses import replace

    from api.services import inbox, notify

    clock, opened = await open_resolution_in_a(gql, world, runtime)
    night = clock.now.replace(hour=23, minute=0)  # 23:00 Beijing time
    clock.now = night
    async with runtime.writer() as s:  # 张三 turned texts off, and it is in his quiet hours
        await inbox.set_preferences(
            s, world.accounts["owner"], sms=False, quiet_start=22 * 60, quiet_end=7 * 60, now=night
        )
        await s.commit()
    runtime.notifier = texts = notify.from_settings(replace(runtime.settings, notify="file"))
    assert isinstance(texts, notify.FileNotifier)
    reissue = """mutation($e: ID!, $el: ID!) { reissueVotingCode(electionId: $e, electorId: $el) {
      __typename } }"""
    done = await gql(
        reissue, {"e": opened.id, "el": opened.elector("张三")}, token=world.tokens["supervisor"]
    )
    assert done["data"]["reissueVotingCode"]["__typename"] == "VotingNotices", done
    sent = [m for m in texts.sent() if m.kind == "voting_code_reissued"]
    assert [m.phone for m in sent] == ["13900000001"] and sent[0].key  # at once, keyed
    async with runtime.reader() as s:
        row = (
            await s.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "voting_code_reissued")
            )
        ).scalar_one()
    assert (row.status, row.security, row.id) == ("sent", True, int(sent[0].key))
