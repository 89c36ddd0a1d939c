"""Issue #14 items 10 and 11 in the browser: the QR codes on printed activation letters and voting
notices (drawn by the server, read back here module for module, the code reaching the page only
in the URL fragment and leaving the address bar at once), and the demo's GraphiQL page, which
loads nothing from another origin and answers `{ __typename }`. Screenshots at 360×740 and
1920×1080."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD
from tests.support.qr import encodes
from tests.web.conftest import SCREENSHOTS

SIZES = ((360, 740), (1920, 1080))


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_an_activation_letter_carries_a_qr_code_to_the_activation_page(
    new_page: Any, demo: Any, login: Any
) -> None:
    pending, _ = demo.activation
    for width, height in SIZES:
        page = new_page(width, height)
        login(page, demo.login("committee").phone)
        page.get_by_role("navigation").get_by_role("link", name="激活码与通知书").click()
        page.get_by_label("楼栋").select_option(label="2 栋")
        boxes = page.locator(".owners input[type=checkbox]")
        expect(boxes.first).to_be_visible()
        # a person no other test logs in as (a new letter resets that owner's password)
        taken = {x.name for x in demo.logins} | {pending.name}
        names = [
            boxes.nth(i).locator("xpath=..").inner_text().split(" ", 1)[1]
            for i in range(boxes.count())
        ]
        free = [i for i, n in enumerate(names) if n not in taken and "公司" not in n]
        boxes.nth(free[0 if width < 1000 else 1]).check()
        page.get_by_role("button", name="为选中的 1 位业主生成").click()
        page.get_by_role("link", name="打开通知书并打印").click()

        letter = page.locator("article.letter")
        code = letter.locator(".code").inner_text()
        qr = letter.get_by_role("img", name="二维码：打开激活页并填好激活码")
        expect(qr).to_be_visible()
        expect(letter.locator(".qr figcaption")).to_have_text(
            "或用手机扫码：打开激活页，激活码已填好"
        )
        assert encodes(qr.get_attribute("src"), f"{demo.base}/#/activate?code={code}")
        box = qr.bounding_box()
        assert box["width"] == box["height"] >= 120  # scaled up from one pixel a module
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"letter-qr-{width}x{height}")
        page.emulate_media(media="print")
        shot(page, f"letter-qr-print-{width}x{height}")
        page.emulate_media(media="screen")

    # what a phone's camera opens: the code is filled in and gone from the address bar
    owner = new_page(360, 740)
    owner.goto(f"/#/activate?code={code}")
    expect(owner.get_by_label("激活码")).to_have_value(code)
    assert code not in owner.url
    owner.go_back()  # the entry was replaced, not added to: back leaves the site
    assert code not in owner.url and owner.url == "about:blank"


def test_a_voting_notice_carries_a_qr_code_to_the_ballot_with_the_code_filled_in(
    new_page: Any, demo: Any, login: Any
) -> None:
    for width, height in SIZES:
        page = new_page(width, height)
        login(page, demo.login("supervisor").phone)
        page.goto(f"/#/election/{demo.election_id}/voting-codes")
        page.get_by_label("楼栋", exact=True).first.select_option(label="3 栋")
        page.get_by_role("button", name="生成通知书").click()
        sheet = page.locator("article.notice-sheet").first
        expect(sheet).to_be_visible()
        elector = sheet.get_attribute("data-elector")
        code = sheet.locator(".code").inner_text()
        qr = sheet.get_by_role("img", name="二维码：打开投票页并填好表决码")
        link = f"{demo.base}/#/election/{demo.election_id}?elector={elector}&code={code}"
        assert encodes(qr.get_attribute("src"), link)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"notice-qr-{width}x{height}")

    # An owner scans their notice, not logged in: the code leaves the address bar before the
    # login screen shows, waits in memory, and the ballot opens with it filled in.
    owner = demo.login("owner", "one unit")
    elector, code = demo.voting_code(owner.phone)
    for width, height in SIZES:
        page = new_page(width, height)
        page.goto(f"/#/election/{demo.election_id}?elector={elector}&code={code}")
        expect(page.get_by_label(re.compile("^(密码|Password)$"))).to_be_visible()
        assert code not in page.url
        page.get_by_label(re.compile("手机号")).fill(owner.phone)
        page.get_by_label(re.compile("^(密码|Password)$")).fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        ballot = page.locator("form.ballot")
        expect(ballot).to_be_visible()
        expect(ballot.get_by_label("表决码")).to_have_value(code)
        assert code not in page.url and code not in page.evaluate("JSON.stringify(history.state)")
        shot(page, f"ballot-from-qr-{width}x{height}")

    # a later visit (the back button, a reload) finds no code: it was handed over once
    page.reload()
    expect(page.locator("form.ballot").get_by_label("表决码")).to_have_value("")


def test_graphiql_in_the_demo_runs_a_query_with_nothing_from_another_origin(
    new_page: Any, demo: Any
) -> None:
    requested: list[str] = []
    for width, height in SIZES:
        page = new_page(width, height)
        page.on("request", lambda r: requested.append(r.url))
        page.goto("/graphql")  # a browser asking the endpoint is sent to the page
        expect(page).to_have_url(f"{demo.base}/graphiql/")
        editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(editor).to_be_visible()
        editor.evaluate("e => e.CodeMirror.setValue('{ __typename }')")
        page.locator(".graphiql-execute-button").click()
        response = page.locator(".graphiql-response .CodeMirror")
        expect(response).to_contain_text('"__typename": "Query"')
        # the schema came by introspection (the docs explorer lists the root types)
        page.get_by_role("button", name=re.compile("documentation explorer", re.I)).click()
        expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")
        assert requested and all(u.startswith(demo.base) for u in requested), requested
        shot(page, f"graphiql-{width}x{height}")
