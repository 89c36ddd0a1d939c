"""The preparatory group (筹备组) and the 物管会 (issue #13 item 2): an official of the district
appoints one for a compound from owners on its roll and community or party representatives,
with a term; each member holds a grant with the reason, the actor and an audit entry; the group
runs the first election and is dissolved when the committee it elected takes office (through
the take-office path); the compound reads its bodies, owners without phones. And the misuses:
an official of another district, the committee, a member appointing himself a new group, an
admin's phone, an owner of another compound, a bad term, hidden characters — each refused and
changing nothing.

Compound A of the small world: 张三 (the world's ``owner``), 李四 + 王五, 赵六, the developer.
Its world committee grant (made without a term, as the seed does) counts as a committee in
office, so the tests that appoint first revoke it, as an official would.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from api.runtime import Runtime
from api.services import terms
from api.store.models import Account, AuditEntry, RoleMembership, RunningBody
from tests.conftest import Gql
from tests.support.documents import LOGIN
from tests.support.elections import (
    T0,
    Clock,
    create_election,
    owner_tokens,
    person_ids,
    resolution_spec,
    use_clock,
)
from tests.support.terms import OWNERS_BALLOTS, elect
from tests.support.world import World
from voting.rules import CHINA_TZ

APPOINT_FIELDS = """__typename ... on RunningBodyAppointed { body { id kind state endsAt reason
  appointedBy members { name kind role phone held personId } } letters { name phone
  activationCode } } ... on Problem { code message field }"""
APPOINT_GROUP = (
    "mutation($i: AppointRunningBodyInput!) { appointPreparatoryGroup(input: $i) { "
    + APPOINT_FIELDS
    + " } }"
)
APPOINT_STAND_IN = (
    "mutation($i: AppointRunningBodyInput!) { appointStandInBody(input: $i) { "
    + APPOINT_FIELDS
    + " } }"
)
BODIES = """query($c: ID!) { runningBodies(communityId: $c) { id kind state endsAt dissolvedAt
  dissolveReason members { name kind phone held revokedAt revokeReason } } }"""
ACTIVATE = """mutation($input: ActivateInput!) { activateAccount(input: $input) {
  __typename ... on LoginSuccess { token me { roles { role communityId } } }
  ... on Problem { code message } } }"""
REP_PHONE, PARTY_PHONE = "13600000111", "13600000222"
TERM_ENDS = date(2027, 11, 30)  # within a year of T0 (2026-12-01)


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
        "termEndsOn": TERM_ENDS.isoformat(),
        "reason": "街道办关于成立筹备组的通知（2026）3 号",
    }


GROUP_REPS = [
    ("COMMUNITY_REPRESENTATIVE", "社区 王主任", REP_PHONE),
    ("PARTY_REPRESENTATIVE", "党支部 刘书记", PARTY_PHONE),
]


def _resolution(title: str, opens: datetime) -> dict[str, Any]:
    return resolution_spec(title, opens=opens, closes=opens + timedelta(days=7))


async def _counts(runtime: Runtime) -> tuple[int, ...]:
    async with runtime.reader() as s:
        return tuple(
            [
                int(await s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (RoleMembership, Account, RunningBody, AuditEntry)
            ]
        )


async def _appoint(
    gql: Gql, token: str, spec: dict[str, Any], doc: str = APPOINT_GROUP
) -> dict[str, Any]:
    body = await gql(doc, {"i": spec}, token=token)
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def _group(gql: Gql, world: World, runtime: Runtime) -> tuple[Clock, dict[str, Any]]:
    clock = use_clock(runtime)
    await _no_committee(runtime, world)
    await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    persons = await person_ids(runtime, world.a)
    spec = _spec(world, persons, ["张三", "李四", "赵六"], GROUP_REPS)
    done = await _appoint(gql, world.tokens["official"], spec)
    assert done["__typename"] == "RunningBodyAppointed", done
    return clock, done


async def test_the_group_is_appointed_runs_the_election_and_is_dissolved_when_the_committee_sits(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, done = await _group(gql, world, runtime)
    body = done["body"]
    assert body["kind"] == "preparatory" and body["state"] == "in_force"
    assert body["appointedBy"] == "official" and body["reason"].startswith("街道办")
    assert [(m["name"], m["kind"], m["role"], m["held"]) for m in body["members"]] == [
        ("张三", "OWNER", "preparatory", True),
        ("李四", "OWNER", "preparatory", True),
        ("赵六", "OWNER", "preparatory", True),
        ("社区 王主任", "COMMUNITY_REPRESENTATIVE", "preparatory", True),
        ("党支部 刘书记", "PARTY_REPRESENTATIVE", "preparatory", True),
    ]
    # the two new representative accounts get their letters' codes, shown once
    letters = {x["phone"]: x["activationCode"] for x in done["letters"]}
    assert set(letters) == {REP_PHONE, PARTY_PHONE} and all(letters.values())
    async with runtime.reader() as s:
        grants = list(
            (
                await s.execute(select(RoleMembership).where(RoleMembership.role == "preparatory"))
            ).scalars()
        )
        audited = await s.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.kind == "role.grant")
        )
    assert len(grants) == 5 and audited == 5
    # the term ends at the end of its last day, China time
    assert {g.ends_at for g in grants} == {datetime(2027, 12, 1, tzinfo=CHINA_TZ)}
    assert {g.granted_by for g in grants} == {world.accounts["official"]}

    # the representative activates and acts as the running body
    rep = (
        await gql(
            ACTIVATE,
            {
                "input": {
                    "phone": REP_PHONE,
                    "code": letters[REP_PHONE],
                    "password": "a long pw 123",
                }
            },
        )
    )["data"]["activateAccount"]
    assert rep["__typename"] == "LoginSuccess", rep
    assert rep["me"]["roles"] == [{"role": "preparatory", "communityId": str(world.a)}]
    draft = await create_election(
        gql, world.a, rep["token"], _resolution("筹备组的表决", T0 + timedelta(days=40))
    )
    assert draft

    # owners (王五, not a member) read names and roles, never phones; officials read phones
    wang = (await owner_tokens(runtime, world.a, ["13900000003"]))["13900000003"]
    [seen] = (await gql(BODIES, {"c": str(world.a)}, token=wang))["data"]["runningBodies"]
    assert {m["phone"] for m in seen["members"]} == {None}
    [staff] = (await gql(BODIES, {"c": str(world.a)}, token=world.tokens["official"]))["data"][
        "runningBodies"
    ]
    assert REP_PHONE in {m["phone"] for m in staff["members"]}

    # the group (张三's account) runs the first committee election; it takes office
    await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
        runner=world.tokens["owner"],
    )
    clock.now += timedelta(days=15)
    async with runtime.writer() as s:
        seated = await terms.seat_due(s, clock.now)
        await s.commit()
    assert seated.terms
    [gone] = (await gql(BODIES, {"c": str(world.a)}, token=world.tokens["official"]))["data"][
        "runningBodies"
    ]
    assert gone["state"] == "dissolved" and gone["dissolveReason"].startswith("业主委员会就任")
    assert [m["held"] for m in gone["members"]] == [False] * 5
    assert {m["revokeReason"] for m in gone["members"]} == {"业主委员会就任，筹备组（物管会）解散"}
    async with runtime.reader() as s:
        revoked = list(
            (
                await s.execute(
                    select(AuditEntry).where(
                        AuditEntry.kind == "role.revoke", AuditEntry.actor_account_id.is_(None)
                    )
                )
            ).scalars()
        )
    assert len(revoked) == 5
    # the representative's powers ended with the group (a fresh login: time has passed)
    again = await gql(
        LOGIN, {"i": {"phone": REP_PHONE, "password": "a long pw 123", "bearer": True}}
    )
    refused = await gql(
        """mutation($c: ID!, $i: ElectionInput!) { createElection(communityId: $c, input: $i) {
          __typename ... on Problem { code } } }""",
        {"c": str(world.a), "i": _resolution("又一次", clock.now + timedelta(days=40))},
        token=again["data"]["login"]["token"],
    )
    # no role left in the compound: it answers as a missing one
    assert refused["data"]["createElection"]["code"] == "NOT_FOUND"


async def test_a_stand_in_body_needs_seven_odd_half_owners_and_holds_the_committees_powers(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    await owner_tokens(runtime, world.a, ["13900000002", "13900000003", "13900000004"])
    persons = await person_ids(runtime, world.a)
    owners = ["张三", "李四", "王五", "赵六"]
    reps = [
        ("COMMUNITY_REPRESENTATIVE", "社区 王主任", REP_PHONE),
        ("PARTY_REPRESENTATIVE", "党支部 刘书记", PARTY_PHONE),
        ("COMMUNITY_REPRESENTATIVE", "社区 陈干事", "13600000333"),
        ("PARTY_REPRESENTATIVE", "党支部 赵委员", "13600000444"),
    ]
    official = world.tokens["official"]
    # the world's committee is in office: no 物管会 where a committee sits
    sitting = await _appoint(
        gql, official, _spec(world, persons, owners, reps[:3]), APPOINT_STAND_IN
    )
    assert sitting["code"] == "COMMITTEE_IN_OFFICE", sitting
    await _no_committee(runtime, world)
    before = await _counts(runtime)
    # even; fewer than half owners; fewer than 7
    for o, r in ((owners, reps[:2]), (owners[:3], reps), (owners[:2], reps[:1])):
        bad = await _appoint(gql, official, _spec(world, persons, o, r), APPOINT_STAND_IN)
        assert bad["code"] == "INVALID_BODY" and bad["field"] == "members", bad
    # the developer's unsold units make no owner member
    dev = await _appoint(
        gql, official, _spec(world, persons, ["华景置业", *owners[1:]], reps[:3]), APPOINT_STAND_IN
    )
    assert dev["code"] == "NOT_AN_OWNER" and dev["field"] == "members[0].personId", dev
    assert await _counts(runtime) == before
    done = await _appoint(gql, official, _spec(world, persons, owners, reps[:3]), APPOINT_STAND_IN)
    assert done["__typename"] == "RunningBodyAppointed", done
    assert done["body"]["kind"] == "stand_in" and len(done["body"]["members"]) == 7
    assert {m["role"] for m in done["body"]["members"]} == {"stand_in"}
    # its members hold the committee's powers: 李四 drafts an election
    li = (await owner_tokens(runtime, world.a, ["13900000002"]))["13900000002"]
    assert await create_election(
        gql, world.a, li, _resolution("物管会的表决", T0 + timedelta(days=40))
    )


async def test_misuses_are_refused_and_change_nothing(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    persons = await person_ids(runtime, world.a)
    good = _spec(world, persons, ["张三", "李四", "赵六"], GROUP_REPS)
    # a committee member in office appoints a group (for a compound of his): refused
    before = await _counts(runtime)
    by_committee = await _appoint(gql, world.tokens["committee"], good)
    assert by_committee["code"] == "FORBIDDEN" and await _counts(runtime) == before
    clock, _ = await _group(gql, world, runtime)
    official = world.tokens["official"]
    before = await _counts(runtime)

    async def refused(token: str, spec: dict[str, Any], code: str, doc: str = APPOINT_GROUP) -> Any:
        body = await gql(doc, {"i": spec}, token=token)
        result = next(iter(body["data"].values()))
        assert result.get("code") == code, result
        assert await _counts(runtime) == before
        return result

    # who: another district's official (A looks missing), a sitting member for himself
    await refused(world.tokens["official_2"], good, "NOT_FOUND")
    await refused(world.tokens["owner"], good, "FORBIDDEN")  # 张三 sits on the group
    await refused(world.tokens["owner"], good, "FORBIDDEN", APPOINT_STAND_IN)
    # a second group while one is in force
    await refused(official, good, "BODY_IN_FORCE")
    await refused(official, good, "BODY_IN_FORCE", APPOINT_STAND_IN)

    # what: on a compound without a group (B, of the same district), each bad member
    b = await person_ids(runtime, world.b)

    def in_b(members: list[dict[str, Any]], ends: date = TERM_ENDS) -> dict[str, Any]:
        return {
            "communityId": str(world.b),
            "members": members,
            "termEndsOn": ends.isoformat(),
            "reason": "成立筹备组",
        }

    sun = {"kind": "OWNER", "personId": str(b["孙七"])}
    rep = {"kind": "COMMUNITY_REPRESENTATIVE", "name": "社区 王主任", "phone": REP_PHONE}
    admin = {"kind": "PARTY_REPRESENTATIVE", "name": "管理员", "phone": "13700000000"}
    # 周八 of compound C (the other district, for its official) has not activated an account
    zhou = {"kind": "OWNER", "personId": str((await person_ids(runtime, world.c))["周八"])}
    in_c = {**in_b([zhou, rep, admin]), "communityId": str(world.c)}
    await refused(world.tokens["official_2"], in_c, "NO_ACCOUNT")
    assert (await refused(official, in_b([sun, sun, rep]), "DUPLICATE_MEMBER"))["field"]
    await refused(official, in_b([sun, admin, rep]), "ADMIN_MEMBER")
    zhang = {"kind": "OWNER", "personId": str(persons["张三"])}  # an owner of A, not of B
    got = await refused(official, in_b([sun, zhang, rep]), "NOT_AN_OWNER")
    assert got["field"] == "members[1].personId"
    today = clock.now.date()
    await refused(official, in_b([sun], ends=today), "BAD_TERM")
    await refused(official, in_b([sun], ends=today - timedelta(days=1)), "BAD_TERM")
    await refused(official, in_b([sun], ends=date(today.year + 5, 12, 2)), "BAD_TERM")
    for hidden in ("王\u202e主任", "王\u200b主任"):
        bad = {**rep, "name": hidden}
        got = await refused(official, in_b([sun, bad, sun]), "TEXT_INVALID_CHARACTER")
        assert got["field"] == "members[1].name"
    # more representatives than owners; fewer than 3
    # A's representative, appointed but not activated yet: no second letter for the account
    got = await refused(official, in_b([sun, rep, sun]), "ACCOUNT_PENDING")
    assert got["field"] == "members[1].phone"
    fresh = [{**rep, "phone": "13600000333"}, {**admin, "phone": "13600000444"}]
    await refused(official, in_b([sun, *fresh]), "INVALID_BODY")
    await refused(official, in_b([sun]), "INVALID_BODY")


async def test_a_representative_is_a_new_or_activated_account_never_someone_elses_pending_one(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Review of issue #13 (api/services/body_members.py): a representative's phone whose
    account is not activated yet but holds a role (here district 2's official, appointed by the
    admin) is refused, so the appointing official is never handed that account's letter; nor is
    an official of another district. An activated account sits without a letter; an account left
    with no role (its grant revoked, never activated) gets one, as a new account does."""
    clock = use_clock(runtime)
    await _no_committee(runtime, world)
    await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    persons = await person_ids(runtime, world.a)
    pending, orphan = "13600000999", "13600000888"
    async with runtime.writer() as s:
        p, o = (
            Account(phone=pending, display_name="新干部"),
            Account(phone=orphan, display_name="旧"),
        )
        s.add_all([p, o])
        await s.flush()
        s.add(RoleMembership(account_id=p.id, role="official", district_id=world.district_2))
        s.add(
            RoleMembership(
                account_id=o.id,
                role="preparatory",
                community_id=world.b,
                revoked_at=clock.now - timedelta(days=1),
                revoke_reason="撤销",
            )
        )
        await s.commit()
    before = await _counts(runtime)
    owners = ["张三", "李四", "赵六"]
    for phone, code in ((pending, "ACCOUNT_PENDING"), ("13700000002", "OFFICIAL_ELSEWHERE")):
        reps = [GROUP_REPS[0], ("PARTY_REPRESENTATIVE", "某人", phone)]
        got = await _appoint(gql, world.tokens["official"], _spec(world, persons, owners, reps))
        assert got.get("code") == code and got["field"] == "members[4].phone", got
        assert phone in got["message"] and await _counts(runtime) == before
    reps = [
        ("COMMUNITY_REPRESENTATIVE", "社区 王主任", orphan),
        ("PARTY_REPRESENTATIVE", "乙小区 业主", "13900000005"),  # owner_b, activated
    ]
    done = await _appoint(gql, world.tokens["official"], _spec(world, persons, owners, reps))
    assert done["__typename"] == "RunningBodyAppointed", done
    assert [x["phone"] for x in done["letters"]] == [orphan]
