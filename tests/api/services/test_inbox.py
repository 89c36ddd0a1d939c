"""The notification entry point (issue #15 part 3): :func:`api.services.inbox.notify` writes inbox
and outbox rows in the caller's transaction, honours channels and quiet hours, and lets a
security notice through both."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from api.services import inbox
from api.services.inbox import Preferences, held_until, notify
from api.store.models import Account, InboxItem, OutboxMessage
from tests.support.elections import use_clock
from tests.support.world import World

# 02:00 UTC = 10:00 in Shanghai; 15:00 UTC = 23:00 in Shanghai
MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NIGHT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
QUIET = Preferences(sms=True, quiet_start=22 * 60, quiet_end=7 * 60)  # 22:00–07:00 local


def test_quiet_hours_hold_a_text_until_they_end_in_shanghai_time() -> None:
    assert held_until(MORNING, QUIET) == MORNING
    # 23:00 local → 07:00 local the next day = 23:00 UTC the same day
    assert held_until(NIGHT, QUIET) == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    # 03:00 local (19:00 UTC the day before) → 07:00 local that morning
    early = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    assert held_until(early, QUIET) == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    # a daytime window that does not span midnight: 12:00–14:00 local
    lunch = Preferences(quiet_start=12 * 60, quiet_end=14 * 60)
    at_13 = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert held_until(at_13, lunch) == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert held_until(MORNING, lunch) == MORNING  # 10:00 local
    assert held_until(NIGHT, Preferences()) == NIGHT


async def test_notify_writes_inbox_and_outbox_in_the_callers_transaction(
    runtime: Runtime, world: World
) -> None:
    use_clock(runtime, MORNING)
    owner, committee = world.accounts["owner"], world.accounts["committee"]
    async with runtime.writer() as s:
        await notify(
            s,
            account_ids=[owner, committee, owner],
            phones=["13900000002", "13900000001"],  # the second is the owner's own phone
            kind="election_announced",
            zh="表决已公告",
            en="a vote was announced",
            link="/elections/1",
        )
        await s.commit()
    async with runtime.reader() as s:
        items = (await s.execute(select(InboxItem).order_by(InboxItem.id))).scalars().all()
        out = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    assert [(i.account_id, i.kind, i.zh, i.en, i.link) for i in items] == [
        (committee, "election_announced", "表决已公告", "a vote was announced", "/elections/1"),
        (owner, "election_announced", "表决已公告", "a vote was announced", "/elections/1"),
    ]
    assert all(i.read_at is None and i.created_at == MORNING for i in items)
    # one text per phone: the owner's phone is not texted twice
    assert [o.phone for o in out] == ["13700000003", "13900000001", "13900000002"]
    assert all(o.status == "pending" and o.due_at == MORNING and not o.secret for o in out)
    assert out[1].text == "【共治】表决已公告 / Gongzhi: a vote was announced"


async def test_a_rolled_back_event_tells_no_one(runtime: Runtime, world: World) -> None:
    async with runtime.writer() as s:
        await notify(s, account_ids=[world.accounts["owner"]], kind="k", zh="甲", en="a")
        await s.rollback()
    async with runtime.reader() as s:
        assert (await s.execute(select(InboxItem))).first() is None
        assert (await s.execute(select(OutboxMessage))).first() is None


async def test_texts_off_and_quiet_hours_but_security_goes_at_once(
    runtime: Runtime, world: World
) -> None:
    use_clock(runtime, NIGHT)
    owner, committee = world.accounts["owner"], world.accounts["committee"]
    async with runtime.writer() as s:
        await inbox.set_preferences(
            s, owner, sms=True, quiet_start=22 * 60, quiet_end=7 * 60, now=NIGHT
        )
        await inbox.set_preferences(
            s, committee, sms=False, quiet_start=None, quiet_end=None, now=NIGHT
        )
        await notify(
            s, account_ids=[owner, committee], kind="voting_open", zh="投票开始", en="voting opened"
        )
        await notify(
            s,
            account_ids=[owner, committee],
            phones=["13900000001"],
            kind="activation",
            zh="账号已激活",
            en="an account was activated",
            security=True,
        )
        await s.commit()
    async with runtime.reader() as s:
        out = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
        items = (await s.execute(select(InboxItem))).scalars().all()
    assert len(items) == 4  # the inbox always
    rows = [(o.kind, o.phone, o.due_at, o.security) for o in out]
    assert rows == [
        # held until 07:00 local; the committee member turned texts off
        ("voting_open", "13900000001", datetime(2026, 3, 2, 23, 0, tzinfo=UTC), False),
        # security: at once, texts off or not, and the roll phone given twice is texted once
        ("activation", "13700000003", NIGHT, True),
        ("activation", "13900000001", NIGHT, True),
    ]


async def test_a_phone_without_an_account_and_a_disabled_account(
    runtime: Runtime, world: World
) -> None:
    async with runtime.writer() as s:
        account = await s.get(Account, world.accounts["owner_b"])
        assert account is not None
        account.disabled_at = runtime.clock()
        await s.flush()
        await notify(
            s,
            account_ids=[world.accounts["owner_b"]],
            phones=["13911112222"],
            kind="code_reissued",
            zh="投票码已补发",
            en="a voting code was re-issued",
            security=True,
        )
        await s.commit()
    async with runtime.reader() as s:
        assert (await s.execute(select(InboxItem))).first() is None
        out = (await s.execute(select(OutboxMessage.phone))).scalars().all()
    assert out == ["13911112222"]


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"kind": "", "zh": "甲", "en": "a"}, "kind"),
        ({"kind": "k", "zh": " ", "en": "a"}, "Chinese"),
        ({"kind": "k", "zh": "甲", "en": "a", "link": "https://evil.example/"}, "link"),
        ({"kind": "k", "zh": "甲", "en": "a", "link": "//evil.example/"}, "link"),
    ],
)
async def test_bad_calls_are_refused_before_writing(
    runtime: Runtime, world: World, kwargs: dict[str, str], why: str
) -> None:
    async with runtime.writer() as s:
        with pytest.raises(ValueError, match=why):
            await notify(s, account_ids=[world.accounts["owner"]], **kwargs)  # type: ignore[arg-type]
        await s.commit()
    async with runtime.reader() as s:
        assert (await s.execute(select(InboxItem))).first() is None


async def test_once_per_key(runtime: Runtime, world: World) -> None:
    owner = world.accounts["owner"]
    for _ in range(2):
        async with runtime.writer() as s:
            told = await inbox.notify_once(
                s, account_ids=[owner], kind="closing_soon", zh="甲", en="a", once_key="closing:1"
            )
            await s.commit()
    assert told == []
    async with runtime.reader() as s:
        assert len((await s.execute(select(InboxItem))).scalars().all()) == 1
        assert len((await s.execute(select(OutboxMessage))).scalars().all()) == 1
