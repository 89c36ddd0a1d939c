"""The organisation and governance screens of issue #13 in the browser, against a `gongzhi demo`
of its own (a forum recorded in the shared demo's compound would put its committee elections
under 两考 and change what the election tests see):

- the vetting journey: the preparatory group has recorded a forum whose nomination window
  closes a few seconds later and three owners are nominated (two by themselves, one with a
  photo, one by the group: set up through the API); the official goes from the district page
  to the compound's governance page, its forums and the round, records the exam and the review
  of each candidate (one fails the exam), waits on the page for the window to close, and
  publicises the list behind its confirmation; an owner on a phone finds the list from the
  home page, sees the two who passed with their statements and the photo, and objects; the
  official answers the objection. Also the compound's settings, terms and supervisor screens.
- the admin creates a district, appoints an official by phone (the activation letter to
  print), revokes the appointment with a reason, and sets the district's 两考 steps.

Every new screen is checked for layout and saved as a screenshot at 360×740 and 1920×1080 in
the test's tmp dir.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.demo import ADMIN, OFFICIAL, PREPARATORY
from tests.support.layout import SIZES, check_layout
from tests.support.server import Server
from tests.web.conftest import Demo, log_in, need_browser, page_opener

WINDOW_SECONDS = 12  # the nomination window: long enough to nominate through the API
ME = "query { me { roles { role communityId } } }"
FORUM = """mutation($i: RecordForumInput!) { recordForum(input: $i) { __typename
  ... on ForumSaved { forum { id } } ... on Problem { code message } } }"""
NOMINATE = """mutation($i: NominateInput!) { nominateCandidate(input: $i) { __typename
  ... on NominationSaved { nomination { id name } } ... on Problem { code message } } }"""
OWNERS = """query($c: ID!) { community(id: $c) { units(first: 40) { nodes { developerUnsold owners { id name } } } } }"""


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    need_browser()
    server = Server(tmp_path_factory.mktemp("governance-demo"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def pages(browser: Any, governed: Demo) -> Iterator[Any]:
    with page_opener(browser, governed) as make:
        yield make


def shoot(page: Any, shots: Path, name: str) -> None:
    """Check the layout and save a screenshot at both sizes, ending at the first."""
    first = page.viewport_size
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)  # one layout pass after the resize
        check_layout(page, width)
        page.screenshot(path=shots / f"{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size(first)


def png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), (200, 60, 60)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def nominate(server: Demo, phone: str, spec: dict[str, Any]) -> str:
    data = server.gql(NOMINATE, {"i": spec}, phone=phone)["nominateCandidate"]
    assert data["__typename"] == "NominationSaved", data
    return str(data["nomination"]["name"])


def open_round(server: Demo) -> tuple[str, list[str], list[Any]]:
    """A forum in the demo compound with three candidates: (compound id, names, owners)."""
    roles = server.gql(ME, phone=PREPARATORY)["me"]["roles"]
    cid = next(r["communityId"] for r in roles if r["role"] == "preparatory")
    now = datetime.now(UTC)
    forum = server.gql(
        FORUM,
        {
            "i": {
                "communityId": cid,
                "heldAt": (now - timedelta(days=1)).isoformat(),
                "place": "社区党群服务中心",
                "attendees": "街道党工委、社区党委、居委会、业主代表 12 人",
                "minutes": "介绍筹备程序；讨论候选人条件。",
                "opinions": "希望候选人公开承诺不拖欠物业费。",
                "nominationsCloseAt": (now + timedelta(seconds=WINDOW_SECONDS)).isoformat(),
            }
        },
        phone=PREPARATORY,
    )["recordForum"]
    assert forum["__typename"] == "ForumSaved", forum
    fid = forum["forum"]["id"]
    owners = [x for x in server.logins if x.role == "owner"][:3]
    names = [
        nominate(
            server,
            owners[0].phone,
            {
                "forumId": fid,
                "committee": "OWNERS_COMMITTEE",
                "route": "SELF",
                "statement": "愿为小区服务，按时缴费，无违建。",
                "photo": png(),
            },
        ),
        nominate(
            server,
            owners[1].phone,
            {
                "forumId": fid,
                "committee": "OWNERS_COMMITTEE",
                "route": "SELF",
                "statement": "从事物业管理十年。",
            },
        ),
    ]
    units = server.gql(OWNERS, {"c": cid}, phone=PREPARATORY)["community"]["units"]["nodes"]
    taken = {o.name for o in owners}
    other = next(
        o for u in units if not u["developerUnsold"] for o in u["owners"] if o["name"] not in taken
    )
    names.append(
        nominate(
            server,
            PREPARATORY,
            {
                "forumId": fid,
                "committee": "SUPERVISORY_COMMITTEE",
                "route": "RUNNING_BODY",
                "statement": "筹备组推荐：熟悉财务。",
                "personId": other["id"],
            },
        )
    )
    assert datetime.now(UTC) < now + timedelta(seconds=WINDOW_SECONDS), "nominating took too long"
    return cid, names, owners


def vet(page: Any, name: str, step: str, passes: bool) -> None:
    card = page.locator(".candidate-card").filter(has_text=name)
    card.locator("details.vetting > summary").click()
    form = card.locator("form.vet-form").filter(has_text=step)
    form.locator("select").select_option("pass" if passes else "fail")
    form.locator("textarea").fill(f"{step}：{'合格' if passes else '不合格'}")
    form.locator("button[type=submit]").click()
    key = "EXAM" if step == "资格考试" else "REVIEW"
    result = "pass" if passes else "fail"
    expect(
        page.locator(".candidate-card").filter(has_text=name).locator(f"li[data-step={key}]")
    ).to_have_attribute("data-result", result)


def test_an_official_vets_and_publicises_the_list_and_an_owner_objects(
    pages: Any, governed: Demo, tmp_path: Path
) -> None:
    cid, names, owners = open_round(governed)
    official = pages(1920, 1080)
    log_in(official, OFFICIAL)
    official.get_by_role("navigation").get_by_role("link", name="辖区小区").click()
    official.locator("tbody tr").filter(has_text="共治示范小区").get_by_role(
        "link", name="治理与任命"
    ).click()
    expect(official.locator("h1")).to_have_text("共治示范小区：治理")
    roles = official.locator("table.roles")
    expect(roles.locator("tr[data-role=preparatory]")).to_contain_text("筹备组 孙组长")
    expect(roles.locator("tr[data-role=preparatory] button[data-revoke]")).to_be_visible()
    shoot(official, tmp_path, "governance")

    official.get_by_role("link", name="党群座谈会、提名与两考").click()
    # the demo election's vetted round (api/cli/vetted_list.py) and this one, newest first
    expect(official.locator(".forum-list li")).to_have_count(2)
    shoot(official, tmp_path, "forums")
    official.get_by_role("link", name="查看候选人").first.click()
    expect(official.locator(".candidate-card")).to_have_count(3)

    for name in names:
        vet(official, name, "资格考试", name != names[1])
        vet(official, name, "党组织审查", True)
    expect(official.locator(".candidate-card[data-passed=false]")).to_have_count(1)
    shoot(official, tmp_path, "forum-vetting")

    # the page offers "publicise" by itself once the window has closed
    official.locator("button[data-action=publish]").click(timeout=WINDOW_SECONDS * 3000)
    expect(official.get_by_role("dialog")).to_contain_text("两考结果不能再更改")
    official.get_by_role("dialog").get_by_role("button", name="确定公示").click()
    expect(official.locator("section.forum")).to_have_attribute("data-published", "true")
    expect(official.locator(".published")).to_contain_text("异议期至")

    owner = pages(360, 740)
    log_in(owner, owners[2].phone)
    owner.get_by_role("link", name="候选人与提名").first.click()
    owner.get_by_role("link", name="查看候选人").first.click()
    expect(owner.locator("h1")).to_have_text("共治示范小区：候选人名单公示")
    cards = owner.locator(".candidate-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text=names[1])).to_have_count(0)
    expect(cards.filter(has_text=names[0]).locator("img.photo")).to_be_visible()
    expect(cards.filter(has_text=names[0])).to_contain_text("愿为小区服务")
    expect(cards.filter(has_text=names[0]).locator("li[data-step]")).to_have_count(0)  # staff only
    shoot(owner, tmp_path, "candidate-list")
    card = cards.filter(has_text=names[0])
    card.locator("details.object > summary").click()
    card.locator("textarea").fill("该候选人曾长期拖欠物业费。")
    card.get_by_role("button", name="提交异议").click()
    expect(owner.locator(".objections li")).to_contain_text("长期拖欠物业费")
    expect(owner.locator(".objections li")).to_contain_text("等待街道答复")

    official.reload()
    item = official.locator(".objections li").first
    item.locator("textarea").fill("经核实，已于上月结清。")
    item.get_by_role("button", name="提交答复").click()
    expect(official.locator(".objections li[data-answered=true]")).to_contain_text("已于上月结清")
    shoot(official, tmp_path, "forum-published")

    # the other governance screens of the compound
    official.goto(f"/#/community/{cid}/settings")
    official.get_by_label("公布步长（每满多少张公布一次）").fill("10")
    official.get_by_label("理由（必填，记入审计日志）").fill("业主大会决定")
    official.get_by_role("button", name="保存设置").click()
    expect(official.locator(".success")).to_have_text("设置已保存。")
    shoot(official, tmp_path, "settings")
    official.goto(f"/#/community/{cid}/terms")
    expect(official.locator("h1")).to_have_text("共治示范小区：业委会与监委会")
    shoot(official, tmp_path, "terms")
    official.goto(f"/#/election/{governed.election_id}/supervisors")
    expect(official.locator("h1")).to_have_text("监票人")
    shoot(official, tmp_path, "supervisors")


def test_the_admin_creates_a_district_and_appoints_and_revokes_an_official(
    pages: Any, tmp_path: Path
) -> None:
    admin = pages(1920, 1080)
    log_in(admin, ADMIN)
    admin.get_by_role("navigation").get_by_role("link", name="街道与官员").click()
    expect(admin.locator(".district-list li")).to_contain_text("共治示范街道")
    shoot(admin, tmp_path, "admin")
    admin.get_by_label("街道名称").fill("金融街街道")
    admin.get_by_label("简码").fill("xicheng-jinrong")
    admin.get_by_label("理由（必填，记入审计日志）").fill("区政府批复")
    admin.get_by_role("button", name="创建街道").click()
    expect(admin.locator("h1")).to_have_text("金融街街道：官员与两考设置")

    admin.get_by_label("手机号（登录账号）").fill("13912345678")
    admin.get_by_label("姓名", exact=True).fill("周干事")
    admin.locator("section[aria-labelledby=appoint-h]").get_by_label(
        "理由（必填，记入审计日志）"
    ).fill("街道党工委任命")
    admin.get_by_role("button", name="任命", exact=True).click()
    letter = admin.locator(".letter")
    expect(letter).to_contain_text("周干事 同志")
    expect(letter.locator(".code")).not_to_be_empty()
    shoot(admin, tmp_path, "official-letter")
    admin.get_by_role("button", name="完成，刷新名单").click()
    row = admin.locator("table.roles tr[data-role=official]").filter(has_text="周干事")
    expect(row).to_have_attribute("data-held", "true")

    row.locator("button[data-revoke]").click()
    row.locator("textarea").fill("调离本街道")
    row.get_by_role("button", name="确认撤销").click()
    expect(
        admin.locator("table.roles tr[data-role=official]").filter(has_text="周干事")
    ).to_have_attribute("data-held", "false")
    expect(admin.locator("table.roles")).to_contain_text("调离本街道")

    vetting = admin.locator("form").filter(has_text="保存两考设置")
    vetting.get_by_label("专家资格考试").uncheck()
    vetting.get_by_label("理由（必填，记入审计日志）").fill("区里统一组织考试")
    vetting.get_by_role("button", name="保存两考设置").click()
    expect(admin.locator(".success").last).to_contain_text("资格考试不需要")
    shoot(admin, tmp_path, "officials")
