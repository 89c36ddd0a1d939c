"""The inbox in the browser (issue #15 part 3): the bell in the header carries the unread count
(the demo's open vote was announced and opened, its board's notices posted), the #/inbox screen at 360 px in large text, one
item and then all marked read, and the notification settings saved; Chinese first, English too."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS


def test_the_bell_the_inbox_and_the_settings_at_360_px(
    new_page: Any, demo: Any, login: Any
) -> None:
    page = new_page(360, 740)
    login(page, demo.login("owner", "co-owned").phone)
    bell = page.locator("a.bell")
    expect(bell.locator(".bell-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    unread = int(bell.locator(".bell-count").inner_text())
    bell.click()
    expect(page.locator("h1")).to_have_text("消息")
    items = page.locator(".inbox-item")
    expect(items.first).to_be_visible()
    # the open vote's notice, on this page or a later one (the demo's board posts come too)
    while not items.filter(has_text="已开始投票").count():
        page.get_by_role("button", name="更多消息").click()
        page.wait_for_load_state("networkidle")
    expect(items.filter(has_text="已开始投票")).to_have_count(1)
    expect(page.locator(".inbox-count")).to_have_text(f"{unread} 条未读")
    # large text and nothing wider than the screen
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.inbox-text')).fontSize)"
    )
    assert size >= 18, size
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox-360.png"), full_page=True)

    items.first.get_by_role("button", name="标为已读").click()
    expect(page.locator(".inbox-count")).to_have_text(f"{unread - 1} 条未读")
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator(".inbox-count")).to_have_text("0 条未读")
    expect(bell.locator(".bell-count")).to_be_hidden()
    expect(page.locator(".inbox-item.unread")).to_have_count(0)

    page.get_by_label("免打扰开始").fill("22:00")
    page.get_by_label("免打扰结束").fill("07:00")
    page.get_by_role("button", name="保存设置").click()
    expect(page.get_by_role("status")).to_have_text("已保存。")
    page.reload()
    expect(page.get_by_label("免打扰开始")).to_have_value("22:00")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Messages")
    expect(page.locator(".inbox-item").first).to_be_visible()
    english = page.locator(".inbox-item", has_text="Voting on")
    while not english.count():
        page.get_by_role("button", name="More messages").click()
        page.wait_for_load_state("networkidle")
    expect(english).to_have_count(1)
