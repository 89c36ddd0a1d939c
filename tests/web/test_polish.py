"""Issue #14 items 4 and 8 in the browser: actions behind a <details> look and act like buttons
(border, arrow, 44 px, focus ring, keyboard); Chinese and layout polish (plural forms in English,
Chinese numerals for chapters and articles, the area label not broken on a phone, the receipt
check's input whole at 360 px, no sideways scrolling at 150 % text size, officials landing on
their district's page). Screenshots at 360×740 and 1920×1080 in the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.layout import SIZES, check_layout

BUTTON_LOOK = """(s) => {
  const c = getComputedStyle(s), arrow = getComputedStyle(s, "::before").content;
  return { border: parseFloat(c.borderTopWidth), height: s.getBoundingClientRect().height,
           arrow, marker: c.listStyleType, cursor: c.cursor };
}"""


def shoot(page: Any, shots: Path, name: str) -> None:
    first = page.viewport_size
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        check_layout(page, width)
        page.screenshot(path=shots / f"{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size(first)


def test_actions_behind_a_summary_look_and_act_like_buttons(
    new_page: Any, demo: Any, login: Any, tmp_path: Path
) -> None:
    page = new_page(360, 740)
    login(page, demo.login("owner", "one unit").phone)
    page.goto("/#/community/1/proposals")
    summary = page.locator("details.new-proposal > summary")
    expect(summary).to_have_text("新建提案")
    look = summary.evaluate(BUTTON_LOOK)
    assert look["border"] >= 2 and look["height"] >= 44, look
    assert "▸" in look["arrow"] and look["marker"] == "none" and look["cursor"] == "pointer", look
    # the keyboard reaches it, shows the focus ring, and opens it
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.new-proposal")).to_have_attribute("open", "")
    assert "▾" in summary.evaluate(BUTTON_LOOK)["arrow"]
    ring = summary.evaluate("(e) => getComputedStyle(e).outlineStyle")
    assert ring == "solid", ring
    shoot(page, tmp_path, "proposals-new-open")
    page.keyboard.press("Space")
    expect(page.locator("details.new-proposal")).not_to_have_attribute("open", "")


def test_officials_land_on_their_district_page_with_new_compound_as_a_button(
    new_page: Any, demo: Any, login: Any, tmp_path: Path
) -> None:
    page = new_page(1920, 1080)
    login(page, demo.login("official").phone)
    expect(page.locator("h1")).to_have_text("辖区小区")
    assert page.url.endswith("#/district")
    summary = page.locator("summary", has_text="新建小区")
    look = summary.evaluate(BUTTON_LOOK)
    assert look["border"] >= 2 and look["height"] >= 44 and "▸" in look["arrow"], look
    shoot(page, tmp_path, "district-landing")
    page.goto("/#/")  # the bare address too
    expect(page.locator("h1")).to_have_text("辖区小区")


def test_plural_forms_and_chinese_article_numbers(page: Any, demo: Any) -> None:
    page.goto("/#/login")
    expect(page.locator("h1")).to_have_text("登录")
    out = page.evaluate(
        """async () => {
          const i18n = await import("/js/i18n.js");
          const zh = [i18n.formatArticle(1), i18n.formatArticle(12), i18n.formatArticle(105),
                      i18n.t("version.chapter", { n: i18n.formatArticle(3), title: "总则" }),
                      i18n.t("register.total", { n: i18n.formatNumber(1) })];
          i18n.setLang("en");
          const en = [i18n.t("register.total", { n: i18n.formatNumber(1) }),
                      i18n.t("register.total", { n: i18n.formatNumber(1200) }),
                      i18n.t("codes.issued", { n: 1 }), i18n.t("codes.issued", { n: 2 }),
                      i18n.formatArticle(12)];
          i18n.setLang("zh");
          return { zh, en };
        }"""
    )
    assert out["zh"] == ["一", "十二", "一百零五", "第三章　总则", "意见 1 条"], out
    assert out["en"] == [
        "1 comment",
        "1,200 comments",
        "1 letter issued.",
        "2 letters issued.",
        "12",
    ], out


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_home_area_label_and_the_receipt_check_fit_a_phone(
    new_page: Any, demo: Any, login: Any, width: int, height: int, tmp_path: Path
) -> None:
    page = new_page(width, height)
    login(page, demo.login("owner", "several units").phone)
    dt = page.locator("li.unit dt", has_text="专有面积").first
    lines = dt.evaluate(
        "(e) => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }"
    )
    assert lines == 1, "专有面积 breaks over two lines"
    page.goto(f"/#/election/{demo.election_id}/check")
    box = page.locator("input.code-input")
    box.fill("ABCD-EFGH-JKMN-PQRS")
    fits = box.evaluate("(e) => e.scrollWidth <= e.clientWidth")
    assert fits, "the tracking code is cut off in its input"
    check_layout(page, width)
    page.screenshot(path=tmp_path / f"check-{width}x{height}.png", full_page=True)


def test_no_sideways_scrolling_at_150_percent_text(
    new_page: Any, demo: Any, login: Any, tmp_path: Path
) -> None:
    """A reader's text size of 150 % (the root font at 27 px instead of 18 px) on a phone."""
    page = new_page(360, 740)
    login(page, demo.login("owner", "several units").phone)
    for path in ["/#/home", f"/#/election/{demo.election_id}", "/#/community/1/proposals"]:
        page.goto(path)
        page.locator("main h1").wait_for()
        page.wait_for_timeout(300)
        page.evaluate("document.documentElement.style.fontSize = '27px'")
        wide = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter((e) =>"
            " e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5)"
            ".map((e) => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30))"
        )
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        name = path.strip("/#").replace("/", "-") or "home"
        page.screenshot(path=tmp_path / f"text150-{name}-360x740.png", full_page=True)
        assert fits, f"{path} scrolls sideways at 150 % text: {wide}"
        page.evaluate("document.documentElement.style.fontSize = ''")
