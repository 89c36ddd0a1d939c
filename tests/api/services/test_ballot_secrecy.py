"""Ballot secrecy (docs/design.md §3.3): nothing in the database, the audit log, the logs or the
GraphQL API links an owner to their choices. The tests play the attacker who holds a full dump
of the database (read with plain SQL, not through the ORM) and try every join, timestamp and id
order they can think of.

Scenario (one compound of 33 electors, a resolution and a committee question): 20 electors
vote online one after the other, three of them re-vote, a proxy holder casts for one elector,
one paper ballot is entered and confirmed by two supervisors, and one paper entry stays pending
after the second supervisor read the paper differently. The database is dumped while voting is
open and again after the close.

Residual risks these tests cannot close (for the threat model):

1. Cast order is in the database by design. ``ballot.seq`` and the ballot ledger (seq, payload
   with slot and choices) record the order of casts, because the hash chain needs one. Whoever
   learns *when* a given owner cast from outside the database (reverse-proxy or uvicorn access
   logs with account, address and time, a phone company, watching the person; a supervisor's
   exact live tally just before and after the owner's cast — receipts and owners' views carry
   no ledger position since issue #12 item 2) can map that moment onto the ledger and read the
   choices. Inside the database,
   ``login_session.created_at`` (and ``audit_entry.created_at`` for paper entries, proxies and
   re-issued codes) gives a time order of owners' activity that correlates with the ledger order
   when owners log in and vote at once. Mitigations outside these tests: no per-request access
   logs on the voting endpoint, coarse or no session timestamps, shuffling the ledger order
   within a group-commit batch.
2. PostgreSQL system columns and storage: the heap keeps ballot rows in insertion order
   (``ctid``; a plain ``SELECT * FROM ballot`` returns them in cast order, which the ledger
   discloses anyway), and ``xmin`` is a transaction counter shared by all tables, so a ballot's
   ``xmin`` can be compared with the ``xmin`` of the same owner's login session or proxy row.
   WAL segments (and archived WAL, logical replication slots, ``track_commit_timestamp`` if on)
   hold every row version in commit order with commit times. ``VACUUM FULL`` / ``CLUSTER`` on
   the primary key after the close and short WAL retention reduce this; they cannot undo
   backups already taken.
3. SQLite file forensics: the ballot table has no rowid (its b-tree is ordered by the random
   id), but the WAL file and free pages keep old page images until checkpoint and reuse —
   including a pending paper entry's elector and choices after it was wiped — and page
   numbers grow roughly in insertion order. ``PRAGMA secure_delete`` and a ``VACUUM`` after the
   close would reduce this.
4. Channel anonymity sets: ``ballot.channel`` is needed to replay the precedence rules, and the
   proxy table names the electors who authorised a proxy (a legal record). A proxy ballot is
   therefore only hidden among the electors with a proxy (with one proxy, not at all — though
   the holder knows the choice anyway). Paper ballots are hidden among the electors who voted
   on paper; the scrutineers hold the papers.
5. The secret: ``GONGZHI_SECRET_KEY`` (outside the database) turns every slot key back into an
   elector. A dump plus the server's environment links everything; so does the running server.
6. Supervisors see turnout per building and owners see whether they themselves voted: in a
   building with one elector that says whether that elector voted (never what).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLUnionType

from api.cli.rollgen import make_roll_csv
from api.runtime import Runtime
from api.services.elections import election_secret
from schema.root import Limits, build_schema
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CONFIRM_PAPER,
    ENTER_PAPER,
    MY_ELECTORS,
    OPENS,
    RECORD_PROXY,
    Opened,
    cast,
    new_compound,
    open_election,
    staff_token,
    transition,
    use_clock,
    voter_tokens,
)
from tests.support.nominations import vetted_list
from tests.support.world import World
from voting.codec import canonical_json

BALLOT_COLUMNS = {
    "id",
    "election_id",
    "community_id",
    "slot",
    "channel",
    "choices",
    "nonce",
    "tracking",
    "status",
    "seq",
}
# A column that names a person, an account, an elector or their contact details.
LINK = re.compile(
    r"(elector|person|account|owner|phone|holder|actor|supervisor|entered_by|confirmed_by"
    r"|recorded_by|revoked_by|created_by|issued_by|granted_by|author|signer|address|^ip$)",
    re.I,
)
TEMPORAL = re.compile(r"date|time", re.I)
DATE_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}")
IP_VALUE = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
CLIENT_IP = "203.0.113.7"  # the address tests/conftest.py's client connects from


@dataclass
class Table:
    columns: list[str]
    types: dict[str, str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


Dump = dict[str, Table]


async def dump_database(url: str) -> Dump:
    """Every table, read with the database's own driver and plain SQL."""
    tables: Dump = {}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        with sqlite3.connect(path) as conn:
            names = [
                n
                for (n,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            for name in names:
                info = list(conn.execute(f'PRAGMA table_info("{name}")'))
                rows = list(conn.execute(f'SELECT * FROM "{name}"'))
                tables[name] = Table(
                    [c[1] for c in info], {c[1]: str(c[2]).lower() for c in info}, rows
                )
        return tables
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        names = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        for name in names:
            info = await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                name,
            )
            rows = await conn.fetch(f'SELECT * FROM "{name}"')
            tables[name] = Table(
                [c["column_name"] for c in info],
                {c["column_name"]: c["data_type"].lower() for c in info},
                [tuple(r.values()) for r in rows],
            )
    finally:
        await conn.close()
    return tables


def strings(dump: Dump, *, skip: Iterable[str] = ()) -> Iterable[tuple[str, str, str]]:
    """(table, column, value) of every text value in the dump."""
    skipped = set(skip)
    for name, table in dump.items():
        if name in skipped:
            continue
        for row in table.rows:
            for col, value in zip(table.columns, row, strict=True):
                if isinstance(value, str):
                    yield name, col, value


def slot_of(key: bytes, elector_key: str) -> str:
    """voting.secrecy.slot_key re-implemented (it refuses short keys; an attacker would not)."""
    message = canonical_json(["gongzhi.slot.v1", elector_key]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass
class Scenario:
    election: Opened
    community: int
    open_dump: Dump
    closed_dump: Dump
    codes: list[str]
    tokens: dict[str, str]  # elector id → an owner's session
    holder: str
    cast_order: list[str] = field(default_factory=list)  # tracking hashes, in cast order
    logs: list[str] = field(default_factory=list)


@pytest.fixture
async def scenario(
    gql: Gql, world: World, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> Scenario:
    clock = use_clock(runtime)
    cid = await new_compound(runtime, world.district_1, "保密小区", make_roll_csv(34, 11))
    committee = await staff_token(runtime, "13720000001", "committee", community_id=cid)
    sup_a = await staff_token(runtime, "13720000002", "supervisor", community_id=cid)
    sup_b = await staff_token(runtime, "13720000003", "supervisor", community_id=cid)
    candidates = sorted({p for persons in (await _owners(runtime, cid)).values() for p in persons})[
        :6
    ]
    await vetted_list(runtime, cid, {"owners_committee": candidates})  # 两考 first
    spec = {
        "title": "业委会选举暨更换电梯",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [
            {"kind": "RESOLUTION", "title": "使用维修资金更换电梯", "matter": 5},
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 5,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(p) for p in candidates],
            },
        ],
    }
    e = await open_election(gql, clock, cid, committee, spec, printer=sup_a)
    q1, q2 = e.questions
    cands = [c["id"] for c in q2["candidates"]]
    tokens = await voter_tokens(runtime, cid, e.id)
    electors = sorted(tokens, key=int)
    code = {n["electorId"]: n["code"] for n in e.notices}

    def answers(i: int) -> list[dict[str, Any]]:
        return [
            {"questionId": q1["id"], "answer": ("yes", "no", "abstain")[i % 3]},
            {"questionId": q2["id"], "candidateIds": cands[i % 3 : i % 3 + 1 + i % 5]},
        ]

    order: list[str] = []
    caplog.set_level(logging.INFO)
    for i, el in enumerate(electors[:20]):
        r = await cast(gql, tokens[el], e.id, code[el], answers(i), elector=el)
        assert r["__typename"] == "BallotCast", r
        order.append(r["receipt"]["trackingHash"])
    for i in (0, 5, 10):  # re-votes
        el = electors[i]
        r = await cast(gql, tokens[el], e.id, code[el], answers(i + 1), elector=el)
        order.append(r["receipt"]["trackingHash"])

    holder_phone = "13620000001"
    proxied, paper, pending = electors[20], electors[21], electors[22]
    recorded = await gql(
        RECORD_PROXY,
        {
            "i": {
                "electionId": e.id,
                "electorId": proxied,
                "holderPhone": holder_phone,
                "holderName": "受托人",
                "paperRef": "委托书-9",
            }
        },
        token=committee,
    )
    assert recorded["data"]["recordProxy"]["__typename"] == "ProxySaved"
    holder = await staff_token(runtime, holder_phone, None)
    r = await cast(gql, holder, e.id, code[proxied], answers(3), elector=proxied)
    # a proxy's receipt says nothing of precedence (issue #12 item 4): the owner's own ballot
    # would win, and `counted` would tell the holder whether the owner voted
    assert r["__typename"] == "BallotCast" and r["receipt"]["counted"] is None
    order.append(r["receipt"]["trackingHash"])

    for el, second in ((paper, answers(4)), (pending, answers(6))):
        entered = await gql(
            ENTER_PAPER,
            {"i": {"electionId": e.id, "electorId": el, "answers": answers(5)}},
            token=sup_a,
        )
        entry = entered["data"]["enterPaperBallot"]["entryId"]
        r = await gql(CONFIRM_PAPER, {"i": {"entryId": entry, "answers": second}}, token=sup_b)
        result = r["data"]["confirmPaperBallot"]
        if el == paper:  # the second reading differs ...
            assert result["code"] == "PAPER_MISMATCH"
            r = await gql(
                CONFIRM_PAPER, {"i": {"entryId": entry, "answers": answers(5)}}, token=sup_b
            )  # ... until it agrees
            order.append(r["data"]["confirmPaperBallot"]["receipt"]["trackingHash"])
        else:
            assert result["code"] == "PAPER_MISMATCH"  # stays pending
    logs = [rec.getMessage() for rec in caplog.records]
    url = runtime.settings.database_url
    open_dump = await dump_database(url)
    clock.now = CLOSES
    closed = await transition(gql, "closeElection", e.id, committee)
    assert closed["election"]["state"] == "CLOSED"
    return Scenario(
        election=e,
        community=cid,
        open_dump=open_dump,
        closed_dump=await dump_database(url),
        codes=[n["code"] for n in e.notices],
        tokens=tokens,
        holder=holder,
        cast_order=order,
        logs=logs,
    )


async def _owners(runtime: Runtime, community_id: int) -> dict[int, list[int]]:
    from sqlalchemy import select

    from api.store.models import Ownership, Unit

    async with runtime.reader() as s:
        out: dict[int, list[int]] = {}
        for unit, person, unsold in await s.execute(
            select(Ownership.unit_id, Ownership.person_id, Unit.developer_unsold)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Ownership.community_id == community_id)
        ):
            if not unsold:
                out.setdefault(unit, []).append(person)
        return out


def _choices(dump: Dump) -> set[str]:
    ballots = dump["ballot"].dicts()
    assert ballots
    return {b["choices"] for b in ballots}


def _holds_choice(value: str, choices: set[str]) -> bool:
    return any(c in value or json.dumps(c)[1:-1] in value for c in choices)


async def test_ballot_rows_hold_no_identity_and_no_time(scenario: Scenario) -> None:
    for dump in (scenario.open_dump, scenario.closed_dump):
        ballot = dump["ballot"]
        assert set(ballot.columns) == BALLOT_COLUMNS  # a new column must be reviewed here
        assert not [c for c in ballot.columns if LINK.search(c) or TEMPORAL.search(c)]
        assert not [t for t in ballot.types.values() if TEMPORAL.search(t)]
        for row in ballot.dicts():
            for col, value in row.items():
                text = str(value)
                assert not DATE_VALUE.search(text), (col, text)
                assert not IP_VALUE.search(text), (col, text)
        # the ledger carries no time either; its payloads name slots, never electors
        ledger = dump["ballot_ledger"]
        assert not [c for c in ledger.columns if LINK.search(c) or TEMPORAL.search(c)]
        for entry in ledger.dicts():
            payload = json.loads(entry["payload"])
            assert set(payload) <= {
                "ballot",
                "slot",
                "channel",
                "choices",
                "nonce",
                "tracking",
                "counted",
            }
    # the client's address is stored nowhere near a ballot
    for name, col, value in strings(scenario.closed_dump):
        if name in ("ballot", "ballot_ledger", "paper_entry", "proxy", "elector"):
            assert CLIENT_IP not in value, (name, col)


async def test_no_table_pairs_an_owner_with_a_choice(scenario: Scenario) -> None:
    """Scan every table: one that names a person, account or elector holds no choice. The
    only exception is a paper entry while it is pending (the scrutineers hold that paper
    anyway); a confirmed entry is wiped, and after the close so is every pending one."""
    for phase, dump in (("open", scenario.open_dump), ("closed", scenario.closed_dump)):
        choices = _choices(dump)
        for name, table in dump.items():
            links = [c for c in table.columns if LINK.search(c)]
            if name in ("elector", "election_unit"):
                links += ["key", "label", "elector_key", "owner_ids"]  # they name the owners
            if not links:
                continue
            for row in table.dicts():
                if name == "paper_entry" and phase == "open" and row["status"] == "pending":
                    continue
                for col, value in row.items():
                    if isinstance(value, str):
                        assert not _holds_choice(value, choices), (phase, name, col)
                if name == "paper_entry":
                    assert row["elector_id"] is None and row["choices"] is None, (phase, row)
            assert not [c for c in table.columns if "choice" in c] or name == "paper_entry", name
    entries = scenario.open_dump["paper_entry"].dicts()
    assert sorted(e["status"] for e in entries) == ["confirmed", "pending"]
    after = scenario.closed_dump["paper_entry"].dicts()
    assert [e["status"] for e in after if e["status"] == "pending"] == []


async def test_audit_log_and_logs_hold_no_choice_and_no_code(scenario: Scenario) -> None:
    dump = scenario.closed_dump
    choices = _choices(dump)
    codes = {c for code in scenario.codes for c in (code, code.replace("-", ""))}
    audit = dump["audit_entry"].dicts()
    assert {"proxy.record", "paper.enter", "paper.confirm", "codes.print"} <= {
        a["kind"] for a in audit
    }
    for a in audit:
        payload = a["payload"]
        assert not _holds_choice(payload, choices), a["kind"]
        assert not any(c in payload for c in codes), a["kind"]
        assert not re.search(r'"(yes|no|abstain|invalid)"', payload), a["kind"]
        assert "slot" not in json.loads(payload), a["kind"]
    # voting codes are never stored in clear, anywhere
    for name, col, value in strings(dump):
        assert not any(c in value for c in codes), (name, col)
    for line in scenario.logs:
        assert not any(c in line for c in codes) and not _holds_choice(line, choices), line


async def test_a_dump_alone_cannot_recompute_the_slot_keys(
    scenario: Scenario, runtime: Runtime
) -> None:
    """Try every value in the database as the HMAC key (raw, hex-decoded, and through the
    same derivations the server uses): no elector's slot key comes out. With the server's
    secret it does, which shows the attack code is right."""
    dump = scenario.closed_dump
    eid = int(scenario.election.id)
    slots = {b["slot"] for b in dump["ballot"].dicts()}
    keys = [e["key"] for e in dump["elector"].dicts() if e["election_id"] == eid]
    assert len(keys) == 33

    real = election_secret(runtime.settings.key("slot"), eid)
    assert slots <= {slot_of(real, k) for k in keys}  # the attack works with the secret

    found: set[bytes] = set()
    for _, _, value in strings(dump):
        if 8 <= len(value) <= 512:
            found.add(value.encode())
            if re.fullmatch(r"(?:[0-9a-fA-F]{2}){16,}", value):
                found.add(bytes.fromhex(value))
    election = next(e for e in dump["election"].dicts() if e["id"] == eid)
    for value in (election["roll_fingerprint"], election["ledger_head"]):
        found.add(value.encode())
        found.add(bytes.fromhex(value))
    assert len(found) > 200  # hashes, MACs, nonces, tokens, names, labels, payloads ...
    for candidate in found:
        derived = (
            candidate,
            election_secret(candidate, eid),
            election_secret(hmac.new(candidate, b"slot", hashlib.sha256).digest(), eid),
        )
        for key in derived:
            for k in keys:
                assert slot_of(key, k) not in slots


async def test_ballot_ids_and_row_order_do_not_follow_cast_order(scenario: Scenario) -> None:
    dump = scenario.closed_dump
    ballots = dump["ballot"].dicts()
    by_tracking = {b["tracking"]: b for b in ballots}
    cast = [by_tracking[t] for t in scenario.cast_order]
    assert len(cast) == len(ballots) == 25
    ids = [b["id"] for b in cast]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == len(ids)
    # random, not time-ordered (a UUIDv7 or ULID would share its leading digits)
    assert len({i[:6] for i in ids}) == len(ids)
    assert [b["seq"] for b in cast] == sorted(b["seq"] for b in cast)  # cast order = ledger order
    by_id = sorted(range(len(ids)), key=lambda n: ids[n])
    assert by_id != list(range(len(ids))) and by_id != list(reversed(range(len(ids))))
    # Spearman's rank correlation of id order against cast order: |rho| > 0.9 would happen by
    # chance with probability below 1e-4 for 25 random ids
    n = len(ids)
    rank = {pos: r for r, pos in enumerate(by_id)}
    d2 = sum((rank[pos] - pos) ** 2 for pos in range(n))
    rho = 1 - 6 * d2 / (n * (n * n - 1))
    assert abs(rho) < 0.9, rho
    # the tracking codes are hashes with a random nonce: sorted, they do not follow the casts
    by_code = sorted(range(n), key=lambda p: scenario.cast_order[p])
    assert by_code != list(range(n))


def test_sqlite_ballot_table_has_no_rowid(sqlite_template: Path) -> None:
    """Without a rowid the table is a b-tree on the random id: neither a hidden counter nor
    the natural row order follows the casts. (PostgreSQL's heap does: residual risk 2.)"""
    with sqlite3.connect(sqlite_template) as conn:
        [(sql,)] = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ballot'")
        assert "WITHOUT ROWID" in sql.upper()
        with pytest.raises(sqlite3.OperationalError, match="rowid"):
            conn.execute("SELECT rowid FROM ballot")


async def test_has_voted_is_shown_only_to_the_viewer_for_their_own_electors(
    scenario: Scenario, gql: Gql, world: World, runtime: Runtime
) -> None:
    e = scenario.election
    electors = sorted(scenario.tokens, key=int)
    voted, idle = electors[1], electors[30]
    for el, expected in ((voted, True), (idle, False)):
        mine = (await gql(MY_ELECTORS, {"e": e.id}, token=scenario.tokens[el]))["data"]
        views = mine["election"]["myElectors"]
        # their own elector only: nobody else's, voted or not
        assert [(v["id"], v["viaProxy"], v["hasVoted"]) for v in views] == [(el, False, expected)]
    holder = (await gql(MY_ELECTORS, {"e": e.id}, token=scenario.holder))["data"]
    assert holder["election"]["myElectors"] == [
        {
            "id": electors[20],
            "label": holder["election"]["myElectors"][0]["label"],
            "viaProxy": True,
            "hasVoted": True,
        }
    ]
    # staff of the compound are not electors: they see no hasVoted at all
    staff = await staff_token(runtime, "13720000002", None)
    assert (await gql(MY_ELECTORS, {"e": e.id}, token=staff))["data"]["election"][
        "myElectors"
    ] == []
    other = await gql(MY_ELECTORS, {"e": e.id}, token=world.tokens["owner_b"], expect_errors=True)
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


# --- the GraphQL schema: no field pairs a person with a choice -------------------------------
# What a ballot said reaches the API only through these types (aggregates, receipts, codes).
CHOICE_TYPES = {
    "Tally",
    "QuestionCount",
    "Count",
    "BallotCast",
    "BallotReceipt",
    "TrackingCodes",
    "ElectionResult",
    "VerifyReport",
}
IDENTITY_WORDS = {
    "person",
    "elector",
    "electors",
    "account",
    "owner",
    "owners",
    "phone",
    "holder",
    "voter",
    "slot",
    "label",
    "name",
    "building",
    "unit",
    "units",
    "supervisor",
}


def _names_someone(field_name: str) -> bool:
    """Does a field name (camelCase) contain a word that names a person, unit or elector?"""
    words = re.findall(r"[a-z]+|[A-Z][a-z]*", field_name)
    return any(w.lower() in IDENTITY_WORDS for w in words)


def _object_types() -> dict[str, GraphQLObjectType]:
    gs = build_schema(Limits(debug=True))._schema
    return {
        n: t
        for n, t in gs.type_map.items()
        if isinstance(t, GraphQLObjectType) and not n.startswith("__")
    }


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _reachable(types: dict[str, GraphQLObjectType], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for f in types[name].fields.values():
            t = _named(f.type)
            members = t.types if isinstance(t, GraphQLUnionType) else [t]
            todo.extend(m.name for m in members if isinstance(m, GraphQLObjectType))
    return seen


def _leaves(t: GraphQLObjectType) -> list[str]:
    return [n for n, f in t.fields.items() if not isinstance(_named(f.type), GraphQLObjectType)]


def test_no_graphql_type_pairs_a_person_with_a_choice() -> None:
    types = _object_types()
    assert types.keys() >= CHOICE_TYPES
    # nothing reachable from a choice-bearing type names a person, elector, unit or account
    for start in CHOICE_TYPES:
        for name in _reachable(types, start):
            named = [f for f in _leaves(types[name]) if _names_someone(f)]
            assert not named, (start, name, named)
    # and no type that names someone reaches a choice-bearing type
    for name, t in types.items():
        if name in ("Query", "Mutation") or not any(_names_someone(f) for f in _leaves(t)):
            continue
        reach = _reachable(types, name)
        assert not reach & CHOICE_TYPES, (name, reach & CHOICE_TYPES)
    # whether someone has voted exists on one type, reached from one field: the viewer's own
    with_voted = [n for n, t in types.items() if "hasVoted" in t.fields]
    assert with_voted == ["MyElector"]
    returning = [
        (n, f)
        for n, t in types.items()
        for f, d in t.fields.items()
        if _named(d.type).name == "MyElector"
    ]
    assert returning == [("Election", "myElectors")]
    # receipts and statuses carry no choice
    assert set(types["BallotReceipt"].fields) == {
        "trackingCode",
        "trackingHash",
        "ledgerSeq",
        "ledgerHead",
        "counted",
    }
