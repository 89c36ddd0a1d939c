"""Proposals and rule documents in the browser: co-signing moves the support count; an owner
comments on a clause of a published draft, the committee answers it, the owner sees the answer;
the proposal page switches language. The proposal and the draft are made through the API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import PASSWORD, SCREENSHOTS, Demo, log_in

PROBLEM = "... on Problem { code message }"
DRAFT = """管理规约
第一章 总则
第一条 为了规范本小区的物业管理，制定本规约。
第二条 全体业主应当遵守本规约。
第二章 车辆
第三条 车辆应当停放在车位内。
"""


def _as(demo: Demo, phone: str) -> dict[str, str]:
    return {"phone": phone, "password": PASSWORD}


@pytest.fixture(scope="module")
def proposal(demo: Demo) -> str:
    author = demo.login("owner", "one unit")
    data = demo.gql(
        "mutation($i: CreateProposalInput!) { createProposal(input: $i) { __typename"
        f" ... on ProposalSaved {{ proposal {{ summary {{ id }} }} }} {PROBLEM} }} }}",
        {
            "i": {
                "communityId": "1",
                "title": "增设电动自行车充电桩 <script>x</script>",
                "body": "建议在 3 号楼北侧增设充电桩。\n费用由公共收益支出。",
                "category": "充电",
                "submit": True,
            }
        },
        **_as(demo, author.phone),
    )
    result = data["createProposal"]
    assert result["__typename"] == "ProposalSaved", result
    return str(result["proposal"]["summary"]["id"])


@pytest.fixture(scope="module")
def version(demo: Demo) -> tuple[str, str]:
    """A published management statute in consultation: (version id, id of its third clause)."""
    committee = demo.login("committee")
    saved = demo.gql(
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { __typename"
        f" ... on VersionSaved {{ version {{ id clauses {{ id }} }} }} {PROBLEM} }} }}",
        {
            "i": {
                "communityId": "1",
                "kind": "MANAGEMENT_STATUTE",
                "title": "管理规约",
                "text": DRAFT,
            }
        },
        **_as(demo, committee.phone),
    )["createDocument"]
    assert saved["__typename"] == "VersionSaved", saved
    vid = saved["version"]["id"]
    published = demo.gql(
        "mutation($i: PublishVersionInput!) { publishVersion(input: $i) { __typename"
        f" ... on VersionSaved {{ version {{ phase }} }} {PROBLEM} }} }}",
        {"i": {"versionId": vid, "closesAt": "2099-01-01T12:00:00+08:00"}},
        **_as(demo, committee.phone),
    )["publishVersion"]
    assert published["__typename"] == "VersionSaved", published
    return str(vid), str(saved["version"]["clauses"][2]["id"])


def test_owner_co_signs_and_the_support_moves(new_page: Any, demo: Demo, proposal: str) -> None:
    owner = demo.login("owner", "several units")
    page = new_page()
    log_in(page, owner.phone)
    page.goto("/#/community/1/proposals")
    item = page.locator(f"li.proposal-item[data-proposal='{proposal}']")
    # The title is text, never markup.
    item.get_by_text("增设电动自行车充电桩 <script>x</script>").wait_for()
    assert item.locator(".support").get_attribute("data-heads") == "1"
    item.locator("h2 a").click()
    support = page.locator("section.proposal .support")
    support.wait_for()
    assert support.get_attribute("data-heads") == "1"
    page.locator("button.sign").click()
    page.locator("button.unsign").wait_for()
    assert page.locator("section.proposal .support").get_attribute("data-heads") == "2"
    page.locator("section.proposal .support").get_by_text(re.compile("2 人")).wait_for()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "proposal-1280x800.png"), full_page=True)
    # and back
    page.locator("button.unsign").click()
    page.locator("button.sign").wait_for()
    assert page.locator("section.proposal .support").get_attribute("data-heads") == "1"


def test_clause_comment_answered_by_the_committee(
    new_page: Any, demo: Demo, version: tuple[str, str]
) -> None:
    vid, clause = version
    owner = demo.login("owner", "one unit")
    page = new_page(360, 740)
    log_in(page, owner.phone)
    page.goto(f"/#/version/{vid}")
    article = page.locator(f"article.clause[data-clause='{clause}']")
    article.get_by_text("车辆应当停放在车位内。").wait_for()
    assert page.locator("h2.chapter").count() == 2
    article.locator("details.comment-box summary").click()
    article.get_by_label("我的意见").select_option("AMEND")
    article.get_by_label("意见和理由").fill("应当为访客留出车位。")
    article.get_by_label("建议修改为").fill("车辆应当停放在车位内，访客车辆停放在访客车位。")
    article.locator("form.clause-comment-form button[type=submit]").click()
    comment = page.locator(f"article.clause[data-clause='{clause}'] li.comment")
    comment.get_by_text("应当为访客留出车位。").wait_for()
    assert comment.locator(".answer").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "consultation-360x740.png"), full_page=True)

    staff = new_page(1920, 1080)
    log_in(staff, demo.login("committee").phone)
    staff.goto(f"/#/version/{vid}")
    staff.locator("section.unanswered li").first.wait_for()
    form = staff.locator(f"article.clause[data-clause='{clause}'] form.answer-comment-form")
    form.get_by_label("答复结果").select_option("PARTLY_ADOPTED")
    form.get_by_label("理由").fill("将在第二版中增加访客车位条款。")
    form.locator("button[type=submit]").click()
    staff.locator(
        f"article.clause[data-clause='{clause}'] .answer[data-outcome='PARTLY_ADOPTED']"
    ).wait_for()
    assert staff.locator("section.unanswered").count() == 0
    staff.screenshot(path=str(SCREENSHOTS / "consultation-committee-1920x1080.png"), full_page=True)

    page.reload()
    answer = page.locator(f"article.clause[data-clause='{clause}'] .answer")
    answer.get_by_text("将在第二版中增加访客车位条款。").wait_for()
    answer.get_by_text("部分采纳").wait_for()


def test_language_switch_on_the_proposal_page(new_page: Any, demo: Demo, proposal: str) -> None:
    page = new_page()
    log_in(page, demo.login("owner", "co-owned").phone)
    page.goto(f"/#/proposal/{proposal}")
    page.get_by_role("heading", name="联署支持").wait_for()
    page.locator("header button.lang").click()
    page.get_by_role("heading", name="Support", exact=True).wait_for()
    page.get_by_text("Open for co-signing").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "en-GB"
    page.locator("header button.lang").click()
    page.get_by_role("heading", name="联署支持").wait_for()


def test_the_proposal_page_follows_signatures_and_comments_live(
    new_page: Any, demo: Demo, proposal: str
) -> None:
    """Another owner co-signs: the bars move without a reload. Someone comments: a notice
    offers to show it, and what the viewer was typing is still there (nothing is redrawn under
    them) until they choose to see it."""
    viewer = demo.login("owner", "one unit")  # the author, watching their own proposal
    other = demo.login("owner", "co-owned")
    page = new_page()
    log_in(page, viewer.phone)
    page.goto(f"/#/proposal/{proposal}")
    support = page.locator("section.proposal .support")
    support.wait_for()
    before = int(support.get_attribute("data-heads") or "0")
    notice = page.locator(".live-notice")
    assert notice.is_hidden()
    typing = page.locator("form.comment-form textarea")
    typing.fill("我正在写的意见")

    signed = demo.gql(
        "mutation($i: ProposalActionInput!) { signProposal(input: $i) { __typename } }",
        {"i": {"proposalId": proposal}},
        **_as(demo, other.phone),
    )["signProposal"]
    assert signed["__typename"] == "ProposalSigned", signed
    page.locator(f"section.proposal .support[data-heads='{before + 1}']").wait_for()
    assert notice.is_hidden(), "a signature alone does not make the page out of date"

    said = demo.gql(
        "mutation($i: AddCommentInput!) { addComment(input: $i) { __typename } }",
        {"i": {"proposalId": proposal, "body": "同意，尽快实施。"}},
        **_as(demo, other.phone),
    )["addComment"]
    assert said["__typename"] == "CommentSaved", said
    notice.wait_for(state="visible")
    assert typing.input_value() == "我正在写的意见"
    assert page.get_by_text("同意，尽快实施。").count() == 0
    notice.get_by_role("button").click()
    page.get_by_text("同意，尽快实施。").wait_for()
    page.locator(".live-notice").wait_for(state="hidden")


def test_an_owner_searches_the_proposals_in_chinese(
    new_page: Any, demo: Demo, proposal: str
) -> None:
    """Issue #14 item 12: the search box asks the API (`search`), the list follows as one
    types, and a search that finds nothing says so."""
    owner = demo.login("owner", "one unit")
    page = new_page(360, 740)
    log_in(page, owner.phone)
    page.goto("/#/community/1/proposals")
    box = page.get_by_label("搜索提案")
    box.wait_for()
    item = page.locator(f"li.proposal-item[data-proposal='{proposal}']")
    box.fill("停放在车位")  # no proposal says this
    page.get_by_text("没有找到与“停放在车位”相关的提案。").wait_for()
    assert item.count() == 0
    box.fill("充电桩")  # in the title and the text
    item.wait_for()
    page.get_by_role("status").get_by_text(
        re.compile("找到 \\d+ 条与“充电桩”相关的提案")
    ).wait_for()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "proposal-search-360x740.png"), full_page=True)
    box.fill("公共收益")  # in the text only, found on Enter at once
    box.press("Enter")
    item.wait_for()
    box.fill("")
    box.press("Enter")
    page.get_by_role("status").get_by_text(re.compile("找到")).wait_for(state="detached")
    item.wait_for()
