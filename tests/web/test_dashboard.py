"""The supervisors' live dashboard, against a `gongzhi demo` of its own that the test kills and
starts again on the same port and database: it updates when an owner votes in a second browser
context, shows that it lost the connection, and recovers by itself with the new state. Also the
four-eyes paper-ballot entry, and the dashboard's screenshots at 360 px and 1920 px.

While the service offers the `electionTally` subscription (schema/schema.graphql), the
dashboard must be on it ("live"); before that, it polls over HTTP ("polling").
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.demo import PASSWORD
from tests.support.layout import check_layout
from tests.support.server import Server
from tests.web.ballots import cast_by_api, paper_ballots, vote_in_page
from tests.web.conftest import (
    SCREENSHOTS,
    Demo,
    Watch,
    log_in,
    need_browser,
)

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
# While the service is down Chromium reports the refused WebSocket and fetches as console
# errors: expected in this module's restart test, and nowhere else.
DOWN = re.compile(
    r"WebSocket connection to .* failed|Failed to load resource: net::ERR_"
    r"(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE)"
)


def subscription_landed() -> bool:
    return "electionTally" in SCHEMA.read_text(encoding="utf-8")


@dataclass
class Live:
    server: Server
    demo: Demo

    def restart(self, work_while_down: Any = None) -> None:
        self.server.stop(kill=True)
        if work_while_down:
            work_while_down()
        self.demo = self.server.start()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    need_browser()
    server = Server(tmp_path_factory.mktemp("live-demo"))
    try:
        yield Live(server, server.start())
    finally:
        server.stop()


@pytest.fixture
def pages(browser: Any, live: Live) -> Iterator[Any]:
    """open(width, height, tolerate_down=False) → a page on this module's server, in a fresh
    context, checked at the end like `new_page` (console errors, CSP violations)."""
    opened: list[tuple[Any, Any, Watch, bool]] = []

    def open_page(width: int = 1280, height: int = 800, tolerate_down: bool = False) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live.demo.base
        )
        context.set_default_timeout(15000)
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        opened.append((context, page, watch, tolerate_down))
        return page

    yield open_page
    try:
        for _, page, watch, tolerate_down in opened:
            if tolerate_down:
                watch.errors = [e for e in watch.errors if not DOWN.search(e)]
            watch.check(page)
    finally:
        for context, _, _, _ in opened:
            context.close()


def test_the_dashboard_updates_live_and_recovers_after_the_server_restarts(
    pages: Any, live: Live
) -> None:
    demo = live.demo
    eid = demo.election_id
    landed = subscription_landed()
    mode = "live" if landed else "polling"

    board = pages(1920, 1080, tolerate_down=True)
    log_in(board, demo.login("supervisor").phone)
    board.goto(f"/#/election/{eid}/live")
    dash = board.locator("section.dashboard")
    ballots = dash.locator("[data-ballots]")
    expect(ballots).to_have_attribute("data-ballots", re.compile(r"^\d+$"))
    expect(dash).to_have_attribute("data-mode", mode)
    expect(dash.locator(".conn")).to_have_text("● 实时" if landed else "定时刷新（每 5 秒）")
    before = int(str(ballots.get_attribute("data-ballots")))
    seq = int(str(dash.locator("[data-seq]").get_attribute("data-seq")))

    # another owner votes in a second browser context
    owner = demo.login("owner", "one unit")
    _, code = demo.voting_code(owner.phone)
    phone = pages(360, 740)
    log_in(phone, owner.phone)
    vote_in_page(phone, eid, code, candidates=[], answer="同意")
    phone.context.close()  # before the restart below: its page would poll a dead server
    expect(ballots).to_have_attribute("data-ballots", str(before + 1), timeout=20000)
    expect(dash.locator("[data-seq]")).to_have_attribute("data-seq", str(seq + 1))
    expect(dash.locator('[data-building="1"]')).to_contain_text("1 栋")
    expect(dash).to_have_attribute("data-mode", mode)

    # the server goes away (killed: every socket just drops) and comes back on the same port
    # and database; while it is down the screen says so
    def while_down() -> None:
        if landed:
            expect(dash).to_have_attribute("data-mode", "reconnecting", timeout=20000)
            expect(dash.locator(".conn")).to_have_text("连接中断，正在重新连接……")
        else:
            expect(dash.locator(".error")).to_contain_text("暂时无法刷新", timeout=20000)
        expect(ballots).to_have_attribute("data-ballots", str(before + 1))  # the last state

    live.restart(while_down)
    cast_by_api(live.demo, eid, live.demo.login("owner", "co-owned").phone, answer="no")
    expect(dash).to_have_attribute("data-mode", mode, timeout=45000)
    expect(ballots).to_have_attribute("data-ballots", str(before + 2), timeout=45000)
    expect(dash.locator("[data-seq]")).to_have_attribute("data-seq", str(seq + 2))
    expect(dash.locator(".error")).to_be_hidden()
    if landed:
        expect(dash.locator(".conn")).to_have_text("● 实时")


def test_paper_ballots_count_only_when_a_second_supervisor_enters_the_same(
    pages: Any, live: Live
) -> None:
    demo = live.demo
    eid = demo.election_id
    first, second = [x for x in demo.logins if x.role == "supervisor"][:2]
    one = pages()
    log_in(one, first.phone)
    one.goto(f"/#/election/{eid}/paper")
    enter = one.locator("form.paper-enter")
    enter.get_by_label("楼栋").select_option(label="2 栋")
    enter.get_by_label("房屋（投票人）").select_option(index=1)
    enter.locator(".candidates input").nth(0).check()
    enter.locator(".candidates input").nth(1).check()
    enter.get_by_role("button", name="反对", exact=True).click()
    enter.get_by_role("button", name="录入", exact=True).click()
    number = enter.locator("[data-entry]")
    expect(number).to_contain_text("录入编号 #")
    entry = str(number.get_attribute("data-entry"))

    # the same supervisor cannot confirm their own entry
    confirm = one.locator("form.paper-confirm")
    confirm.get_by_label("录入编号").fill(entry)
    confirm.get_by_role("button", name="反对", exact=True).click()
    confirm.get_by_role("button", name="复核确认").click()
    expect(confirm.get_by_role("alert")).to_be_visible()

    two = pages()
    log_in(two, second.phone)
    two.goto(f"/#/election/{eid}/paper")
    confirm = two.locator("form.paper-confirm")
    confirm.get_by_label("录入编号").fill(f"#{entry}")
    confirm.locator(".candidates input").nth(0).check()
    confirm.get_by_role("button", name="同意", exact=True).click()  # misread
    confirm.get_by_role("button", name="复核确认").click()
    mismatch = confirm.locator(".error.mismatch")
    expect(mismatch).to_contain_text("两次录入不一致，未计入")
    confirm.get_by_role("button", name="反对", exact=True).click()
    confirm.locator(".candidates input").nth(1).check()
    confirm.get_by_role("button", name="复核确认").click()
    expect(confirm.get_by_role("status")).to_contain_text(f"编号 #{entry} 两次录入一致，已计入")


@pytest.fixture(scope="module")
def counted(live: Live) -> int:
    """Paper ballots from three buildings, so the counts have moved past a step of 5."""
    eid = live.demo.election_id
    return sum(
        paper_ballots(live.demo, eid, building, n, answer)
        for building, n, answer in (("3", 4, "yes"), ("4", 3, "no"), ("6", 2, "abstain"))
    )


def fits_or_waited(page: Any, height: int) -> None:
    """Wait (up to 5 s) for the page to be no taller than the screen: a re-render (the language
    switch, an update) may be under way; the assertion after it says what still sticks out."""
    with contextlib.suppress(Exception):  # the assertion that follows reports the height
        page.wait_for_function(
            f"document.documentElement.scrollHeight <= {height}", timeout=5000, polling=200
        )


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1920, 1080)])
def test_the_dashboard_at_phone_and_wall_sizes(
    pages: Any, live: Live, counted: int, width: int, height: int
) -> None:
    demo = live.demo
    eid = demo.election_id
    page = pages(width, height)
    log_in(page, demo.login("supervisor").phone)
    page.goto(f"/#/election/{eid}/live")
    dash = page.locator("section.dashboard")
    expect(dash.locator(".question-counts")).to_have_count(2)
    expect(dash.locator(".building-list li")).to_have_count(12)
    expect(dash.locator(".count-yes")).to_contain_text("同意")
    # every number says what it counts (issue #14 item 5): ballots received (exact, the
    # supervisors'), ballots released in steps of 5, and heads/area/counts at the released step
    figures = dash.locator(".ballots")
    expect(figures.locator(".figure.received dt")).to_have_text("已计入的选票")
    expect(figures.locator(".figure.received")).to_contain_text("网上、代理、纸质都算")
    expect(figures.locator(".figure.released dt")).to_have_text("已公布的选票")
    expect(figures.locator(".figure.released")).to_contain_text("每满 5 张公布一次")
    released = int(figures.locator(".figure.released .big-number").inner_text().replace(",", ""))
    received = int(figures.locator(".figure.received .big-number").inner_text().replace(",", ""))
    assert released % 5 == 0 and released <= received and received >= counted
    expect(figures.locator("[data-basis]")).to_contain_text(f"按已公布的 {released} 张选票计")
    expect(dash.locator(".turnout .meter-heads")).to_contain_text("参与表决的业主人数")
    # candidates ranked by heads, with a dashed line under the last seat
    committee = dash.locator(".question-counts").first
    ranks = committee.locator("li.count-candidate").evaluate_all(
        "(els) => els.map((e) => Number(e.dataset.rank))"
    )
    assert ranks == sorted(ranks) and ranks[0] == 1, ranks
    heads = committee.locator("li.count-candidate .meter-heads .meter-value").all_inner_texts()
    numbers = [int(x.split(" ")[0].replace(",", "")) for x in heads]
    assert numbers == sorted(numbers, reverse=True), numbers
    expect(committee.locator("li.seats-cut")).to_have_count(1)
    if width >= 1920:  # one wall screen, no scrolling, once the screen has settled
        fits_or_waited(page, height)
        tall = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=SCREENSHOTS / f"dashboard-{width}x{height}.png", full_page=True)
        assert tall <= height, f"the dashboard is {tall}px tall at {width}×{height}"
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"dashboard-{width}x{height}.png", full_page=True)
    page.locator("header button.lang").click()
    expect(dash.locator("h2").first).to_have_text("Turnout")
    expect(figures.locator(".figure.received dt")).to_have_text("Ballots counted")
    if width >= 1920:
        fits_or_waited(page, height)
        tall = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=SCREENSHOTS / f"dashboard-en-{width}x{height}.png", full_page=True)
        low = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter((e) =>"
            " e.getBoundingClientRect().bottom > window.innerHeight).slice(0, 8)"
            ".map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().bottom)}`)"
        )
        assert tall <= height, f"the English dashboard is {tall}px tall at {width}×{height}: {low}"
    check_layout(page, width)
    page.screenshot(path=SCREENSHOTS / f"dashboard-en-{width}x{height}.png", full_page=True)

    # and what an owner sees of the same election
    owner = pages(width, height)
    log_in(owner, demo.login("owner", "several units").phone)
    owner.goto(f"/#/election/{eid}")
    expect(owner.locator("form.ballot")).to_be_visible()
    check_layout(owner, width)
    owner.screenshot(path=SCREENSHOTS / f"ballot-{width}x{height}.png", full_page=True)
    assert counted >= 9


TALLY_NOW = """query($e: ID!) { election(id: $e) {
  tally { step releasedBallots ballots participatingHeads participatingArea totalHeads totalArea
          participationMet ledgerSeq ledgerHead
          questions { questionId passing counts { key heads area } } }
  buildingTurnout { building electors voted } } }"""


def test_the_dashboard_follows_the_subscription_protocol_and_resubscribes(
    pages: Any, live: Live
) -> None:
    """The client half of the live path, whatever the service offers today: the page's
    WebSocket is answered by a stand-in speaking graphql-transport-ws (playwright's
    route_web_socket; nothing in the service changes). Every message is a full state; after
    the stand-in drops the connection the page says so, reconnects, resubscribes, and shows
    the state it is sent first."""
    demo = live.demo
    eid = demo.election_id
    sup = demo.login("supervisor")
    now = demo.gql(TALLY_NOW, {"e": eid}, phone=sup.phone, password=PASSWORD)["election"]
    connections: list[Any] = []
    subscriptions: list[tuple[Any, str, dict[str, Any]]] = []

    def update(ws: Any, sub_id: str, ballots: int, version: int) -> None:
        tally = {**now["tally"], "ballots": ballots, "ledgerSeq": ballots, "ledgerHead": "ab" * 32}
        payload = {
            "electionTally": {
                "electionId": eid,
                "version": version,
                "state": "OPEN",
                "tally": tally,
                "buildingTurnout": now["buildingTurnout"],
            }
        }
        ws.send(json.dumps({"id": sub_id, "type": "next", "payload": {"data": payload}}))

    def server(ws: Any) -> None:
        connections.append(ws)

        def on_message(message: str | bytes) -> None:
            msg = json.loads(message)
            if msg["type"] == "connection_init":
                ws.send(json.dumps({"type": "connection_ack"}))
            elif msg["type"] == "ping":
                ws.send(json.dumps({"type": "pong"}))
            elif msg["type"] == "subscribe":
                subscriptions.append((ws, msg["id"], msg["payload"]))
                # the first message of every subscription is the full current state
                update(ws, msg["id"], 100 * len(subscriptions), 800 * len(subscriptions))

        ws.on_message(on_message)

    board = pages(1280, 800)
    log_in(board, sup.phone)
    board.route_web_socket(re.compile(r"/graphql$"), server)
    board.goto(f"/#/election/{eid}/live")
    dash = board.locator("section.dashboard")
    ballots = dash.locator("[data-ballots]")
    expect(dash).to_have_attribute("data-mode", "live")
    expect(dash.locator(".conn")).to_have_text("● 实时")
    expect(ballots).to_have_attribute("data-ballots", "100")
    expect(dash.locator("[data-version]")).to_have_text("800")
    [(ws, sub_id, payload)] = subscriptions
    assert "electionTally(electionId: $id)" in payload["query"]
    assert payload["variables"] == {"id": eid}

    update(ws, sub_id, 101, 808)
    expect(ballots).to_have_attribute("data-ballots", "101")
    expect(dash.locator("[data-seq]")).to_have_attribute("data-seq", "101")

    ws.close(code=1012, reason="service restart")
    expect(dash).to_have_attribute("data-mode", "reconnecting")
    expect(dash.locator(".conn")).to_have_text("连接中断，正在重新连接……")
    expect(dash).to_have_attribute("data-mode", "live", timeout=20000)
    assert len(connections) == 2 and len(subscriptions) == 2
    expect(ballots).to_have_attribute("data-ballots", "200")
    expect(dash.locator("[data-version]")).to_have_text("1,600")
