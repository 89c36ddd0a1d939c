"""Property companies and their assessment over two periods (issue #15 part 1), through GraphQL.

District 1 of the small world: compound A (张三 with 101+102, 170.00 m²; 李四+王五 with 201,
100.50 m²; 赵六 with 202, 120.25 m²; the developer's unsold units left out of the survey) under
contract with 甲物业, compound B (孙七, 88.00 m²) with 乙物业. Settings 50/30/20, bottom 5 %,
items 保洁 and 绿化.

Period 2026Q4, hand-worked (the same numbers as tests/voting/test_assessment.py):
  A owners: 张三 5/4, 李四 3/2, 赵六 4/4 → 117200/1563 ≈ 74.98; inspection 80/70/90 → 80;
    committee 65/65/65 → 65; combined (50·117200/1563 + 30·80 + 20·65)/100 = 116431/1563 ≈ 74.49
  B owners: 孙七 2/2 → 20·2 = 40; inspection 60/60/60 → 60; no committee mark, so
    (50·40 + 30·60)/(50+30) = 3800/80 = 95/2 = 47.5
  Ranking: A 1, B 2. Bottom share ceil(2·5 %) = 1 place → B, and 乙物业 is warned.
Period 2027Q1: the same marks, B at the bottom again → its contract is flagged for replacement
and its committee and the district's officials are told (the notice's audit entry).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, inspect, select

from api.runtime import Runtime
from api.store.models import (
    AuditEntry,
    InboxItem,
    ServiceContract,
    SurveyElector,
    SurveyResponse,
)
from tests.conftest import Gql
from tests.support.assessment import (
    ANSWER,
    CLOSE,
    MARKS,
    REGISTER,
    SURVEYS,
    credit_code,
    marks,
    my_electors,
    ok,
    open_period,
    refused,
    scores,
    set_up,
    survey_of,
)
from tests.support.elections import T0, owner_tokens, use_clock
from tests.support.world import World

LI, ZHAO = "13900000002", "13900000004"


async def _period(
    gql: Gql, runtime: Runtime, world: World, year: int, number: int, tokens: dict[str, str]
) -> dict[str, Any]:
    """Open a period, answer, mark and close it as the module docstring says."""
    clock = runtime.clock
    now = clock()
    period = await open_period(gql, world, year, number, now + timedelta(days=10))
    sa, sb = survey_of(period, world.a), survey_of(period, world.b)
    for token, values in (
        (world.tokens["owner"], (5, 4)),
        (tokens[LI], (3, 2)),
        (tokens[ZHAO], (4, 4)),
    ):
        [elector] = await my_electors(gql, token, world.a, sa["id"])
        await ok(
            gql, ANSWER, {"s": sa["id"], "e": elector, "x": scores(*values)}, token, "answerSurvey"
        )
    [eb] = await my_electors(gql, world.tokens["owner_b"], world.b, sb["id"])
    await ok(
        gql,
        ANSWER,
        {"s": sb["id"], "e": eb, "x": scores(2, 2)},
        world.tokens["owner_b"],
        "answerSurvey",
    )
    official, committee = world.tokens["official"], world.tokens["committee"]
    for s, m in ((sa, (80, 70, 90)), (sb, (60, 60, 60))):
        await ok(
            gql,
            MARKS,
            {"s": s["id"], "src": "INSPECTION", "m": marks(*m), "ev": "现场检查记录"},
            official,
            "recordAssessmentMarks",
        )
    await ok(
        gql,
        MARKS,
        {"s": sa["id"], "src": "COMMITTEE", "m": marks(65, 65, 65), "ev": "业委会例会评议"},
        committee,
        "recordAssessmentMarks",
    )
    early = await refused(gql, CLOSE, {"p": period["id"]}, official, "closeAssessmentPeriod")
    assert early["code"] == "SURVEY_STILL_OPEN"
    clock.now = now + timedelta(days=10)  # type: ignore[attr-defined]
    return await ok(gql, CLOSE, {"p": period["id"]}, official, "closeAssessmentPeriod")


async def test_two_periods_rank_warn_and_flag_with_hand_worked_scores(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = use_clock(runtime, T0)
    ids = await set_up(gql, world)
    tokens = await owner_tokens(runtime, world.a, [LI, ZHAO])
    first = await _period(gql, runtime, world, 2026, 4, tokens)
    assert first["label"] == "2026Q4" and first["state"] == "closed"
    a, b = first["results"]
    assert (a["contractId"], a["owners"], a["inspection"], a["committee"]) == (
        ids["contract_a"],
        "74.98",
        "80.00",
        "65.00",
    )
    assert (a["combined"], a["combinedExact"], a["rank"], a["bottom"]) == (
        "74.49",
        "116431/1563",
        1,
        False,
    )
    assert (b["contractId"], b["owners"], b["committee"], b["combinedExact"], b["rank"]) == (
        ids["contract_b"],
        "40.00",
        None,
        "95/2",
        2,
    )
    assert b["bottom"] and not b["flagged"]
    sa = survey_of(first, world.a)
    assert (sa["rollHeads"], sa["rollAreaCenti"], sa["answeredHeads"]) == (3, 39075, 3)
    assert sa["itemScores"][0] == {"item": "保洁", "byHeads": "4.00", "byArea": "4.18"}
    companies = (
        await gql(
            "query($d: ID!) { propertyCompanies(districtId: $d) { id status events { status "
            "bySystem periodLabel } } }",
            {"d": str(world.district_1)},
            token=world.tokens["owner"],
        )
    )["data"]["propertyCompanies"]
    assert [c["status"] for c in companies] == ["ADMITTED", "WARNED"]
    assert companies[1]["events"][-1] == {
        "status": "WARNED",
        "bySystem": True,
        "periodLabel": "2026Q4",
    }

    clock.now = T0 + timedelta(days=90)
    second = await _period(gql, runtime, world, 2027, 1, tokens)
    b2 = second["results"][1]
    assert b2["contractId"] == ids["contract_b"] and b2["bottom"] and b2["flagged"]
    assert not second["results"][0]["flagged"]
    async with runtime.reader() as s:
        flagged = await s.get(ServiceContract, int(ids["contract_b"]))
        assert flagged is not None and flagged.flagged_at is not None
        told = (
            await s.execute(
                select(InboxItem.account_id, InboxItem.link).where(
                    InboxItem.kind == "assessment_flag"
                )
            )
        ).all()
        opened = (
            (
                await s.execute(
                    select(InboxItem.link).where(
                        InboxItem.kind == "survey_open",
                        InboxItem.account_id == world.accounts["owner"],
                    )
                )
            )
            .scalars()
            .all()
        )
    # B has no committee of its own in the world: the district's official is told, once
    assert told == [(world.accounts["official"], f"/community/{world.b}/surveys")]
    assert opened == [f"/community/{world.a}/surveys"] * 2  # one per period
    history = (
        await gql(
            "query($c: ID!) { companyHistory(companyId: $c) { points { periodLabel combined rank "
            "ranked bottom } chartSvg } }",
            {"c": ids["second"]},
            token=world.tokens["official"],
        )
    )["data"]["companyHistory"]
    assert [
        (p["periodLabel"], p["combined"], p["rank"], p["bottom"]) for p in history["points"]
    ] == [("2026Q4", "47.50", 2, True), ("2027Q1", "47.50", 2, True)]
    assert history["chartSvg"].startswith("<svg") and "<script" not in history["chartSvg"]


async def test_an_owner_changes_an_answer_and_it_stays_one_response(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = use_clock(runtime, T0)
    await set_up(gql, world)
    period = await open_period(gql, world, 2026, 4, T0 + timedelta(days=10))
    sa = survey_of(period, world.a)
    owner = world.tokens["owner"]
    [elector] = await my_electors(gql, owner, world.a, sa["id"])
    for values in ((1, 1), (5, 5), (3, 4)):
        got = await ok(
            gql, ANSWER, {"s": sa["id"], "e": elector, "x": scores(*values)}, owner, "answerSurvey"
        )
    assert got["mine"] == [{"id": elector, "label": "1号楼-101、1号楼-102", "answered": True}]
    # owners see no participation while it is open; staff do, and nobody sees a response
    assert got["answeredHeads"] is None and got["itemScores"] == []
    staff = (await gql(SURVEYS, {"c": str(world.a)}, token=world.tokens["committee"]))["data"]
    assert staff["surveys"][0]["answeredHeads"] == 1 and staff["surveys"][0]["itemScores"] == []
    async with runtime.reader() as s:
        assert await s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    # after the close: refused, and the last answer is the one counted
    clock.now = T0 + timedelta(days=10)
    late = await refused(
        gql, ANSWER, {"s": sa["id"], "e": elector, "x": scores(5, 5)}, owner, "answerSurvey"
    )
    assert late["code"] == "SURVEY_CLOSED"
    closed = await ok(
        gql, CLOSE, {"p": period["id"]}, world.tokens["official"], "closeAssessmentPeriod"
    )
    assert survey_of(closed, world.a)["itemScores"] == [
        {"item": "保洁", "byHeads": "3.00", "byArea": "3.00"},
        {"item": "绿化", "byHeads": "4.00", "byArea": "4.00"},
    ]


async def test_an_owner_cannot_answer_for_another_elector_or_out_of_range(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    use_clock(runtime, T0)
    await set_up(gql, world)
    tokens = await owner_tokens(runtime, world.a, [ZHAO])
    period = await open_period(gql, world, 2026, 4, T0 + timedelta(days=10))
    sa, sb = survey_of(period, world.a), survey_of(period, world.b)
    [zhao] = await my_electors(gql, tokens[ZHAO], world.a, sa["id"])
    owner = world.tokens["owner"]
    theirs = await refused(
        gql, ANSWER, {"s": sa["id"], "e": zhao, "x": scores(1, 1)}, owner, "answerSurvey"
    )
    assert theirs["code"] == "FORBIDDEN"
    # another compound's survey with one's own elector id: as if it did not exist
    [mine] = await my_electors(gql, owner, world.a, sa["id"])
    elsewhere = await refused(
        gql, ANSWER, {"s": sb["id"], "e": mine, "x": scores(1, 1)}, owner, "answerSurvey"
    )
    assert elsewhere["code"] == "NOT_FOUND"
    bad = await refused(
        gql, ANSWER, {"s": sa["id"], "e": mine, "x": scores(6, 1)}, owner, "answerSurvey"
    )
    assert (bad["code"], bad["field"]) == ("BAD_ASSESSMENT_INPUT", "scores")
    partial = await refused(
        gql,
        ANSWER,
        {"s": sa["id"], "e": mine, "x": [{"item": "保洁", "score": 3}]},
        owner,
        "answerSurvey",
    )
    assert "绿化" in partial["message"]
    async with runtime.reader() as s:
        assert await s.scalar(select(func.count()).select_from(SurveyResponse)) == 0


async def test_no_readable_row_links_an_owner_to_an_answer(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """The response table holds the slot and the scores only; the slot is no elector's key;
    no audit entry carries the scores; and no table refers to a response."""
    use_clock(runtime, T0)
    await set_up(gql, world)
    period = await open_period(gql, world, 2026, 4, T0 + timedelta(days=10))
    sa = survey_of(period, world.a)
    [elector] = await my_electors(gql, world.tokens["owner"], world.a, sa["id"])
    await ok(
        gql,
        ANSWER,
        {"s": sa["id"], "e": elector, "x": scores(2, 5)},
        world.tokens["owner"],
        "answerSurvey",
    )
    assert {c.name for c in SurveyResponse.__table__.columns} == {
        "id",
        "survey_id",
        "slot",
        "scores_json",
    }
    for table in SurveyResponse.metadata.tables.values():
        assert all(fk.column.table.name != "survey_response" for fk in table.foreign_keys)
    async with runtime.reader() as s:
        [row] = (await s.execute(select(SurveyResponse))).scalars().all()
        keys = set((await s.execute(select(SurveyElector.key))).scalars())
        assert row.slot not in keys and len(row.slot) == 64
        payloads = (await s.execute(select(AuditEntry.payload))).scalars().all()
        assert not any(row.slot in p or "scores_json" in p for p in payloads)
        cols = await s.run_sync(
            lambda sync: {
                c["name"] for c in inspect(sync.connection()).get_columns("survey_response")
            }
        )
    assert cols == {"id", "survey_id", "slot", "scores_json"}


async def test_misuses_of_marks_and_the_register_are_refused(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = use_clock(runtime, T0)
    ids = await set_up(gql, world)
    period = await open_period(gql, world, 2026, 4, T0 + timedelta(days=10))
    sa, sb = survey_of(period, world.a), survey_of(period, world.b)
    good = marks(90, 90, 90)
    # an official of another district scoring; the committee inspecting, or marking another
    # compound; an owner marking as the committee
    # (another compound's survey answers as a missing one: NOT_FOUND)
    for token, survey, source, code in (
        (world.tokens["official_2"], sa, "INSPECTION", "NOT_FOUND"),
        (world.tokens["committee"], sa, "INSPECTION", "FORBIDDEN"),
        (world.tokens["committee"], sb, "COMMITTEE", "NOT_FOUND"),
        (world.tokens["owner"], sa, "COMMITTEE", "FORBIDDEN"),
        (world.tokens["official"], sa, "COMMITTEE", "FORBIDDEN"),
    ):
        got = await refused(
            gql,
            MARKS,
            {"s": survey["id"], "src": source, "m": good, "ev": "x"},
            token,
            "recordAssessmentMarks",
        )
        assert got["code"] == code, (token, source)
    # the committee cannot close the period nor warn or clear a company
    assert (
        await refused(
            gql, CLOSE, {"p": period["id"]}, world.tokens["committee"], "closeAssessmentPeriod"
        )
    )["code"] == "FORBIDDEN"
    status = (
        await gql(
            'mutation($c: ID!) { setCompanyStatus(companyId: $c, status: ADMITTED, reason: "x") {'
            " __typename ... on Problem { code } } }",
            {"c": ids["second"]},
            token=world.tokens["committee"],
        )
    )["data"]["setCompanyStatus"]
    assert status == {"__typename": "Problem", "code": "FORBIDDEN"}
    missing = await refused(
        gql,
        MARKS,
        {"s": sa["id"], "src": "INSPECTION", "m": marks(90, 90, 90)[:2], "ev": "x"},
        world.tokens["official"],
        "recordAssessmentMarks",
    )
    assert missing["code"] == "BAD_ASSESSMENT_INPUT"
    # after the close no mark changes
    clock.now = T0 + timedelta(days=10)
    await ok(gql, CLOSE, {"p": period["id"]}, world.tokens["official"], "closeAssessmentPeriod")
    late = await refused(
        gql,
        MARKS,
        {"s": sa["id"], "src": "COMMITTEE", "m": good, "ev": "x"},
        world.tokens["committee"],
        "recordAssessmentMarks",
    )
    assert late["code"] == "PERIOD_CLOSED"


async def test_the_register_checks_the_credit_code_and_who_admits(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    use_clock(runtime, T0)
    official = world.tokens["official"]
    wrong = credit_code(7)[:-1] + ("0" if credit_code(7)[-1] != "0" else "1")
    got = await refused(
        gql,
        REGISTER,
        {
            "i": {
                "districtId": str(world.district_1),
                "name": "丙",
                "creditCode": wrong,
                "reason": "r",
            }
        },
        official,
        "registerPropertyCompany",
    )
    assert (got["code"], got["field"]) == ("BAD_ASSESSMENT_INPUT", "creditCode")
    assert "校验位" in got["message"]
    spec = {
        "i": {
            "districtId": str(world.district_1),
            "name": "丙",
            "creditCode": credit_code(7),
            "reason": "r",
        }
    }
    for who in ("owner", "committee", "official_2"):
        assert (await refused(gql, REGISTER, spec, world.tokens[who], "registerPropertyCompany"))[
            "code"
        ] == "FORBIDDEN"
    await ok(gql, REGISTER, spec, official, "registerPropertyCompany")
    again = await refused(gql, REGISTER, spec, official, "registerPropertyCompany")
    assert again["code"] == "DUPLICATE_COMPANY"
    listed = (
        await gql(
            "query($d: ID!) { propertyCompanies(districtId: $d) { name } }",
            {"d": str(world.district_1)},
            token=official,
        )
    )["data"]["propertyCompanies"]
    assert listed == [{"name": "丙"}]
    outsider = await gql(
        "query($d: ID!) { propertyCompanies(districtId: $d) { name } }",
        {"d": str(world.district_1)},
        token=world.tokens["official_2"],
        expect_errors=True,
    )
    assert outsider["errors"][0]["extensions"]["code"] == "FORBIDDEN"


ORDER = """mutation($c: ID!, $r: String!, $d: Date!) { orderRectification(contractId: $c,
  requirement: $r, deadline: $d) { __typename ... on Rectification { id state deadline followUp }
  ... on Problem { code field } } }"""
FOLLOW = """mutation($id: ID!, $n: String!, $done: Boolean!) { followUpRectification(id: $id,
  note: $n, done: $done) { __typename ... on Rectification { id state followUp }
  ... on Problem { code } } }"""
RECTIFICATIONS = "query($c: ID!) { rectifications(communityId: $c) { id state followUp } }"


async def test_a_rectification_is_ordered_followed_up_falls_overdue_and_is_done(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """Ordered with a deadline ten days on, followed up, read as overdue the day after the
    deadline, then done (and then closed to further notes); the committee and an official of
    another district may not order one."""
    clock = use_clock(runtime, T0)
    ids = await set_up(gql, world)
    official = world.tokens["official"]
    deadline = (T0 + timedelta(days=10)).date().isoformat()
    spec = {"c": ids["contract_a"], "r": "清理消防通道堆物", "d": deadline}
    past = await refused(
        gql, ORDER, spec | {"d": T0.date().isoformat()}, official, "orderRectification"
    )
    assert (past["code"], past["field"]) == ("BAD_ASSESSMENT_INPUT", "deadline")
    for who, code in (("committee", "FORBIDDEN"), ("official_2", "NOT_FOUND")):
        got = await refused(gql, ORDER, spec, world.tokens[who], "orderRectification")
        assert got["code"] == code
    order = await ok(gql, ORDER, spec, official, "orderRectification")
    assert (order["state"], order["deadline"]) == ("open", deadline)
    noted = await ok(
        gql,
        FOLLOW,
        {"id": order["id"], "n": "复查：仍有堆物", "done": False},
        official,
        "followUpRectification",
    )
    assert noted["state"] == "open" and noted["followUp"].endswith("复查：仍有堆物")
    clock.now = T0 + timedelta(days=11)
    seen = await gql(RECTIFICATIONS, {"c": str(world.a)}, token=world.tokens["owner"])
    assert seen["data"]["rectifications"][0]["state"] == "overdue"
    done = await ok(
        gql,
        FOLLOW,
        {"id": order["id"], "n": "已清理", "done": True},
        official,
        "followUpRectification",
    )
    assert done["state"] == "done" and done["followUp"].count("\n") == 1
    again = await refused(
        gql,
        FOLLOW,
        {"id": order["id"], "n": "x", "done": False},
        official,
        "followUpRectification",
    )
    assert again["code"] == "RECTIFICATION_DONE"
