"""Structured logs (issue #7 §7): every line a JSON object, and no secret or ballot in any.

A real `gongzhi demo` with GONGZHI_LOG_FORMAT=json takes the requests that carry every kind of
secret: a password login (right and wrong), a browser request with the session cookie and the
CSRF header, an activation with its printed code and a new password, a castBallot with the
voting code and a ballot, a request whose invalid variables make GraphQL quote them back, and
a query string. Then SIGTERM, and the whole standard error is read: each line must parse as a
JSON object with time, level, logger and message, the operations must be there by name and
status, and none of the secrets, nor the ballot, may appear anywhere.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.http.logs import JsonFormatter, chosen, config, operation_name
from api.settings import SettingsError
from tests.support.demo import PASSWORD
from tests.support.documents import ACTIVATE
from tests.support.server import Server


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path / "var", "demo", env={"GONGZHI_LOG_FORMAT": "json"})
    try:
        yield server.start()
    finally:
        server.stop()


def _records(server: Server) -> list[dict[str, Any]]:
    records = []
    for line in server.err:
        try:
            record = json.loads(line)
        except ValueError:
            pytest.fail(f"a log line is not JSON: {line!r}\n{server.output}")
        assert isinstance(record, dict), line
        assert {"time", "level", "logger", "message"} <= record.keys(), line
        records.append(record)
    return records


def test_json_log_lines_carry_requests_and_no_secret(demo: Server) -> None:
    owner_phone = next(iter(demo.codes))
    # 1. password logins: a wrong one (a refused attempt is logged too), then the right one
    wrong = "wrong-Passw0rd-never-logged"
    demo.post(
        "mutation Login($i: LoginInput!) { login(input: $i) { __typename } }",
        {"i": {"phone": owner_phone, "password": wrong}},
    )
    token = demo.sign_in(owner_phone)
    # 2. as a browser: the session cookie and the CSRF header, and a query string
    req = urllib.request.Request(
        f"{demo.base}/graphql?access_token=QS-SECRET-4711",
        data=json.dumps({"query": "query Me { me { id } }"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"gz_session={token}",
            "x-gongzhi-csrf": "1",
        },
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
    # 3. an activation with the printed code and a new password
    pending, activation_code = demo.activation
    pending_phone = pending.phone
    new_password = "new-Passw0rd-from-the-letter"
    body = demo.post(
        ACTIVATE,
        {"i": {"phone": pending_phone, "code": activation_code, "password": new_password}},
    )
    assert body["data"]["activateAccount"]["__typename"] == "LoginSuccess", body
    # 4. a ballot with the voting code
    answers = demo.answers(token, "no", picks=2)
    body = demo.cast_ballot(token, owner_phone, answers)
    assert body["data"]["castBallot"]["__typename"] == "BallotCast", body
    tracking = body["data"]["castBallot"]["receipt"]["trackingCode"]
    voting_code = demo.codes[owner_phone][1]
    # 5. invalid variables: what is wrong with them may be quoted to the client, never logged
    quoted = "VOTING-CODE-IN-A-BAD-VARIABLE"
    try:
        reply = json.dumps(
            demo.post(
                "mutation CastBallot($i: CastBallotInput!) { castBallot(input: $i) { __typename } }",
                {"i": {"electionId": demo.election_id, "code": quoted, "answers": quoted}},
                token,
            )
        )
    except urllib.error.HTTPError as e:  # GraphQL-over-HTTP may answer 400 here
        reply = e.read().decode()
    assert "errors" in reply  # refused (quoted back or masked: either way, not logged)

    demo.signal()
    # uvicorn re-raises the signal after a clean shutdown, so that a supervisor sees it
    assert demo.wait_exit() in (0, -15), demo.output
    records = _records(demo)
    text = "".join(demo.err)

    access = [r for r in records if r["logger"] == "gongzhi.access"]
    by_operation = {r.get("operationName"): r for r in access}
    for name in ("Login", "Me", "Activate", "CastBallot"):
        r = by_operation.get(name)
        assert r is not None, f"no access line for {name}:\n{text}"
        assert r["method"] == "POST" and r["path"] == "/graphql", r
        assert r["status"] == 200 and isinstance(r["duration_ms"], float), r
        assert "client" not in r, r  # a cast's line must not say who sent it (docs/design.md §3.3)
    assert any(r["message"].startswith("shutdown started") for r in records), text

    secret_key = (demo.var / "secret.key").read_text().strip()
    secrets = {
        "demo password": PASSWORD,
        "wrong password": wrong,
        "new password": new_password,
        "session token": token,
        "activation code": activation_code,
        "voting code": voting_code,
        "voting code without dashes": voting_code.replace("-", ""),
        "quoted variable": quoted,
        "query string": "QS-SECRET-4711",
        "secret key": secret_key,
        "tracking code": tracking,
    }
    for what, value in secrets.items():
        assert value not in text, f"the log holds the {what}"
    # the ballot: no variables at all, so neither the answers nor their keys
    for marker in ("candidateIds", "answers", "questionId", json.dumps(answers)):
        assert marker not in text, f"the log holds {marker!r}"
    for marker in ("Authorization", "authorization", "gz_session", "Bearer"):
        assert marker not in text, f"the log holds {marker!r}"


def test_formats_and_the_setting() -> None:
    assert chosen("json") == "json" and chosen("TEXT") == "text"
    assert chosen("auto", io.StringIO()) == "json"  # captured output (not a terminal)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert chosen("auto", Tty()) == "text"
    with pytest.raises(SettingsError, match=r"GONGZHI_LOG_FORMAT.*只能是"):
        config("yaml")
    assert config("json")["loggers"]["uvicorn.access"]["propagate"] is False


def test_operation_names_are_names_only() -> None:
    assert operation_name(b'{"query": "mutation CastBallot($i: X) { a }"}') == "CastBallot"
    assert operation_name(b'{"operationName": "Login", "query": "{ a }"}') == "Login"
    # not a GraphQL Name: a client cannot smuggle text into the log through it
    assert operation_name(b'{"operationName": "pw=hunter2 x", "query": "{ a }"}') is None
    assert operation_name(b'[{"operationName": "A"}, {"query": "query B { b }"}]') == "A,B"
    assert operation_name(b"not json") is None


def test_a_record_is_one_json_line() -> None:
    import logging

    record = logging.LogRecord("gongzhi.access", logging.INFO, __file__, 1, "a\nb %s", ("c",), None)
    record.status = 200
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["message"] == "a\nb c" and json.loads(line)["status"] == 200


def test_execution_errors_lose_their_messages() -> None:
    """What strawberry logs for an unexpected error keeps its place and frames, not its text."""
    import logging

    from graphql import GraphQLError

    from api.http.logs import ScrubExecutionErrors

    code = "-".join(["ABCD", "EFGH", "JKLM"])  # at run time: the source lines show no value
    try:
        try:
            raise KeyError(code)
        except KeyError as cause:
            raise ValueError(code * 2) from cause
    except ValueError as original:
        error = GraphQLError(str(original), path=["castBallot"], original_error=original)
        info = (type(original), original, original.__traceback__)
    record = logging.LogRecord(
        "strawberry.execution", logging.ERROR, __file__, 1, error, (), info, sinfo="stack"
    )
    assert ScrubExecutionErrors().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "unexpected error in castBallot: ValueError"
    assert code not in json.dumps(line)
    assert "builtins.ValueError" in line["exc"] and "builtins.KeyError" in line["exc"]
    assert "test_logs.py" in line["exc"]  # the frames stay
