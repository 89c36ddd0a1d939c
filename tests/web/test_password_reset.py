""" "忘记密码" in the browser (issue #14 item 7): the link on the login screen, a code texted to
the phone on the roll (the demo's notifier logs it), a weak password refused with the server's
reason under the advice, and the new password logging in."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD


def texted_code(demo: Any, phone: str, seen: int) -> str:
    """The newest reset code the demo's console notifier logged for ``phone``."""
    pattern = re.compile(rf"notify {phone} \(password_reset_code\): .*?(\d{{6}})")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        codes = pattern.findall(demo.output)
        if len(codes) > seen:
            return str(codes[-1])
        time.sleep(0.1)
    raise AssertionError(f"no reset code logged for {phone}")


def test_forgotten_password_is_reset_with_a_texted_code(page: Any, demo: Any) -> None:
    owner = demo.login("owner", "several units")
    seen = len(re.findall(rf"notify {owner.phone} \(password_reset_code\)", demo.output))
    page.goto("/")
    page.get_by_role("link", name="忘记密码？").click()
    expect(page.locator("h1")).to_have_text("忘记密码")
    page.get_by_label("手机号").fill(owner.phone)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("10 分钟内有效")
    code = texted_code(demo, owner.phone, seen)

    page.get_by_label("短信验证码").fill(code)
    # the advice is shown beside the field; the server's reason under it
    expect(page.locator("form").nth(1)).to_contain_text("不要用 12345678")
    page.get_by_label("新密码", exact=True).fill("12345678")
    page.get_by_label("再次输入新密码").fill("12345678")
    page.get_by_role("button", name="设置新密码并登录").click()
    expect(page.get_by_role("alert")).to_have_text("这是常用密码，很容易被猜到")
    expect(page.get_by_label("新密码", exact=True)).to_have_attribute("aria-invalid", "true")

    # back to the demo's password, so that the other browser tests still log in with it
    page.get_by_label("新密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    page.get_by_role("button", name="设置新密码并登录").click()
    expect(page.locator("h1")).to_have_text(re.compile("您好"))
    # every earlier session of the account ended: forget the harness's remembered token
    demo.tokens.pop((owner.phone, PASSWORD), None)
    page.screenshot(path=str(_shot("reset-done")))


def test_login_screen_links_to_the_reset(new_page: Any) -> None:
    for width, height in ((360, 740), (1920, 1080)):
        page = new_page(width, height)
        page.goto("/#/reset")
        expect(page.locator("h1")).to_have_text("忘记密码")
        expect(page.get_by_text("手机号已更换或没有手机？")).to_be_visible()
        page.screenshot(path=str(_shot(f"reset-{width}")), full_page=True)


def _shot(name: str) -> Any:
    from tests.web.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
