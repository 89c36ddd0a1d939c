"""吹哨报到 through the API (issue #16 part 1; api/services/complaints.py): an owner reports, the
committee handles it in the compound or the scheduler whistles it at the deadline by the
runtime's clock, an official dispatches to departments, each reports for duty (报到) and
resolves; reopening, rating, reassignment, merging; who sees who reported it; and the misuses —
another department, another compound's owner, another district's official, the wrong role, the
wrong state — each refused and changing nothing.

The small world's compound A: the world's ``owner`` (张三) reports; 李四 is a neighbour; the
``committee`` handles; the ``official`` of district 1 dispatches. Departments: 城管 (d1) and 消防
(d2) of district 1, 城管 of district 2 (other).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from api.runtime import Runtime
from api.services import complaint_figures, complaint_steps
from api.store.models import Complaint, ComplaintEvent, ComplaintPhoto, InboxItem
from tests.conftest import Gql
from tests.support.complaints import (
    LIST,
    ONE,
    Departments,
    b64,
    make_departments,
    report,
    step,
)
from tests.support.elections import T0, Clock, owner_tokens, use_clock
from tests.support.nominations import jpeg_with_gps
from tests.support.world import World

NEIGHBOUR = "13900000002"


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    return use_clock(runtime, T0)


@pytest.fixture
async def depts(runtime: Runtime, world: World, clock: Clock) -> Departments:
    return await make_departments(runtime, world.district_1, world.district_2)


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.reader() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_report_is_seen_by_neighbours_without_the_reporters_name(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    neighbour = (await owner_tokens(runtime, world.a, [NEIGHBOUR]))[NEIGHBOUR]
    done = await report(gql, world.tokens["owner"], world.a)
    assert done["__typename"] == "ComplaintSaved", done
    c = done["complaint"]
    assert (c["state"], c["mine"], c["reporterName"]) == ("REPORTED", True, "owner")
    assert c["deadline"].startswith("2026-12-04")  # noise: 3 days from T0 (09:00 +08:00)
    cid = c["id"]
    for token in (neighbour, world.tokens["committee"], world.tokens["supervisor"]):
        seen = (await gql(ONE, {"id": cid}, token=token))["data"]["complaint"]
        assert (seen["reporterName"], seen["reporterPhone"], seen["mine"]) == (None, None, False)
        # the report event does not name its reporter either
        assert seen["events"][0]["actor"] is None
    official = (await gql(ONE, {"id": cid}, token=world.tokens["official"]))["data"]["complaint"]
    assert (official["reporterName"], official["reporterPhone"]) == ("owner", "13900000001")
    listed = await gql(LIST, {"s": "COMPOUND", "c": str(world.a)}, token=neighbour)
    assert listed["data"]["complaints"]["totalCount"] == 1
    assert listed["data"]["complaints"]["nodes"][0]["reporterName"] is None
    mine = await gql(LIST, {"s": "MINE"}, token=world.tokens["owner"])
    assert mine["data"]["complaints"]["nodes"][0]["reporterName"] == "owner"


async def test_a_public_reporter_is_named_to_neighbours(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    neighbour = (await owner_tokens(runtime, world.a, [NEIGHBOUR]))[NEIGHBOUR]
    cid = (await report(gql, world.tokens["owner"], world.a, reporterPublic=True))["complaint"][
        "id"
    ]
    seen = (await gql(ONE, {"id": cid}, token=neighbour))["data"]["complaint"]
    assert seen["reporterName"] == "owner"


@pytest.mark.parametrize("who", ["owner_b", "official_2", "anonymous"])
async def test_strangers_are_told_it_does_not_exist(
    gql: Gql, world: World, clock: Clock, who: str
) -> None:
    cid = (await report(gql, world.tokens["owner"], world.a))["complaint"]["id"]
    body = await gql(ONE, {"id": cid}, token=world.tokens.get(who), expect_errors=True)
    code = body["errors"][0]["extensions"]["code"]
    assert code == ("UNAUTHENTICATED" if who == "anonymous" else "NOT_FOUND")
    missing = await gql(ONE, {"id": "99999"}, token=world.tokens.get(who), expect_errors=True)
    assert missing["errors"][0]["extensions"]["code"] == code


async def test_an_owner_of_another_compound_cannot_report_there(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    done = await report(gql, world.tokens["owner_b"], world.a)
    assert done["code"] == "NOT_FOUND"
    done = await report(gql, world.tokens["official"], world.a)
    assert done["code"] == "FORBIDDEN"  # officials enter hotline tickets, not reports
    assert await _count(runtime, Complaint) == 0


async def test_handled_in_the_compound_then_rated_once(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    owner, committee = world.tokens["owner"], world.tokens["committee"]
    cid = (await report(gql, owner, world.a))["complaint"]["id"]
    assert (await step(gql, owner, cid, "TAKE"))["code"] == "FORBIDDEN"
    taken = await step(gql, committee, cid, "TAKE")
    assert taken["complaint"]["state"] == "HANDLING"
    assert (await step(gql, committee, cid, "TAKE"))["code"] == "WRONG_STATE"
    no_note = await step(gql, committee, cid, "RESOLVE_IN_COMPOUND")
    assert (no_note["code"], no_note["field"]) == ("TEXT_EMPTY", "note")
    done = await step(gql, committee, cid, "RESOLVE_IN_COMPOUND", note="已劝停施工")
    assert (done["complaint"]["state"], done["complaint"]["resolution"]) == (
        "RESOLVED",
        "已劝停施工",
    )
    assert set(done["complaint"]["actions"]) == set()  # the committee has nothing left to do
    mine = (await gql(ONE, {"id": cid}, token=owner))["data"]["complaint"]
    assert set(mine["actions"]) == {"REOPEN", "RATE"}
    assert (await step(gql, committee, cid, "RATE", rating=5))["code"] == "FORBIDDEN"
    assert (await step(gql, owner, cid, "RATE", rating=6))["code"] == "BAD_RATING"
    rated = await step(gql, owner, cid, "RATE", rating=4, note="处理及时")
    assert (rated["complaint"]["rating"], rated["complaint"]["ratingComment"]) == (4, "处理及时")
    assert (await step(gql, owner, cid, "RATE", rating=5))["code"] == "ALREADY_RATED"
    assert (await step(gql, owner, cid, "REOPEN", note="又开始了"))["code"] == "ALREADY_RATED"
    events = [e["action"] for e in rated["complaint"]["events"]]
    assert events == ["report", "take", "resolve_in_compound", "rate"]
    # the reporter was told of the committee's two steps in the inbox (not of their own, nor
    # of the refused ones: a refusal rolls back its notice too)
    async with runtime.reader() as s:
        told = (
            await s.execute(
                select(InboxItem.zh, InboxItem.link)
                .where(
                    InboxItem.account_id == world.accounts["owner"], InboxItem.kind == "complaint"
                )
                .order_by(InboxItem.id)
            )
        ).all()
    assert [z for z, _ in told] == [
        "您反映的问题（3号楼东侧）：小区处理中",
        "您反映的问题（3号楼东侧）：小区已办结",
    ]
    assert {link for _, link in told} == {f"/complaint/{cid}"}


async def test_at_the_deadline_it_goes_to_the_district_and_departments_close_it(
    gql: Gql, world: World, runtime: Runtime, clock: Clock, depts: Departments
) -> None:
    owner, committee, official = (world.tokens[k] for k in ("owner", "committee", "official"))
    cid = (await report(gql, owner, world.a))["complaint"]["id"]
    await step(gql, committee, cid, "TAKE")
    clock.now = T0 + timedelta(days=3)  # the deadline, by the runtime's clock
    late = await step(gql, committee, cid, "RESOLVE_IN_COMPOUND", note="已处理")
    assert late["code"] == "PAST_DEADLINE"
    clock.now += timedelta(minutes=1)
    seen = (await gql(ONE, {"id": cid}, token=official))["data"]["complaint"]
    assert seen["overdue"] == ["compound"]
    async with runtime.writer() as s:
        assert await complaint_steps.whistle_due(s, now=runtime.clock()) == [int(cid)]
        assert await complaint_steps.whistle_due(s, now=runtime.clock()) == []  # once
        await s.commit()
    seen = (await gql(ONE, {"id": cid}, token=official))["data"]["complaint"]
    assert (seen["state"], seen["overdue"], seen["events"][-1]["actor"]) == ("WHISTLED", [], None)
    assert "DISPATCH" in seen["actions"]
    # only an official dispatches; a department of another district is no department here
    assert (await step(gql, committee, cid, "DISPATCH", departmentIds=[str(depts.ids["d1"])]))[
        "code"
    ] == "FORBIDDEN"
    other = await step(gql, official, cid, "DISPATCH", departmentIds=[str(depts.ids["other"])])
    assert (other["code"], other["field"]) == ("BAD_DEPARTMENT", "departmentIds")
    sent = await step(
        gql, official, cid, "DISPATCH", departmentIds=[str(depts.ids["d1"]), str(depts.ids["d2"])]
    )
    assert sent["complaint"]["state"] == "DISPATCHED"
    assert [a["department"] for a in sent["complaint"]["assignments"]] == ["城管", "消防"]
    # the other district's 城管 does not see it; 消防 cannot act for 城管
    body = await gql(ONE, {"id": cid}, token=depts.tokens["other"], expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await step(gql, depts.tokens["other"], cid, "ACCEPT"))["code"] == "NOT_FOUND"
    wrong = await step(gql, depts.tokens["d2"], cid, "ACCEPT", departmentId=str(depts.ids["d1"]))
    assert wrong["code"] == "NOT_YOUR_DEPARTMENT"
    # a department sees the complaint but not who reported it
    d1_view = (await gql(ONE, {"id": cid}, token=depts.tokens["d1"]))["data"]["complaint"]
    assert d1_view["reporterName"] is None and d1_view["actions"] == ["ACCEPT"]
    clock.now += timedelta(days=1, minutes=1)
    late = (await gql(ONE, {"id": cid}, token=official))["data"]["complaint"]
    assert late["overdue"] == [f"accept:{depts.ids['d1']}", f"accept:{depts.ids['d2']}"]
    assert (await step(gql, depts.tokens["d1"], cid, "RESOLVE", note="x"))["code"] == "WRONG_STATE"
    assert (await step(gql, depts.tokens["d1"], cid, "ACCEPT"))["complaint"]["assignments"][0][
        "state"
    ] == "ACCEPTED"
    await step(gql, depts.tokens["d1"], cid, "ACT", note="已到现场")
    photo = b64(jpeg_with_gps((400, 300)))
    d1_done = await step(gql, depts.tokens["d1"], cid, "RESOLVE", note="已拆除", photos=[photo])
    assert d1_done["complaint"]["state"] == "DISPATCHED"  # 消防 still has it
    assert d1_done["complaint"]["events"][-1]["photos"][0].startswith("data:image/jpeg;base64,")
    await step(gql, depts.tokens["d2"], cid, "ACCEPT")
    closed = await step(gql, depts.tokens["d2"], cid, "RESOLVE", note="通道已清理")
    c = closed["complaint"]
    assert (c["state"], c["resolution"]) == ("CLOSED", "已拆除；通道已清理")
    assert [a["note"] for a in c["assignments"]] == ["已拆除", "通道已清理"]
    # the reporter reopens it within the window: back to the district
    again = await step(gql, owner, cid, "REOPEN", note="又搭起来了")
    assert again["complaint"]["state"] == "WHISTLED"


async def test_a_serious_category_goes_to_the_district_at_once(
    gql: Gql, world: World, clock: Clock
) -> None:
    c = (await report(gql, world.tokens["owner"], world.a, category="fire_lane"))["complaint"]
    assert (c["state"], c["category"]["serious"]) == ("WHISTLED", True)
    assert (await step(gql, world.tokens["committee"], c["id"], "TAKE"))["code"] == "WRONG_STATE"


async def test_reopen_window_closes(gql: Gql, world: World, clock: Clock) -> None:
    owner, committee = world.tokens["owner"], world.tokens["committee"]
    cid = (await report(gql, owner, world.a))["complaint"]["id"]
    await step(gql, committee, cid, "RESOLVE_IN_COMPOUND", note="已处理")
    clock.now = T0 + timedelta(days=15, minutes=1)
    assert (await step(gql, owner, cid, "REOPEN", note="没好"))["code"] == "REOPEN_WINDOW_OVER"
    neighbour_try = await step(gql, committee, cid, "REOPEN", note="没好")
    assert neighbour_try["code"] == "FORBIDDEN"


async def test_reassign_takes_it_from_one_department(
    gql: Gql, world: World, clock: Clock, depts: Departments
) -> None:
    official = world.tokens["official"]
    cid = (await report(gql, world.tokens["owner"], world.a, category="fire_lane"))["complaint"][
        "id"
    ]
    await step(gql, official, cid, "DISPATCH", departmentIds=[str(depts.ids["d1"])])
    d1, d2 = str(depts.ids["d1"]), str(depts.ids["d2"])
    no_why = await step(gql, official, cid, "REASSIGN", departmentId=d1, toDepartmentId=d2)
    assert no_why["code"] == "TEXT_EMPTY"
    by_dept = await step(
        gql, depts.tokens["d1"], cid, "REASSIGN", departmentId=d1, toDepartmentId=d2, note="x"
    )
    assert by_dept["code"] == "FORBIDDEN"
    moved = await step(
        gql, official, cid, "REASSIGN", departmentId=d1, toDepartmentId=d2, note="属消防职责"
    )
    states = [(a["department"], a["state"]) for a in moved["complaint"]["assignments"]]
    assert states == [("城管", "WITHDRAWN"), ("消防", "DISPATCHED")]
    body = await gql(ONE, {"id": cid}, token=depts.tokens["d1"], expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    listed = await gql(LIST, {"s": "DEPARTMENT"}, token=depts.tokens["d2"])
    assert [n["id"] for n in listed["data"]["complaints"]["nodes"]] == [cid]
    assert (await gql(LIST, {"s": "DEPARTMENT"}, token=depts.tokens["d1"]))["data"]["complaints"][
        "totalCount"
    ] == 0


async def test_merge_duplicates_within_a_compound(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    owner, committee, official = (world.tokens[k] for k in ("owner", "committee", "official"))
    first = (await report(gql, owner, world.a))["complaint"]["id"]
    dup = (await report(gql, owner, world.a))["complaint"]["id"]
    in_b = (await report(gql, world.tokens["owner_b"], world.b))["complaint"]["id"]
    assert (await step(gql, owner, dup, "MERGE", targetId=first, note="重复"))[
        "code"
    ] == "FORBIDDEN"
    itself = await step(gql, committee, dup, "MERGE", targetId=dup, note="重复")
    assert itself["code"] == "BAD_TARGET"
    # the committee of A cannot even see B's complaint; the official sees both, refused anyway
    hidden = await step(gql, committee, dup, "MERGE", targetId=in_b, note="重复")
    assert (hidden["code"], hidden["field"]) == ("NOT_FOUND", "targetId")
    across = await step(gql, official, dup, "MERGE", targetId=in_b, note="重复")
    assert across["code"] == "OTHER_COMPOUND"
    merged = await step(gql, committee, dup, "MERGE", targetId=first, note="同一件事")
    assert (merged["complaint"]["state"], merged["complaint"]["mergedInto"]) == ("MERGED", first)
    assert (await step(gql, committee, dup, "TAKE"))["code"] == "WRONG_STATE"


async def test_photos_are_cleaned_and_bad_ones_refused_leaving_nothing(
    gql: Gql, world: World, runtime: Runtime, clock: Clock
) -> None:
    owner = world.tokens["owner"]
    good = b64(jpeg_with_gps())
    seven = await report(gql, owner, world.a, photos=[good] * 7)
    assert (seven["code"], seven["field"]) == ("TOO_MANY_PHOTOS", "photos")
    not_image = await report(gql, owner, world.a, photos=[good, b64(b"%PDF-1.4 hello")])
    assert (not_image["code"], not_image["field"]) == ("BAD_PHOTO", "photos.2")
    big = await report(gql, owner, world.a, photos=[b64(b"\0" * (2 * 1024 * 1024 + 1))])
    assert big["code"] == "PHOTO_TOO_LARGE"
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 Mpx in a few kB
    bomb = await report(gql, owner, world.a, photos=[b64(out.getvalue())])
    assert (bomb["code"], bomb["field"]) == ("BAD_PHOTO", "photos.1")
    assert await _count(runtime, Complaint) == 0
    assert await _count(runtime, ComplaintEvent) == 0
    done = await report(gql, owner, world.a, photos=[good] * 6)
    assert len(done["complaint"]["photos"]) == 6
    async with runtime.reader() as s:
        stored = (await s.execute(select(ComplaintPhoto.data))).scalars().all()
    assert len(stored) == 6
    for data in stored:
        assert b"Exif" not in data and b"PhoneCo" not in data
        assert max(Image.open(io.BytesIO(data)).size) <= 1280


async def test_report_fields_are_checked(gql: Gql, world: World, clock: Clock) -> None:
    owner = world.tokens["owner"]
    assert (await report(gql, owner, world.a, category="nope"))["code"] == "BAD_CATEGORY"
    assert (await report(gql, owner, world.a, place=""))["code"] == "NO_PLACE"
    assert (await report(gql, owner, world.a, text="  "))["field"] == "text"
    assert (await report(gql, owner, world.a, unitId="99999"))["code"] == "BAD_UNIT"


async def test_department_staff_list_only_their_department(
    gql: Gql, world: World, clock: Clock, depts: Departments
) -> None:
    official = world.tokens["official"]
    a = (await report(gql, world.tokens["owner"], world.a, category="fire_lane"))["complaint"]
    b = (await report(gql, world.tokens["owner"], world.a, category="fire_lane"))["complaint"]
    await step(gql, official, a["id"], "DISPATCH", departmentIds=[str(depts.ids["d1"])])
    await step(gql, official, b["id"], "DISPATCH", departmentIds=[str(depts.ids["d2"])])
    d1 = await gql(LIST, {"s": "DEPARTMENT"}, token=depts.tokens["d1"])
    assert [n["id"] for n in d1["data"]["complaints"]["nodes"]] == [a["id"]]
    body = await gql(LIST, {"s": "COMPOUND", "c": str(world.a)}, token=depts.tokens["d1"],
                     expect_errors=True)  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    district = await gql(LIST, {"s": "DISTRICT"}, token=depts.tokens["d1"], expect_errors=True)
    assert district["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    everything = await gql(LIST, {"s": "DISTRICT", "o": True}, token=official)
    assert everything["data"]["complaints"]["totalCount"] == 2
    other = await gql(LIST, {"s": "DISTRICT"}, token=world.tokens["official_2"])
    assert other["data"]["complaints"]["totalCount"] == 0


CREATE = """mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { __typename
  ... on DepartmentSaved { department { id name districtId } } ... on Problem { code field } } }"""
GRANT = """mutation($i: GrantDepartmentRoleInput!) { grantDepartmentRole(input: $i) { __typename
  ... on DepartmentRoleGranted { grantId activationCode } ... on Problem { code field } } }"""
REVOKE = """mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { __typename
  ... on Problem { code } } }"""
DEPARTMENTS = "query($d: ID!) { departments(districtId: $d) { id name } }"


async def test_officials_create_departments_and_grant_their_staff(
    gql: Gql, world: World, clock: Clock
) -> None:
    official, d1 = world.tokens["official"], str(world.district_1)
    spec = {"districtId": d1, "name": "市场监管", "reason": "吹哨报到联动"}
    for who in ("official_2", "committee", "owner"):
        refused = (await gql(CREATE, {"i": spec}, token=world.tokens[who]))["data"]
        assert refused["createDepartment"]["code"] == "FORBIDDEN", who
    made = (await gql(CREATE, {"i": spec}, token=official))["data"]["createDepartment"]
    assert made["department"]["name"] == "市场监管"
    again = (await gql(CREATE, {"i": spec}, token=official))["data"]["createDepartment"]
    assert again["code"] == "DEPARTMENT_EXISTS"
    dept = made["department"]["id"]
    grant = {"departmentId": dept, "phone": "13600002000", "name": "市监王", "reason": "联络员"}
    other = (await gql(GRANT, {"i": grant}, token=world.tokens["official_2"]))["data"]
    assert other["grantDepartmentRole"]["code"] == "NOT_FOUND"
    admin_phone = await gql(GRANT, {"i": grant | {"phone": "13700000000"}}, token=official)
    assert admin_phone["data"]["grantDepartmentRole"]["code"] == "ADMIN_MEMBER"
    granted = (await gql(GRANT, {"i": grant}, token=official))["data"]["grantDepartmentRole"]
    assert granted["activationCode"]  # a new account: its letter's code, shown once
    twice = (await gql(GRANT, {"i": grant}, token=official))["data"]["grantDepartmentRole"]
    assert twice["code"] == "ALREADY_HELD"
    listed = (await gql(DEPARTMENTS, {"d": d1}, token=official))["data"]["departments"]
    assert [d["name"] for d in listed] == ["市场监管"]
    stranger = await gql(DEPARTMENTS, {"d": d1}, token=world.tokens["owner"], expect_errors=True)
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # the district's official revokes the staff grant like any other; another district's cannot
    revoke = {"grantId": granted["grantId"], "reason": "调岗"}
    assert (await gql(REVOKE, {"i": revoke}, token=world.tokens["official_2"]))["data"][
        "revokeRole"
    ]["code"] == "NOT_FOUND"
    done = (await gql(REVOKE, {"i": revoke}, token=official))["data"]["revokeRole"]
    assert done["__typename"] != "Problem"


async def test_figures_per_compound_for_the_dashboard(
    gql: Gql, world: World, runtime: Runtime, clock: Clock, depts: Departments
) -> None:
    """Hand-counted: in A, one resolved in 2 days rated 4, one resolved in 1 day rated 2, one
    open and overdue, one open in time; in B one open in time; C none."""
    owner, committee = world.tokens["owner"], world.tokens["committee"]
    ids = [(await report(gql, owner, world.a))["complaint"]["id"] for _ in range(3)]
    await report(gql, world.tokens["owner_b"], world.b)
    clock.now = T0 + timedelta(days=1)
    await step(gql, committee, ids[1], "RESOLVE_IN_COMPOUND", note="好了")
    await step(gql, owner, ids[1], "RATE", rating=2)
    clock.now = T0 + timedelta(days=2)
    await step(gql, committee, ids[0], "RESOLVE_IN_COMPOUND", note="好了")
    await step(gql, owner, ids[0], "RATE", rating=4)
    clock.now = T0 + timedelta(days=3, hours=1)  # ids[2] is past its 3 days
    later = (await report(gql, owner, world.a))["complaint"]["id"]
    assert later
    month = (T0.replace(day=1), T0.replace(month=12, day=31) + timedelta(days=1))
    async with runtime.reader() as s:
        figures = await complaint_figures.compound_figures(
            s,
            community_ids=[world.a, world.b, world.c],
            month_start=month[0],
            month_end=month[1],
            now=runtime.clock(),
        )
    a, b = figures[world.a], figures[world.b]
    assert (a.open, a.overdue, a.resolved) == (2, 1, 2)
    assert a.avg_resolve_seconds == pytest.approx(1.5 * 86400)
    assert a.avg_rating == pytest.approx(3.0)
    assert (b.open, b.overdue, b.resolved, b.avg_rating) == (1, 1, 0, None)
    assert world.c not in figures
    async with runtime.reader() as s:
        none = await complaint_figures.compound_figures(
            s, community_ids=[world.a], month_start=month[1], month_end=month[1] + timedelta(days=30),
            now=runtime.clock(),
        )  # fmt: skip
    assert (none[world.a].resolved, none[world.a].avg_resolve_seconds) == (0, None)


SET_CATEGORIES = """mutation($i: SetComplaintCategoriesInput!) { setComplaintCategories(input: $i) {
  __typename ... on ComplaintCategoriesSaved { categories { code zh handlingDays serious } }
  ... on Problem { code field } } }"""
CATEGORIES = "query($c: ID!) { complaintCategories(communityId: $c) { code handlingDays serious } }"


async def test_the_district_sets_its_categories(gql: Gql, world: World, clock: Clock) -> None:
    official, d1 = world.tokens["official"], str(world.district_1)
    mine = [
        {"code": "parking", "zh": "乱停车", "en": "parking", "handlingDays": 2},
        {"code": "gas", "zh": "燃气隐患", "en": "gas hazard", "handlingDays": 1, "serious": True},
    ]
    spec = {"districtId": d1, "categories": mine, "reason": "区里统一类别"}
    for who in ("official_2", "committee", "owner"):
        refused = (await gql(SET_CATEGORIES, {"i": spec}, token=world.tokens[who]))["data"]
        assert refused["setComplaintCategories"]["code"] == "FORBIDDEN", who
    for bad, code, field in (
        ([], "BAD_CATEGORIES", None),
        ([mine[0], mine[0]], "BAD_CATEGORY_CODE", "categories.2.code"),
        ([{**mine[0], "code": "Bad Code"}], "BAD_CATEGORY_CODE", "categories.1.code"),
        ([{**mine[0], "handlingDays": 0}], "BAD_DAYS", "categories.1.handlingDays"),
        ([{**mine[0], "zh": " "}], "TEXT_EMPTY", "categories.1.zh"),
    ):
        got = await gql(SET_CATEGORIES, {"i": {**spec, "categories": bad}}, token=official)
        problem = got["data"]["setComplaintCategories"]
        assert (problem["code"], problem["field"]) == (code, field), bad
    # a report made before keeps its category (shown by its code) and its deadline
    before = (await report(gql, world.tokens["owner"], world.a))["complaint"]
    saved = (await gql(SET_CATEGORIES, {"i": spec}, token=official))["data"]
    assert [c["code"] for c in saved["setComplaintCategories"]["categories"]] == ["parking", "gas"]
    seen = (await gql(CATEGORIES, {"c": str(world.a)}, token=world.tokens["owner"]))["data"]
    assert seen["complaintCategories"][1] == {"code": "gas", "handlingDays": 1, "serious": True}
    gas = (await report(gql, world.tokens["owner"], world.a, category="gas"))["complaint"]
    assert gas["state"] == "WHISTLED"
    assert (await report(gql, world.tokens["owner"], world.a))["code"] == "BAD_CATEGORY"  # noise
    old = (await gql(ONE, {"id": before["id"]}, token=official))["data"]["complaint"]
    assert old["category"]["code"] == "noise"
    assert datetime.fromisoformat(old["deadline"]) == datetime.fromisoformat(before["deadline"])
    # a district's setting is its own: district 2 keeps the defaults
    other = await gql(CATEGORIES, {"c": str(world.c)}, token=world.tokens["official_2"])
    assert len(other["data"]["complaintCategories"]) == 9
