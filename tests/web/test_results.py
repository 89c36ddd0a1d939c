"""Published results and certification in the browser. The demo election stays open for
days and the service's clock cannot be moved from a browser test, so the election query is
answered here (playwright's page.route) with a closed or published election whose result is
the election core's golden file (tests/voting/golden/result.json): the pages are checked
against the exact integers the core certifies. Everything else goes to the real service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.layout import check_layout
from tests.web.conftest import SCREENSHOTS

GOLDEN = Path(__file__).resolve().parents[1] / "voting" / "golden" / "result.json"
DIGEST = "d" * 64
ROLL_FP = "f" * 64
HEAD = "e" * 64


def golden() -> dict[str, Any]:
    return dict(json.loads(GOLDEN.read_text(encoding="utf-8"))["result"])


def election(state: str, signoffs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "900",
        "communityId": "1",
        "title": "维修资金使用与委员选举",
        "description": "",
        "state": state,
        "extraordinary": False,
        "visibility": "SUPERVISORS",
        "tallyStep": 5,
        "opensAt": "2026-10-01T01:00:00+00:00",
        "closesAt": "2026-10-08T10:00:00+00:00",
        "announcedAt": "2026-09-10T01:00:00+00:00",
        "rollHeads": 7,
        "rollArea": "699.87",
        "ledgerHead": HEAD,
        "ledgerSeq": 5,
        "rollFingerprint": ROLL_FP,
        "questionsFingerprint": "a" * 64,
        "resultDigest": DIGEST,
        "publishedAt": None,
        "questions": [
            {
                "id": "fund",
                "position": 1,
                "kind": "RESOLUTION",
                "title": "使用维修资金更换电梯",
                "body": "",
                "matter": 5,
                "matterLabel": "使用建筑物及其附属设施的维修资金",
                "threshold": ">1/2",
                "seats": None,
                "committee": None,
                "candidates": [],
            },
            {
                "id": "board",
                "position": 2,
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员（2 名）",
                "body": "",
                "matter": 3,
                "matterLabel": "选举业主委员会或者更换业主委员会成员",
                "threshold": ">1/2",
                "seats": 2,
                "committee": "OWNERS_COMMITTEE",
                "candidates": [
                    {"id": "71", "personId": "p", "name": "彭委员", "statement": ""},
                    {"id": "72", "personId": "q", "name": "秦委员", "statement": ""},
                    {"id": "73", "personId": "r", "name": "任委员", "statement": ""},
                ],
            },
        ],
        "myElectors": [],
        "signoffs": signoffs,
        "result": {"digest": DIGEST, "data": golden()},
    }


TALLY = {
    "step": 1,
    "releasedBallots": 5,
    "ballots": 5,
    "participatingHeads": 5,
    "participatingArea": "499.87",
    "totalHeads": 7,
    "totalArea": "699.87",
    "participationMet": True,
    "ledgerSeq": 5,
    "ledgerHead": HEAD,
    "questions": None,
}


class FakeElection:
    """Answers the queries of election 900 and records sign-offs; passes the rest through."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.signoffs: list[dict[str, Any]] = []
        self.signed: list[dict[str, Any]] = []

    def handle(self, route: Any) -> None:
        body = route.request.post_data_json or {}
        query = str(body.get("query", ""))
        variables = body.get("variables") or {}
        if "900" not in json.dumps(variables):
            route.continue_()
            return
        if "signOffElection" in query:
            self.signed.append(variables["input"])
            self.signoffs.append(
                {"supervisorId": "4", "resultDigest": DIGEST, "signedAt": "2026-10-09T02:00:00Z"}
            )
            data: dict[str, Any] = {
                "signOffElection": {
                    "__typename": "ElectionSaved",
                    "election": {"id": "900", "state": self.state},
                }
            }
        elif "verifyElection" in query:
            data = {
                "verifyElection": {
                    "ok": True,
                    "entries": 5,
                    "head": HEAD,
                    "firstBadSeq": None,
                    "reason": None,
                    "rollFingerprintOk": True,
                    "countedOk": True,
                    "resultOk": True,
                }
            }
        else:
            e = election(self.state, self.signoffs)
            data = {"election": {**e, "tally": TALLY}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"data": data}))


def test_an_owner_reads_the_published_result_heads_and_area_side_by_side(
    new_page: Any, demo: Any, login: Any
) -> None:
    page = new_page(360, 740)
    fake = FakeElection("PUBLISHED")
    login(page, demo.login("owner", "one unit").phone)
    page.route("**/graphql", fake.handle)
    page.goto("/#/election/900")
    results = page.locator("section.results")
    expect(results.locator("h2")).to_have_text("表决结果")
    expect(results).to_contain_text("参与表决的人数和面积均达到三分之二，表决有效。")
    fund, board = results.locator("article.result-question").all()

    # strict and inclusive (non-voters follow the majority) side by side, exact figures
    strict, inclusive = fund.locator(".result-block").all()
    expect(strict.locator(".verdict")).to_have_text("未通过")
    expect(inclusive.locator(".verdict")).to_have_text("通过")
    yes = strict.locator("tr", has_text="同意")
    expect(yes.locator("td").nth(0)).to_have_text("2")
    expect(yes.locator("td").nth(1)).to_have_text("209.87 平方米")
    expect(strict.locator("tr", has_text="参与表决合计").locator("td").nth(1)).to_have_text(
        "499.87 平方米"
    )
    expect(
        inclusive.locator("tr", has_text="未投票业主计入多数").locator("td").nth(0)
    ).to_have_text("2")
    # the committee: winners, alternates, vacancies, and the lot that broke the tie
    summary = board.locator(".result-summary")
    expect(summary).to_contain_text("当选： 彭委员、秦委员")
    expect(summary).to_contain_text("候补： 无")
    expect(summary).to_contain_text("空缺名额： 0")
    expect(board.locator("tr.winner")).to_have_count(2)
    expect(board.locator("tr", has_text="任委员")).to_contain_text("未过半")
    expect(board.locator(".lot")).to_contain_text("得票相同，按抽签排序：彭委员 › 秦委员")
    expect(board.locator(".lot code")).to_have_text("ledger-head-0000")
    # issue #12 item 3: the notice shows the certified head and digest, and how to check them
    expect(results).to_contain_text(f"最终账本哈希： {HEAD}")
    expect(results.locator(".verify-hint code")).to_have_text(
        f"gongzhi verify --from FILE --expect-head {HEAD} --expect-digest {DIGEST}"
    )
    check_layout(page, 360)
    page.screenshot(path=SCREENSHOTS / "results-360x740.png", full_page=True)

    page.locator("header button.lang").click()
    expect(results.locator("h2")).to_have_text("Result")
    expect(page.locator("section.results")).to_contain_text("Elected: 彭委员, 秦委员")


def test_two_supervisors_sign_off_the_three_values(new_page: Any, demo: Any, login: Any) -> None:
    page = new_page(1280, 900)
    fake = FakeElection("CLOSED")
    login(page, demo.login("supervisor").phone)
    page.route("**/graphql", fake.handle)
    page.goto("/#/election/900/certify")
    values = page.get_by_role("region", name="请核对以下三项")
    expect(values).to_contain_text(DIGEST)
    expect(values).to_contain_text(ROLL_FP)
    expect(values).to_contain_text(HEAD)
    expect(values).to_contain_text("0 位监票人（需 2 位）")
    values.get_by_role("button", name="签字确认").click()
    expect(values.get_by_role("alert")).to_contain_text("请先勾选")
    values.get_by_label("我已逐项核对以上三项数值").check()
    # a signature cannot be withdrawn: asked first, and cancelling signs nothing (issue #14)
    values.get_by_role("button", name="签字确认").click()
    dialog = page.get_by_role("dialog", name="签字确认这三项数值？")
    expect(dialog).to_contain_text("签字后不能撤回")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert fake.signed == []
    values.get_by_role("button", name="签字确认").click()
    page.get_by_role("dialog").get_by_role("button", name="确定签字").click()
    expect(page.get_by_role("region", name="请核对以下三项")).to_contain_text(
        "1 位监票人（需 2 位）"
    )
    assert fake.signed == [
        {
            "electionId": "900",
            "resultDigest": DIGEST,
            "rollFingerprint": ROLL_FP,
            "ledgerHead": HEAD,
        }
    ]
    page.get_by_role("button", name="开始验证").click()
    expect(page.locator(".verify-report")).to_contain_text("验证通过")
    # the counted result is shown to supervisors before it is published
    expect(page.locator("section.results")).to_contain_text("当选： 彭委员、秦委员")
