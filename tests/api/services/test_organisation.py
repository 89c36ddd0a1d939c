"""The district's organisation (issue #13 item 1): an admin creates a district and appoints an
official by phone (a new account gets an activation letter), the official runs the district;
every grant and revocation is a record with actor, reason and time, and an audit entry; and the
misuses — an official of another district, an official making themselves admin, the last admin
revoked, a committee member revoking — are refused and change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from api.runtime import Runtime
from api.services import notify, organisation
from api.services.accounts import viewer_from_token
from api.store.models import AuditEntry, RoleMembership
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.support.elections import use_clock
from tests.support.world import World

CREATE_DISTRICT = """mutation($input: CreateDistrictInput!) { createDistrict(input: $input) {
  __typename ... on DistrictCreated { district { id name code } }
  ... on Problem { code message } } }"""
APPOINT = """mutation($input: AppointOfficialInput!) { appointOfficial(input: $input) {
  __typename ... on OfficialAppointed { activationCode grant { id role holder districtId
    grantedAt grantedBy reason endsAt held } }
  ... on Problem { code message } } }"""
REVOKE = """mutation($input: RevokeRoleInput!) { revokeRole(input: $input) {
  __typename ... on RoleRevoked { grant { id held revokedAt revokedBy revokeReason } }
  ... on Problem { code message } } }"""
ACTIVATE = """mutation($input: ActivateInput!) { activateAccount(input: $input) {
  __typename ... on LoginSuccess { token me { roles { role districtId } } }
  ... on Problem { code message } } }"""
COMMUNITY_ROLES = """query($id: ID!, $all: Boolean) { communityRoles(communityId: $id,
  includeEnded: $all) { id role holder grantedAt grantedBy reason endsAt revokedAt revokedBy
  revokeReason held } }"""
DISTRICT_ROLES = """query($id: ID) { districtRoles(districtId: $id) { id role holder held } }"""
CREATE_COMMUNITY = """mutation($input: CreateCommunityInput!) { createCommunity(input: $input) {
  __typename ... on CommunityCreated { community { id } } ... on Problem { code } } }"""
OVERVIEW = "{ districtOverview { totalCount nodes { community { name } } } }"


async def _counts(rt: Runtime) -> tuple[int, int]:
    async with rt.reader() as s:
        grants = await s.scalar(select(func.count(RoleMembership.id)))
        audit = await s.scalar(select(func.count(AuditEntry.id)))
    return int(grants or 0), int(audit or 0)


async def _grant_id(rt: Runtime, world: World, who: str) -> int:
    async with rt.reader() as s:
        gid = await s.scalar(
            select(RoleMembership.id).where(RoleMembership.account_id == world.accounts[who])
        )
    assert gid is not None
    return int(gid)


async def _district(gql: Gql, world: World) -> str:
    r = await gql(
        CREATE_DISTRICT,
        {"input": {"name": "金融街街道", "code": "xicheng-jr", "reason": "新设街道"}},
        token=world.tokens["admin"],
    )
    created = r["data"]["createDistrict"]
    assert created["__typename"] == "DistrictCreated", created
    return str(created["district"]["id"])


async def test_admin_creates_a_district_and_appoints_a_new_official_who_runs_it(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    runtime.notifier = notify.from_settings(replace(runtime.settings, notify="file"))
    district = await _district(gql, world)
    appointed = (
        await gql(
            APPOINT,
            {
                "input": {
                    "districtId": district,
                    "phone": "+86 138 0000 7777",
                    "name": "王科长",
                    "reason": "街道办任命（2026）12 号",
                }
            },
            token=world.tokens["admin"],
        )
    )["data"]["appointOfficial"]
    assert appointed["__typename"] == "OfficialAppointed", appointed
    grant = appointed["grant"]
    assert grant["role"] == "official" and grant["holder"] == "王科长"
    assert grant["districtId"] == district and grant["grantedBy"] == "admin"
    assert grant["reason"] == "街道办任命（2026）12 号" and grant["held"]
    assert grant["endsAt"] is None and grant["grantedAt"]
    code = appointed["activationCode"]
    assert code  # a new account: its letter's code, shown once

    wrong = await gql(
        ACTIVATE,
        {"input": {"phone": "13800007778", "code": code, "password": "a long new password"}},
    )
    assert wrong["data"]["activateAccount"]["code"] == "BAD_ACTIVATION_CODE"
    done = (
        await gql(
            ACTIVATE,
            {"input": {"phone": "13800007777", "code": code, "password": "a long new password"}},
        )
    )["data"]["activateAccount"]
    assert done["__typename"] == "LoginSuccess", done
    assert done["me"]["roles"] == [{"role": "official", "districtId": district}]
    notifier = runtime.notifier
    assert isinstance(notifier, notify.FileNotifier)
    [told] = notifier.sent()  # the appointed phone hears of it: a stolen letter is seen
    assert (told.phone, told.kind) == ("13800007777", "account_activated")
    assert "王科长" in told.text and "activated" in told.text
    again = await gql(
        ACTIVATE,
        {"input": {"phone": "13800007777", "code": code, "password": "another long password"}},
    )
    assert again["data"]["activateAccount"]["code"] == "ACTIVATION_CODE_USED"

    token = done["token"]
    made = await gql(
        CREATE_COMMUNITY, {"input": {"districtId": district, "name": "新小区"}}, token=token
    )
    assert made["data"]["createCommunity"]["__typename"] == "CommunityCreated"
    overview = (await gql(OVERVIEW, token=token))["data"]["districtOverview"]
    assert [n["community"]["name"] for n in overview["nodes"]] == ["新小区"]
    listed = (await gql(DISTRICT_ROLES, {"id": district}, token=token))["data"]["districtRoles"]
    assert [(r["role"], r["holder"], r["held"]) for r in listed] == [("official", "王科长", True)]
    async with runtime.reader() as s:
        kinds = list(
            (await s.execute(select(AuditEntry.kind).where(AuditEntry.chain == 0))).scalars()
        )
    assert {"district.create", "role.grant", "account.activate"} <= set(kinds)


async def test_an_existing_account_is_appointed_without_a_letter(gql: Gql, world: World) -> None:
    out = (
        await gql(
            APPOINT,
            {
                "input": {
                    "districtId": str(world.district_2),
                    "phone": "13700000001",  # the official of district 1
                    "name": "ignored",
                    "reason": "兼任",
                }
            },
            token=world.tokens["admin"],
        )
    )["data"]["appointOfficial"]
    assert out["__typename"] == "OfficialAppointed" and out["activationCode"] is None
    assert out["grant"]["holder"] == "official"
    twice = (
        await gql(
            APPOINT,
            {
                "input": {
                    "districtId": str(world.district_2),
                    "phone": "13700000001",
                    "name": "x",
                    "reason": "再次",
                }
            },
            token=world.tokens["admin"],
        )
    )["data"]["appointOfficial"]
    assert twice["code"] == "ALREADY_HELD"


async def test_officials_appoint_nobody_and_never_themselves_admin(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    before = await _counts(runtime)
    for who, district in (("official", world.district_1), ("official_2", world.district_1)):
        out = (
            await gql(
                APPOINT,
                {
                    "input": {
                        "districtId": str(district),
                        "phone": "13800001111",
                        "name": "冒名",
                        "reason": "自行任命",
                    }
                },
                token=world.tokens[who],
            )
        )["data"]["appointOfficial"]
        assert out["code"] == "FORBIDDEN", (who, out)
    async with runtime.writer() as s:  # the service itself, as the CLI calls it
        viewer = await viewer_from_token(s, world.tokens["official"], now=runtime.clock())
        try:
            await organisation.appoint(
                s,
                viewer,
                role="admin",
                district_id=None,
                phone="13700000001",  # their own phone
                name="official",
                reason="我要当管理员",
                ends_at=None,
                now=runtime.clock(),
                letter_days=30,
            )
        except AppError as e:
            assert e.code == "FORBIDDEN"
        else:
            raise AssertionError("an official granted themselves admin")
        await s.rollback()
    made = await gql(
        CREATE_DISTRICT,
        {"input": {"name": "私设街道", "code": "rogue", "reason": "x"}},
        token=world.tokens["official"],
    )
    assert made["data"]["createDistrict"]["code"] == "FORBIDDEN"
    assert await _counts(runtime) == before


async def test_an_official_revokes_a_compound_role_and_it_stops_counting_at_once(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee = await _grant_id(runtime, world, "committee")
    listed = (await gql(COMMUNITY_ROLES, {"id": str(world.a)}, token=world.tokens["committee"]))[
        "data"
    ]["communityRoles"]
    assert {(r["role"], r["holder"]) for r in listed} == {
        ("committee", "committee"),
        ("supervisor", "supervisor"),
        ("supervisor", "supervisor_2"),
    }
    clock.now += timedelta(hours=1)
    out = (
        await gql(
            REVOKE,
            {"input": {"grantId": str(committee), "reason": "本人书面辞职"}},
            token=world.tokens["official"],
        )
    )["data"]["revokeRole"]
    assert out["__typename"] == "RoleRevoked", out
    assert out["grant"]["held"] is False and out["grant"]["revokedBy"] == "official"
    assert out["grant"]["revokeReason"] == "本人书面辞职"
    # the committee member's open session lost the role with the next request
    refused = await gql(
        COMMUNITY_ROLES, {"id": str(world.a)}, token=world.tokens["committee"], expect_errors=True
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    everything = (
        await gql(
            COMMUNITY_ROLES, {"id": str(world.a), "all": True}, token=world.tokens["official"]
        )
    )["data"]["communityRoles"]
    record = next(r for r in everything if r["id"] == str(committee))
    assert record["revokedAt"] and not record["held"] and record["revokeReason"] == "本人书面辞职"
    held = (await gql(COMMUNITY_ROLES, {"id": str(world.a)}, token=world.tokens["official"]))[
        "data"
    ]["communityRoles"]
    assert [r["role"] for r in held] == ["supervisor", "supervisor"]
    async with runtime.reader() as s:
        entry = (
            await s.execute(select(AuditEntry).where(AuditEntry.kind == "role.revoke"))
        ).scalar_one()
    assert entry.chain == world.a and entry.actor_account_id == world.accounts["official"]
    assert "本人书面辞职" in entry.payload
    again = (
        await gql(
            REVOKE,
            {"input": {"grantId": str(committee), "reason": "再撤一次"}},
            token=world.tokens["official"],
        )
    )["data"]["revokeRole"]
    assert again["code"] == "NOT_HELD"


async def _revoke(gql: Gql, world: World, who: str, grant: int, reason: str = "理由") -> Any:
    r = await gql(
        REVOKE, {"input": {"grantId": str(grant), "reason": reason}}, token=world.tokens[who]
    )
    return r["data"]["revokeRole"]


async def test_who_may_not_revoke_is_refused_and_nothing_changes(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    before = await _counts(runtime)
    supervisor = await _grant_id(runtime, world, "supervisor")
    official = await _grant_id(runtime, world, "official")
    owner = await _grant_id(runtime, world, "owner")
    # an official of another district: the grant looks missing, as a missing one does
    assert (await _revoke(gql, world, "official_2", supervisor))["code"] == "NOT_FOUND"
    assert (await _revoke(gql, world, "official_2", official))["code"] == "NOT_FOUND"
    assert (await _revoke(gql, world, "official_2", 999999))["code"] == "NOT_FOUND"
    # a committee member removing a supervisor who watches them
    assert (await _revoke(gql, world, "committee", supervisor))["code"] == "FORBIDDEN"
    # an official removing a colleague: admins only
    colleague = await _revoke(gql, world, "official", official)
    assert colleague["code"] == "FORBIDDEN"
    # the owner role follows the roll
    assert (await _revoke(gql, world, "official", owner))["code"] == "OWNER_FOLLOWS_ROLL"
    blank = await _revoke(gql, world, "official", supervisor, reason="  ")
    assert blank["__typename"] == "Problem" and blank["code"] != "FORBIDDEN"
    assert await _counts(runtime) == before
    async with runtime.reader() as s:
        revoked = await s.scalar(
            select(func.count(RoleMembership.id)).where(RoleMembership.revoked_at.is_not(None))
        )
    assert revoked == 0


async def test_the_last_admin_is_never_revoked(gql: Gql, world: World, runtime: Runtime) -> None:
    admin = await _grant_id(runtime, world, "admin")
    last = await _revoke(gql, world, "admin", admin, reason="离职")
    assert last["code"] == "LAST_ADMIN"
    async with runtime.writer() as s:  # a second admin, through the same service
        viewer = await viewer_from_token(s, world.tokens["admin"], now=runtime.clock())
        done = await organisation.appoint(
            s,
            viewer,
            role="admin",
            district_id=None,
            phone="13700009999",
            name="第二管理员",
            reason="交接",
            ends_at=None,
            now=runtime.clock(),
            letter_days=30,
        )
        await s.commit()
    assert done.letter_code and done.grant.role == "admin"
    admins = (await gql(DISTRICT_ROLES, {"id": None}, token=world.tokens["admin"]))["data"]
    assert [r["holder"] for r in admins["districtRoles"]] == ["admin", "第二管理员"]
    out = await _revoke(gql, world, "admin", admin, reason="离职")
    assert out["__typename"] == "RoleRevoked"
    me = await gql("{ me { roles { role } } }", token=world.tokens["admin"])
    assert me["data"]["me"]["roles"] == []
    # the former admin now reaches nothing: the new admin's grant looks missing to them
    assert (await _revoke(gql, world, "admin", done.grant.id))["code"] == "NOT_FOUND"


async def test_an_appointment_ends_at_its_end(gql: Gql, world: World, runtime: Runtime) -> None:
    clock = use_clock(runtime)
    out = (
        await gql(
            APPOINT,
            {
                "input": {
                    "districtId": str(world.district_1),
                    "phone": "13700000003",  # the committee member's account, seconded
                    "name": "x",
                    "reason": "借调一个月",
                    "endsAt": (clock.now + timedelta(days=30)).isoformat(),
                }
            },
            token=world.tokens["admin"],
        )
    )["data"]["appointOfficial"]
    assert out["grant"]["endsAt"] and out["grant"]["held"]
    token = world.tokens["committee"]
    assert (await gql(OVERVIEW, token=token))["data"]["districtOverview"]["totalCount"] == 2
    clock.now += timedelta(days=30, seconds=1)
    late = await gql(OVERVIEW, token=token, expect_errors=True)
    assert late["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    past = (
        await gql(
            APPOINT,
            {
                "input": {
                    "districtId": str(world.district_1),
                    "phone": "13700000004",
                    "name": "x",
                    "reason": "y",
                    "endsAt": (clock.now - timedelta(days=1)).isoformat(),
                }
            },
            token=world.tokens["admin"],
        )
    )["data"]["appointOfficial"]
    assert past["code"] == "BAD_END"


async def test_the_district_overview_shows_who_holds_each_compounds_roles(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    query = """{ districtOverview { nodes { community { name }
      roles { role holder grantedAt endsAt held } } } }"""
    nodes = (await gql(query, token=world.tokens["official"]))["data"]["districtOverview"]["nodes"]
    roles = {n["community"]["name"]: [(r["role"], r["holder"]) for r in n["roles"]] for n in nodes}
    assert roles == {
        "甲小区": [
            ("committee", "committee"),
            ("supervisor", "supervisor"),
            ("supervisor", "supervisor_2"),
        ],
        "乙小区": [],
    }
    supervisor = await _grant_id(runtime, world, "supervisor")
    await _revoke(gql, world, "official", supervisor, reason="任期届满")
    nodes = (await gql(query, token=world.tokens["official"]))["data"]["districtOverview"]["nodes"]
    assert [r["holder"] for r in nodes[0]["roles"]] == ["committee", "supervisor_2"]
