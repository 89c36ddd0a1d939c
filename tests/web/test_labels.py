"""One flat, one label, in the browser (issue #14 item 1): the owner's home and ballot name the
owner's flats alike, in the server's words ("3 栋 1 单元 101 室") and order, and the proxy
register shows the flat and its owners. The letter is checked in test_committee.py."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from .conftest import SCREENSHOTS

FLAT = re.compile(r"\d+ 栋 (\d+ 单元 )?\d+ 室")


def test_home_and_ballot_name_the_flats_alike(page: Any, demo: Any, login: Any) -> None:
    owner = demo.login("owner", "several units")
    login(page, owner.phone)
    units = page.locator("article.community li.unit .unit-number")
    expect(units.first).to_be_visible()
    home = [str(units.nth(i).inner_text()) for i in range(units.count())]
    assert len(home) > 1 and all(FLAT.fullmatch(x) for x in home), home

    page.goto(f"/#/election/{demo.election_id}")
    shown = page.locator("form.ballot .for")
    expect(shown).to_be_visible()
    # one head for all the owner's flats (docs/design.md §2), listed as at home
    expect(shown).to_contain_text("、".join(home))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ballot-labels-1280x800.png"), full_page=True)
    page.locator("header button.lang").click()
    expect(page.locator("form.ballot .for")).to_contain_text("Bldg ")
    page.locator("header button.lang").click()


def test_the_proxy_register_shows_the_flat_and_its_owners(
    new_page: Any, demo: Any, login: Any
) -> None:
    committee = demo.login("committee")
    holder = demo.login("owner", "one unit")
    page = new_page(1920, 1080)
    login(page, committee.phone)
    page.goto(f"/#/election/{demo.election_id}/manage")
    form = page.locator("form.proxy-form")
    buildings = form.get_by_label("楼栋").locator("option")
    expect(buildings.nth(12)).to_be_attached()
    # the buildings in natural order: 2 before 10
    names = [str(buildings.nth(i).inner_text()) for i in range(1, buildings.count())]
    assert names == [f"{n} 栋" for n in range(1, 13)], names
    form.get_by_label("楼栋").select_option(label="10 栋")
    electors = form.get_by_label("房屋（投票人）")
    expect(electors.locator("option").nth(2)).to_be_attached()
    options = [str(electors.locator("option").nth(i).inner_text()) for i in range(1, 4)]
    assert all(o.startswith("10 栋 ") for o in options), options
    label = options[1].split(" · ")[0]
    electors.select_option(index=2)
    form.get_by_label("受托人手机号").fill(holder.phone)
    form.get_by_label("受托人姓名").fill(holder.name)
    form.get_by_label("书面委托书编号").fill("WT-LABEL-1")
    form.get_by_role("button", name="登记委托").click()
    row = page.locator("tr", has_text="WT-LABEL-1")
    expect(row).to_contain_text(label)
    expect(row).to_contain_text("业主：")
    expect(row).not_to_contain_text("投票人 #")
    page.screenshot(path=str(SCREENSHOTS / "proxy-register-1920x1080.png"), full_page=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    row.get_by_role("button", name="撤销").click()
    expect(page.locator("tr", has_text="WT-LABEL-1")).to_contain_text("已撤销")
