"""Browser tests: a real `gongzhi demo` server and Debian's Chromium driven by playwright.

Chromium comes from the system (`apt-get install -y chromium`), never from `playwright install`.
Without it these tests are skipped with a message saying how to install it, except under CI
(CI=true), where a missing browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.ops import ELECTION_LINE, LOGIN_LINE, command, free_port

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
PASSWORD = "gongzhi-demo"
# "  owner        19936985635  张一  (several units: one head)"
# "demo election / 演示表决 #1 (open, closes / 截止 …): 第一届业主委员会选举暨《管理规约》表决"
# "  votingcode   19936985635  2MSS-RPNV-G9YQ  (elector 547: 5-5-2-2303)"
VOTING_CODE = "votingcode"


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


@dataclass(frozen=True)
class Login:
    role: str
    phone: str
    name: str
    note: str


@dataclass
class Demo:
    base: str
    logins: list[Login]
    output: list[str]

    def login(self, role: str, note: str = "") -> Login:
        return next(x for x in self.logins if x.role == role and note in x.note)

    @property
    def activation(self) -> tuple[Login, str]:
        pending = self.login("activate")
        return pending, pending.note.rsplit(" ", 1)[-1]

    @property
    def election_id(self) -> str:
        """The demo election (open, seeded by api/cli/demo.py)."""
        for line in self.output:
            if m := ELECTION_LINE.match(line):
                return m[1]
        raise AssertionError("the demo printed no election:\n" + "".join(self.output))

    def voting_code(self, phone: str) -> tuple[str, str]:
        """(elector id, voting code) of a demo owner in the demo election."""
        found = next(x for x in self.logins if x.role == VOTING_CODE and x.phone == phone)
        m = re.match(r"elector (\d+):", found.note)
        assert m, found
        return m[1], found.name

    def gql(self, query: str, variables: dict[str, Any] | None = None, **login: str) -> Any:
        """A GraphQL call outside the browser (bearer login), to check what the page shows."""
        token = None
        if login:
            data = self._post(
                "mutation($i: LoginInput!) { login(input: $i) { ... on LoginSuccess { token } } }",
                {"i": {**login, "bearer": True}},
            )
            token = data["data"]["login"]["token"]
        body = self._post(query, variables or {}, token)
        assert not body.get("errors"), body
        return body["data"]

    def _post(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(
            f"{self.base}/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers=headers,
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())


class DemoServer:
    """A `gongzhi demo` process on one port and one var directory. Started again after a stop
    it serves the same database (and secret) on the same port: a restarted service."""

    def __init__(self, var: Path, port: int, env: dict[str, str] | None = None) -> None:
        self.var = var
        self.port = port
        self.env = dict(env or {})  # extra GONGZHI_* settings for this server
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[str] | None = None
        self.reader: threading.Thread | None = None

    def start(self) -> Demo:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        env.update(
            GONGZHI_VAR_DIR=str(self.var),
            GONGZHI_ARGON2_MEMORY_KIB="1024",
            GONGZHI_ARGON2_TIME_COST="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        proc = self.proc = subprocess.Popen(
            [*command(), "demo", "--port", str(self.port)],
            cwd=self.var,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        output: list[str] = []
        assert proc.stdout is not None
        stdout = proc.stdout

        def drain() -> None:
            # Read all along: uvicorn logs every request, and a full pipe would block the server.
            for line in stdout:
                output.append(line)

        self.reader = threading.Thread(target=drain, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                self.reader.join(5)
                pytest.fail("gongzhi demo exited:\n" + "".join(output))
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gongzhi demo did not answer /healthz:\n" + "".join(output))
            time.sleep(0.2)
        logins = [
            Login(m[1], m[2], m[3], m[4] or "")
            for line in list(output)
            if (m := LOGIN_LINE.match(line.rstrip("\n")))
        ]
        assert any(x.role == "activate" for x in logins), "".join(output)
        return Demo(base=self.base, logins=logins, output=output)

    def stop(self, *, kill: bool = False) -> None:
        """End the process: politely, or at once (kill: the connections just drop)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if kill:
            proc.kill()
        else:
            proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if self.reader is not None:
            self.reader.join(5)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    need_browser()
    server = DemoServer(tmp_path_factory.mktemp("web-demo"), free_port())
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
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@dataclass
class Watch:
    """Console errors, uncaught exceptions and CSP violations seen by one browser context."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.add_init_script(WATCH_CSP)
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
    """Log in through the login form and wait for the home screen."""
    page.goto("/#/login")
    page.get_by_label(re.compile("手机号|Mobile number")).fill(phone)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("section.home h1")


@pytest.fixture
def login() -> Any:
    return log_in
