"""The district dashboard in a real browser (issue #16 part 2): the demo district's official
opens it from the navigation and sees every compound with its governing body, the demo's alert
(锦绣花园 has no governing body), the server's chart as an image, filters and sorts, drills down
to a compound's governance page, exports the filtered view as CSV and records a compound's
coverages; at 360 px and 1920×1080 in both languages."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.layout import SIZES, check_layout
from tests.web.conftest import SCREENSHOTS, Demo, log_in

OLD = "锦绣花园"
DEMO = "共治示范小区"


def _open(page: Any, demo: Demo) -> None:
    log_in(page, demo.login("official").phone)
    page.get_by_role("navigation").get_by_role("link", name="街道看板").click()
    expect(page.locator("section.dboard h1")).to_have_text("街道看板")


def test_the_official_reads_filters_exports_and_records(new_page: Any, demo: Demo) -> None:
    page = new_page(1920, 1080)
    _open(page, demo)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    old = rows.filter(has_text=OLD)
    expect(old).to_have_attribute("data-body", "NONE")
    expect(old).to_have_attribute("data-alerts", "NO_BODY")
    expect(rows.filter(has_text=DEMO)).to_have_attribute("data-body", "COMMITTEE")
    expect(rows.filter(has_text="和谐家园")).to_have_attribute("data-body", "PREPARATORY")
    # the demo's open election, with its released turnout
    expect(rows.filter(has_text=DEMO).locator(".turnout")).to_have_count(1)
    # the alert, the figures and the chart (an image that loaded)
    expect(page.locator(".alerts li[data-alert='NO_BODY']")).to_contain_text(OLD)
    expect(page.locator("[data-figure='noBody']")).to_contain_text("1")
    # compound A's committee, seated almost five years ago, is due for 换届, and 和谐家园's
    # property company came last in the demo's latest assessment (末位); compound A has an
    # overdue complaint among the demo's complaints in every state
    expect(page.locator("ul.alerts li")).to_have_count(4)
    expect(page.locator("ul.alerts li[data-alert='COMPLAINTS_OVERDUE']")).to_contain_text(DEMO)
    complaints = rows.filter(has_text=DEMO).locator("ul.complaints")
    expect(complaints).not_to_have_attribute("data-overdue", "0")
    expect(complaints).to_contain_text("未办结")
    expect(page.locator("ul.alerts li[data-alert='BOTTOM']")).to_contain_text("和谐家园")
    expect(page.locator("ul.alerts li[data-alert='TERM_ENDING']")).to_contain_text(DEMO)
    chart = page.locator("img.dboard-chart")
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('img.dboard-chart').naturalWidth") > 0
    assert page.locator("svg").count() == 0  # never inserted as markup

    # filter: alerts only
    page.get_by_label("仅预警").check()
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text("3")
    # export the filtered view
    with page.expect_download() as got:
        page.get_by_role("button", name="导出 CSV").click()
    path = got.value.path()
    with open(path, encoding="utf-8-sig") as f:
        table = list(csv.reader(io.StringIO(f.read())))
    assert table[0][1] == "小区" and sorted(r[1] for r in table[1:]) == sorted(
        [OLD, DEMO, "和谐家园"]
    )

    # record 锦绣花园's coverages
    old = rows.filter(has_text=OLD)
    old.locator("summary").click()
    old.get_by_label("党组织").check()
    old.get_by_label("党建阵地").check()
    old.get_by_role("button", name="保存").click()
    expect(old.locator("[data-coverage]")).to_have_attribute("data-coverage", "2")
    expect(old).to_contain_text("街道干部 王主任")

    # sort by coverage, most first: compound A records all four and has a committee
    page.get_by_label("仅预警").uncheck()
    page.get_by_label("排序").select_option("COVERAGE")
    page.get_by_label("倒序").check()
    page.get_by_role("button", name="筛选").click()
    expect(rows.first).to_contain_text(DEMO)
    expect(rows.first.locator("[data-coverage]")).to_have_attribute("data-coverage", "5")

    # only compounds with overdue complaints, most open first: compound A alone
    page.get_by_label("有超期投诉").check()
    page.get_by_label("排序").select_option("COMPLAINTS_OPEN")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(DEMO)
    page.get_by_label("有超期投诉").uncheck()
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(4)

    # drill down to the compound's governance page
    rows.filter(has_text=OLD).get_by_role("link", name=OLD).click()
    expect(page).to_have_url(re.compile(r"#/community/\d+/governance"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_dashboard_fits_a_phone_and_a_wall_in_both_languages(
    new_page: Any, demo: Demo, width: int, height: int
) -> None:
    page = new_page(width, height)
    _open(page, demo)
    expect(page.locator("tbody tr")).to_have_count(4)
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"district-board-{width}x{height}.png", full_page=True)
    page.locator("header button.lang").click()
    expect(page.locator("section.dboard h1")).to_have_text("District dashboard")
    expect(page.locator(".alerts li[data-alert='NO_BODY']")).to_contain_text("No governing body")
    expect(page.locator("tbody tr").filter(has_text=OLD)).to_contain_text("No governing body")
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"district-board-en-{width}x{height}.png", full_page=True)
