"""Phones and big screens: no sideways scrolling at 360 px, large type, big touch targets,
keyboard use with a visible focus ring, labels on every input; screenshots for review in
tests/web/screenshots/ (gitignored)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.demo import PASSWORD
from tests.support.layout import SIZES, check_layout
from tests.web.conftest import SCREENSHOTS


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_home_screen_at_phone_and_wall_sizes(
    new_page: Any, demo: Any, login: Any, width: int, height: int
) -> None:
    page = new_page(width, height)
    page.goto("/")
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"login-{width}x{height}.png", full_page=True)
    login(page, demo.login("owner", "several units").phone)
    expect(page.locator("li.unit").first).to_be_visible()
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"home-{width}x{height}.png", full_page=True)
    page.locator("header button.lang").click()
    expect(page.locator("h1")).to_contain_text("Hello")
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"home-en-{width}x{height}.png", full_page=True)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_official_screens_at_phone_and_wall_sizes(
    new_page: Any, demo: Any, login: Any, width: int, height: int
) -> None:
    page = new_page(width, height)
    login(page, demo.login("official").phone)
    page.goto("/#/district")
    expect(page.locator("tbody tr").first).to_be_visible()
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"district-{width}x{height}.png", full_page=True)
    page.goto("/#/community/1/roll")
    page.get_by_label("或把名册内容粘贴在这里").fill(
        "楼栋,房号,专有面积,业主姓名,手机\n1,1-1-101,八十,张三,13900000001\n1,1-1-102,80,李四,139\n"
    )
    page.get_by_role("button", name="检查（不导入）").click()
    expect(page.locator(".result table")).to_be_visible()
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"roll-errors-{width}x{height}.png", full_page=True)
    page.goto("/#/community/1/codes")
    page.get_by_label("楼栋").select_option(label="2 栋")
    expect(page.locator(".owners input").first).to_be_visible()
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"codes-{width}x{height}.png")


def test_login_by_keyboard_alone_with_a_visible_focus_ring(page: Any, demo: Any) -> None:
    page.goto("/#/login")
    expect(page.locator("h1")).to_have_text("登录")
    phone = page.get_by_label("手机号")
    for _ in range(10):
        page.keyboard.press("Tab")
        if phone.evaluate("e => e === document.activeElement"):
            break
    expect(phone).to_be_focused()
    ring = phone.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert ring.startswith("solid") and float(ring.split()[1].removesuffix("px")) >= 2, ring
    page.keyboard.type(demo.login("owner", "one unit").phone)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # After a navigation the new page's heading has the focus (screen readers announce it).
    expect(page.locator("section.home h1")).to_be_focused()
    # The first Tab on a freshly loaded page reaches the skip link, which moves to the content.
    page.reload()
    expect(page.locator("section.home h1")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
