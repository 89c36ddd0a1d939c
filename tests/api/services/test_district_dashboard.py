"""The district dashboard (issue #16 part 2) against a hand-counted district
(tests/support/dashboard.py: 甲 乙 丁 戊 己 in known states): every figure of every row, the
summary, the alerts, sorting, filtering and paging, turnout as owners see it, the statements a
page costs (constant in its size), the export's rows, and who may read or record."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import update

from api.runtime import Runtime
from api.store.models import Community
from tests.conftest import Gql
from tests.support.dashboard import ALERTS, DASHBOARD, EXPORT, RECORD, SUMMARY, Small, seed
from tests.support.drafting import statements
from tests.support.elections import cast, open_resolution_in_a, owner_tokens, transition
from tests.support.world import World


async def dashboard(gql: Gql, token: str, district: int, **variables: Any) -> dict[str, Any]:
    r = await gql(DASHBOARD, {"d": str(district), "first": 10, **variables}, token=token)
    assert not r.get("errors"), r
    return r["data"]["districtDashboard"]  # type: ignore[no-any-return]


def by_name(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["compound"]: n for n in page["nodes"]}


async def _district(gql: Gql, world: World, runtime: Runtime) -> tuple[Any, Any, Small]:
    clock, opened = await open_resolution_in_a(gql, world, runtime)
    small = await seed(
        runtime, world.district_1, world.accounts["official"], world.accounts["owner"], clock.now
    )
    return clock, opened, small


async def test_every_figure_of_a_hand_counted_district(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, opened, _ = await _district(gql, world, runtime)
    official = world.tokens["official"]
    # three of A's four electors vote: 张三 (170.00 m²), 李四+王五 (100.50), 赵六 (120.25)
    tokens = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    for token, owners in (
        (world.tokens["owner"], ("张三",)),
        (tokens["13900000002"], ("李四", "王五")),
        (tokens["13900000004"], ("赵六",)),
    ):
        got = await cast(gql, token, opened.id, opened.code(*owners), opened.answer("yes"))
        assert got["__typename"] == "BallotCast", got

    page = await dashboard(gql, official, world.district_1)
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"] is False
    # by name (code point order): 丁 乙 己 戊 甲
    assert [n["compound"] for n in page["nodes"]] == [
        "丁小区",
        "乙小区",
        "己小区",
        "戊小区",
        "甲小区",
    ]
    rows = by_name(page)
    a, b, d, e, f = (rows[n] for n in ("甲小区", "乙小区", "丁小区", "戊小区", "己小区"))
    assert [r["body"] for r in (a, b, d, e, f)] == [
        "COMMITTEE",
        "NONE",
        "COMMITTEE",
        "STAND_IN",
        "PREPARATORY",
    ]
    assert a["termEndsAt"] is None and a["termEnding"] is False
    assert d["termEnding"] is True and f["termEnding"] is True and e["termEnding"] is False
    assert d["termEndsAt"].startswith(str((clock.now + timedelta(days=60)).astimezone().date())[:4])
    assert [r["alerts"] for r in (a, b, d, e, f)] == [
        [],
        ["NO_BODY"],
        ["TERM_ENDING", "COMPLAINTS_OVERDUE"],
        ["COMPLAINTS_OVERDUE"],
        ["TERM_ENDING", "BOTTOM"],
    ]
    # complaints (tests/support/dashboard.py): "this month" is the month in Asia/Shanghai, so
    # 戊's one closed at 01:00 local on the 1st (17:00 UTC the day before) counts, 23:00 not
    nothing = {"open": 0, "overdue": 0, "resolved": 0, "resolveHours": None, "rating": None}
    assert [r["complaints"] for r in (a, b, f)] == [nothing] * 3
    assert d["complaints"] == {**nothing, "open": 3, "overdue": 2}
    assert e["complaints"] == {
        "open": 4,
        "overdue": 1,
        "resolved": 3,
        "resolveHours": 20.0,
        "rating": 4.5,
    }
    assert [(r["serviceRank"], r["serviceBottom"]) for r in (a, b, d, e, f)] == [
        (None, False),
        (None, False),
        (None, False),
        (1, False),
        (2, True),
    ]
    assert (e["proposalsQualified"], e["proposalsOpen"]) == (2, 1)
    assert f["consultationsOpen"] == 1 and d["consultationsOpen"] == 0
    assert [r["coverage"]["count"] for r in (a, b, d, e, f)] == [1, 0, 5, 2, 0]
    assert e["coverage"] == {
        "partyOrg": False,
        "partyMembers": False,
        "governingBody": True,
        "propertyService": False,
        "partyVenue": True,
        "count": 2,
        "recordedAt": e["coverage"]["recordedAt"],
        "recordedBy": "official",
        "note": "活动室",
    }
    assert f["coverage"]["governingBody"] is False  # a preparatory group is not a committee
    # turnout while open: steps of 5 ballots, so three show nothing — as owners see it
    assert a["electionsUnderWay"] == 1
    [live] = a["elections"]
    assert live["state"] == "OPEN"
    assert live["turnout"] == {
        "step": 5,
        "releasedBallots": 0,
        "ballots": None,
        "participatingHeads": 0,
        "participatingArea": "0.00",
        "totalHeads": 4,
        "totalArea": "525.75",
        "questions": None,
    }
    # after the close: exact, still no per-option counts
    clock.now = clock.now + timedelta(days=7)
    closed = await transition(gql, "closeElection", opened.id, world.tokens["supervisor"])
    assert closed["__typename"] == "ElectionSaved", closed
    [after] = by_name(await dashboard(gql, official, world.district_1))["甲小区"]["elections"]
    assert after["turnout"]["ballots"] == 3 and after["turnout"]["step"] == 1
    assert (after["turnout"]["participatingHeads"], after["turnout"]["participatingArea"]) == (
        3,
        "390.75",
    )
    assert after["turnout"]["questions"] is None


async def test_summary_alerts_sort_filter_and_pages(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    await _district(gql, world, runtime)
    official = world.tokens["official"]
    r = await gql(SUMMARY, {"d": str(world.district_1)}, token=official)
    s = r["data"]["districtDashboard"]["summary"]
    svg = s.pop("chartSvg")
    assert s == {
        "compounds": 5,
        "committee": 2,
        "standIn": 1,
        "preparatory": 1,
        "noBody": 1,
        "termEnding": 2,
        "electionsUnderWay": 1,
        "proposalsQualified": 2,
        "consultationsOpen": 1,
        "alerts": 4,
        "coverage": {
            "partyOrg": 1,
            "partyMembers": 1,
            "governingBody": 3,
            "propertyService": 1,
            "partyVenue": 2,
            "complete": 1,
        },
    }
    assert svg.startswith("<svg") and "<script" not in svg and "业委会" in svg

    alerts = (await gql(ALERTS, {"d": str(world.district_1)}, token=official))["data"][
        "districtAlerts"
    ]
    assert alerts["compounds"] == 4
    assert [(x["communityName"], x["kind"], x["count"]) for x in alerts["alerts"]] == [
        ("乙小区", "NO_BODY", None),
        ("己小区", "TERM_ENDING", None),  # 30 days before 丁's 60
        ("己小区", "BOTTOM", None),
        ("丁小区", "TERM_ENDING", None),
        ("丁小区", "COMPLAINTS_OVERDUE", 2),
        ("戊小区", "COMPLAINTS_OVERDUE", 1),  # its 物管会's term ends in 200 days
    ]

    def names(page: dict[str, Any]) -> list[str]:
        return [n["compound"] for n in page["nodes"]]

    g = world.district_1
    by_term = names(await dashboard(gql, official, g, sort="TERM_ENDS_AT"))
    assert by_term[:3] == ["己小区", "丁小区", "戊小区"] and set(by_term[3:]) == {
        "甲小区",
        "乙小区",
    }
    assert names(await dashboard(gql, official, g, sort="COVERAGE", desc=True))[:2] == [
        "丁小区",
        "戊小区",
    ]
    assert names(await dashboard(gql, official, g, sort="BODY"))[:2] == ["乙小区", "己小区"]
    # by the assessment's rank: 戊 (1), 己 (2), then the unranked by id
    assert names(await dashboard(gql, official, g, sort="SERVICE_RANK"))[:2] == ["戊小区", "己小区"]
    assert names(await dashboard(gql, official, g, sort="PROPOSALS_QUALIFIED", desc=True))[0] == (
        "戊小区"
    )
    # filters
    assert names(await dashboard(gql, official, g, f={"alertsOnly": True})) == [
        "丁小区",
        "乙小区",
        "己小区",
        "戊小区",
    ]
    assert names(await dashboard(gql, official, g, f={"bodies": ["STAND_IN", "PREPARATORY"]})) == [
        "己小区",
        "戊小区",
    ]
    assert names(await dashboard(gql, official, g, f={"termEnding": False})) == [
        "乙小区",
        "戊小区",
        "甲小区",
    ]
    assert names(await dashboard(gql, official, g, f={"electionsUnderWay": True})) == ["甲小区"]
    assert names(await dashboard(gql, official, g, f={"proposalsWaiting": True})) == ["戊小区"]
    assert names(await dashboard(gql, official, g, f={"consultationsOpen": True})) == ["己小区"]
    incomplete = await dashboard(gql, official, g, f={"coverageIncomplete": True})
    assert incomplete["totalCount"] == 4 and "丁小区" not in names(incomplete)
    assert names(await dashboard(gql, official, g, f={"name": "戊"})) == ["戊小区"]
    assert (await dashboard(gql, official, g, f={"name": "%"}))["totalCount"] == 0
    # pages: 2 + 2 + 1, no row twice
    seen: list[str] = []
    after = None
    for size in (2, 2, 2):
        p = await dashboard(gql, official, g, first=size, after=after)
        seen += names(p)
        after = p["pageInfo"]["endCursor"]
    assert seen == ["丁小区", "乙小区", "己小区", "戊小区", "甲小区"]
    bad = await gql(DASHBOARD, {"d": str(g), "after": "!!"}, token=official, expect_errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_CURSOR"


async def test_complaints_sort_filter_and_drill_compounds(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, _, small = await _district(gql, world, runtime)
    official, g = world.tokens["official"], world.district_1

    def names(page: dict[str, Any]) -> list[str]:
        return [n["compound"] for n in page["nodes"]]

    by_open = names(await dashboard(gql, official, g, sort="COMPLAINTS_OPEN", desc=True))
    assert by_open[:2] == ["戊小区", "丁小区"]  # 4, 3, then the rest (0) by id
    assert by_open[2:] == ["甲小区", "乙小区", "己小区"]
    by_overdue = names(await dashboard(gql, official, g, sort="COMPLAINTS_OVERDUE", desc=True))
    assert by_overdue[:2] == ["丁小区", "戊小区"]
    assert names(await dashboard(gql, official, g, sort="COMPLAINTS_OVERDUE"))[-2:] == [
        "戊小区",
        "丁小区",
    ]
    # no average (NULL) sorts last either way
    for desc in (False, True):
        rated = names(await dashboard(gql, official, g, sort="COMPLAINTS_RATING", desc=desc))
        assert rated[0] == "戊小区", desc
        hours = names(await dashboard(gql, official, g, sort="COMPLAINTS_RESOLVE_HOURS", desc=desc))
        assert hours[0] == "戊小区", desc
    assert names(await dashboard(gql, official, g, f={"complaintsOverdue": True})) == [
        "丁小区",
        "戊小区",
    ]
    assert names(await dashboard(gql, official, g, f={"complaintsOverdue": False})) == [
        "乙小区",
        "己小区",
        "甲小区",
    ]
    # a month later none of 戊's resolved ones is "this month"; the open ones are all overdue
    runtime.clock.now = runtime.clock.now + timedelta(days=31)  # type: ignore[attr-defined]
    e = by_name(await dashboard(gql, official, g))["戊小区"]["complaints"]
    assert (e["open"], e["overdue"], e["resolved"], e["resolveHours"]) == (4, 4, 0, None)
    runtime.clock.now = runtime.clock.now - timedelta(days=31)  # type: ignore[attr-defined]
    # a drill compound raises no alert, its overdue complaints included
    async with runtime.writer() as s:
        await s.execute(
            update(Community).where(Community.id.in_([small.d, small.e])).values(drill=True)
        )
        await s.commit()
    rows = by_name(await dashboard(gql, official, g))
    assert rows["丁小区"]["alerts"] == [] and rows["戊小区"]["alerts"] == []
    assert rows["丁小区"]["complaints"]["overdue"] == 2  # still shown
    alerts = (await gql(ALERTS, {"d": str(g)}, token=official))["data"]["districtAlerts"]
    assert "COMPLAINTS_OVERDUE" not in [x["kind"] for x in alerts["alerts"]]
    assert alerts["compounds"] == 2


async def test_statements_per_page_do_not_grow_with_its_size(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    await _district(gql, world, runtime)
    official = world.tokens["official"]
    variables = {"d": str(world.district_1), "sort": "ELECTIONS", "desc": True}
    counts = []
    for size in (1, 5):
        runtime.caches.turnouts.clear()
        with statements(runtime) as seen:
            r = await gql(DASHBOARD, {**variables, "first": size}, token=official)
        assert len(r["data"]["districtDashboard"]["nodes"]) == size
        assert r["data"]["districtDashboard"]["nodes"][0]["elections"][0]["turnout"]
        counts.append(len([q for q in seen if q.lstrip().upper().startswith("SELECT")]))
    # the session's viewer, the page with its total, elections, their ledgers and their rolls
    assert counts[0] == counts[1] and counts[0] <= 5, counts


async def test_export_has_the_filtered_rows_in_both_formats(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    await _district(gql, world, runtime)
    official = world.tokens["official"]
    v = {"d": str(world.district_1), "f": {"alertsOnly": True}}
    got = (await gql(EXPORT, {**v, "fmt": "CSV"}, token=official))["data"][
        "districtDashboardExport"
    ]
    assert got["rowCount"] == 4 and got["contentType"].startswith("text/csv")
    text = base64.b64decode(got["base64"]).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["编号", "小区", "治理主体"]
    assert [row[1] for row in table[1:]] == ["丁小区", "乙小区", "己小区", "戊小区"]
    assert table[2][2] == "无" and table[2][-1] == "无治理主体"
    assert table[3][-1] == "任期90天内届满；物业考核末位" and table[3][11] == "2"
    # the complaints: open, overdue, resolved this month, average hours, average rating
    assert table[0][12:17] == [
        "未办结投诉",
        "超期投诉",
        "本月办结投诉",
        "平均办结时长(小时)",
        "平均评分",
    ]
    assert table[1][12:17] == ["3", "2", "0", "", ""]
    assert table[4][12:17] == ["4", "1", "3", "20.0", "4.5"]
    assert table[1][-1] == "任期90天内届满；投诉超期"
    xlsx = (await gql(EXPORT, {**v, "fmt": "XLSX"}, token=official))["data"][
        "districtDashboardExport"
    ]
    wb = load_workbook(io.BytesIO(base64.b64decode(xlsx["base64"])))
    ws = wb.active
    assert ws is not None
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert [str(c) for c in cells[0]] == table[0]
    assert [row[1] for row in cells[1:]] == ["丁小区", "乙小区", "己小区", "戊小区"]
    assert cells[4][12:17] == [4, 1, 3, 20.0, 4.5]
    # English headers for an English request
    en = await gql(EXPORT, {**v, "fmt": "CSV"}, token=official, lang="en")
    head = base64.b64decode(en["data"]["districtDashboardExport"]["base64"]).decode("utf-8-sig")
    assert head.startswith("ID,Compound,Governing body")
    assert "Open complaints,Overdue complaints,Complaints resolved this month," in head


async def test_who_may_read_and_record(gql: Gql, world: World, runtime: Runtime) -> None:
    _, _, small = await _district(gql, world, runtime)
    d1 = str(world.district_1)
    for who in ("official_2", "owner", "committee", "supervisor", "owner_b"):
        for doc, extra in (
            (DASHBOARD, {}),
            (ALERTS, {}),
            (EXPORT, {"fmt": "CSV"}),
            (SUMMARY, {}),
        ):
            r = await gql(doc, {"d": d1, **extra}, token=world.tokens[who], expect_errors=True)
            assert r["data"] is None, (who, doc)
            assert r["errors"][0]["extensions"]["code"] == "FORBIDDEN", (who, doc)
    anonymous = await gql(DASHBOARD, {"d": d1}, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # an admin reads any district
    assert (await dashboard(gql, world.tokens["admin"], world.district_2))["totalCount"] == 1

    record = {
        "communityId": str(small.f),
        "partyOrg": True,
        "partyMembers": False,
        "propertyService": True,
        "partyVenue": False,
        "note": "党支部已建",
    }
    # the district's official only: another district's is told the compound is not found
    for who, code in (
        ("official_2", "NOT_FOUND"),
        ("committee", "NOT_FOUND"),
        ("owner", "NOT_FOUND"),
    ):
        r = await gql(RECORD, {"i": record}, token=world.tokens[who])
        assert r["data"]["recordCoverage"]["code"] == code, who
    ok = (await gql(RECORD, {"i": record}, token=world.tokens["official"]))["data"][
        "recordCoverage"
    ]
    assert ok["__typename"] == "CoverageRecorded"
    assert ok["coverage"]["count"] == 2 and ok["coverage"]["recordedBy"] == "official"
    assert ok["coverage"]["governingBody"] is False
    row = by_name(await dashboard(gql, world.tokens["official"], world.district_1))["己小区"]
    assert row["coverage"]["partyOrg"] is True and row["coverage"]["note"] == "党支部已建"
    assert row["coverage"]["recordedAt"] is not None
    # bad input: nothing changed
    long = {**record, "partyOrg": False, "note": "长" * 501}
    r = await gql(RECORD, {"i": long}, token=world.tokens["official"])
    assert r["data"]["recordCoverage"]["code"] == "TEXT_TOO_LONG"
    row = by_name(await dashboard(gql, world.tokens["official"], world.district_1))["己小区"]
    assert row["coverage"]["partyOrg"] is True
    missing = {**record, "communityId": "999999"}
    r = await gql(RECORD, {"i": missing}, token=world.tokens["official"])
    assert r["data"]["recordCoverage"]["code"] == "NOT_FOUND"


async def test_bad_inputs_are_coded_refusals(gql: Gql, world: World) -> None:
    official = world.tokens["official"]
    d1 = str(world.district_1)
    for variables, code in (
        ({"d": "abc"}, "BAD_ID"),
        ({"d": "0"}, "BAD_ID"),
        ({"d": d1, "first": 0}, "BAD_PAGE_SIZE"),
        ({"d": d1, "first": 10_000}, "BAD_PAGE_SIZE"),
        ({"d": d1, "after": "Yzotlx"}, "BAD_CURSOR"),
        ({"d": d1, "f": {"name": "长" * 101}}, "BAD_FILTER"),
        ({"d": "99999"}, "FORBIDDEN"),  # no such district: no official of it
    ):
        r = await gql(DASHBOARD, variables, token=official, expect_errors=True)
        assert r["data"] is None, variables
        assert r["errors"][0]["extensions"]["code"] == code, (variables, r["errors"])
    for first in (0, 10_000):
        r = await gql(ALERTS, {"d": d1, "first": first}, token=official, expect_errors=True)
        assert r["errors"][0]["extensions"]["code"] == "BAD_PAGE_SIZE"
    r = await gql(EXPORT, {"d": d1, "fmt": "PDF"}, token=official, expect_errors=True)
    assert "PDF" in r["errors"][0]["message"]  # not an enum value: GraphQL's own refusal
    # an admin reads any district, a missing one as empty
    empty = await gql(DASHBOARD, {"d": "99999"}, token=world.tokens["admin"])
    assert empty["data"]["districtDashboard"]["totalCount"] == 0
