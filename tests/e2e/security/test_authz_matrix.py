"""The authorisation matrix (issue #7, docs/design.md §3.10): every root Query, Mutation and
Subscription field of the served schema, for every role, against one world. The roles are
issue #7's seven (anonymous, owner of this compound, owner of another, committee, supervisor,
official, admin) and an official of another district, whose grant is district-scoped.

The operations come from the built schema (``tests/e2e/security/operations.py``); who may use each
one is decided in ``tests/e2e/security/decisions.py``; ``tests/e2e/security/calls.py`` gives each the
smallest valid arguments naming a real object of compound A in the state the operation needs
(``tests/e2e/security/matrix_world.py``). For each (operation, role):

* an allowed role succeeds (no error, no ``Problem``) — and an allowed mutation changes the
  database, which shows the "changed nothing" check below can see a change;
* a refused role gets exactly the refusal :meth:`Decision.expect` derives (UNAUTHENTICATED,
  FORBIDDEN, or NOT_FOUND where another compound's object must look missing), and the database
  is row for row what it was (every table, audit log and sessions included).

Queries and mutations go over HTTP through the ``gql`` fixture; subscriptions through a real
graphql-transport-ws client on a uvicorn server started in this process on a free port (a
missing session is refused at ``connection_init`` with close code 4403, read as
UNAUTHENTICATED).

Matrix size when written: 63 operations × 8 roles = 504 cases (``test_the_matrix_size`` prints
it; the ids read ``Mutation.castBallot-owner_b``). The module took 18 s of CPU (48 s wall on a
shared 2-core machine at load 8-11).

SQLite only: each case runs on its own copy of the world's SQLite file (a file copy). On
PostgreSQL each case would need the world restored, and emptying its 31 tables alone took
0.43 s per case on the same machine (TRUNCATE ... RESTART IDENTITY CASCADE): three and a half
minutes for the matrix, over the minute it may cost. Authorisation is decided in Python before any
dialect-specific SQL runs; the PostgreSQL variants of ``tests/api/services/test_access.py``,
``tests/api/services/test_election_access.py`` and ``tests/schema/test_drafting_access.py`` run the
same checks on a sample.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from api.http.app import create_app
from api.runtime import Runtime
from schema import root
from tests.conftest import Gql, make_settings
from tests.e2e.security.calls import CALLS, OF_DISTRICT_1, ON_COMPOUND_B
from tests.e2e.security.cases import CASES
from tests.e2e.security.decisions import DECISIONS, OK, REFUSAL_CODES, ROLES
from tests.e2e.security.matrix_world import NOW, MatrixWorld, build
from tests.e2e.security.operations import operations, send
from tests.support.elections import use_clock
from tests.support.graphql_ws import PROTOCOL, Client, closed_with
from tests.support.server import serve_in_process

WAIT = 15.0  # a failure guard, never a timing assertion


# -- the table is complete -------------------------------------------------------------------


def test_every_operation_has_a_decision_and_a_call() -> None:
    ops = set(operations())
    assert {k.split(".")[0] for k in ops} == {"Query", "Mutation", "Subscription"}
    assert not ops - set(DECISIONS), (
        f"operations without a decision: {sorted(ops - set(DECISIONS))}"
    )
    assert not ops - set(CALLS), f"operations without a call: {sorted(ops - set(CALLS))}"


def test_every_decision_names_an_existing_operation() -> None:
    ops = set(operations())
    assert not set(DECISIONS) - ops, f"decisions for no operation: {sorted(set(DECISIONS) - ops)}"
    assert not set(CALLS) - ops, f"calls for no operation: {sorted(set(CALLS) - ops)}"


def test_decisions_are_well_formed() -> None:
    for key, d in DECISIONS.items():
        assert d.allowed <= set(ROLES), key
        assert d.why.strip(), key
        for role, code in d.refusals.items():
            assert role in ROLES and role not in d.allowed, (key, role)
            assert code in REFUSAL_CODES, (key, code)
        for role in ROLES:
            assert d.expect(role) == OK or d.expect(role) in REFUSAL_CODES, (key, role)


def test_the_matrix_size() -> None:
    size = len(operations()) * len(ROLES)
    print(f"authorisation matrix: {len(operations())} operations x {len(ROLES)} roles = {size}")
    assert len(CASES) == size
    assert len(operations()) >= 63 and len(ROLES) == 8


# -- the world, built once, copied per case --------------------------------------------------


@dataclass(frozen=True)
class Built:
    path: Path  # the SQLite file every case copies
    world: MatrixWorld
    rows: dict[str, list[str]]  # its snapshot: what a refused operation must leave


@pytest.fixture(scope="session")
def matrix_world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    path = tmp_path_factory.mktemp("matrix") / "world.db"
    shutil.copy(sqlite_template, path)

    async def make() -> MatrixWorld:
        rt = Runtime.create(make_settings(path.parent, f"sqlite+aiosqlite:///{path}"))
        try:
            return await build(rt)
        finally:
            await rt.close()

    world = asyncio.run(make())
    with contextlib.closing(sqlite3.connect(path)) as db:  # fold the WAL into the copied file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Built(path, world, snapshot(f"sqlite+aiosqlite:///{path}"))


@pytest.fixture(scope="module")
def one_schema() -> Iterator[None]:
    """Each case builds an app, and the schema is the same every time: build it once (building
    it is most of a case's cost). tests/conftest.py now does the same for the whole run
    (tests/support/app.py), which leaves this one nothing to add; db_url below still names it."""
    built: dict[object, Any] = {}
    build_schema = root.build_schema

    def cached(limits: Any = None, extra_extensions: Any = None) -> Any:
        key = (limits, tuple(extra_extensions or ()))
        if key not in built:
            built[key] = build_schema(limits, extra_extensions)
        return built[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(root, "build_schema", cached)
        yield


@pytest.fixture
def db_url(matrix_world: Built, tmp_path: Path, one_schema: None) -> str:
    """Overrides conftest's: this module's tests run on a copy of the matrix world (SQLite)."""
    path = tmp_path / "gongzhi.db"
    shutil.copy(matrix_world.path, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def mw(matrix_world: Built, runtime: Runtime) -> MatrixWorld:
    use_clock(runtime, NOW)
    return matrix_world.world


def snapshot(db_url: str) -> dict[str, list[str]]:
    """Every row of every table (audit chain, sessions and full-text indexes included)."""
    path = db_url.removeprefix("sqlite+aiosqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [
            t
            for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not t.startswith("sqlite_")
        ]
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def outcome(body: dict[str, Any], name: str) -> str:
    """``"ok"``, or the code of the refusal: an error's ``extensions.code`` or a Problem's."""
    if body.get("errors"):
        assert body.get("data") is None or body["data"].get(name) is None, body
        code: str = body["errors"][0].get("extensions", {}).get("code", "UNCODED")
        return code
    value = body["data"][name]
    if isinstance(value, dict) and value.get("__typename") == "Problem":
        return str(value["code"])
    return OK


# -- subscriptions over a real WebSocket -----------------------------------------------------


async def subscribe(url: str, key: str, args: dict[str, Any], token: str | None) -> str:
    """Open, initialise, subscribe; ``"ok"`` when the first message is data, else the code."""
    op = operations()[key]
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        client = Client(ws)
        if token is None:
            await client.send({"type": "connection_init", "payload": {}})
            code = await closed_with(ws)
            return "UNAUTHENTICATED" if code == 4403 else f"closed {code}"
        await client.init(token)
        await client.send(
            {
                "id": "m",
                "type": "subscribe",
                "payload": {"query": op.document(args), "variables": args},
            }
        )
        message = await client.recv(WAIT)
        if message["type"] == "next" and not message["payload"].get("errors"):
            assert message["payload"]["data"][op.name] is not None, message
            return OK
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        return str(errors[0].get("extensions", {}).get("code", json.dumps(errors)))


# -- the matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "role"), CASES)
async def test_matrix(
    key: str,
    role: str,
    gql: Gql,
    mw: MatrixWorld,
    runtime: Runtime,
    db_url: str,
    matrix_world: Built,
) -> None:
    decision = DECISIONS.get(key)
    assert decision is not None, f"{key} has no decision in tests/e2e/security/decisions.py"
    call = CALLS.get(key)
    assert call is not None, f"{key} has no call in tests/e2e/security/calls.py"
    expected = decision.expect(role)
    op = operations()[key]
    args = call(mw)
    if op.kind == "Subscription":
        async with serve_in_process(create_app(runtime=runtime)) as url:
            got = await subscribe(url, key, args, mw.token(role))
    else:
        got = outcome(await send(gql, key, args, mw.token(role)), op.name)
    assert got == expected, f"{key} as {role}: expected {expected}, got {got}"
    if expected == OK and op.kind == "Query":
        return
    before, after = matrix_world.rows, snapshot(db_url)
    if expected != OK:
        changed = [t for t in before if before[t] != after.get(t)]
        assert not changed, f"{key} refused {role} but changed {changed}"
    elif op.kind == "Mutation":
        assert after != before, f"{key} as {role} succeeded but changed nothing"


# -- another compound's objects answer as missing ones, word for word ------------------------

MISSING_ID = "99999"


def _as_missing(value: Any, ids: set[str], by: str = MISSING_ID) -> Any:
    """``value`` with each of ``ids`` replaced by ``by`` (by default an id that names nothing)."""
    if isinstance(value, dict):
        return {k: _as_missing(v, ids, by) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_missing(v, ids, by) for v in value]
    return by if isinstance(value, str) and value in ids else value


@pytest.mark.parametrize("role", ["owner_b", "official_2", "anonymous"])
async def test_foreign_objects_answer_word_for_word_as_missing_ones(
    role: str, gql: Gql, mw: MatrixWorld
) -> None:
    """Issue #12 item 10, over every query and mutation: the matrix checks that an outsider's
    refusal has the right code; here the whole answer for compound A's object must equal the
    answer for an id that names nothing. A proxy or a paper entry of another compound answered
    "election not found" (a missing one "proxy not found"), and without a session an existing
    one answered UNAUTHENTICATED, a missing one NOT_FOUND: the ids could be counted."""
    ids = set(mw.ids.values()) | {str(mw.base.a)}
    differ = []
    for key, call in CALLS.items():
        if operations()[key].kind == "Subscription" or key in ON_COMPOUND_B:
            continue  # compound B's objects are not foreign to owner_b
        if role == "owner_b" and key in OF_DISTRICT_1:
            continue  # nor are those of B's district
        args = call(mw)
        missing = _as_missing(args, ids)
        if missing == args:
            continue  # names no object of compound A
        there, absent = [
            json.dumps(await send(gql, key, a, mw.token(role)), ensure_ascii=False, sort_keys=True)
            for a in (args, missing)
        ]
        if there != absent:
            differ.append(f"{key}: {there} / {absent}")
    assert not differ, "\n".join(differ)


async def test_a_draft_election_answers_an_owner_as_a_missing_one(
    gql: Gql, mw: MatrixWorld
) -> None:
    """Issue #12 item 10, inside the compound: ``election`` hides a draft from owners, but the
    operations that need a role answered FORBIDDEN for a draft and NOT_FOUND for a missing id
    (``electors``, ``proxies``, ``verifyElection``, the runners' mutations), and a cast into it
    answered NOT_OPEN with its state: an owner learnt what the committee was preparing. Every
    operation naming an election now answers an owner the same for a draft as for nothing."""
    elections = {mw.ids["election_open"], mw.ids["election_draft"]}
    differ = []
    for key, call in CALLS.items():
        if operations()[key].kind == "Subscription":
            continue
        args = call(mw)
        missing = _as_missing(args, elections)
        if missing == args:
            continue  # names no election
        draft = _as_missing(args, elections, mw.ids["election_draft"])
        there, absent = [
            json.dumps(
                await send(gql, key, a, mw.token("owner")), ensure_ascii=False, sort_keys=True
            )
            for a in (draft, missing)
        ]
        if there != absent:
            differ.append(f"{key}: {there} / {absent}")
    assert not differ, "\n".join(differ)
