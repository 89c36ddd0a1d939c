"""The organisation and governance screens of issue #13 in the browser, against a `gongzhi demo`
of its own (a round recorded in the shared demo would change what other tests see):

- the vetting journey, in the demo's compound 和谐家园 (no committee; the seed's preparatory group
  is running its own round, nominations still open), from a new appointment of the group: the
  official ends the seed group's grants (its two owners' through the API; the community
  representative 孙组长's in the browser, with a reason, the appointment form staying closed
  while it holds: revoking every grant is what ends a body's force, api/services/running_bodies.py),
  picks two owners from the roll by name (the group's two owners, reappointed), adds a new
  community representative by name and phone, the term's end and a reason, confirms, and
  prints the representative's activation letter; the new group shows as in office. The
  representative activates the account on a phone with the letter's code; as the group they
  record a forum whose nomination window closes a few seconds later, and three owners are
  nominated (two by themselves, one with a photo, one by the group: through the API). The
  official records the exam and the review of each candidate (one fails the exam), waits on the
  page for the window to close, and publicises the list behind its confirmation; an owner (a
  candidate) on a phone sees the group's members on the home card, finds the list from there,
  sees the two who passed with their statements and the photo, and objects to the group's
  nominee; the official answers the objection. Also the compound's settings, terms and
  supervisor screens.
- the admin creates a district, appoints an official by phone (the activation letter to
  print), revokes the appointment with a reason, and sets the district's 两考 steps, which the
  page then shows as in force, and still after a reload.

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
REP_PHONE = "13912340001"  # the preparatory group's community representative (a new account)
REP_NAME = "社区 周代表"
REP_PASSWORD = "筹备组代表-周的新密码-2026"
ME = "query { me { roles { role communityId } } }"
ROLES = """query($c: ID!) { communityRoles(communityId: $c) { id role holder held } }"""
BODIES = """query($c: ID!) { runningBodies(communityId: $c) { state
  members { kind name held } } }"""
REVOKE = """mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { __typename
  ... on Problem { code message } } }"""
ROLL = """query($c: ID!, $after: String) { community(id: $c) { units(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { developerUnsold owners { id name } } } } }"""
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
    password = {"password": REP_PASSWORD} if phone == REP_PHONE else {}
    data = server.gql(NOMINATE, {"i": spec}, phone=phone, **password)["nominateCandidate"]
    assert data["__typename"] == "NominationSaved", data
    return str(data["nomination"]["name"])


def demo_compound(server: Demo) -> str:
    """和谐家园: the compound of the seed's preparatory group (孙组长 still holds the role)."""
    roles = server.gql(ME, phone=PREPARATORY)["me"]["roles"]
    return str(next(r["communityId"] for r in roles if r["role"] == "preparatory"))


def seed_group_owners(server: Demo, cid: str) -> list[str]:
    """The compound has no committee; the seed's group is in force. End its two owners' grants
    (through the API, each with its reason: a body is in force while any member's grant holds,
    and the service refuses a second one) and return their names for the new appointment: each
    the only one of that name on the roll (the picker finds owners by name)."""
    grants = server.gql(ROLES, {"c": cid}, phone=OFFICIAL)["communityRoles"]
    assert not [g for g in grants if g["role"] == "committee" and g["held"]], grants
    bodies = server.gql(BODIES, {"c": cid}, phone=OFFICIAL)["runningBodies"]
    (seed,) = [b for b in bodies if b["state"] == "in_force"]
    group = [m["name"] for m in seed["members"] if m["kind"] == "OWNER" and m["held"]]
    assert len(group) == 2, seed
    for grant in grants:
        if grant["role"] == "preparatory" and grant["held"] and grant["holder"] in group:
            done = server.gql(
                REVOKE,
                {"i": {"grantId": grant["id"], "reason": "改由街道正式任命筹备组"}},
                phone=OFFICIAL,
            )["revokeRole"]
            assert done["__typename"] == "RoleRevoked", done
    seen: dict[str, int] = {}
    after = None
    while True:
        page = server.gql(ROLL, {"c": cid, "after": after}, phone=OFFICIAL)["community"]["units"]
        for unit in page["nodes"]:
            for o in {o["id"]: o for o in unit["owners"]}.values():
                seen[o["name"]] = seen.get(o["name"], 0) + 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert all(seen.get(n) == 1 for n in group), {n: seen.get(n) for n in group}
    return group


def open_round(server: Demo, cid: str, group: list[str]) -> tuple[list[str], list[Any]]:
    """A forum recorded by the group's representative, three candidates: (names, owners)."""
    rep = {"phone": REP_PHONE, "password": REP_PASSWORD}
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
        **rep,
    )["recordForum"]
    assert forum["__typename"] == "ForumSaved", forum
    fid = forum["forum"]["id"]
    owners = [x for x in server.logins if x.role == "owner" and x.note.startswith("和谐家园")][:3]
    assert len(owners) == 3, server.logins
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
    units = server.gql(OWNERS, {"c": cid}, phone=OFFICIAL)["community"]["units"]["nodes"]
    taken = {o.name for o in owners} | set(group)
    other = next(
        o for u in units if not u["developerUnsold"] for o in u["owners"] if o["name"] not in taken
    )
    names.append(
        nominate(
            server,
            REP_PHONE,
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
    return names, owners


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


def appoint_group(official: Any, group: list[str], tmp_path: Path) -> str:
    """On the governance page: end the seed group's last grant, appoint the group; → the
    letter's code."""
    roles = official.locator("table.roles")
    bodies = official.locator(".bodies li.body[data-kind=preparatory]")
    expect(bodies.filter(has_text="孙组长")).to_have_attribute("data-state", "in_force")
    seed = roles.locator("tr[data-role=preparatory][data-held=true]")
    expect(seed).to_have_count(1)  # its owners' grants are revoked already; 孙组长's holds
    expect(seed).to_contain_text("孙组长")
    expect(official.locator(".blocked")).to_contain_text("孙组长")
    for name in group:
        expect(official.locator(".blocked")).not_to_contain_text(name)
    seed.locator("button[data-revoke]").click()
    seed.locator("textarea").fill("改由街道正式任命筹备组")
    seed.get_by_role("button", name="确认撤销").click()
    expect(official.locator(".blocked")).to_have_count(0)
    expect(bodies).to_have_count(1)
    expect(bodies).to_have_attribute("data-state", "revoked")  # every member's grant revoked

    search = official.get_by_label("业主成员（从名册中查找）")
    for name in group:
        search.fill(name)
        official.get_by_role("button", name=f"选择 {name}", exact=True).click()
    expect(official.locator(".owner-picker .chosen li")).to_have_count(len(group))
    official.get_by_role("button", name="添加代表").click()
    rep = official.locator("fieldset.rep")
    rep.get_by_label("姓名").fill(REP_NAME)
    rep.get_by_label("手机号").fill(REP_PHONE)
    official.get_by_label("任命理由或文号（必填，记入审计日志）").fill("街道党工委〔2026〕12 号")
    shoot(official, tmp_path, "appoint-form")
    official.get_by_role("button", name="核对并任命…").click()
    dialog = official.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("业主 2 人、代表 1 人")
    dialog.get_by_role("button", name="确定任命筹备组").click()
    letter = official.locator(".letter")
    expect(letter).to_have_count(1)
    expect(letter).to_contain_text(f"{REP_NAME} 同志")
    expect(letter).to_contain_text(REP_PHONE)
    code = str(letter.locator(".code").inner_text()).strip()
    assert code
    shoot(official, tmp_path, "body-letter")
    official.get_by_role("button", name="完成，刷新页面").click()
    body = official.locator(".bodies li.body[data-kind=preparatory][data-state=in_force]")
    expect(body).to_have_count(1)
    expect(official.locator(".bodies li.body[data-state=revoked]")).to_have_count(1)
    expect(body).not_to_contain_text("孙组长")
    for name in [*group, REP_NAME]:
        expect(body.locator(".members")).to_contain_text(name)
    expect(official.locator(".blocked")).to_contain_text(REP_NAME)  # no second group now
    return code


def activate(page: Any, code: str) -> None:
    """The representative activates the new account with the letter's code."""
    page.goto("/#/activate")
    page.locator("input[name=phone]").fill(REP_PHONE)
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=password]").fill(REP_PASSWORD)
    page.locator("input[name=again]").fill(REP_PASSWORD)
    page.get_by_role("button", name="激活并登录").click()
    expect(page.locator("section.home .badges")).to_contain_text("筹备组")


def test_an_official_appoints_the_group_vets_and_publicises_the_list_and_an_owner_objects(
    pages: Any, governed: Demo, tmp_path: Path
) -> None:
    cid = demo_compound(governed)
    group = seed_group_owners(governed, cid)
    official = pages(1920, 1080)
    log_in(official, OFFICIAL)
    official.get_by_role("navigation").get_by_role("link", name="辖区小区").click()
    official.locator("tbody tr").filter(has_text="和谐家园").get_by_role(
        "link", name="治理与任命"
    ).click()
    expect(official.locator("h1")).to_have_text("和谐家园：治理")
    code = appoint_group(official, group, tmp_path)
    shoot(official, tmp_path, "governance")

    representative = pages(360, 740)
    activate(representative, code)
    names, owners = open_round(governed, cid, group)

    official.get_by_role("link", name="党群座谈会、提名与两考").click()
    # the demo's own round (api/cli/demo/compound_b.py) and this one, newest first
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

    owner = pages(360, 740)  # a candidate, not of the group (its members see what staff see)
    log_in(owner, owners[0].phone)
    members = owner.locator(".body-names[data-kind=preparatory]")
    for name in [*group, REP_NAME]:
        expect(members).to_contain_text(name)
    expect(members).not_to_contain_text(REP_PHONE)  # names only
    shoot(owner, tmp_path, "home-group")
    owner.get_by_role("link", name="候选人与提名").first.click()
    owner.get_by_role("link", name="查看候选人").first.click()
    expect(owner.locator("h1")).to_have_text("和谐家园：候选人名单公示")
    cards = owner.locator(".candidate-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text=names[1])).to_have_count(0)
    expect(cards.filter(has_text=names[0]).locator("img.photo")).to_be_visible()
    expect(cards.filter(has_text=names[0])).to_contain_text("愿为小区服务")
    expect(cards.filter(has_text=names[0]).locator("li[data-step]")).to_have_count(0)  # staff only
    shoot(owner, tmp_path, "candidate-list")
    card = cards.filter(has_text=names[2])
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
    expect(official.locator("h1")).to_have_text("和谐家园：业委会与监委会")
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

    expect(admin.locator(".vetting-now")).to_have_text("现行设置：资格考试需要，党组织审查需要。")
    vetting = admin.locator("form").filter(has_text="保存两考设置")
    expect(vetting.get_by_label("专家资格考试")).to_be_checked()
    vetting.get_by_label("专家资格考试").uncheck()
    vetting.get_by_label("理由（必填，记入审计日志）").fill("区里统一组织考试")
    vetting.get_by_role("button", name="保存两考设置").click()
    expect(admin.locator(".success").last).to_contain_text("资格考试不需要")
    now = admin.locator(".vetting-now")
    expect(now).to_have_text("现行设置：资格考试不需要，党组织审查需要。")
    expect(now.locator("xpath=following-sibling::p[1]")).to_contain_text("区里统一组织考试")
    shoot(admin, tmp_path, "officials")
    admin.reload()
    expect(admin.locator(".vetting-now")).to_have_attribute("data-exam", "false")
    expect(admin.get_by_label("专家资格考试")).not_to_be_checked()
    expect(admin.get_by_label("党组织审查")).to_be_checked()
