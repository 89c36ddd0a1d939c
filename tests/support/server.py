"""The one server harness: a real `gongzhi demo` / `gongzhi serve` process on a free port (the
end-to-end, live, operations and browser tests, and bench/), or the app under uvicorn inside the
test's own event loop (:func:`serve_in_process`, the authorisation matrix's subscriptions).

A process's standard output (what the demo prints: logins, voting codes) and standard error (the
log) are read separately, each by its own thread, so that a full pipe never blocks the server.
Every wait is bounded, as a failure guard only. Ports are free ones from the kernel (bind to port
0). Started again after a stop, a Server serves the same var directory (database and secret) on
the same port: a restarted service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
import uvicorn
from starlette.types import ASGIApp

from tests.support.demo import ELECTION_LINE, PASSWORD, VOTING_CODE, Login, parse_logins
from tests.support.documents import CAST, ELECTION_TALLY, LOGIN, QUESTIONS

SECRET = "ops-test-secret-0123456789abcdefghijklmnop"  # 41 chars: a real-looking key
WAIT = 15.0  # in-process start and stop: a failure guard
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command() -> list[str]:
    """The `gongzhi` console script beside this interpreter (`python -m api.cli` without it)."""
    script = Path(sys.executable).with_name("gongzhi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def clean_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment of a child: none of the developer's GONGZHI_* settings, fast argon2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(
        GONGZHI_VAR_DIR=str(var),
        GONGZHI_ARGON2_MEMORY_KIB="1024",
        GONGZHI_ARGON2_TIME_COST="1",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def run_cli(
    var: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one `gongzhi` command to its end (backup, restore, verify, create-admin), with
    ``stdin`` as its standard input if given."""
    return subprocess.run(
        [*command(), *args],
        cwd=var.parent,
        env=clean_env(var, **env),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def serve_logged(
    args: Sequence[str],
    env: Mapping[str, str],
    log: Path,
    *,
    cwd: Path,
    label: str = "",
    cmd: Sequence[str] | None = None,
) -> subprocess.Popen[bytes]:
    """``gongzhi ARGS`` (or ``cmd ARGS``) with its output appended to ``log``, one log across
    restarts: for benchmark runs whose output would not fit in a test's memory."""
    full = [*(cmd or command()), *args]
    with log.open("ab") as fh:
        fh.write(f"\n--- {label or 'start'}: {' '.join(full)}\n".encode())
        fh.flush()
        return subprocess.Popen(full, env=dict(env), stdout=fh, stderr=subprocess.STDOUT, cwd=cwd)


def await_healthy(
    proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 60.0
) -> None:
    """Wait until the server on ``port`` answers /healthz 200; raise with the log's tail if it
    exits first or does not answer in time (and then kill it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"gongzhi exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:  # refused, reset, timed out, or an HTTP error status (503 starting)
            pass
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"gongzhi did not answer /healthz within {timeout:.0f} s")


@dataclass
class Server:
    """One server process; ``out`` and ``err`` are its standard output and error, by line."""

    var: Path
    command: str = "demo"
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    # each stderr line with the time.monotonic() at which this process read it
    err_times: list[tuple[float, str]] = field(default_factory=list)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # phone -> (elector, code)
    logins: list[Login] = field(default_factory=list)  # the demo's login table
    election_id: str = ""
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # (phone, password) -> token
    _readers: list[threading.Thread] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    # the process ----------------------------------------------------------------------------
    def start(self, wait: float = 120.0) -> Server:
        """Start the process and wait until /healthz answers 200; read what a demo printed."""
        self.var.mkdir(parents=True, exist_ok=True)
        if self.command == "demo":  # a copy of the run's seeded demo, in a test run
            from tests.support import demo_template

            demo_template.prepare(self.var, clean_env(self.var, **self.env))
        self.out, self.err, self.err_times = [], [], []
        proc = self.proc = subprocess.Popen(
            [*command(), self.command, "--port", str(self.port)],
            cwd=self.var,
            env=clean_env(self.var, **self.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert proc.stdout is not None and proc.stderr is not None

        def read(stream: IO[str], lines: list[str], timed: bool) -> None:
            for line in stream:
                lines.append(line)
                if timed:
                    self.err_times.append((time.monotonic(), line))

        self._readers = [
            threading.Thread(target=read, args=(proc.stdout, self.out, False), daemon=True),
            threading.Thread(target=read, args=(proc.stderr, self.err, True), daemon=True),
        ]
        for t in self._readers:
            t.start()
        deadline = time.monotonic() + wait
        while True:
            if proc.poll() is not None:
                self.wait_exit()
                pytest.fail(f"gongzhi {self.command} exited:\n{self.output}")
            status, _ = self.get("/healthz")
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"gongzhi {self.command} did not answer /healthz:\n{self.output}")
            time.sleep(0.1)
        self.read_demo(self.out)
        return self

    def read_demo(self, lines: list[str]) -> None:
        """The election, logins and voting codes a demo printed (by `demo` or `--seed-only`)."""
        for line in list(lines):
            if m := ELECTION_LINE.match(line):
                self.election_id = m[1]
        logins = parse_logins(list(lines))
        if logins:
            self.logins = logins
        for login in logins:
            if login.role == VOTING_CODE:
                elector = re.match(r"elector (\d+):", login.note)
                assert elector, login
                self.codes[login.phone] = (elector[1], login.name)

    @property
    def output(self) -> str:
        return "stdout:\n" + "".join(self.out) + "\nstderr:\n" + "".join(self.err)

    log = output  # the name the live tests use

    def signal(self, sig: int = signal.SIGTERM) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = 60.0) -> int:
        """Wait for the process to end by itself; kill it (and fail) if it does not."""
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            pytest.fail(f"gongzhi {self.command} did not exit within {timeout} s:\n{self.output}")
        self._close_pipes()
        return code

    def stop(self, *, kill: bool = False) -> None:
        """SIGTERM and wait (or SIGKILL at once: the connections just drop); SIGKILL if it
        hangs. A stopped server may be started again."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self._close_pipes()
        self.proc = None
        self.tokens.clear()

    def _close_pipes(self) -> None:
        for t in self._readers:
            t.join(10)
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

    def rss_kib(self) -> int:
        assert self.proc is not None
        # `gongzhi` is a console script: uvicorn runs in this very process (workers=1)
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        assert m, status
        return int(m[1])

    # what the demo printed --------------------------------------------------------------------
    def login(self, role: str, note: str = "") -> Login:
        """The first demo login of ``role`` whose note contains ``note``."""
        return next(x for x in self.logins if x.role == role and note in x.note)

    @property
    def activation(self) -> tuple[Login, str]:
        """The account awaiting activation, and its code."""
        pending = self.login("activate")
        return pending, pending.note.rsplit(" ", 1)[-1]

    def voting_code(self, phone: str) -> tuple[str, str]:
        """(elector id, voting code) of a demo owner in the demo election."""
        return self.codes[phone]

    @property
    def owners(self) -> list[str]:
        """The phones of the owners the demo printed voting codes for."""
        return list(self.codes)

    # HTTP, blocking: call through a thread (asyncio.to_thread) from concurrent tests ---------
    def get(self, path: str) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")
        except OSError:
            return 0, None

    def post(
        self,
        query: str,
        variables: dict[str, Any],
        token: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Any:
        """POST a GraphQL operation; → the decoded body. Connection errors propagate."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(
            f"{self.base}/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers=all_headers,
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    def sign_in(self, phone: str, password: str = PASSWORD) -> str:
        """Log in (a new session each call); → its bearer token."""
        body = self.post(LOGIN, {"i": {"phone": phone, "password": password, "bearer": True}})
        assert body["data"]["login"]["__typename"] == "LoginSuccess", body
        return str(body["data"]["login"]["token"])

    def token(self, phone: str, password: str = PASSWORD) -> str:
        """A bearer token for ``phone`` (one login per server run, then remembered)."""
        key = (phone, password)
        if key not in self.tokens:
            self.tokens[key] = self.sign_in(phone, password)
        return self.tokens[key]

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        phone: str | None = None,
        password: str = PASSWORD,
    ) -> Any:
        """→ the data of an operation sent as ``phone`` (anonymously without); no errors."""
        token = self.token(phone, password) if phone else None
        body = self.post(query, variables or {}, token)
        assert not body.get("errors"), body
        return body["data"]

    def answers(self, token: str, answer: str = "yes", picks: int = 3) -> list[dict[str, Any]]:
        """A valid ballot for the demo election: the first ``picks`` candidates, ``answer``."""
        body = self.post(QUESTIONS, {"e": self.election_id}, token)
        out: list[dict[str, Any]] = []
        for q in body["data"]["election"]["questions"]:
            if q["kind"] == "COMMITTEE":
                ids = [c["id"] for c in q["candidates"][:picks]]
                out.append({"questionId": q["id"], "candidateIds": ids})
            else:
                out.append({"questionId": q["id"], "answer": answer})
        return out

    def cast_ballot(self, token: str, phone: str, answers: list[dict[str, Any]]) -> Any:
        """Cast ``answers`` with ``phone``'s printed voting code; → the decoded body."""
        elector, code = self.codes[phone]
        payload = {
            "electionId": self.election_id,
            "electorId": elector,
            "code": code,
            "answers": answers,
        }
        return self.post(CAST, {"i": payload}, token)

    def cast(self, phone: str, answer: str = "yes", picks: int = 2) -> None:
        """The owner casts (or casts again: the new ballot supersedes) with the printed code."""
        token = self.token(phone)
        body = self.cast_ballot(token, phone, self.answers(token, answer, picks))
        assert not body.get("errors"), body
        assert body["data"]["castBallot"]["__typename"] == "BallotCast", body

    def tally(self, phone: str) -> dict[str, Any]:
        return dict(self.gql(ELECTION_TALLY, {"e": self.election_id}, phone)["election"])


async def http(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a blocking Server method from an async test (off the event loop)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def seeded(var: Path, **env: str) -> tuple[Server, list[str]]:
    """A demo database made with SECRET, and a `gongzhi serve` (not demo) for it.

    `gongzhi demo` refuses a configured GONGZHI_SECRET_KEY (api/cli/demo_guard.py), so SECRET is
    put where the demo keeps the secret it generates (var/secret.key) and taken away after the
    seeding: the server gets it as GONGZHI_SECRET_KEY, as a deployment does, and GONGZHI_DEMO=1,
    without which `gongzhi serve` refuses a demo's database."""
    plant_secret(var)
    seed = run_cli(var, "demo", "--seed-only", GONGZHI_LOG_FORMAT="json", **env)
    assert seed.returncode == 0, seed.stdout + seed.stderr
    (var / "secret.key").unlink()
    env = {"GONGZHI_SECRET_KEY": SECRET, "GONGZHI_LOG_FORMAT": "json", "GONGZHI_DEMO": "1", **env}
    server = Server(var, "serve", env=env)
    lines = seed.stdout.splitlines(keepends=True)
    server.read_demo(lines)
    assert server.election_id and server.codes, seed.stdout
    return server, lines


def plant_secret(var: Path, secret: str = SECRET) -> None:
    """Make ``secret`` the one a `gongzhi demo` in ``var`` takes for its generated secret."""
    var.mkdir(parents=True, exist_ok=True)
    (var / "secret.key").write_text(secret + "\n")


def ledger(var: Path, election: str, **env: str) -> list[dict[str, Any]]:
    """`gongzhi verify ELECTION --export`: it must verify; → the ledger lines of the export."""
    out = var.parent / f"ledger-{election}-{time.monotonic_ns()}.jsonl"
    r = run_cli(var, "verify", election, "--export", str(out), GONGZHI_SECRET_KEY=SECRET, **env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verified / 验证通过" in r.stdout, r.stdout
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [x for x in lines if x.get("type") == "ledger"]


@contextlib.asynccontextmanager
async def serve_in_process(app: ASGIApp) -> AsyncIterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1, in this event loop (so a test can
    reach into the same Runtime); yields the WebSocket URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                assert not task.done(), "uvicorn exited"
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT)
