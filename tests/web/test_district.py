"""The officials' district overview: each compound with its committee in office (the demo's
compound B has none yet), its votes under way with turnout toward the 2/3 lines, and owners'
requests. The demo election is open:
while the page is on screen two supervisors enter five paper ballots (counts are released in
steps of 5), and the page's turnout follows by itself. The roll import and its per-row errors
are tested in test_official.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.layout import SIZES, check_layout
from tests.web.ballots import paper_ballots
from tests.web.conftest import PASSWORD, SCREENSHOTS, Demo, log_in

TURNOUT = (
    """query($e: ID!) { election(id: $e) { tally { participatingHeads participatingArea } } }"""
)


def test_the_overview_follows_a_compounds_turnout(new_page: Any, demo: Demo) -> None:
    eid = demo.election_id
    official = demo.login("official")
    page = new_page(1920, 1080)
    log_in(page, official.phone)
    page.get_by_role("navigation").get_by_role("link", name="辖区小区").click()
    row = page.locator("tbody tr").filter(has_text="共治示范小区")
    vote = row.locator(f".under-way[data-election='{eid}']")
    expect(vote).to_have_attribute("data-state", "OPEN")
    expect(vote.locator(".meter-heads")).to_be_visible()
    expect(vote.locator(".meter-area")).to_be_visible()
    # the committees in office, from the demo's certified and published first election
    expect(row.locator(".committee")).to_have_count(2)
    expect(row.locator(".committee[data-committee='OWNERS_COMMITTEE']")).to_contain_text(
        "业主委员会"
    )
    expect(row.locator(".asking")).to_be_visible()
    before = int(str(vote.get_attribute("data-heads")))
    tally = demo.gql(TURNOUT, {"e": eid}, phone=official.phone, password=PASSWORD)
    assert tally["election"]["tally"]["participatingHeads"] == before

    # five paper ballots from building 7, entered and confirmed while the page is open
    assert paper_ballots(demo, eid, "7", 5, "yes") == 5
    tally = demo.gql(TURNOUT, {"e": eid}, phone=official.phone, password=PASSWORD)
    after = tally["election"]["tally"]["participatingHeads"]
    assert after > before
    # the page refreshes itself (every 10 s): no reload here
    expect(vote).to_have_attribute("data-heads", str(after), timeout=30000)
    expect(vote).to_have_attribute("data-area", tally["election"]["tally"]["participatingArea"])
    expect(vote.locator(".meter-heads .meter-value")).to_contain_text(f"{after} / ")
    expect(page.locator(".updated")).to_contain_text("更新于")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_overview_at_phone_and_wall_sizes_in_both_languages(
    new_page: Any, demo: Demo, width: int, height: int
) -> None:
    page = new_page(width, height)
    log_in(page, demo.login("official").phone)
    page.goto("/#/district")
    row = page.locator("tbody tr").filter(has_text="共治示范小区")
    expect(row.locator(".under-way").first).to_be_visible()
    expect(row.get_by_role("heading", name="进行中的表决")).to_be_visible()
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"district-state-{width}x{height}.png", full_page=True)
    page.locator("header button.lang").click()
    expect(page.locator("h1")).to_have_text("District compounds")
    expect(row.get_by_role("heading", name="Votes under way")).to_be_visible()
    expect(row.locator(".committee").first).to_be_visible()
    # compound B has only its preparatory group: no committee yet
    other = page.locator("tbody tr").filter(has_text="和谐家园")
    expect(other.locator(".no-committee")).to_have_text("No certified committee election yet.")
    expect(row.locator(".under-way .state").first).to_have_text(re.compile("Voting|Open"))
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"district-state-en-{width}x{height}.png", full_page=True)
