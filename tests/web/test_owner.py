"""An owner's first steps: activate with the printed code, log in, see the compound and units."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD

HOME = """{ myCommunities { name totals { heads area units } myUnits { label area } } }"""


def zh_number(text: str) -> str:
    """What Intl.NumberFormat("zh-CN") shows for an exact decimal string."""
    whole, _, cents = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{cents}" if cents else grouped


def test_owner_activates_with_the_printed_code_then_logs_in(page: Any, demo: Any) -> None:
    pending, code = demo.activation
    page.goto("/")
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_role("link", name="用激活码激活账号").click()
    expect(page.locator("h1")).to_have_text("激活账号")
    page.get_by_label("手机号").fill(pending.phone)
    page.get_by_label("激活码").fill(code.lower())  # case and dashes do not matter
    page.get_by_label("新密码", exact=True).fill("my-new-password-1")
    page.get_by_label("再次输入新密码").fill("my-new-password-1")
    page.get_by_role("button", name="激活并登录").click()

    expect(page.locator("h1")).to_have_text(f"您好，{pending.name}")
    expect(page.get_by_role("status")).to_contain_text("账号已激活")
    data = demo.gql(HOME, phone=pending.phone, password="my-new-password-1")
    community = data["myCommunities"][0]
    card = page.locator("article.community")
    expect(card.locator("h2")).to_have_text(community["name"])
    stats = card.locator(".stats")
    expect(stats).to_contain_text(f"业主人数{community['totals']['heads']:,}")
    expect(stats).to_contain_text(f"房屋套数{community['totals']['units']:,}")
    expect(stats).to_contain_text(f"{zh_number(community['totals']['area'])} 平方米")
    units = card.locator("li.unit")
    expect(units).to_have_count(len(community["myUnits"]))
    for unit in community["myUnits"]:
        one = units.filter(has_text=unit["label"])  # the server's label, shown as it comes
        expect(one).to_contain_text(f"{zh_number(unit['area'])} 平方米")

    # The code is used up; the new password works.
    page.get_by_role("button", name="退出登录").click()
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_label("手机号").fill(pending.phone)
    page.get_by_label("密码", exact=True).fill("my-new-password-1")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"您好，{pending.name}")


def test_activation_refusals_are_shown_at_the_field(page: Any, demo: Any) -> None:
    pending, _ = demo.activation
    page.goto("/#/activate")
    page.get_by_label("手机号").fill(pending.phone)
    page.get_by_label("激活码").fill("AAAA-BBBB-CCCC")
    page.get_by_label("新密码", exact=True).fill("my-new-password-1")
    page.get_by_label("再次输入新密码").fill("something-else-1")
    page.get_by_role("button", name="激活并登录").click()
    expect(page.get_by_role("alert")).to_have_text("两次输入的密码不一致，请重新输入。")
    expect(page.get_by_label("再次输入新密码")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("再次输入新密码").fill("my-new-password-1")
    page.get_by_role("button", name="激活并登录").click()
    expect(page.get_by_role("alert")).to_contain_text("激活码或手机号不正确")
    expect(page.get_by_label("激活码")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("激活码")).to_be_focused()


def test_owner_of_several_units_counts_as_one_head(page: Any, demo: Any, login: Any) -> None:
    owner = demo.login("owner", "several units")
    login(page, owner.phone)
    data = demo.gql(HOME, phone=owner.phone, password=PASSWORD)
    units = data["myCommunities"][0]["myUnits"]
    assert len(units) > 1
    card = page.locator("article.community")
    expect(card.locator("li.unit")).to_have_count(len(units))
    expect(card.locator(".badges")).to_have_text("业主")
    total = sum(int(u["area"].replace(".", "")) for u in units)
    expect(card.locator(".share")).to_contain_text(
        f"共有 {len(units)} 套房屋，专有部分面积合计 {zh_number(f'{total // 100}.{total % 100:02d}')} 平方米"
    )
    expect(card.locator(".share")).to_contain_text(re.compile(r"占全小区 \d+(\.\d+)?%"))
    expect(card.locator("p.note")).to_have_text("表决时一位业主只计一人，面积全部计入。")


def test_co_owned_unit_lists_its_owners(page: Any, demo: Any, login: Any) -> None:
    owner = demo.login("owner", "co-owned")
    login(page, owner.phone)
    unit = page.locator("li.unit").first
    expect(unit).to_contain_text("共有人")
    expect(unit).to_contain_text(owner.name)
