"""Benchmark (issue #16 part 3): the district dashboard of a 500-compound district.

Seeds a throwaway database with bulk INSERTs (executemany, never the services): one district of
500 compounds × 1,000 units (500,000 units in 10,000 buildings, 480,000 owners, 500,000
ownerships), a year of elections (every compound's published committee election and a published
resolution; 50 compounds voting now, each with a frozen roll of 1,000 electors and a ledger of
600 cast ballots; 50 more announced), committee terms (some ending within 90 days), 物管会 and
preparatory groups, 5,000 proposals, 500 rule documents (a third in consultation) and the five
coverages of every compound, and 100,000 complaints over two years (200 a compound: those of the
last 20 days open in every state, a dispatched one with its department's assignment, some of
them overdue; the older ones resolved, closed or merged, most rated).

Then it starts ``gongzhi serve`` (one worker, a random secret, a temporary var dir, a free port
on 127.0.0.1) and times, one request at a time, ``--requests`` of each (after 5 warm-ups):

* ``{ __typename }`` anonymous — the floor, measured in the same run;
* the dashboard's first page (50 compounds by name, with turnout of the elections under way);
* a sort (term end, latest first);
* a sort by complaints (overdue, most first);
* a filter (alerts only, committee or 物管会);
* a drill-down (one compound's dashboard row by name, its committee terms and running bodies);
* the summary with its chart.

It prints p50/p95 per request and its ratio to the floor (target: p95 < 300 ms), and the SQL
statements one dashboard request costs at page sizes 10 and 100, counted in process with a
SQLAlchemy event listener on the same database (they must be equal).

Run:
  .venv/bin/python bench/district_dashboard.py                       # SQLite in a temp dir
  .venv/bin/python bench/district_dashboard.py --pg postgresql+asyncpg://root@127.0.0.1/gz_dashboard
PostgreSQL: the database is emptied (its public schema is dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import SERVER_ENV, describe  # noqa: E402
from tests.support.server import await_healthy, free_port, serve_logged  # noqa: E402

COMPOUNDS = 500
BUILDINGS = 20
UNITS = 1000  # per compound, 50 per building
OWNERS = 960  # per compound: the last 40 units belong to owners of earlier ones
VOTING = 50  # compounds with an open election
ELECTORS = 1000
BALLOTS = 600
CHUNK = 20_000
COMPLAINTS = 100_000  # over two years, spread evenly over the compounds
SECRET = secrets.token_urlsafe(32)  # this run's; the seeding and the server share it

TRIVIAL = "{ __typename }"
PAGE = """query($d: ID!, $first: Int, $sort: DashboardSort, $desc: Boolean,
  $f: DashboardFilterInput) {
  districtDashboard(districtId: $d, first: $first, sort: $sort, descending: $desc, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { communityId compound drill body termEndsAt termEnding electionsUnderWay
      elections { id title state turnout { step releasedBallots participatingHeads
        participatingArea totalHeads totalArea } }
      proposalsQualified consultationsOpen alerts
      complaints { open overdue resolved resolveHours rating }
      coverage { partyOrg partyMembers governingBody propertyService partyVenue count note
        recordedAt recordedBy } } } }"""
DRILL = """query($d: ID!, $c: ID!, $name: String!) {
  districtDashboard(districtId: $d, first: 1, filter: { name: $name }) {
    nodes { communityId compound body termEndsAt elections { id turnout { participatingHeads } }
      coverage { count } alerts } }
  committeeTerms(communityId: $c) { id committee startsAt endsAt inOffice
    seats { name kind position } }
  runningBodies(communityId: $c) { id kind state endsAt members { name kind } } }"""
SUMMARY = """query($d: ID!) { districtDashboard(districtId: $d, first: 1) { summary {
  compounds committee standIn preparatory noBody termEnding alerts chartSvg
  coverage { complete } } } }"""


async def _reset_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


@dataclass
class Seeded:
    district: int
    token: str
    compound: int
    compound_name: str
    counts: dict[str, int]


async def seed(url: str, var_dir: str) -> Seeded:
    from sqlalchemy import insert, text

    from api.runtime import Runtime
    from api.settings import Settings
    from api.store import models as m
    from api.store.migrations import upgrade_async
    from voting import secrecy

    settings = Settings(var_dir=var_dir, database_url=url, secret_key=SECRET).resolved()
    await upgrade_async(url)
    now = datetime.now(UTC)
    rt = Runtime.create(settings)
    counts: dict[str, int] = {}
    slot_key = settings.key("slot")

    async def put(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        counts[table.name] = counts.get(table.name, 0) + len(rows)
        for part in _chunks(rows):
            await conn.execute(insert(table), part)

    try:
        async with rt.engine.begin() as conn:
            await put(
                conn, m.District.__table__, [{"id": 1, "name": "共治区街道", "code": "bench"}]
            )
            await put(
                conn,
                m.Community.__table__,
                [
                    {"id": c, "district_id": 1, "name": f"小区{c:03d}", "address": f"路 {c} 号"}
                    for c in range(1, COMPOUNDS + 1)
                ],
            )
            official = {"id": 1, "phone": "13700000001", "display_name": "街道干部"}
            await put(conn, m.Account.__table__, [official])
            await put(
                conn,
                m.RoleMembership.__table__,
                [{"account_id": 1, "role": "official", "district_id": 1, "reason": "bench"}],
            )
            token = secrets.token_urlsafe(32)
            await put(
                conn,
                m.LoginSession.__table__,
                [
                    {
                        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                        "account_id": 1,
                        "created_at": now,
                        "expires_at": now + timedelta(days=1),
                    }
                ],
            )
            # the roll: buildings, units, owners, ownerships
            unit_id = person_id = building_id = 0
            for c in range(1, COMPOUNDS + 1):
                buildings, units, persons, owns = [], [], [], []
                first_person = person_id + 1
                for b in range(BUILDINGS):
                    building_id += 1
                    buildings.append({"id": building_id, "community_id": c, "name": f"{b + 1}号楼"})
                    for k in range(UNITS // BUILDINGS):
                        unit_id += 1
                        n = b * (UNITS // BUILDINGS) + k
                        units.append(
                            {
                                "id": unit_id,
                                "community_id": c,
                                "building_id": building_id,
                                "number": f"{k // 4 + 1}{k % 4 + 1:02d}",
                                "floor": k // 4 + 1,
                                "area_centi": 8000 + (n * 37) % 6000,
                                "developer_unsold": False,
                                "position": n,
                            }
                        )
                        if n < OWNERS:
                            person_id += 1
                            persons.append(
                                {
                                    "id": person_id,
                                    "community_id": c,
                                    "name": f"业主{n}",
                                    "phone": f"139{c:04d}{n:04d}",
                                }
                            )
                            owner = person_id
                        else:
                            owner = first_person + (n - OWNERS)
                        owns.append(
                            {
                                "community_id": c,
                                "person_id": owner,
                                "unit_id": unit_id,
                                "share_bp": 10000,
                                "position": 0,
                            }
                        )
                await put(conn, m.Building.__table__, buildings)
                await put(conn, m.Unit.__table__, units)
                await put(conn, m.Person.__table__, persons)
                await put(conn, m.Ownership.__table__, owns)
            # a year of elections, terms and bodies
            elections, terms, bodies, electors, ledger = [], [], [], [], []
            eid = 0
            for c in range(1, COMPOUNDS + 1):
                kind = c % 10
                eid += 1
                elections.append(
                    {
                        "id": eid,
                        "community_id": c,
                        "title": "业主委员会选举",
                        "state": "published",
                        "opens_at": now - timedelta(days=330),
                        "closes_at": now - timedelta(days=320),
                        "published_at": now - timedelta(days=300),
                        "roll_heads": OWNERS,
                        "roll_area": 0,
                    }
                )
                if kind <= 6:
                    terms.append(
                        {
                            "community_id": c,
                            "election_id": eid,
                            "committee": "owners_committee",
                            "seats": 7,
                            "starts_at": now - timedelta(days=290),
                            # spread over five years: about one in twenty ends within 90 days
                            "ends_at": now + timedelta(days=10 + (c * 97) % 1800),
                        }
                    )
                elif kind in (7, 8):
                    bodies.append(
                        {
                            "community_id": c,
                            "kind": "stand_in" if kind == 7 else "preparatory",
                            "appointed_at": now - timedelta(days=30),
                            "reason": "bench",
                            "ends_at": now + timedelta(days=20 + (c * 13) % 300),
                        }
                    )
                eid += 1
                elections.append(
                    {
                        "id": eid,
                        "community_id": c,
                        "title": "使用维修资金更换电梯",
                        "state": "published",
                        "opens_at": now - timedelta(days=150),
                        "closes_at": now - timedelta(days=140),
                        "published_at": now - timedelta(days=130),
                    }
                )
                if kind in (0, 1):
                    eid += 1
                    voting = kind == 0
                    elections.append(
                        {
                            "id": eid,
                            "community_id": c,
                            "title": "第二届业主委员会换届选举",
                            "state": "open" if voting else "announced",
                            "opens_at": now - timedelta(days=3 if voting else -10),
                            "closes_at": now + timedelta(days=7 if voting else 20),
                            "tally_step": 5,
                            "roll_heads": ELECTORS if voting else 0,
                            "roll_area": ELECTORS * 10000 if voting else 0,
                            "ledger_seq": BALLOTS if voting else 0,
                        }
                    )
                    if voting:
                        secret = hmac_secret(slot_key, eid)
                        base = (c - 1) * OWNERS
                        for k in range(ELECTORS):
                            key = f"o:{base + 1 + k % OWNERS}" if k < OWNERS else f"u:{k}"
                            electors.append(
                                {
                                    "election_id": eid,
                                    "community_id": c,
                                    "key": key,
                                    "heads": 1,
                                    "area_centi": 10000,
                                    "label": f"{k}",
                                    "building": f"{k // 50 + 1}号楼",
                                    "code_mac": "0" * 64,
                                }
                            )
                            if k < BALLOTS:
                                payload = {
                                    "ballot": secrets.token_hex(8),
                                    "choices": "[]",
                                    "counted": True,
                                    "slot": secrecy.slot_key(secret, key),
                                }
                                ledger.append(
                                    {
                                        "election_id": eid,
                                        "community_id": c,
                                        "seq": k + 1,
                                        "kind": "ballot.cast",
                                        "payload": json.dumps(payload),
                                        "prev_hash": "0" * 64,
                                        "hash": "0" * 64,
                                    }
                                )
            defaults = {
                "published_at": None,
                "roll_heads": 0,
                "roll_area": 0,
                "tally_step": 5,
                "ledger_seq": 0,
            }
            await put(conn, m.Election.__table__, [{**defaults, **e} for e in elections])
            await put(conn, m.CommitteeTerm.__table__, terms)
            await put(conn, m.RunningBody.__table__, bodies)
            await put(conn, m.Elector.__table__, electors)
            await put(conn, m.LedgerEntry.__table__, ledger)
            # proposals, rule documents and consultations, coverages
            proposals, documents, versions, coverage = [], [], [], []
            statuses = ("qualified", "qualified", "open", "open", "open") + ("decided",) * 5
            for c in range(1, COMPOUNDS + 1):
                author = (c - 1) * OWNERS + 1
                for i, status in enumerate(statuses):
                    if c % 4 == 0 and status == "qualified":
                        status = "scheduled"
                    proposals.append(
                        {
                            "community_id": c,
                            "author_account_id": 1,
                            "author_person_id": author,
                            "author_name": "业主0",
                            "title": f"提案 {i}",
                            "body": "建议",
                            "category": "其他",
                            "status": status,
                        }
                    )
                documents.append(
                    {"id": c, "community_id": c, "kind": "rules_of_procedure", "title": "议事规则"}
                )
                open_ = c % 3 == 0
                versions.append(
                    {
                        "community_id": c,
                        "document_id": c,
                        "number": 1,
                        "status": "published",
                        "title": "议事规则（征求意见稿）",
                        "content_hash": "0" * 64,
                        "opens_at": now - timedelta(days=40 if not open_ else 3),
                        "closes_at": now - timedelta(days=10) if not open_ else now + timedelta(11),
                    }
                )
                coverage.append(
                    {
                        "community_id": c,
                        "party_org": c % 2 == 0,
                        "party_members": c % 3 != 0,
                        "property_service": c % 5 != 0,
                        "party_venue": c % 7 != 0,
                        "note": "",
                        "recorded_by": 1,
                        "recorded_by_name": "街道干部",
                        "recorded_at": now - timedelta(days=c % 30),
                    }
                )
            await put(conn, m.Proposal.__table__, proposals)
            await put(conn, m.Document.__table__, documents)
            await put(conn, m.DocumentVersion.__table__, versions)
            await put(conn, m.CompoundCoverage.__table__, coverage)
            departments, complaints, assignments = complaint_rows(now)
            await put(conn, m.Department.__table__, departments)
            await put(conn, m.Complaint.__table__, complaints)
            await put(conn, m.ComplaintAssignment.__table__, assignments)
            await conn.execute(text("ANALYZE"))  # both databases: plans from real statistics
        return Seeded(1, token, 123, "小区123", counts)
    finally:
        await rt.close()


def complaint_rows(now: datetime) -> tuple[list[dict[str, Any]], ...]:
    """The departments, complaints and assignments (every dict with the same keys: one
    executemany per chunk)."""
    import random

    rng = random.Random(16)
    day = timedelta(days=1)
    departments = [
        {"id": i, "district_id": 1, "name": name, "created_at": now - 800 * day}
        for i, name in enumerate(("城管", "住建", "消防", "市场监管"), start=1)
    ]
    complaints, assignments = [], []
    for i in range(1, COMPLAINTS + 1):
        reported = now - timedelta(minutes=rng.randrange(730 * 24 * 60))
        recent = now - reported < 20 * day
        state = (
            rng.choice(("reported", "handling", "whistled", "dispatched", "resolved"))
            if recent
            else rng.choice(("resolved", "resolved", "resolved", "closed", "merged"))
        )
        row: dict[str, Any] = {
            "id": i,
            "community_id": (i - 1) % COMPOUNDS + 1,
            "district_id": 1,
            "reporter_id": None,
            "reporter_name": "业主",
            "reporter_phone": None,
            "reporter_public": False,
            "source": "app",
            "hotline_ref": None,
            "category": "other",
            "text": "楼道堆物",
            "unit_id": None,
            "place": "",
            "state": state,
            "reported_at": reported,
            "deadline": reported + 3 * day,
            "whistled_at": None,
            "dispatch_due": None,
            "resolved_at": None,
            "resolution": None,
            "merged_into": None,
            "rating": None,
            "rating_comment": None,
            "rated_at": None,
            "updated_at": reported,
        }
        if state in ("whistled", "dispatched"):
            row["whistled_at"] = reported + day
            row["dispatch_due"] = reported + 2 * day
        if state == "dispatched":
            assignments.append(
                {
                    "complaint_id": i,
                    "department_id": i % 4 + 1,
                    "state": "accepted",
                    "dispatched_at": reported + day,
                    "dispatched_by": 1,
                    "accept_due": reported + 2 * day,
                    "resolve_due": reported + 8 * day,
                    "accepted_at": reported + day,
                    "resolved_at": None,
                    "note": None,
                }
            )
        if state in ("resolved", "closed"):
            done = min(reported + timedelta(hours=rng.randint(1, 200)), now)
            row["resolved_at"] = done
            row["resolution"] = "已处理"
            row["rating"] = rng.choice((None, 1, 2, 3, 4, 5, 5))
            row["rated_at"] = done if row["rating"] else None
        complaints.append(row)
    return departments, complaints, assignments


def hmac_secret(slot_key: bytes, election_id: int) -> bytes:
    from api.services.elections import election_secret

    return election_secret(slot_key, election_id)


async def statements_per_request(url: str, var_dir: str, token: str) -> dict[int, int]:
    """SQL statements of one dashboard request at page sizes 10 and 100 (in process)."""
    import httpx
    from sqlalchemy import event

    from api.http.app import create_app
    from api.runtime import Runtime
    from api.settings import Settings

    settings = Settings(var_dir=var_dir, database_url=url, secret_key=SECRET).resolved()
    rt = Runtime.create(settings)
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    found: dict[int, int] = {}
    try:
        app = create_app(runtime=rt)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"authorization": f"Bearer {token}", "x-gongzhi-csrf": "1"}
            for size in (10, 100):
                rt.caches.turnouts.clear()
                event.listen(rt.engine.sync_engine, "before_cursor_execute", count)
                try:
                    r = await client.post(
                        "/graphql",
                        json={"query": PAGE, "variables": {"d": "1", "first": size}},
                        headers=headers,
                    )
                finally:
                    event.remove(rt.engine.sync_engine, "before_cursor_execute", count)
                assert "errors" not in r.json(), r.text[:500]
                found[size] = len([s for s in seen if s.lstrip().upper().startswith("SELECT")])
                seen.clear()
    finally:
        await rt.close()
    return found


def start_server(url: str, var_dir: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")},
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_VAR_DIR": var_dir,
        "GONGZHI_DATABASE_URL": url,
        **SERVER_ENV,  # seeded texts stay in the outbox (bench/machine.py)
    }
    log = Path(var_dir) / "server.log"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    proc = serve_logged(args, env, log, cwd=Path(var_dir))
    await_healthy(proc, port, log, timeout=60)
    return proc


@dataclass
class Timing:
    name: str
    first_ms: float  # the first request (cold caches)
    p50_ms: float
    p95_ms: float


def timed(
    port: int, name: str, query: str, variables: dict[str, Any], token: str | None, n: int
) -> Timing:
    import httpx

    headers = {"content-type": "application/json", "x-gongzhi-csrf": "1"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    payload = json.dumps({"query": query, "variables": variables}, ensure_ascii=False).encode()
    latencies: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for i in range(n + 5):
            t0 = time.perf_counter()
            r = client.post("/graphql", content=payload, headers=headers)
            took = (time.perf_counter() - t0) * 1000
            body = r.json()
            if r.status_code != 200 or "errors" in body:
                raise SystemExit(f"{name} failed: {r.status_code} {r.text[:500]}")
            if i == 0:
                first = took
            if i >= 5:
                latencies.append(took)
    latencies.sort()
    return Timing(
        name, first, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pg", default="", help="PostgreSQL URL of a throwaway database")
    p.add_argument("--requests", type=int, default=60, help="timed requests per query")
    p.add_argument("--keep", default="", help="seed into this var dir and keep it")
    args = p.parse_args()

    var_dir = args.keep or tempfile.mkdtemp(prefix="gongzhi-bench-")
    url = args.pg or f"sqlite+aiosqlite:///{var_dir}/bench.db"
    if args.pg:
        asyncio.run(_reset_pg(args.pg))
    print(describe())
    database = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"database: {database}; one `gongzhi serve` worker; one request at a time, "
        f"{args.requests} timed after 5 warm-ups per query"
    )
    t0 = time.perf_counter()
    seeded = asyncio.run(seed(url, var_dir))
    shown = ", ".join(f"{k} {v:,}" for k, v in seeded.counts.items())
    print(f"seeded in {time.perf_counter() - t0:.0f} s: {shown}")
    cost = asyncio.run(statements_per_request(url, var_dir, seeded.token))
    print(
        "SQL statements per dashboard request (turnout cache cold): "
        + ", ".join(f"page size {k}: {v}" for k, v in cost.items())
        + (" (constant)" if len(set(cost.values())) == 1 else " (NOT constant)")
    )

    port = free_port()
    server = start_server(url, var_dir, port)
    d = str(seeded.district)
    n = args.requests
    try:
        results = [
            timed(port, "{ __typename } anonymous", TRIVIAL, {}, None, n),
            timed(port, "first page (50, by name)", PAGE, {"d": d, "first": 50}, seeded.token, n),
            timed(
                port,
                "sort (term end, latest first)",
                PAGE,
                {"d": d, "first": 50, "sort": "TERM_ENDS_AT", "desc": True},
                seeded.token,
                n,
            ),
            timed(
                port,
                "sort (overdue complaints, most)",
                PAGE,
                {"d": d, "first": 50, "sort": "COMPLAINTS_OVERDUE", "desc": True},
                seeded.token,
                n,
            ),
            timed(
                port,
                "filter (alerts, committee/物管会)",
                PAGE,
                {
                    "d": d,
                    "first": 50,
                    "f": {"alertsOnly": True, "bodies": ["COMMITTEE", "STAND_IN"]},
                },
                seeded.token,
                n,
            ),
            timed(
                port,
                "drill-down (one compound)",
                DRILL,
                {"d": d, "c": str(seeded.compound), "name": seeded.compound_name},
                seeded.token,
                n,
            ),
            timed(port, "summary and chart", SUMMARY, {"d": d}, seeded.token, n),
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    floor = results[0].p95_ms
    print(f"{'request':<34}{'first ms':>10}{'p50 ms':>9}{'p95 ms':>9}{'p95/floor':>11}")
    for r in results:
        print(
            f"{r.name:<34}{r.first_ms:>10.1f}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}"
            f"{r.p95_ms / floor:>11.1f}"
        )
    for r in results[1:]:
        verdict = "met" if r.p95_ms < 300 else "MISSED"
        print(f"target p95 < 300 ms: {r.name}: {r.p95_ms:.0f} ms ({verdict})")


if __name__ == "__main__":
    main()
