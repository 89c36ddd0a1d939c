"""Property assessment in the browser (issue #15 part 1), on the demo: an owner answers this
quarter's survey in Chinese and may change it; the official reads the district ranking (和谐家园's
company at the bottom, flagged), a company's history with the server's chart, in English too; a
flagged contract links to an election form prefilled with an Art. 278 item 4 resolution."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD

IDS = "{ myCommunities { id name districtId } }"
LIST = "{ communities(first: 100) { nodes { id name districtId } } }"


def _ids(demo: Any, phone: str) -> dict[str, dict[str, str]]:
    got = demo.gql(IDS, phone=phone, password=PASSWORD)["myCommunities"]
    return {c["name"]: c for c in got}


def test_an_owner_answers_the_survey_and_can_change_it(page: Any, demo: Any, login: Any) -> None:
    owner = demo.login("owner", "one unit")
    compound = _ids(demo, owner.phone)["共治示范小区"]
    login(page, owner.phone)
    page.goto(f"/#/community/{compound['id']}/surveys")
    expect(page.locator("h1")).to_contain_text("物业服务满意度与考核")
    elector = page.locator(".survey[data-state=open] .elector").first
    expect(elector).to_have_attribute("data-answered", "false")
    expect(elector).to_contain_text("测评不记名")
    for group in elector.locator("fieldset").all():
        group.get_by_label("4 满意").check()
    elector.get_by_role("button", name="提交评分").click()
    answered = page.locator(".survey[data-state=open] .elector").first
    expect(answered).to_have_attribute("data-answered", "true")
    expect(answered.get_by_role("button", name="修改评分")).to_be_visible()
    # the past quarters show means by heads and by area, never one owner's answers
    expect(page.locator(".survey[data-state=closed] table.survey-results").first).to_contain_text(
        "按面积平均"
    )


def test_the_official_reads_the_ranking_and_a_companys_history(
    page: Any, demo: Any, login: Any
) -> None:
    official = demo.login("official")
    nodes = demo.gql(LIST, phone=official.phone, password=PASSWORD)["communities"]["nodes"]
    b = next(n for n in nodes if n["name"] == "和谐家园")
    district = b["districtId"]
    login(page, official.phone)
    page.goto(f"/#/district/{district}/assessment")
    expect(page.locator("h1")).to_contain_text("物业服务企业考核")
    ranking = page.locator("table.ranking").first
    expect(ranking.locator("tbody tr")).to_have_count(3)
    bottom = ranking.locator("tr.bottom")
    expect(bottom).to_contain_text("和谐家园")
    expect(bottom).to_contain_text("连续两期末位")
    bottom.get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("和谐物业管理有限公司")
    expect(page.locator("figure.history-chart svg polyline")).to_have_count(1)
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    page.get_by_role("button", name=re.compile("English|切换")).first.click()
    expect(page.locator("table.history caption")).to_have_text("Assessments")
    page.goto(f"/#/community/{b['id']}/surveys")
    # The district follows its rectification order up in the page and closes it (整改跟进).
    order = page.locator("table.rectifications tbody tr").first
    expect(order).to_have_attribute("data-state", "overdue")
    order.get_by_text("Record a follow-up").click()
    order.get_by_label("What was found").fill("复查：通道堆物已清理")
    order.get_by_label("Rectified: close the order").check()
    order.get_by_role("button", name="Save the follow-up").click()
    closed = page.locator("table.rectifications tbody tr").first
    expect(closed).to_have_attribute("data-state", "done")
    expect(closed).to_contain_text("通道堆物已清理")
    expect(closed.get_by_text("Record a follow-up")).to_have_count(0)
    page.get_by_role("link", name=re.compile("Put it to the owners")).click()
    expect(page.locator("select[name='questions[0].matter']")).to_have_value("4")
