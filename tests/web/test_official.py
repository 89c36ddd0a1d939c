"""Officials: the district's compounds, and a roll import that checks first and lists bad rows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD

TOTALS = "{ communities(first: 100) { nodes { id name totals { units heads area } } } }"
BAD_ROLL = (
    "楼栋,房号,楼层,专有面积,业主姓名,手机\n"
    "1,1-1-101,1,89.50,张三,13900000001\n"
    "1,1-1-102,1,abc,李四,13900000002\n"
    "1,1-1-103,1,90.00,王五,123\n"
)
GOOD_ROLL = (
    "楼栋,房号,楼层,专有面积,业主姓名,手机,共有人\n"
    "A,101,1,89.50,张三,13900000011,\n"
    "A,102,1,90.25,李四,13900000012,李四妻:13900000013\n"
    "B,101,1,120.00,张三,13900000011,\n"
)


def demo_compound(demo: Any, official: Any) -> dict[str, Any]:
    nodes = demo.gql(TOTALS, phone=official.phone, password=PASSWORD)["communities"]["nodes"]
    return next(n for n in nodes if n["name"] == "共治示范小区")


def test_a_roll_with_bad_rows_lists_them_and_imports_nothing(
    page: Any, demo: Any, login: Any
) -> None:
    official = demo.login("official")
    before = demo_compound(demo, official)
    login(page, official.phone)
    page.get_by_role("navigation").get_by_role("link", name="辖区小区").click()
    expect(page.locator("h1")).to_have_text("辖区小区")
    row = page.locator("tbody tr").filter(has_text="共治示范小区")
    expect(row).to_contain_text(f"{before['totals']['units']:,}")
    row.get_by_role("link", name="导入名册").click()

    expect(page.locator("h1")).to_have_text("共治示范小区：导入业主名册")
    page.get_by_label("或把名册内容粘贴在这里").fill(BAD_ROLL)
    apply = page.get_by_role("button", name="确认导入")
    expect(apply).to_be_disabled()
    page.get_by_role("button", name="检查（不导入）").click()

    expect(page.locator(".error-title")).to_contain_text("名册有 2 处错误，未导入任何数据")
    table = page.get_by_role("table", name="名册中的错误（2 处）")
    expect(table.locator("thead")).to_have_text("行号列原因填写的内容")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("面积")
    expect(rows.nth(0).locator("td").nth(3)).to_have_text("abc")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("4")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("手机")
    expect(rows.nth(1).locator("td").nth(2)).to_contain_text("手机号格式不正确")
    expect(apply).to_be_disabled()

    after = demo_compound(demo, official)
    assert after["totals"] == before["totals"]


def test_an_official_creates_a_compound_and_imports_its_roll(
    page: Any, demo: Any, login: Any
) -> None:
    official = demo.login("official")
    login(page, official.phone)
    page.goto("/#/district")
    page.locator("summary", has_text="新建小区").click()
    page.get_by_label("小区名称").fill("浏览器测试小区")
    page.get_by_label("地址").fill("测试路 9 号")
    page.get_by_role("button", name="创建小区").click()

    expect(page.locator("h1")).to_have_text("浏览器测试小区：导入业主名册")
    expect(page.get_by_role("status")).to_have_text("小区已创建。下一步：导入业主名册。")
    page.get_by_label("或把名册内容粘贴在这里").fill(GOOD_ROLL)
    page.get_by_role("button", name="检查（不导入）").click()
    result = page.locator(".result")
    expect(result.locator(".counts")).to_have_text("房屋 3 套新增 3 套删除 0 套修改 0 处")
    expect(result).to_contain_text("检查通过")

    # Editing after the check withdraws it.
    page.get_by_label("或把名册内容粘贴在这里").fill(GOOD_ROLL + "\n")
    expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
    page.get_by_role("button", name="检查（不导入）").click()
    page.get_by_role("button", name="确认导入").click()
    expect(result).to_contain_text("名册已导入。")
    stats = page.locator(".stats")
    expect(stats).to_contain_text("房屋套数3")
    expect(stats).to_contain_text("业主人数2")  # 张三 owns two units: one head
    expect(stats).to_contain_text("299.75 平方米")

    page.goto("/#/district")
    expect(page.locator("tbody tr").filter(has_text="浏览器测试小区")).to_contain_text(
        "测试路 9 号"
    )
