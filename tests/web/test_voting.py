"""Owners vote in the browser on the demo election (api/cli/demo/ seeds it open): the ballot,
the voting code, the confirmation, the receipt, checking it, re-voting; the committee's and
supervisors' election screens; the language switch on the election page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from api.cli.demo import DEMO_ELECTION_TITLE, DEMO_RESOLUTION
from tests.support.demo import PASSWORD
from tests.support.layout import check_layout
from tests.web.ballots import shoot, vote_in_page

STATUS = "query($e: ID!, $t: String!) { ballotStatus(electionId: $e, trackingCode: $t) }"
CLOSES = "query($e: ID!) { election(id: $e) { closesAt } }"
BEIJING = timezone(timedelta(hours=8))


def check_code(page: Any, election_id: str, tracking: str) -> Any:
    page.goto(f"/#/election/{election_id}/check")
    page.get_by_label("查验码", exact=True).fill(tracking)
    page.get_by_role("button", name="查验", exact=True).click()
    return page.locator(".status-box")


def zh_time(iso: str) -> str:
    """What formatTime shows in Chinese: the date and time in Beijing, 2026年12月4日 18:00."""
    d = datetime.fromisoformat(iso).astimezone(BEIJING)
    return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"


def test_an_owner_votes_checks_the_receipt_and_votes_again(
    new_page: Any, demo: Any, login: Any, tmp_path: Path
) -> None:
    owner = demo.login("owner", "several units")
    elector, code = demo.voting_code(owner.phone)
    eid = demo.election_id
    closes = demo.gql(CLOSES, {"e": eid}, phone=owner.phone, password=PASSWORD)["election"]
    page = new_page(360, 740)
    login(page, owner.phone)

    # home shows the open vote with its deadline, that this owner has not voted, and one big
    # button (issue #14 item 3)
    vote = page.locator(f"article.community li.open-vote[data-election='{eid}']")
    expect(vote.locator(".vote-title")).to_have_text(DEMO_ELECTION_TITLE)
    expect(vote.locator(".deadline")).to_contain_text(f"投票截止：{zh_time(closes['closesAt'])}")
    expect(vote.locator(".time-left")).to_contain_text("天内截止")
    expect(vote).to_have_attribute("data-voted", "false")
    expect(vote.locator(".my-ballots")).to_contain_text("未投票")
    shoot(page, tmp_path, "home-open-vote")
    vote.get_by_role("link", name="去投票").click()
    expect(page.locator("h1")).to_have_text(DEMO_ELECTION_TITLE)
    ballot = page.locator("form.ballot")
    expect(ballot).to_contain_text("最多选 5 人")
    expect(ballot).to_contain_text("截止前可以重新投票，以最后一次为准")

    # "at most 5" is enforced: with five ticked the sixth cannot be
    boxes = ballot.locator(".candidates input[type=checkbox]")
    expect(boxes).to_have_count(6)
    for i in range(5):
        boxes.nth(i).check()
    expect(ballot.locator(".pick-count")).to_contain_text("已选 5 人，最多 5 人")
    expect(boxes.nth(5)).to_be_disabled()
    boxes.nth(4).uncheck()
    expect(boxes.nth(5)).to_be_enabled()
    names = [str(ballot.locator(".cand-name").nth(i).inner_text()) for i in range(4)]

    # nothing chosen on the resolution: asked to answer it
    ballot.get_by_label("表决码").fill(code)
    ballot.get_by_role("button", name="下一步：核对选择").click()
    expect(ballot.get_by_role("alert")).to_contain_text(f"请回答：{DEMO_RESOLUTION}")
    ballot.get_by_role("button", name="同意", exact=True).click()
    expect(ballot.get_by_role("button", name="同意", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    # a wrong code comes back from the service, the choices are kept
    ballot.get_by_label("表决码").fill("2222-3333-4444")
    ballot.get_by_role("button", name="下一步：核对选择").click()
    page.get_by_role("button", name="确认投票").click()
    expect(page.locator("form.ballot .error")).to_contain_text("表决码不正确")
    expect(page.get_by_label("表决码")).to_have_attribute("aria-invalid", "true")
    expect(boxes.nth(0)).to_be_checked()

    # lower case and no dashes are fine; the confirmation restates every choice
    page.get_by_label("表决码").fill(code.replace("-", "").lower())
    page.get_by_role("button", name="下一步：核对选择").click()
    confirm = page.locator("section.confirm-ballot")
    expect(confirm).to_contain_text("请核对您的选择")
    expect(confirm).to_contain_text("、".join(names) + "（共 4 人）")
    expect(confirm).to_contain_text("同意")
    expect(confirm).to_contain_text(code)  # shown formatted, as printed
    page.get_by_role("button", name="确认投票").click()

    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("投票成功")
    expect(receipt).to_contain_text("请保存此查验码")
    first = str(receipt.locator(".tracking").inner_text()).strip()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", first), first
    expect(receipt.locator(".cast-at")).to_have_text(
        re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d$")
    )
    expect(receipt.get_by_role("button", name="修改投票")).to_be_visible()
    shoot(page, tmp_path, "receipt")
    # no ledger position or head on it: while voting is open that is the exact ballot count
    # (issue #12 item 2); the tracking code is what checks the ballot
    expect(receipt.locator(".hash")).to_have_count(0)
    expect(receipt).not_to_contain_text("账本")

    # the check page, opened from the receipt, says COUNTED
    receipt.get_by_role("link", name="查验我的选票").click()
    expect(page.locator("h1")).to_have_text("查验我的选票")
    expect(page.get_by_label("查验码", exact=True)).to_have_value(first)
    page.get_by_role("button", name="查验", exact=True).click()
    expect(page.locator(".status-box")).to_have_attribute("data-status", "COUNTED")
    expect(page.locator(".status-box")).to_contain_text("已计入")
    # ...and the list of counted codes waits for the close: while voting is open its length
    # would be the exact ballot count (issue #12)
    expect(page.locator("[data-list-later]")).to_contain_text("投票截止后")
    expect(page.locator(".codes-list")).to_have_count(0)

    # back on the vote: not an empty ballot but what was done, the receipt of this session
    # and "修改投票" (issue #14 item 3)
    page.goto(f"/#/election/{eid}")
    voted = page.locator("section.voted")
    expect(voted.locator("h2")).to_have_text("您已投票")
    expect(voted.locator(".tracking")).to_have_text(first)
    expect(voted.locator(".cast-at")).to_be_visible()
    expect(page.locator("form.ballot")).to_have_count(0)
    shoot(page, tmp_path, "ballot-voted")
    # change the vote: the earlier ballot is superseded, the new one counted
    second = vote_in_page(page, eid, code, candidates=[], answer="反对")
    assert second != first
    expect(check_code(page, eid, first)).to_have_attribute("data-status", "SUPERSEDED")
    expect(page.locator(".status-box")).to_contain_text("已被取代")
    expect(check_code(page, eid, second)).to_have_attribute("data-status", "COUNTED")
    # this session's receipts are offered for checking (memory only)
    expect(page.locator("main")).to_contain_text("本次登录投出的选票")
    statuses = {
        t: demo.gql(STATUS, {"e": eid, "t": t}, phone=owner.phone, password=PASSWORD)[
            "ballotStatus"
        ]
        for t in (first, second)
    }
    assert statuses == {first: "SUPERSEDED", second: "COUNTED"}
    assert elector
    # home now says the ballot is cast, and still offers the vote (to change it)
    page.goto("/#/")
    vote = page.locator(f"li.open-vote[data-election='{eid}']")
    expect(vote).to_have_attribute("data-voted", "true")
    expect(vote.locator(".my-ballots")).to_contain_text("已投票")
    expect(vote.get_by_role("link", name="去投票")).to_be_visible()


def test_the_language_switch_changes_the_election_page(
    new_page: Any, demo: Any, login: Any
) -> None:
    page = new_page(360, 740)
    login(page, demo.login("owner", "co-owned").phone)
    page.goto(f"/#/election/{demo.election_id}")
    ballot = page.locator("form.ballot")
    expect(ballot.locator("h2")).to_have_text("填写选票")
    expect(ballot).to_contain_text("最多选 5 人")
    expect(ballot.get_by_role("button", name="弃权", exact=True)).to_be_visible()
    check_layout(page, 360)
    page.locator("header button.lang").click()
    expect(ballot.locator("h2")).to_have_text("Your ballot")
    ballot = page.locator("form.ballot")
    expect(ballot).to_contain_text("Choose up to 5")
    expect(ballot.get_by_role("button", name="Abstain", exact=True)).to_be_visible()
    expect(page.get_by_label("Voting code")).to_be_visible()
    expect(page.locator("section.election")).to_contain_text("(Beijing time)")
    # what people wrote stays as written
    expect(page.locator("h1")).to_have_text(DEMO_ELECTION_TITLE)
    expect(page).to_have_title("Vote · Gongzhi")
    check_layout(page, 360)
    page.locator("header button.lang").click()
    expect(page.locator("form.ballot h2")).to_have_text("填写选票")


def test_a_proxy_holder_chooses_whose_ballot_first(new_page: Any, demo: Any, login: Any) -> None:
    committee = demo.login("committee")
    holder = demo.login("owner", "one unit")
    page = new_page()
    login(page, committee.phone)
    page.goto(f"/#/election/{demo.election_id}/manage")
    form = page.locator("form.proxy-form")
    form.get_by_label("楼栋").select_option(label="3 栋")
    electors = form.get_by_label("房屋（投票人）")
    expect(electors.locator("option").nth(1)).to_be_attached()
    label = str(electors.locator("option").nth(1).inner_text()).split(" · ")[0]
    electors.select_option(index=1)
    form.get_by_label("受托人手机号").fill(holder.phone)
    form.get_by_label("受托人姓名").fill(holder.name)
    form.get_by_label("书面委托书编号").fill("WT-2026-001")
    form.get_by_role("button", name="登记委托").click()
    expect(form.get_by_role("status")).to_contain_text(f"已登记：{holder.name} 代理 {label}")
    row = page.locator("tr", has_text="WT-2026-001")
    expect(row).to_contain_text("有效")

    owner_page = new_page(360, 740)
    login(owner_page, holder.phone)
    owner_page.goto(f"/#/election/{demo.election_id}")
    chooser = owner_page.locator("section.ballot")
    expect(chooser.locator("h2")).to_have_text("先选择为谁投票")
    proxied = chooser.locator(".elector-choice", has_text=label)
    expect(proxied).to_contain_text("代理")
    proxied.locator("input").check()
    chooser.get_by_role("button", name="下一步").click()
    expect(owner_page.locator("form.ballot .for")).to_contain_text(label)
    expect(owner_page.locator("form.ballot .for")).to_contain_text("代理")

    row.get_by_role("button", name="撤销").click()
    expect(page.locator("tr", has_text="WT-2026-001")).to_contain_text("已撤销")


def test_the_committee_defines_and_announces_an_election(page: Any, demo: Any, login: Any) -> None:
    login(page, demo.login("committee").phone)
    page.goto("/#/community/1/elections")
    page.get_by_role("link", name="新建表决").click()
    expect(page.locator("h1")).to_contain_text("新建表决")
    page.get_by_label("标题", exact=True).fill("选聘物业服务企业")
    # 20 days ahead, in Beijing time: announced now, the 15-day notice holds
    page.get_by_label("开始投票（北京时间）").fill("2030-01-10T09:00")
    page.get_by_label("截止投票（北京时间）").fill("2030-01-17T18:00")
    page.get_by_role("button", name="添加议案").click()
    page.get_by_label("事项标题").fill("续聘示范物业公司")
    page.get_by_label("事项类型（《民法典》第二百七十八条）").select_option(value="4")
    page.get_by_role("button", name="添加委员选举").click()
    editor = page.locator("fieldset.q-editor[data-kind=committee]")
    editor.get_by_label("事项标题").fill("增补业主委员会委员")
    # candidates are found on the roll by name (the demo election's candidates are owners)
    names = demo.gql(
        "query($e: ID!) { election(id: $e) { questions { candidates { name } } } }",
        {"e": demo.election_id},
        phone=demo.login("committee").phone,
        password=PASSWORD,
    )["election"]["questions"][0]["candidates"]
    for c in names[:6]:
        editor.get_by_label("按姓名查找业主").fill(c["name"])
        editor.get_by_role("button", name=f"添加 {c['name']}", exact=True).first.click()
    expect(editor.locator(".chosen li")).to_have_count(6)
    # an even number of seats is refused by the service, at the field
    editor.get_by_label("名额").fill("4")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("form .error")).to_be_visible()
    expect(editor.get_by_label("名额")).to_have_attribute("aria-invalid", "true")
    editor.get_by_label("名额").fill("5")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator("h1")).to_have_text("组织表决：选聘物业服务企业")
    expect(page.locator("main")).to_contain_text("2030年1月10日 09:00")
    # the draft reopens as it was saved (times back in Beijing time), and can be changed
    page.get_by_role("link", name="修改草稿").click()
    expect(page.get_by_label("开始投票（北京时间）")).to_have_value("2030-01-10T09:00")
    expect(page.get_by_label("截止投票（北京时间）")).to_have_value("2030-01-17T18:00")
    expect(page.locator("fieldset.q-editor[data-kind=committee] .chosen li")).to_have_count(6)
    expect(page.get_by_label("事项类型（《民法典》第二百七十八条）")).to_have_value("4")
    page.get_by_label("标题", exact=True).fill("选聘物业服务企业（第二稿）")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("h1")).to_have_text("组织表决：选聘物业服务企业（第二稿）")
    page.get_by_role("button", name="公告", exact=True).click()
    page.get_by_role("button", name="确定公告").click()
    expect(page.locator(".state")).to_have_text("已公告")
    # too early to open: the service says so in the page's language
    page.get_by_role("button", name="开始投票", exact=True).click()
    page.get_by_role("button", name="确定开始投票").click()
    expect(page.locator("main .error")).to_be_visible()
    expect(page.locator(".state")).to_have_text("已公告")


def test_notices_print_per_building_and_a_code_is_reissued(
    new_page: Any, demo: Any, login: Any
) -> None:
    # the running body issues activation letters, so it finds no voting notices on its page
    # (separation of duties, docs/design.md §3.4) ...
    page = new_page()
    login(page, demo.login("committee").phone)
    page.goto(f"/#/election/{demo.election_id}/manage")
    expect(page.locator("main")).to_contain_text("表决码通知书由监票人打印和补发")
    expect(page.get_by_role("button", name="生成通知书")).to_have_count(0)
    # ... a supervisor prints them, from the compound's list of votes
    page = new_page()
    login(page, demo.login("supervisor").phone)
    page.locator("article.community").get_by_role("link", name="表决投票").click()
    page.locator(f"li[data-election='{demo.election_id}']").get_by_role(
        "link", name="表决码通知书"
    ).click()
    expect(page.locator("h1")).to_contain_text("表决码通知书：")
    page.get_by_label("楼栋", exact=True).first.select_option(label="3 栋")
    page.get_by_role("button", name="生成通知书").click()
    sheets = page.locator("article.notice-sheet")
    expect(sheets.first).to_be_visible()
    assert sheets.count() > 1
    expect(sheets.first).to_contain_text("业主大会表决码通知书")
    expect(sheets.first.locator(".code")).to_have_text(
        re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
    )
    expect(sheets.first).to_contain_text("3 栋")
    page.get_by_role("link", name="返回").click()

    reissue = page.get_by_role("region", name="补发表决码")
    reissue.get_by_label("楼栋").select_option(label="3 栋")
    reissue.get_by_label("房屋（投票人）").select_option(index=2)
    reissue.get_by_role("button", name="补发", exact=True).click()
    dialog = page.get_by_role("dialog", name="补发表决码")
    expect(dialog).to_contain_text("旧表决码立即失效")
    dialog.get_by_role("button", name="确定补发").click()
    expect(page.locator("article.notice-sheet")).to_have_count(1)
    expect(page.locator("article.notice-sheet")).to_contain_text("原表决码已作废")


def test_the_supervisor_verifies_the_open_election(page: Any, demo: Any, login: Any) -> None:
    login(page, demo.login("supervisor").phone)
    page.goto(f"/#/election/{demo.election_id}/certify")
    expect(page.locator("main")).to_contain_text("截止后才能签字确认")
    page.get_by_role("button", name="开始验证").click()
    report = page.locator(".verify-report")
    expect(report).to_have_attribute("data-ok", "true")
    expect(report).to_contain_text("验证通过")


def test_refusals_show_their_specifics_in_the_page(
    page: Any, new_page: Any, demo: Any, login: Any
) -> None:
    """The service's message states the facts (issue #12, item 17) and the page shows it: a
    voting code with a letter O and a digit 1 names the characters codes never hold; closing the
    vote before its time says it is still open and until when. Neither changes anything."""
    owner = demo.login("owner", "one unit")
    _, code = demo.voting_code(owner.phone)
    login(page, owner.phone)
    page.goto(f"/#/election/{demo.election_id}")
    ballot = page.locator("form.ballot")
    expect(ballot).to_be_visible()
    ballot.locator(".candidates input[type=checkbox]").first.check()
    ballot.get_by_role("button", name="同意", exact=True).click()
    ballot.get_by_label("表决码").fill(code[:-2] + "O1")
    ballot.get_by_role("button", name="下一步：核对选择").click()
    page.get_by_role("button", name="确认投票").click()
    shown = page.locator("form.ballot .error")
    expect(shown).to_contain_text("表决码中不会出现“O、1”")
    expect(shown).to_contain_text("0、1、I、L、O")

    staff = new_page()
    login(staff, demo.login("committee").phone)
    staff.goto(f"/#/election/{demo.election_id}/manage")
    staff.get_by_role("button", name="截止并计票", exact=True).click()
    staff.get_by_role("button", name="确定截止").click()
    error = staff.locator("main .error:visible")
    expect(error).to_contain_text("投票正在进行")
    expect(error).to_contain_text("截止后才能结束投票")
    expect(staff.locator(".state")).to_have_text("投票中")
