"""Importing an owner roll through GraphQL: validated whole, all-or-nothing, idempotent; people
without a phone imported and listed, names with bidi controls refused (issue #12)."""

from __future__ import annotations

from sqlalchemy import func, select

from api.runtime import Runtime
from api.store.models import AuditEntry, Community, Election, Ownership, Person, Unit
from tests.conftest import Gql
from tests.support.elections import CLOSES, CREATE, OPENS, person_ids
from tests.support.world import ROLL_A, World

IMPORT = """mutation($c: ID!, $csv: String!, $dry: Boolean! = false) {
  importRoll(input: {communityId: $c, csv: $csv, dryRun: $dry}) {
    __typename
    ... on RollImported { applied units added removed summary changed { building unit field old new } }
    ... on Problem { code message details { line column code message value } }
  }
}"""


async def counts(rt: Runtime, community: int) -> tuple[int, int, int]:
    async with rt.reader() as s:
        units = (
            await s.execute(
                select(func.count()).select_from(Unit).where(Unit.community_id == community)
            )
        ).scalar_one()
        people = (
            await s.execute(
                select(func.count()).select_from(Person).where(Person.community_id == community)
            )
        ).scalar_one()
        version = (
            await s.execute(select(Community.roll_version).where(Community.id == community))
        ).scalar_one()
    return units, people, version


async def test_reimport_same_roll_changes_nothing(gql: Gql, world: World, runtime: Runtime) -> None:
    before = await counts(runtime, world.a)
    r = await gql(IMPORT, {"c": str(world.a), "csv": ROLL_A}, token=world.tokens["official"])
    result = r["data"]["importRoll"]
    assert result["applied"] is False and result["added"] == result["removed"] == 0
    assert result["changed"] == []
    assert await counts(runtime, world.a) == before


async def test_bad_rows_are_all_reported_and_nothing_is_written(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    bad = (
        ROLL_A
        + "3号楼,401,4,-5,钱九,13900000010,,\n3号楼,402,4,70,,13900000011,,\n1号楼,101,1,90,张三,13900000001,,\n3号楼,403,4,70,吴十,1234,,\n"
    )
    before = await counts(runtime, world.a)
    r = await gql(
        IMPORT, {"c": str(world.a), "csv": bad}, token=world.tokens["official"], lang="en"
    )
    problem = r["data"]["importRoll"]
    assert problem["__typename"] == "Problem" and problem["code"] == "ROLL_INVALID"
    found = {(d["line"], d["column"], d["code"]) for d in problem["details"]}
    assert found == {
        (8, "area", "NON_POSITIVE_AREA"),
        (9, "owner_name", "MISSING_OWNER"),
        (10, "unit", "DUPLICATE_UNIT"),
        (11, "phone", "BAD_PHONE"),
    }
    assert "nothing was imported" in problem["message"]
    assert await counts(runtime, world.a) == before


async def test_corrected_roll_shows_and_applies_the_difference(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    corrected = (
        ROLL_A.replace("1号楼,202,2,120.25,赵六", "1号楼,202,2,121.25,赵六").replace(
            "2号楼,302,3,75.00,华景置业,13900000009,,是\n", ""
        )
        + "3号楼,501,5,66.60,钱九,13900000010,,\n"
    )
    dry = await gql(
        IMPORT, {"c": str(world.a), "csv": corrected, "dry": True}, token=world.tokens["official"]
    )
    report = dry["data"]["importRoll"]
    assert report["applied"] is False
    assert (report["added"], report["removed"]) == (1, 1)
    assert report["changed"] == [
        {"building": "1号楼", "unit": "202", "field": "area", "old": "120.25", "new": "121.25"}
    ]
    assert report["summary"].startswith("新增 1 户")
    units, _, version = await counts(runtime, world.a)
    assert units == 6
    applied = await gql(
        IMPORT, {"c": str(world.a), "csv": corrected}, token=world.tokens["official"]
    )
    assert applied["data"]["importRoll"]["applied"] is True
    units, _, new_version = await counts(runtime, world.a)
    assert units == 6 and new_version == version + 1
    totals = await gql(
        "query($id: ID!) { community(id: $id) { totals { heads area } } }",
        {"id": str(world.a)},
        token=world.tokens["committee"],
    )
    # 张三 170 + 李四/王五 100.50 + 赵六 121.25 + developer 60 + 钱九 66.60
    assert totals["data"]["community"]["totals"] == {"heads": 5, "area": "518.35"}
    async with runtime.reader() as s:
        kinds = (
            (await s.execute(select(AuditEntry.kind).where(AuditEntry.chain == world.a)))
            .scalars()
            .all()
        )
    assert "roll.import" in kinds


async def test_only_officials_import(gql: Gql, world: World) -> None:
    for who in ("owner", "committee", "supervisor", "official_2"):
        r = await gql(IMPORT, {"c": str(world.a), "csv": ROLL_A}, token=world.tokens[who])
        assert r["data"]["importRoll"]["code"] in ("FORBIDDEN", "NOT_FOUND"), who


NO_PHONES = (
    ROLL_A.replace("王五:13900000003,", "王五:13900000003；王小五,").replace(
        "2号楼,302,3,75.00,华景置业,13900000009,,是", "2号楼,302,3,75.00,华景置业,,,是"
    )
    + "3号楼,501,5,70.00,钱九,13900000010,孙十,\n3号楼,502,-1,12.00,钱九,13900000010,孙十:,\n"
)
NO_PHONE_IMPORT = """mutation($c: ID!, $csv: String!) {
  importRoll(input: {communityId: $c, csv: $csv}) {
    __typename
    ... on RollImported { applied withoutPhone { line building unit name role } }
    ... on Problem { code details { line column code } }
  }
}"""


async def test_co_owners_and_the_developer_without_phones_are_imported_and_listed(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 16: a property-office export without co-owners' phones (and no contact for
    an unsold unit) used to fail whole. It imports; the report lists who cannot activate online;
    a co-owner without a phone stays one person over a flat and a garage (one elector)."""
    r = await gql(
        NO_PHONE_IMPORT, {"c": str(world.a), "csv": NO_PHONES}, token=world.tokens["official"]
    )
    result = r["data"]["importRoll"]
    assert result["__typename"] == "RollImported", result
    assert result["applied"] is True
    assert result["withoutPhone"] == [
        {"line": 4, "building": "1号楼", "unit": "201", "name": "王小五", "role": "co_owner"},
        {"line": 7, "building": "2号楼", "unit": "302", "name": "华景置业", "role": "developer"},
        {"line": 8, "building": "3号楼", "unit": "501", "name": "孙十", "role": "co_owner"},
        {"line": 9, "building": "3号楼", "unit": "502", "name": "孙十", "role": "co_owner"},
    ]
    async with runtime.reader() as s:
        phoneless = (
            await s.execute(
                select(Person.name)
                .where(Person.community_id == world.a, Person.phone.is_(None))
                .order_by(Person.name)
            )
        ).scalars()
        assert list(phoneless) == ["华景置业", "孙十", "王小五"]  # 孙十 once, for both units
    heads = """query($id: ID!) { community(id: $id) { totals { heads } } }"""
    # 张三; 李四+王五+王小五; 赵六; the developer; 钱九+孙十 (flat and garage: one elector)
    totals = await gql(heads, {"id": str(world.a)}, token=world.tokens["committee"])
    assert totals["data"]["community"]["totals"] == {"heads": 5}

    # re-imported unchanged, or with a change elsewhere, nobody is duplicated
    people = (await counts(runtime, world.a))[1]
    again = await gql(
        NO_PHONE_IMPORT, {"c": str(world.a), "csv": NO_PHONES}, token=world.tokens["official"]
    )
    assert again["data"]["importRoll"]["applied"] is False
    changed = NO_PHONES.replace("1号楼,202,2,120.25,赵六", "1号楼,202,2,121.25,赵六")
    applied = await gql(
        NO_PHONE_IMPORT, {"c": str(world.a), "csv": changed}, token=world.tokens["official"]
    )
    assert applied["data"]["importRoll"]["applied"] is True
    assert (await counts(runtime, world.a))[1] == people
    totals = await gql(heads, {"id": str(world.a)}, token=world.tokens["committee"])
    assert totals["data"]["community"]["totals"] == {"heads": 5}


async def test_an_owner_without_a_phone_is_still_refused(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Only co-owners and the developer's unsold units may lack a phone: an ordinary owner's
    phone is how the owner activates, so its absence is an error, and nothing is written."""
    before = await counts(runtime, world.a)
    bad = ROLL_A + "3号楼,601,6,70.00,钱九,,孙十,\n"
    r = await gql(NO_PHONE_IMPORT, {"c": str(world.a), "csv": bad}, token=world.tokens["official"])
    problem = r["data"]["importRoll"]
    assert problem["code"] == "ROLL_INVALID"
    assert problem["details"] == [{"line": 8, "column": "phone", "code": "MISSING_VALUE"}]
    assert await counts(runtime, world.a) == before


async def test_a_bidi_override_in_a_name_is_refused_at_import(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 14, the attack: an owner named "\\u202e四李" displays as 李四 and would
    stand as a candidate under another owner's name. Refused, naming the line, the column and
    the character; nothing is written."""
    before = await counts(runtime, world.a)
    bad = ROLL_A + "3号楼,601,6,70.00,\u202e四李,13900000010,王\u2066五,\n"
    r = await gql(
        IMPORT, {"c": str(world.a), "csv": bad}, token=world.tokens["official"], lang="en"
    )
    problem = r["data"]["importRoll"]
    assert problem["code"] == "ROLL_INVALID"
    found = [(d["line"], d["column"], d["code"], d["value"]) for d in problem["details"]]
    assert found == [
        (8, "owner_name", "HIDDEN_CHARACTER", "<U+202E>四李"),
        (8, "co_owners", "HIDDEN_CHARACTER", "王<U+2066>五"),
    ]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in problem["details"][0]["message"]
    assert "U+2066 LEFT-TO-RIGHT ISOLATE" in problem["details"][1]["message"]
    assert all("\u202e" not in d["message"] for d in problem["details"])
    assert await counts(runtime, world.a) == before


async def test_a_candidate_whose_stored_name_holds_a_bidi_override_is_refused(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 14 where candidates are entered: a roll imported before the import refused
    such names can still hold "\\u202e四李"; naming that person as a candidate is refused with the
    character, and no election is created."""
    async with runtime.writer() as s:
        unit = (
            await s.execute(select(Unit).where(Unit.community_id == world.a).limit(1))
        ).scalar_one()
        spoofed = Person(community_id=world.a, name="\u202e四李", phone="13900000077")
        s.add(spoofed)
        await s.flush()
        s.add(Ownership(community_id=world.a, person_id=spoofed.id, unit_id=unit.id, position=1))
        await s.commit()
    people = await person_ids(runtime, world.a)
    spec = {
        "title": "第一届业主委员会选举",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(people[n]) for n in ("张三", "赵六", "\u202e四李")],
            }
        ],
    }
    create = CREATE.replace("code message field", "code message field facts { name value }")
    r = await gql(
        create, {"c": str(world.a), "i": spec}, token=world.tokens["committee"], lang="en"
    )
    problem = r["data"]["createElection"]
    assert problem["__typename"] == "Problem"
    assert problem["code"] == "TEXT_INVALID_CHARACTER"
    assert problem["field"] == "questions[0].candidates"
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in problem["message"]
    assert "<U+202E>四李" in problem["message"] and "\u202e" not in problem["message"]
    assert problem["facts"] == [
        {"name": "candidate", "value": "<U+202E>四李"},
        {"name": "character", "value": "U+202E"},
        {"name": "characterName", "value": "RIGHT-TO-LEFT OVERRIDE"},
    ]
    async with runtime.reader() as s:
        assert (await s.execute(select(func.count()).select_from(Election))).scalar_one() == 0
