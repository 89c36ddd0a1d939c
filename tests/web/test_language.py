"""Chinese by default, English by a switch that is remembered; API errors in the chosen language."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def wrong_login(page: Any, phone: str, phone_label: str, password_label: str, submit: str) -> None:
    page.get_by_label(phone_label).fill(phone)
    page.get_by_label(password_label, exact=True).fill("not-the-password")
    page.get_by_role("button", name=submit, exact=True).click()


def test_login_error_in_chinese_then_english_and_the_switch_is_remembered(page: Any) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登录")
    wrong_login(page, "13900000001", "手机号", "密码", "登录")
    expect(page.get_by_role("alert")).to_have_text("手机号或密码不正确")
    expect(page.get_by_label("密码", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Switch to English（切换为英文）").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page).to_have_title("Log in · Gongzhi")
    wrong_login(page, "13900000002", "Mobile number", "Password", "Log in")
    expect(page.get_by_role("alert")).to_have_text("the phone number or password is not correct")

    page.reload()
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert page.evaluate("localStorage.getItem('gz.lang')") == "en"
    switch = page.locator("header button.lang")
    expect(switch).to_have_text("中文")
    switch.click()
    expect(page.locator("h1")).to_have_text("登录")
    page.reload()
    expect(page.locator("h1")).to_have_text("登录")


def test_english_home_formats_areas_and_numbers(page: Any, demo: Any, login: Any) -> None:
    owner = demo.login("owner", "several units")
    page.goto("/")
    page.locator("header button.lang").click()
    login(page, owner.phone)
    expect(page.locator("h1")).to_have_text(f"Hello, {owner.name}")
    card = page.locator("article.community")
    expect(card.locator(".stats")).to_contain_text("Units1,000")
    expect(card.locator(".stats")).to_contain_text(" m²")
    expect(card.locator(".share")).to_contain_text("% of the compound")
    # Switching on a screen re-renders it in place, data included.
    page.locator("header button.lang").click()
    expect(page.locator("h1")).to_have_text(f"您好，{owner.name}")
    expect(card.locator(".stats")).to_contain_text("平方米")
