"""Browser tests: a real `gongzhi demo` server and Debian's Chromium driven by playwright.

Chromium comes from the system (`apt-get install -y chromium`), never from `playwright install`.
Without it these tests are skipped with a message saying how to install it, except under CI
(CI=true), where a missing browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import PASSWORD as PASSWORD
from tests.support.server import Server
from tests.web.axe import check_accessibility, watch_accessibility

# the browser tests' name for a started `gongzhi demo` (the one harness: tests/support/server.py)
Demo = Server

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def need_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = "install chromium: apt-get install -y chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "install playwright: pip install -e '.[test]'"
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests cannot run: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    need_browser()
    server = Server(tmp_path_factory.mktemp("web-demo"))
    try:
        yield server.start()
    finally:
        server.stop()


# Per module, not per session: while playwright's sync API is running, its event loop counts as
# the running loop of the main thread, and an asyncio test that runs after the browser tests
# (tests/api/cli/test_cli.py in the same pytest run) could not start its own.
@pytest.fixture(scope="module")
def browser(demo: Demo) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


# Every page records CSP violations (the event fires even where no console message is logged).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  // axe-core (tests/web/axe.py, injected by the tests, not served) may try to compile a message
  // template with Function(), which the policy refuses (and axe falls back): not the client's
  const source = e.sourceFile || "";
  const fromTests = e.blockedURI === "eval" && !source.includes("/js/") && !source.includes("/vendor/");
  if (!fromTests) window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@dataclass
class Watch:
    """Console errors, uncaught exceptions, CSP violations and serious or critical accessibility
    violations (axe-core, tests/web/axe.py: every screen the page shows) seen by one page."""

    errors: list[str] = field(default_factory=list)

    def axe(self, line: str) -> None:
        if line not in self.errors:
            self.errors.append(line)

    def attach(self, page: Any) -> None:
        page.add_init_script(WATCH_CSP)
        watch_accessibility(page, self.axe)
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def check(self, page: Any) -> None:
        if not page.is_closed():
            try:
                violations = page.evaluate("window.__csp || []")
                for line in check_accessibility(page):  # the screen the test ended on
                    self.axe(line)
            except Exception:  # the page is navigating away; console errors still count
                violations = []
            self.errors.extend(f"CSP violation: {v}" for v in violations)
        assert self.errors == [], "\n".join(self.errors)


@contextlib.contextmanager
def page_opener(browser: Any, server: Demo) -> Iterator[Any]:
    """open(width=1280, height=800) → a page on ``server`` in a fresh context (own cookies and
    storage), checked at the end for console errors, page errors and CSP violations."""
    opened: list[tuple[Any, Any, Watch]] = []

    def make(width: int = 1280, height: int = 800) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=server.base
        )
        context.set_default_timeout(15000)
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        opened.append((context, page, watch))
        return page

    yield make
    try:
        for _, page, watch in opened:
            watch.check(page)
    finally:
        for context, _, _ in opened:
            context.close()


@pytest.fixture
def new_page(browser: Any, demo: Demo) -> Iterator[Any]:
    """new_page(width=1280, height=800) → a page on the demo server (see page_opener)."""
    with page_opener(browser, demo) as make:
        yield make


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


def log_in(page: Any, phone: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the first screen: the home screen, or an
    official's district page (js/session.js landing)."""
    page.goto("/#/login")
    page.get_by_label(re.compile("手机号|Mobile number")).fill(phone)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("section.home h1, section.district h1")


@pytest.fixture
def login() -> Any:
    return log_in
