"""Review of issue #13 item 2 (branch review): appointing a running body must not hand the
appointing official another person's account. A representative is named by phone; when that
phone already has an account without a password yet (an official appointed by the admin who has
not activated, another compound's pending representative), the appointment returns a fresh
activation-letter code for *that* account to the appointing official (voiding its own letter).

The tests describe the expected behaviour; they failed on the reviewed head and pass since the
fixes (a pending account's phone refused, api/services/body_members.py; a community or party
representative required, voting.rules.check_body_composition)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from api.runtime import Runtime
from api.store.models import Account, RoleMembership
from tests.conftest import Gql
from tests.support.elections import T0, owner_tokens, person_ids, use_clock
from tests.support.world import World

APPOINT = """mutation($i: AppointRunningBodyInput!) { appointPreparatoryGroup(input: $i) {
  __typename ... on RunningBodyAppointed { letters { phone activationCode } }
  ... on Problem { code message field } } }"""
ACTIVATE = """mutation($input: ActivateInput!) { activateAccount(input: $input) {
  __typename ... on LoginSuccess { token me { roles { role communityId } } }
  ... on Problem { code message } } }"""
GROUP_REPS = [("COMMUNITY_REPRESENTATIVE", "社区 王主任", "13600000111")]


async def _no_committee(runtime: Runtime, world: World) -> None:
    """The world's committee grant in A revoked, as an official would before appointing."""
    async with runtime.writer() as s:
        await s.execute(
            update(RoleMembership)
            .where(RoleMembership.account_id == world.accounts["committee"])
            .values(revoked_at=T0 - timedelta(days=1), revoke_reason="辞职")
        )
        await s.commit()


def _spec(
    world: World, persons: dict[str, int], owners: list[str], reps: list[tuple[str, str, str]]
) -> dict[str, Any]:
    return {
        "communityId": str(world.a),
        "members": [{"kind": "OWNER", "personId": str(persons[n])} for n in owners]
        + [{"kind": kind, "name": name, "phone": phone} for kind, name, phone in reps],
        "termEndsOn": date(2027, 11, 30).isoformat(),
        "reason": "街道办关于成立筹备组的通知（2026）3 号",
    }


async def _appoint(gql: Gql, token: str, spec: dict[str, Any]) -> dict[str, Any]:
    body = await gql(APPOINT, {"i": spec}, token=token)
    result: dict[str, Any] = body["data"]["appointPreparatoryGroup"]
    return result


PENDING = "13600000999"  # an official of district 2 appointed by the admin, not yet activated


async def test_an_official_cannot_take_over_a_pending_account_by_naming_its_phone(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    async with runtime.writer() as s:
        pending = Account(phone=PENDING, display_name="另一街道 新干部")  # no password yet
        s.add(pending)
        await s.flush()
        s.add(RoleMembership(account_id=pending.id, role="official", district_id=world.district_2))
        await s.commit()
    await _no_committee(runtime, world)
    await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    persons = await person_ids(runtime, world.a)
    reps = [GROUP_REPS[0], ("COMMUNITY_REPRESENTATIVE", "社区 王主任", PENDING)]
    done = await _appoint(
        gql, world.tokens["official"], _spec(world, persons, ["张三", "李四", "赵六"], reps)
    )
    letters = {x["phone"]: x["activationCode"] for x in done.get("letters", [])}
    if PENDING in letters:
        taken = await gql(
            ACTIVATE,
            {
                "input": {
                    "phone": PENDING,
                    "code": letters[PENDING],
                    "password": "plum blossom 9 river",
                    "bearer": True,
                }
            },
        )
        roles = taken["data"]["activateAccount"].get("me", {}) or {}
        async with runtime.reader() as s:
            acc = (await s.execute(select(Account).where(Account.phone == PENDING))).scalar_one()
        assert acc.password_hash is None, (
            "district 1's official activated district 2's pending official account with the "
            f"letter code the appointment returned: {roles}"
        )


async def test_a_preparatory_group_without_a_district_representative_is_refused(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """docs/design.md §3.10 "Preparatory group and 物管会": the district chairs the preparatory
    group and leads the 物管会; voting.rules.check_body_composition counted only members and
    owners, so a group of three owners and nobody from the district was appointed (fixed)."""
    use_clock(runtime)
    await _no_committee(runtime, world)
    await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    persons = await person_ids(runtime, world.a)
    done = await _appoint(
        gql, world.tokens["official"], _spec(world, persons, ["张三", "李四", "赵六"], [])
    )
    assert done["__typename"] != "RunningBodyAppointed", "appointed with no district member"
