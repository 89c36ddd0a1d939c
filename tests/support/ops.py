"""A real `gongzhi demo` / `gongzhi serve` process for the operations tests (issue #7 §7):
structured logs, health, graceful shutdown, backup and restore.

Standard output (what the demo prints: logins, voting codes) and standard error (the log) are
read separately, each by its own thread so that a full pipe never blocks the server. Every wait
is bounded, as a failure guard only. Ports are free ones from the kernel (bind to port 0).
"""

from __future__ import annotations

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "gongzhi-demo"
SECRET = "ops-test-secret-0123456789abcdefghijklmnop"  # 41 chars: a real-looking key
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(1\d{10})\s+(\S+(?: \S+)*?)(?:\s+\((.*)\))?\s*$")
ELECTION_LINE = re.compile(r"^demo election / 演示表决 #(\d+) \((\w+)")
QUESTIONS = """query($e: ID!) { election(id: $e) {
  questions { id kind seats candidates { id name } } } }"""
CAST = """mutation CastBallot($i: CastBallotInput!) { castBallot(input: $i) { __typename
  ... on BallotCast { receipt { trackingCode ledgerSeq ledgerHead counted } }
  ... on Problem { code message } } }"""
LOGIN = """mutation Login($i: LoginInput!) { login(input: $i) { __typename
  ... on LoginSuccess { token } ... on Problem { code } } }"""
ACTIVATE = """mutation Activate($i: ActivateInput!) { activateAccount(input: $i) { __typename
  ... on LoginSuccess { token } ... on Problem { code } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command() -> list[str]:
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


def run_cli(var: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one `gongzhi` command to its end (backup, restore, verify)."""
    return subprocess.run(
        [*command(), *args],
        cwd=var.parent,
        env=clean_env(var, **env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


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
    logins: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role -> (phone, note)
    election_id: str = ""
    _readers: list[threading.Thread] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 120.0) -> Server:
        self.var.mkdir(parents=True, exist_ok=True)
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

        def read(stream: Any, lines: list[str], timed: bool) -> None:
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
            if m := LOGIN_LINE.match(line.rstrip("\n")):
                self.logins.setdefault(m[1], []).append((m[2], m[4] or ""))
                if m[1] == "votingcode":
                    elector = re.match(r"elector (\d+):", m[4] or "")
                    assert elector, line
                    self.codes[m[2]] = (elector[1], m[3])

    @property
    def output(self) -> str:
        return "stdout:\n" + "".join(self.out) + "\nstderr:\n" + "".join(self.err)

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

    def stop(self) -> None:
        """SIGTERM and wait (the fixture's cleanup); SIGKILL if it hangs."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is not None:
            self._close_pipes()
            return
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for t in self._readers:
            t.join(10)
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

    # HTTP, blocking: call through a thread pool from concurrent tests -----------------------
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

    def login(self, phone: str, password: str = PASSWORD) -> str:
        body = self.post(LOGIN, {"i": {"phone": phone, "password": password, "bearer": True}})
        assert body["data"]["login"]["__typename"] == "LoginSuccess", body
        return str(body["data"]["login"]["token"])

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

    def cast(self, token: str, phone: str, answers: list[dict[str, Any]]) -> Any:
        elector, code = self.codes[phone]
        payload = {
            "electionId": self.election_id,
            "electorId": elector,
            "code": code,
            "answers": answers,
        }
        return self.post(CAST, {"i": payload}, token)


def seeded(var: Path, **env: str) -> tuple[Server, list[str]]:
    """A demo database seeded with a real secret, and a `gongzhi serve` (not demo) for it."""
    env = {"GONGZHI_SECRET_KEY": SECRET, "GONGZHI_LOG_FORMAT": "json", **env}
    seed = run_cli(var, "demo", "--seed-only", **env)
    assert seed.returncode == 0, seed.stdout + seed.stderr
    server = Server(var, "serve", env=env)
    lines = seed.stdout.splitlines(keepends=True)
    server.read_demo(lines)
    assert server.election_id and server.codes, seed.stdout
    return server, lines


def ledger(var: Path, election: str, **env: str) -> list[dict[str, Any]]:
    """`gongzhi verify ELECTION --export`: it must verify; → the ledger lines of the export."""
    out = var.parent / f"ledger-{election}-{time.monotonic_ns()}.jsonl"
    r = run_cli(var, "verify", election, "--export", str(out), GONGZHI_SECRET_KEY=SECRET, **env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verified / 验证通过" in r.stdout, r.stdout
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [x for x in lines if x.get("type") == "ledger"]
