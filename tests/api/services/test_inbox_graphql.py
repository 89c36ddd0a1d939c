"""The inbox and preferences over GraphQL (issue #15 part 3): the viewer's own items only, marked
read by ids or all, unread counts, preferences round-tripped and bad input refused — and the
attack: another account can neither read nor mark them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from api.services.inbox import notify
from api.store.models import InboxItem
from tests.conftest import Gql
from tests.support.world import World

INBOX = """query($first: Int, $after: String) {
  unreadCount
  inbox(first: $first, after: $after) {
    totalCount unreadCount
    nodes { id kind zh en text link readAt security }
    pageInfo { hasNextPage endCursor }
  }
}"""
MARK = """mutation($ids: [ID!], $all: Boolean) {
  markInboxRead(input: {ids: $ids, all: $all}) {
    __typename
    ... on InboxMarked { marked unreadCount }
    ... on Problem { code field message }
  }
}"""
PREFS = "{ notificationPreferences { sms quietStart quietEnd } }"
SET = """mutation($sms: Boolean!, $s: String, $e: String) {
  setNotificationPreferences(input: {sms: $sms, quietStart: $s, quietEnd: $e}) {
    __typename
    ... on NotificationPreferencesSet { preferences { sms quietStart quietEnd } }
    ... on Problem { code field }
  }
}"""


async def seed(runtime: Runtime, world: World, n: int = 3) -> None:
    async with runtime.writer() as s:
        for i in range(n):
            await notify(
                s,
                account_ids=[world.accounts["owner"]],
                kind="voting_opened",
                zh=f"通知{i}",
                en=f"notice {i}",
                link=f"/elections/{i + 1}",
            )
        await notify(s, account_ids=[world.accounts["owner_b"]], kind="k", zh="乙", en="b")
        await s.commit()


async def test_the_viewer_pages_reads_and_marks_their_own_inbox(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await seed(runtime, world)
    token = world.tokens["owner"]
    first = (await gql(INBOX, {"first": 2}, token=token, lang="en"))["data"]
    assert first["unreadCount"] == 3
    page = first["inbox"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    assert [n["en"] for n in page["nodes"]] == ["notice 2", "notice 1"]  # newest first
    assert page["nodes"][0]["text"] == "notice 2" and page["nodes"][0]["zh"] == "通知2"
    rest = (await gql(INBOX, {"after": page["pageInfo"]["endCursor"]}, token=token))["data"]
    assert [n["zh"] for n in rest["inbox"]["nodes"]] == ["通知0"]
    assert rest["inbox"]["nodes"][0]["text"] == "通知0"  # Chinese by default
    one = page["nodes"][0]["id"]
    marked = (await gql(MARK, {"ids": [one]}, token=token))["data"]["markInboxRead"]
    assert marked == {"__typename": "InboxMarked", "marked": 1, "unreadCount": 2}
    every = (await gql(MARK, {"all": True}, token=token))["data"]["markInboxRead"]
    assert every == {"__typename": "InboxMarked", "marked": 2, "unreadCount": 0}
    # owner_b's item is untouched by owner's "all"
    assert (await gql("{ unreadCount }", token=world.tokens["owner_b"]))["data"]["unreadCount"] == 1


async def test_nobody_reads_or_marks_another_accounts_items(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await seed(runtime, world)
    async with runtime.reader() as s:
        owners = list(
            (
                await s.execute(
                    select(InboxItem.id).where(InboxItem.account_id == world.accounts["owner"])
                )
            ).scalars()
        )
    attacker = world.tokens["owner_b"]
    seen = (await gql(INBOX, token=attacker))["data"]["inbox"]["nodes"]
    assert [n["en"] for n in seen] == ["b"]
    # another's id: refused like an id that does not exist, and nothing marked (not even the
    # attacker's own id sent with it)
    own = seen[0]["id"]
    for ids in ([str(owners[0])], [own, str(owners[1])], ["999999"]):
        refused = (await gql(MARK, {"ids": ids}, token=attacker))["data"]["markInboxRead"]
        assert refused["__typename"] == "Problem" and refused["code"] == "NOT_FOUND", refused
    for token in (attacker, world.tokens["committee"], world.tokens["admin"]):
        await gql(MARK, {"all": True}, token=token)
    async with runtime.reader() as s:
        rows = (await s.execute(select(InboxItem))).scalars().all()
    assert all(r.read_at is None for r in rows if r.account_id == world.accounts["owner"])
    # signed out: no inbox at all
    body = await gql(INBOX, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(MARK, {"all": True})
    assert body["data"]["markInboxRead"]["code"] == "UNAUTHENTICATED"


async def test_bad_marks_are_refused_with_the_field(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await seed(runtime, world)
    token = world.tokens["owner"]
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({}, "BAD_INPUT", "ids"),
        ({"ids": ["1"], "all": True}, "BAD_INPUT", "ids"),
        ({"ids": []}, "BAD_INPUT", "ids"),
        ({"ids": ["x"]}, "BAD_ID", "ids"),
        ({"ids": [str(i) for i in range(1, 202)]}, "BAD_INPUT", "ids"),
    ]
    for variables, code, field in cases:
        got = (await gql(MARK, variables, token=token))["data"]["markInboxRead"]
        assert (got["code"], got["field"]) == (code, field), variables
    assert (await gql("{ unreadCount }", token=token))["data"]["unreadCount"] == 3


async def test_preferences_round_trip_and_bad_times(gql: Gql, world: World) -> None:
    token = world.tokens["owner"]
    assert (await gql(PREFS, token=token))["data"]["notificationPreferences"] == {
        "sms": True,
        "quietStart": None,
        "quietEnd": None,
    }
    done = (await gql(SET, {"sms": False, "s": "22:00", "e": "07:30"}, token=token))["data"]
    assert done["setNotificationPreferences"]["preferences"] == {
        "sms": False,
        "quietStart": "22:00",
        "quietEnd": "07:30",
    }
    for s, e, field in (
        ("25:00", "07:00", "quietStart"),
        ("22:00", None, "quietEnd"),
        ("8", "09:00", "quietStart"),
        ("09:00", "09:00", "quietEnd"),
    ):
        got = (await gql(SET, {"sms": True, "s": s, "e": e}, token=token))["data"]
        assert got["setNotificationPreferences"] == {
            "__typename": "Problem",
            "code": "BAD_INPUT",
            "field": field,
        }, (s, e)
    # unchanged by the refusals; another account still has the defaults
    assert (await gql(PREFS, token=token))["data"]["notificationPreferences"]["quietEnd"] == "07:30"
    other = (await gql(PREFS, token=world.tokens["owner_b"]))["data"]["notificationPreferences"]
    assert other["sms"] is True and other["quietStart"] is None
