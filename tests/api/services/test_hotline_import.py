"""12345 hotline exports into the complaint queue (issue #16 part 1; api/formats/hotline.py,
api/services/hotline.py): CSV in UTF-8 or GBK and .xlsx, all or nothing, every bad row named by
row, column and why; a ticket imported twice refused; only the district's officials import; the
caller never shown to the compound."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from api.cli import complaints as complaints_cli
from api.formats import hotline
from api.runtime import Runtime
from api.store.models import Complaint
from tests.conftest import Gql
from tests.support.complaints import ONE
from tests.support.elections import T0, use_clock
from tests.support.world import World
from voting.complaints import DEFAULT_CATEGORIES

IMPORT = """mutation($i: ImportHotlineInput!) { importHotline(input: $i) { __typename
  ... on HotlineImported { imported dryRun }
  ... on Problem { code message details { line column message value } } } }"""
LIST = """query { complaints(scope: DISTRICT) { totalCount nodes { id state source hotlineRef
  reporterName category { code } } } }"""
HEADER = "工单编号,受理时间,小区,地址,问题类别,诉求内容,来电人,联系电话\n"
GOOD = (
    HEADER
    + "GD20261201001,2026-12-01 08:30,甲小区,1号楼楼顶,违章搭建,楼顶搭建彩钢房,钱先生,13911112222\n"
    + "GD20261201002,2026/12/01 09:15,乙小区,北门,消防通道,消防通道被占,孙女士,\n"
)


def _send(data: bytes, name: str = "tickets.csv", dry: bool = False, district: int = 0) -> dict:  # type: ignore[type-arg]
    return {"i": {"districtId": str(district), "filename": name,
                  "data": base64.b64encode(data).decode(), "dryRun": dry}}  # fmt: skip


async def _count(runtime: Runtime) -> int:
    async with runtime.reader() as s:
        return int(await s.scalar(select(func.count()).select_from(Complaint)) or 0)


async def test_a_csv_export_is_imported_whole(gql: Gql, world: World, runtime: Runtime) -> None:
    use_clock(runtime, T0)
    official = world.tokens["official"]
    dry = (await gql(IMPORT, _send(GOOD.encode(), dry=True, district=world.district_1),
                     token=official))["data"]["importHotline"]  # fmt: skip
    assert (dry["imported"], dry["dryRun"]) == (2, True)
    assert await _count(runtime) == 0
    done = (await gql(IMPORT, _send(GOOD.encode("gbk"), district=world.district_1),
                      token=official))["data"]["importHotline"]  # fmt: skip
    assert (done["imported"], done["dryRun"]) == (2, False)
    nodes = (await gql(LIST, token=official))["data"]["complaints"]["nodes"]
    by_ref = {n["hotlineRef"]: n for n in nodes}
    assert by_ref["GD20261201001"]["state"] == "REPORTED"
    assert by_ref["GD20261201002"]["state"] == "WHISTLED"  # a fire lane goes to the district
    assert by_ref["GD20261201001"]["reporterName"] == "钱先生"  # officials see the caller
    seen = await gql(ONE, {"id": by_ref["GD20261201001"]["id"]}, token=world.tokens["owner"])
    assert seen["data"]["complaint"]["reporterName"] is None  # the compound does not
    again = (await gql(IMPORT, _send(GOOD.encode(), district=world.district_1),
                       token=official))["data"]["importHotline"]  # fmt: skip
    assert again["code"] == "HOTLINE_INVALID"
    assert [(d["line"], d["column"]) for d in again["details"]] == [
        (2, "工单编号"),
        (3, "工单编号"),
    ]
    assert await _count(runtime) == 2


async def test_bad_rows_are_all_named_and_nothing_is_imported(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime, T0)
    bad = (
        HEADER
        + "A1,2026-12-01 08:30,甲小区,东门,违章搭建,好的一行,,\n"
        + "A2,昨天,甲小区,东门,噪音,时间不对,,\n"
        + "A3,2026-12-01 08:30,丙小区,东门,噪音,另一个街道的小区,,\n"
        + "A4,2026-12-01 08:30,甲小区,东门,天气,类别不对,,\n"
        + "A1,2026-12-01 08:30,甲小区,东门,噪音,编号重复,,\n"
        + ",2026-12-01 08:30,甲小区,东门,噪音,,,abc\n"
    )
    body = await gql(
        IMPORT, _send(bad.encode(), district=world.district_1), token=world.tokens["official"]
    )
    problem = body["data"]["importHotline"]
    assert problem["code"] == "HOTLINE_INVALID"
    got = [(d["line"], d["column"]) for d in problem["details"]]
    assert got == [
        (3, "受理时间"),
        (4, "小区"),
        (5, "问题类别"),
        (6, "工单编号"),
        (7, "工单编号"),
        (7, "联系电话"),
        (7, "诉求内容"),
    ]
    assert "2026-12-01 09:30" in problem["details"][0]["message"]
    assert await _count(runtime) == 0


@pytest.mark.parametrize("who", ["official_2", "committee", "owner"])
async def test_only_the_districts_officials_import(gql: Gql, world: World, who: str) -> None:
    body = await gql(
        IMPORT, _send(GOOD.encode(), district=world.district_1), token=world.tokens[who]
    )
    assert body["data"]["importHotline"]["code"] == "FORBIDDEN"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_xlsx_export_with_real_times(gql: Gql, world: World, runtime: Runtime) -> None:
    from datetime import datetime

    use_clock(runtime, T0)
    data = _xlsx([
        ["工单编号", "受理时间", "小区", "地址", "问题类别", "诉求内容", "来电人", "联系电话"],
        ["X1", datetime(2026, 12, 1, 8, 0), "甲小区", "2号楼", "噪音", "夜间施工", "赵", 13900001111],
        ["X2", "2026-12-01 08:00", "乙小区", "南门", "其他", "垃圾未清", None, None],
    ])  # fmt: skip
    done = (await gql(IMPORT, _send(data, "工单.xlsx", district=world.district_1),
                      token=world.tokens["official"]))["data"]["importHotline"]  # fmt: skip
    assert done["imported"] == 2
    broken = (await gql(IMPORT, _send(b"PK\x03\x04 not really", "x.xlsx", district=world.district_1),
                        token=world.tokens["official"]))["data"]["importHotline"]  # fmt: skip
    assert (
        broken["code"] == "HOTLINE_INVALID" and "Excel" in broken["details"][0]["message"] + "Excel"
    )


def test_the_parser_reports_missing_columns_and_bad_encodings() -> None:
    missing = hotline.parse("t.csv", "工单编号,小区\nA,甲\n".encode(), DEFAULT_CATEGORIES)
    assert [e.column for e in missing.errors] == ["受理时间", "问题类别", "诉求内容"]
    assert hotline.parse("t.csv", b"", DEFAULT_CATEGORIES).errors[0].en == "the file is empty"
    assert hotline.parse("t.csv", b"\xff\xfe\x00\x00garbage\x81", DEFAULT_CATEGORIES).errors
    hidden = hotline.parse("t.csv", (HEADER + "A,2026-12-01 08:00,甲\u202e小区,x,噪音,y,,\n").encode(),
                           DEFAULT_CATEGORIES)  # fmt: skip
    assert hidden.errors[0].column == "小区" and "U+202E" in hidden.errors[0].zh


async def test_the_command_imports_as_the_official_named(
    world: World, runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_clock(runtime, T0)
    assert (
        await complaints_cli.import_12345(
            runtime, "13700000003", world.district_1, "t.csv", GOOD.encode(), dry_run=False
        )
        == 2
    )  # the committee is no official
    assert await _count(runtime) == 0
    bad = HEADER + "B1,never,甲小区,x,噪音,y,,\n"
    assert (
        await complaints_cli.import_12345(
            runtime, "13700000001", world.district_1, "t.csv", bad.encode(), dry_run=False
        )
        == 2
    )
    assert "第 2 行「受理时间」" in capsys.readouterr().err
    assert (
        await complaints_cli.import_12345(
            runtime, "13700000001", world.district_1, "t.csv", GOOD.encode(), dry_run=False
        )
        == 0
    )
    assert await _count(runtime) == 2
