"""The services some tests need beside the database (a shared Redis, PostgreSQL): whether they
answer, and the one rule for when they do not: skip with a message saying what is missing,
except under CI (CI=true), where a missing service is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def unavailable(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run this test: {what}")
    pytest.skip(what)


def redis_answers(host: str = REDIS_HOST, port: int = REDIS_PORT) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
