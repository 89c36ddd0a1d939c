"""The demo's drill compound (演练小区, api/cli/demo_drill.py) in the browser: a banner saying
"演练，不具法律效力" on every page of that compound (its election list, a drill election's page,
its settings), the words on its home card, and no banner on the real compound's pages; checked
at 360×740, with screenshots at 360×740 and 1920×1080."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.layout import check_layout
from tests.web.ballots import shoot
from tests.web.conftest import Demo, log_in

MINE = "query { myCommunities { id name drill } }"
CREATE = """mutation($c: ID!, $i: ElectionInput!) { createElection(communityId: $c, input: $i) {
  __typename ... on ElectionSaved { election { id drill } } } }"""


def test_every_page_of_the_drill_compound_says_it_is_a_drill(
    new_page: Any, demo: Demo, tmp_path: Path
) -> None:
    committee = demo.login("drill_committee")
    [drill] = demo.gql(MINE, phone=committee.phone)["myCommunities"]
    assert drill["drill"] is True
    start = datetime.now(UTC) + timedelta(minutes=30)
    spec = {
        "title": "演练：更换单元门禁",
        "opensAt": start.isoformat(),
        "closesAt": (start + timedelta(minutes=5)).isoformat(),
        "extraordinary": False,
        "visibility": "SUPERVISORS",
        "questions": [{"kind": "RESOLUTION", "title": "演练：更换单元门禁", "matter": 9}],
    }
    saved = demo.gql(CREATE, {"c": drill["id"], "i": spec}, phone=committee.phone)
    election = saved["createElection"]["election"]
    assert election["drill"] is True

    page = new_page(360, 740)
    log_in(page, committee.phone)
    card = page.locator("article.community").filter(has_text=drill["name"])
    expect(card.locator(".drill-mark")).to_contain_text("演练，不具法律效力")
    banner = page.locator(".drill-banner")
    for path in (
        f"/#/community/{drill['id']}/elections",
        f"/#/election/{election['id']}",
        f"/#/community/{drill['id']}/proposals",
    ):
        page.goto(path)
        page.wait_for_selector("main h1")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("演练，不具法律效力")
        check_layout(page, 360)
    page.goto(f"/#/election/{election['id']}")
    expect(banner).to_be_visible()
    shoot(page, tmp_path, "drill-election")
    page.goto("/#/home")
    page.wait_for_selector("section.home h1")
    expect(page.locator("#top")).to_have_attribute("data-drill", "false")  # home: no compound
    expect(banner).to_have_count(0)
    shoot(page, tmp_path, "drill-home")


def test_the_real_compound_shows_no_drill_banner(new_page: Any, demo: Demo) -> None:
    committee = demo.login("committee")
    [real] = demo.gql(MINE, phone=committee.phone)["myCommunities"]
    assert real["drill"] is False
    page = new_page(360, 740)
    log_in(page, committee.phone)
    page.goto(f"/#/community/{real['id']}/elections")
    page.wait_for_selector("main h1")
    expect(page.locator("#top")).to_have_attribute("data-drill", "false")  # looked up: real
    expect(page.locator(".drill-banner")).to_have_count(0)
    expect(page.locator(".drill-mark")).to_have_count(0)
