"""Committee: issue activation codes for chosen owners and print one A4 letter per owner; the
owner then activates with the code from that letter."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from playwright.sync_api import expect

from api.cli.demo import DEMO_SEED, DEMO_UNITS
from api.cli.rollgen import make_roll_csv
from tests.web.conftest import SCREENSHOTS
from voting import flats


def roll_phone(name: str, unit: str) -> str:
    """The owner's phone as the demo roll lists it (the page never shows phones); ``unit`` is
    the flat's label ("1 栋 2 单元 301 室")."""
    rows = csv.DictReader(io.StringIO(make_roll_csv(DEMO_UNITS, DEMO_SEED).decode("utf-8-sig")))
    for row in rows:
        if row["业主姓名"] == name and flats.label(flats.parse(row["楼栋"], row["房号"])) == unit:
            return re.sub(r"\D", "", row["手机"])[-11:]
    raise AssertionError(f"{name} {unit} is not on the demo roll")


def test_committee_issues_a_letter_and_the_owner_activates_with_it(
    page: Any, new_page: Any, demo: Any, login: Any
) -> None:
    committee = demo.login("committee")
    pending, _ = demo.activation
    login(page, committee.phone)
    card = page.locator("article.community")
    expect(card.locator(".badges")).to_have_text("业委会")
    page.get_by_role("navigation").get_by_role("link", name="激活码与通知书").click()
    expect(page.locator("h1")).to_have_text("共治示范小区：业主账号激活通知书")

    # "All owners" asks for a confirmation first (it voids unused letters); cancel it here.
    page.get_by_role("button", name="生成全部通知书").click()
    dialog = page.get_by_role("dialog", name="给所有尚未激活的业主生成")
    expect(dialog).to_contain_text("尚未使用的旧通知书将全部作废")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)

    issue = page.get_by_role("button", name=re.compile("为选中的 \\d+ 位业主生成"))
    expect(issue).to_be_disabled()
    page.get_by_label("楼栋").select_option(label="1 栋")
    boxes = page.locator(".owners input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    # A person (not the developer) without an account: not one another test logs in as (the
    # demo activated other owners from the far end of the roll, not in building 1); a letter
    # never resets an existing account's password.
    taken = {x.name for x in demo.logins} | {pending.name}
    # each box reads "<flat> <owner>", the flat labelled by the server ("1 栋 2 单元 301 室")
    entries = [
        boxes.nth(i).locator("xpath=..").inner_text().rsplit(" ", 1) for i in range(boxes.count())
    ]
    assert all(re.fullmatch(r"1 栋 (\d+ 单元 )?\d+ 室", flat) for flat, _ in entries), entries
    order = [
        tuple(int(x) for x in re.findall(r"\d+", flat)[1:]) for flat, _ in entries
    ]  # (entrance, room) or (room,): in the server's natural order, "201" before "1101"
    assert order == sorted(order), order
    names = [n for _, n in entries]
    target = next(i for i, n in enumerate(names) if n not in taken and "公司" not in n)
    flat = entries[target][0]
    boxes.nth(target).check()
    expect(issue).to_have_text("为选中的 1 位业主生成")
    issue.click()
    expect(page.get_by_role("status")).to_have_text("已生成 1 份通知书。打开通知书并打印")
    page.get_by_role("link", name="打开通知书并打印").click()

    expect(page.locator("h1")).to_have_text("共治示范小区：激活通知书 1 份")
    letter = page.locator("article.letter")
    expect(letter).to_have_count(1)
    name = letter.locator(".to").inner_text().removeprefix("尊敬的 ").removesuffix(" 业主：")
    units = letter.locator("p", has_text="您的房屋：").inner_text().removeprefix("您的房屋：")
    code = letter.locator(".code").inner_text()
    # the letter names the flat as the committee's list did (issue #14 item 1: not "1-1-1-101")
    assert flat in units.split("、"), (flat, units)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    expect(letter.locator(".url")).to_have_text(f"{demo.base}/#/activate")

    # Printed: no frame, no buttons, one letter per A4 page.
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    assert letter.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    # The last letter ends the print; every other one ends its A4 sheet.
    assert (
        letter.evaluate(
            """e => { const c = e.cloneNode(true); e.before(c);
                  const b = getComputedStyle(c).breakAfter; c.remove(); return b; }"""
        )
        == "page"
    )
    assert page.evaluate(
        """() => [...document.styleSheets].flatMap((s) => [...s.cssRules])
                 .some((r) => r instanceof CSSPageRule && r.style.size.toLowerCase() === "a4")"""
    )
    page.screenshot(path=SCREENSHOTS / "letter-print.png", full_page=True)
    page.emulate_media(media="screen")

    owner = new_page()
    owner.goto("/#/activate")
    owner.get_by_label("手机号").fill(roll_phone(name, units.split("、")[0]))
    owner.get_by_label("激活码").fill(code)
    owner.get_by_label("新密码", exact=True).fill("letter-password-1")
    owner.get_by_label("再次输入新密码").fill("letter-password-1")
    owner.get_by_role("button", name="激活并登录").click()
    expect(owner.locator("h1")).to_have_text(f"您好，{name}")


def test_letters_are_gone_after_a_reload(page: Any, demo: Any, login: Any) -> None:
    login(page, demo.login("preparatory").phone)
    page.goto("/#/community/2/letters")  # 和谐家园: the demo's preparatory group runs it
    expect(page.locator("h1")).to_have_text("打印激活通知书")
    expect(page.locator("main")).to_contain_text("激活码只在生成时显示一次")


def test_owners_cannot_open_the_codes_screen(page: Any, demo: Any, login: Any) -> None:
    login(page, demo.login("owner", "one unit").phone)
    # an owner's menu: home, and reporting a problem (投诉与吹哨, issue #16) — never the codes
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(["首页", "投诉与吹哨"])
    page.goto("/#/community/1/codes")
    expect(page.locator("h1")).to_have_text("没有权限")
