"""The notice board (信息公开) and the maintenance fund in the browser (issue #15 part 2), against a
`gongzhi demo` of its own (a notice posted in the shared demo would change what other tests see):

- an owner on a phone finds 信息公开 on the compound's card, sees the board (the demo's
  announcement, finance statement, fund statement and the automatic postings), opens the
  announcement — counted as a reader — sees its two attachments as downloads, downloads the PDF
  (sent as an attachment), and objects;
- the committee on a 1920×1080 screen posts a notice with a PDF picked from disk, lands on it,
  answers the owner's objection; a notice whose minimum period is running refuses withdrawal
  with the date in the message; the fund page shows the ledger and its closing balance.

Every screen is checked for layout and saved as a screenshot at 360×740 and 1920×1080.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.demo import COMMITTEE
from tests.support.server import Server
from tests.web.ballots import shoot
from tests.web.conftest import Demo, log_in, need_browser, page_opener

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
MINE = "{ myCommunities { id name } }"


@pytest.fixture(scope="module")
def boarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    need_browser()
    server = Server(tmp_path_factory.mktemp("board-demo"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def pages(browser: Any, boarded: Demo) -> Iterator[Any]:
    with page_opener(browser, boarded) as make:
        yield make


def test_owners_read_and_object_the_committee_posts_and_answers(
    pages: Any, boarded: Demo, tmp_path: Path
) -> None:
    owner = boarded.login("owner", "one unit")
    compound = boarded.gql(MINE, phone=owner.phone)["myCommunities"][0]["id"]

    phone = pages(360, 740)
    log_in(phone, owner.phone)
    phone.locator(f'a[href="#/community/{compound}/board"]').first.click()
    board = phone.locator("section.board")
    expect(board.locator("h1")).to_contain_text("信息公开")
    for kind in ("ANNOUNCEMENT", "FINANCE", "FUND", "ELECTION_RESULT", "CANDIDATES", "DECISION"):
        expect(board.locator(f'li.notice-card[data-kind="{kind}"]').first).to_be_visible()
    shoot(phone, tmp_path, "board")
    board.locator('li.notice-card[data-kind="ANNOUNCEMENT"] h2 a').first.click()
    notice = phone.locator("section.notice-page")
    expect(notice.locator(".meta").nth(1)).to_contain_text("1 人已读")
    links = notice.locator("ul.files a")
    expect(links).to_have_count(2)
    with phone.expect_download() as download:
        links.first.click()
    assert download.value.suggested_filename == "供暖调试安排.pdf"
    notice.locator("details.action summary", has_text="提出异议").click()
    notice.get_by_label("异议内容").fill("调试期间老人家中取暖怎么办？")
    notice.get_by_role("button", name="提交异议").click()
    expect(notice.locator("ul.objections li")).to_contain_text("调试期间老人家中取暖怎么办？")
    shoot(phone, tmp_path, "notice-owner")

    desk = pages(1920, 1080)
    log_in(desk, COMMITTEE)
    desk.goto(f"/#/community/{compound}/board")
    desk.locator("details.action summary", has_text="发布公告").click()
    form = desk.locator("details.action form")
    form.get_by_label("标题").fill("地下车库排水检修")
    form.get_by_label("正文").fill("12 月 10 日 9:00 至 12:00 检修，请勿停放在 B 区。")
    form.get_by_label("附件").set_input_files(
        {"name": "检修方案.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="发布").click()
    posted = desk.locator("section.notice-page")
    expect(posted.locator("h1")).to_have_text("地下车库排水检修")
    expect(posted.locator("ul.files a")).to_have_text("检修方案.pdf")
    posted.locator("details.action summary", has_text="撤回公告").click()
    posted.get_by_label("撤回理由").fill("时间改期")
    posted.get_by_role("button", name="撤回", exact=True).click()
    expect(posted.locator(".error:not([hidden])")).to_contain_text("此前不能撤回或缩短")
    desk.goto(f"/#/community/{compound}/board?kind=ANNOUNCEMENT")
    desk.locator("li.notice-card h2 a", has_text="供暖调试").click()
    answer = desk.locator("section.notice-page ul.objections li").first
    answer.get_by_label("答复").fill("物业将为有需要的老人送取暖器，请联系物业服务中心。")
    answer.get_by_role("button", name="提交答复").click()
    expect(desk.locator("section.notice-page ul.objections .answer")).to_contain_text("取暖器")
    shoot(desk, tmp_path, "notice-committee")
    desk.goto(f"/#/community/{compound}/fund")
    fund = desk.locator("section.fund")
    expect(fund.locator("table.fund-ledger tbody tr")).to_have_count(3)
    expect(fund.locator("dd.closing")).to_have_text("¥1,293,945.67")
    shoot(desk, tmp_path, "fund")
