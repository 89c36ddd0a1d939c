"""The committee's drafting tools in the browser, against a `gongzhi demo` of its own whose
shortest consultation window is 0 days (GONGZHI_CONSULTATION_MIN_DAYS=0), so that a
consultation can be ended in the test instead of waiting out seven days:

the committee writes a draft, edits a clause, publishes it for consultation; an owner comments;
the committee answers in the response register, ends the consultation, drafts and publishes
version 2; the owner sees the answer and the diff. Also the committee's decision on a proposal,
the language switch on the register, and screenshots of the proposal and version/diff screens
at 360 px and 1920 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.layout import check_layout
from tests.support.server import Server
from tests.web.ballots import shoot
from tests.web.conftest import (
    PASSWORD,
    SCREENSHOTS,
    Demo,
    log_in,
    need_browser,
    page_opener,
)

DRAFT = """管理规约
第一章 总则
第一条 为了规范本小区的物业管理，制定本规约。
第二条 全体业主应当遵守本规约。
第二章 车辆
第三条 车辆应当停放在车位内。
"""
PROBLEM = "... on Problem { code message }"
ADD_COMMENT = (
    "mutation($i: AddCommentInput!) { addComment(input: $i) { __typename"
    f" ... on CommentSaved {{ comment {{ id }} }} {PROBLEM} }} }}"
)
CREATE_PROPOSAL = (
    "mutation($i: CreateProposalInput!) { createProposal(input: $i) { __typename"
    f" ... on ProposalSaved {{ proposal {{ summary {{ id }} }} }} {PROBLEM} }} }}"
)
VERSION_ID = re.compile(r"#/version/(\d+)$")


@pytest.fixture(scope="module")
def drafting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    need_browser()
    server = Server(
        tmp_path_factory.mktemp("drafting-demo"),
        env={"GONGZHI_CONSULTATION_MIN_DAYS": "0"},
    )
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def pages(browser: Any, drafting: Demo) -> Iterator[Any]:
    """open(width, height) → a page on this module's server, checked like `new_page`."""
    with page_opener(browser, drafting) as make:
        yield make


def _version_id(page: Any) -> str:
    m = VERSION_ID.search(page.url)
    assert m, page.url
    return m[1]


def _clause(page: Any, label: str) -> Any:
    return page.locator("article.clause").filter(has=page.get_by_role("heading", name=label))


def _edit(page: Any, label: str, text: str) -> None:
    article = _clause(page, label)
    summary = article.locator("details.edit-clause summary")
    summary.focus()  # reachable and operable from the keyboard
    page.keyboard.press("Enter")
    expect(article.locator("details.edit-clause")).to_have_attribute("open", "")
    form = article.locator("form.edit-clause-form")
    form.get_by_label("条文内容").fill(text)
    form.get_by_role("button", name="保存修改").click()
    expect(_clause(page, label).locator(".clause-text")).to_have_text(text)


def _publish(page: Any, note: str) -> None:
    """Publish the draft: the confirmation says it can never change; cancelling it first leaves
    the draft a draft with the note still typed (issue #14 item 6)."""
    form = page.locator("form.publish-form")
    form.get_by_label("修订说明（可选）").fill(note)
    form.get_by_role("button", name="公布此版本").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("永远不能再修改")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("section.version")).to_have_attribute("data-phase", "DRAFT")
    expect(form.get_by_label("修订说明（可选）")).to_have_value(note)
    form.get_by_role("button", name="公布此版本").click()
    page.get_by_role("dialog").get_by_role("button", name="确定公布").click()
    expect(page.locator("section.version")).to_have_attribute("data-phase", "OPEN")


def test_draft_consult_answer_close_and_publish_the_next_version(
    pages: Any, drafting: Demo
) -> None:
    demo = drafting
    staff = pages(1280, 900)
    log_in(staff, demo.login("committee").phone)

    # the committee writes a draft and edits its second article
    staff.goto("/#/community/1/documents")
    staff.locator("details.new-document summary").click()
    form = staff.locator("form.document-form")
    form.get_by_label("文件类型").select_option("MANAGEMENT_STATUTE")
    form.get_by_label("标题").fill("管理规约")
    form.get_by_label("草稿全文（可选）").fill(DRAFT)
    form.get_by_role("button", name="创建草稿").click()
    expect(staff.locator("section.version")).to_have_attribute("data-phase", "DRAFT")
    v1 = _version_id(staff)
    check_layout(staff, 1280)
    _edit(staff, "第二条", "全体业主和物业使用人应当遵守本规约。")
    # a new article after the third
    third = _clause(staff, "第三条")
    third.locator("details.add-clause summary").click()
    added = third.locator("form.add-clause-form")
    added.get_by_label("条文内容").fill("访客车辆应当登记。")
    added.get_by_role("button", name="新增条文").click()
    expect(_clause(staff, "第四条").locator(".clause-text")).to_have_text("访客车辆应当登记。")
    # and one more, removed again after the confirmation
    fourth = _clause(staff, "第四条")
    fourth.locator("details.add-clause summary").click()
    fourth.locator("form.add-clause-form").get_by_label("条文内容").fill("临时条文。")
    fourth.get_by_role("button", name="新增条文").click()
    expect(staff.locator("article.clause")).to_have_count(5)
    _clause(staff, "第五条").get_by_role("button", name="删除第五条").click()
    staff.get_by_role("dialog").get_by_role("button", name="确定删除").click()
    expect(staff.locator("article.clause")).to_have_count(4)
    expect(staff.get_by_text("临时条文。")).to_have_count(0)
    staff.set_viewport_size({"width": 1920, "height": 1080})
    check_layout(staff, 1920)
    staff.screenshot(path=SCREENSHOTS / "version-draft-1920x1080.png", full_page=True)
    _publish(staff, "首次征求意见")
    expect(staff.locator("article.clause details.edit-clause")).to_have_count(0)  # immutable

    # an owner comments on the third article (through the API: the page's comment form is
    # tested in test_proposals.py)
    clause = _clause(staff, "第三条").get_attribute("data-clause")
    owner = demo.login("owner", "one unit")
    said = demo.gql(
        ADD_COMMENT,
        {
            "i": {
                "versionId": v1,
                "clauseId": clause,
                "stance": "AMEND",
                "body": "应当为访客留出车位。<b>请考虑</b>",
                "proposedText": "车辆应当停放在车位内，访客车辆停放在访客车位。",
            }
        },
        phone=owner.phone,
        password=PASSWORD,
    )["addComment"]
    assert said["__typename"] == "CommentSaved", said
    cid = said["comment"]["id"]

    # the committee answers it in the response register: unanswered ones first
    staff.reload()
    staff.get_by_role("link", name="意见答复台账").click()
    register = staff.locator("section.register")
    expect(register).to_have_attribute("data-unanswered", "1")
    waiting = register.locator(f"ol.waiting li.register-entry[data-comment='{cid}']")
    expect(waiting.locator(".where")).to_have_text("第三条")
    expect(waiting.get_by_text("应当为访客留出车位。<b>请考虑</b>")).to_be_visible()  # as text
    waiting.get_by_label("答复结果").select_option("ADOPTED")
    waiting.get_by_label("理由").fill("第二版增加访客车位。")
    waiting.get_by_role("button", name="发布答复").click()
    expect(register).to_have_attribute("data-unanswered", "0")
    expect(register.locator(".all-answered")).to_be_visible()
    done = register.locator(f"ol.done li.register-entry[data-comment='{cid}']")
    expect(done.locator(".answer")).to_contain_text("第二版增加访客车位。")

    # ends the consultation, then drafts and publishes version 2: with a minimum of 0 days a
    # window still lasts at least a second (opensAt < closesAt), so let that second pass
    opened = demo.gql(
        "query($v: ID!) { documentVersion(id: $v) { opensAt } }",
        {"v": v1},
        phone=owner.phone,
        password=PASSWORD,
    )["documentVersion"]["opensAt"]
    since = (datetime.now(UTC) - datetime.fromisoformat(opened)).total_seconds()
    time.sleep(max(0.0, 1.2 - since))
    staff.goto(f"/#/version/{v1}")
    close = staff.locator("form.close-consultation-form")
    close.get_by_label("结束原因").fill("意见已充分收集")
    close.get_by_role("button", name="现在结束征求意见").click()
    expect(staff.locator("section.version")).to_have_attribute("data-phase", "CLOSED")
    staff.locator("button.next-draft").click()
    expect(staff.locator("section.version")).to_have_attribute("data-phase", "DRAFT")
    v2 = _version_id(staff)
    assert v2 != v1
    _edit(staff, "第三条", "车辆应当停放在车位内，访客车辆停放在访客车位。")
    _publish(staff, "采纳业主意见，增加访客车位。")

    # the owner sees the answer on the clause and the changes from version 1
    for width, height in ((360, 740), (1920, 1080)):
        page = pages(width, height)
        log_in(page, owner.phone)
        page.goto(f"/#/version/{v2}")
        answer = _clause(page, "第三条").locator(f"li.comment[data-comment='{cid}'] .answer")
        expect(answer).to_contain_text("第二版增加访客车位。")
        expect(answer).to_contain_text("采纳")
        page.get_by_role("button", name="查看与第 1 版的差异").click()
        changed = page.locator(f".diff-clause.diff-changed[data-clause='{clause}']")
        expect(changed.locator("ins")).to_contain_text("访客车辆停放在访客车位")
        expect(page.locator(".diff .lead")).to_contain_text("修改 1 条")
        check_layout(page, width)
        page.screenshot(path=SCREENSHOTS / f"version-diff-{width}x{height}.png", full_page=True)

    # the register of version 1 says where the adopted comment landed; and in English
    page.goto(f"/#/version/{v1}/register")
    done = page.locator(f"li.register-entry[data-comment='{cid}']")
    expect(done).to_contain_text("已写入第 2 版第三条")
    page.locator("header button.lang").click()
    expect(page.locator("h1")).to_have_text("管理规约, version 1: response register")
    expect(done).to_contain_text("Written into version 2, article 3")
    check_layout(page, 1920)
    page.screenshot(path=SCREENSHOTS / "register-en-1920x1080.png", full_page=True)
    page.locator("header button.lang").click()
    expect(page.locator("h1")).to_have_text("《管理规约》第 1 版：意见答复台账")


def test_the_committee_puts_a_proposal_to_the_vote_and_records_the_decision(
    pages: Any, drafting: Demo
) -> None:
    demo = drafting
    author = demo.login("owner", "one unit")
    made = demo.gql(
        CREATE_PROPOSAL,
        {
            "i": {
                "communityId": "1",
                "title": "增设电动自行车充电桩",
                "body": "建议在 3 号楼北侧增设充电桩。\n费用由公共收益支出。",
                "category": "充电",
                "submit": True,
            }
        },
        phone=author.phone,
        password=PASSWORD,
    )["createProposal"]
    assert made["__typename"] == "ProposalSaved", made
    pid = made["proposal"]["summary"]["id"]

    staff = pages(1280, 900)
    log_in(staff, demo.login("committee").phone)
    staff.goto(f"/#/proposal/{pid}")
    staff.locator("details.answer-proposal summary").click()
    answer = staff.locator("form.answer-form")
    answer.get_by_label("答复方式").select_option("SCHEDULE")
    answer.get_by_label("答复内容").fill("将提交下次业主大会表决。")
    answer.get_by_role("button", name="发布答复").click()
    expect(staff.locator("section.proposal")).to_have_attribute("data-status", "SCHEDULED")
    staff.locator("details.decide-proposal summary").click()
    decide = staff.locator("form.decide-form")
    decide.get_by_label("表决结果").select_option("PASSED")
    decide.get_by_label("结果说明").fill("业主大会表决通过。")
    decide.get_by_role("button", name="记录结果").click()
    expect(staff.locator("section.proposal")).to_have_attribute("data-status", "DECIDED")
    expect(staff.locator("section.decision")).to_contain_text("业主大会表决通过。")
    expect(staff.locator("details.decide-proposal")).to_have_count(0)

    for width, height in ((360, 740), (1920, 1080)):
        page = pages(width, height)
        log_in(page, demo.login("owner", "several units").phone)
        page.goto(f"/#/proposal/{pid}")
        expect(page.locator("section.decision")).to_contain_text("通过")
        expect(page.locator("section.official-answer")).to_contain_text("将提交下次业主大会表决。")
        check_layout(page, width)
        page.screenshot(path=SCREENSHOTS / f"proposal-{width}x{height}.png", full_page=True)


RULES = """业主大会议事规则
第一条 业主大会由全体业主组成。
第二条 业主大会会议可以采用集体讨论或者书面征求意见的形式。
第三条 业主大会的决定对全体业主具有约束力。
"""
VERSION_SAVED = f"__typename ... on VersionSaved {{ version {{ id }} }} {PROBLEM}"


def _consulted_rules(demo: Demo, phone: str) -> str:
    """A 议事规则 whose consultation has closed with no comment open, through the API (the
    drafting screens are the test above); → its version id."""

    def call(mutation: str, field: str, value: dict[str, Any]) -> str:
        out = demo.gql(mutation, {"i": value}, phone=phone, password=PASSWORD)[field]
        assert out["__typename"] == "VersionSaved", out
        return str(out["version"]["id"])

    version = call(
        f"mutation($i: CreateDocumentInput!) {{ createDocument(input: $i) {{ {VERSION_SAVED} }} }}",
        "createDocument",
        {
            "communityId": "1",
            "kind": "RULES_OF_PROCEDURE",
            "title": "业主大会议事规则",
            "text": RULES,
        },
    )
    closes = datetime.fromtimestamp(time.time() + 86400, UTC).isoformat()
    call(
        f"mutation($i: PublishVersionInput!) {{ publishVersion(input: $i) {{ {VERSION_SAVED} }} }}",
        "publishVersion",
        {"versionId": version, "closesAt": closes},
    )
    time.sleep(1.2)  # a window lasts at least a second (see the test above)
    call(
        f"mutation($i: CloseConsultationInput!) {{ closeConsultation(input: $i) {{ {VERSION_SAVED} }} }}",
        "closeConsultation",
        {"versionId": version, "reason": "无意见"},
    )
    return version


def test_the_committee_puts_a_rule_version_to_the_vote_and_owners_read_it(
    pages: Any, drafting: Demo, tmp_path: Path
) -> None:
    """Issue #14 items 2 and 6: the election form attaches the consulted version; announcing
    asks first (cancel changes nothing; a committee selection with fewer candidates than seats is
    warned of), and the owner opens the version's articles from the announced ballot."""
    demo = drafting
    committee = demo.login("committee")
    version = _consulted_rules(demo, committee.phone)
    # a candidate of the demo's own election (an owner on the roll, and on a vetted list where
    # the district requires 两考)
    candidate = demo.gql(
        "query($e: ID!) { election(id: $e) { questions { candidates { name } } } }",
        {"e": demo.election_id},
        phone=committee.phone,
        password=PASSWORD,
    )["election"]["questions"][0]["candidates"][0]["name"]

    staff = pages(1280, 900)
    log_in(staff, committee.phone)
    staff.goto("/#/community/1/elections/new")
    staff.get_by_label("标题", exact=True).fill("修订业主大会议事规则")
    staff.get_by_label("开始投票（北京时间）").fill("2030-03-10T09:00")
    staff.get_by_label("截止投票（北京时间）").fill("2030-03-17T18:00")
    staff.get_by_role("button", name="添加议案").click()
    staff.get_by_label("事项标题").fill("通过《业主大会议事规则》")
    staff.get_by_label("事项类型（《民法典》第二百七十八条）").select_option(value="1")
    pick = staff.get_by_label("表决的文本（版本）")
    expect(pick.locator(f"option[value='{version}']")).to_contain_text("征求意见已结束")
    pick.select_option(value=version)
    staff.get_by_role("button", name="添加委员选举").click()
    editor = staff.locator("fieldset.q-editor[data-kind=committee]")
    editor.get_by_label("事项标题").fill("增补业主委员会委员")
    editor.get_by_label("按姓名查找业主").fill(candidate)
    editor.get_by_role("button", name=f"添加 {candidate}", exact=True).first.click()
    expect(editor.locator(".chosen li")).to_have_count(1)
    shoot(staff, tmp_path, "election-form-rule-version")
    staff.get_by_role("button", name="保存草稿").click()
    expect(staff.locator("h1")).to_have_text("组织表决：修订业主大会议事规则")
    election = re.search(r"#/election/(\d+)/manage", staff.url)
    assert election, staff.url

    # announcing asks first, says what cannot be undone and warns of the short list; Escape
    # and 取消 leave the draft as it was and give the focus back
    announce = staff.get_by_role("button", name="公告", exact=True)
    announce.click()
    dialog = staff.get_by_role("dialog", name="公告表决“修订业主大会议事规则”？")
    expect(dialog).to_contain_text("公告后不能再修改表决事项和候选人")
    expect(dialog.locator(".warnings")).to_contain_text(
        "“增补业主委员会委员”有 5 个名额，只有 1 位候选人：名额选不满"
    )
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    shoot(staff, tmp_path, "announce-confirm")
    staff.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(announce).to_be_focused()
    expect(staff.locator(".state")).to_have_text("草稿")
    announce.click()
    staff.get_by_role("dialog").get_by_role("button", name="取消").click()
    expect(staff.get_by_role("dialog")).to_have_count(0)
    expect(staff.locator(".state")).to_have_text("草稿")

    # the committee takes the selection out (it waits for more nominations) and announces
    staff.get_by_role("link", name="修改草稿").click()
    staff.locator("fieldset.q-editor[data-kind=committee]").get_by_role(
        "button", name="删除此项"
    ).click()
    expect(staff.get_by_label("表决的文本（版本）")).to_have_value(version)  # kept as saved
    staff.get_by_role("button", name="保存修改").click()
    expect(staff.locator(".state")).to_have_text("草稿")
    announce.click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.locator(".warnings")).to_have_count(0)
    dialog.get_by_role("button", name="确定公告").click()
    expect(staff.locator(".state")).to_have_text("已公告")

    # the owner reads what the resolution adopts, article by article, from the ballot
    owner = pages(360, 740)
    log_in(owner, demo.login("owner", "several units").phone)
    owner.goto(f"/#/election/{election[1]}")
    rule = owner.locator(f".rule-text[data-version='{version}']")
    expect(rule).to_contain_text("本议案表决的文本：《业主大会议事规则》第 1 版，共 3 条。")
    expect(owner.locator("section.election")).to_contain_text(
        "《民法典》第二百七十八条第一款第（一）项：制定和修改业主大会议事规则"
    )
    shoot(owner, tmp_path, "ballot-rule-text")
    rule.get_by_role("link", name="逐条阅读《业主大会议事规则》第 1 版").click()
    expect(owner.locator("section.version")).to_have_attribute("data-phase", "CLOSED")
    expect(owner.locator("article.clause")).to_have_count(3)
    expect(_clause(owner, "第三条")).to_contain_text("业主大会的决定对全体业主具有约束力。")
