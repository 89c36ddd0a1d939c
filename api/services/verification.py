"""An election read back from the database for the verifier and for the export.

Why apart from the checks: the checks (:mod:`voting.verify`) are pure and run the same on an
export file on another machine; this module only reads the plain rows they need — the ledger,
the ballot rows, the frozen roll, the questions and the supervisors' sign-offs — and hands them
over as a :class:`voting.verify.ElectionRecord`. ``gongzhi verify``, the overseers' ``verify``
query and ``gongzhi backup`` call :func:`verify_election`; ``gongzhi verify --export`` writes
:func:`export_lines` (format: :mod:`api.formats.ledger_export`).

Plain rows (no ORM objects) throughout: a large election has a million ballots and entries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats.ledger_export import write_lines
from api.services.elections import candidates_of, core_questions, questions_of
from api.store.models import (
    Ballot,
    Certification,
    Election,
    ElectionUnit,
    Elector,
    LedgerEntry,
)
from schema.contract.voting import VerifyView
from voting import ballot as vballot
from voting.bulk import weight_lines
from voting.replay import StoredBallot
from voting.verify import (
    Claims,
    ElectionRecord,
    ElectorLine,
    LedgerLine,
    Published,
    Signoff,
    Verdict,
    verify,
)

_unit = ElectionUnit.__table__.c
_elector = Elector.__table__.c
_entry = LedgerEntry.__table__.c
_ballot = Ballot.__table__.c
_cert = Certification.__table__.c


async def plain_rows(session: AsyncSession, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """Every row of ``statement`` at once: on SQLite as the driver's plain tuples, fetched in
    one call (a million ledger entries read about twice as fast as through the result's rows,
    issue #17); elsewhere the result's rows (tuples too). Only for columns that need no result
    processing: text and integers, not booleans or dates."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if hasattr(driver, "execute_fetchall"):  # aiosqlite
            compiled = statement.compile(dialect=connection.dialect)
            params = compiled.construct_params()
            args = [params[name] for name in compiled.positiontup or ()]
            rows: list[Sequence[Any]] = list(await driver.execute_fetchall(str(compiled), args))
            return rows
    return list((await session.execute(statement)).all())


async def election_record(
    session: AsyncSession, election: Election, *, ordered: bool = False
) -> ElectionRecord:
    """Everything the verifier reads. ``ordered`` puts units in unit order and ballots in
    ledger order (for the export; the checks do not need it)."""
    eid = election.id
    entries = await plain_rows(
        session,
        select(_entry.seq, _entry.kind, _entry.payload, _entry.prev_hash, _entry.hash)
        .where(_entry.election_id == eid)
        .order_by(_entry.seq),
    )
    units_q = select(
        _unit.unit_key, _unit.area_centi, _unit.owner_ids, _unit.developer_unsold, _unit.elector_key
    ).where(_unit.election_id == eid)
    ballots_q = select(
        _ballot.id, _ballot.slot, _ballot.choices, _ballot.nonce, _ballot.tracking, _ballot.seq,
        _ballot.channel, _ballot.status,
    ).where(_ballot.election_id == eid)  # fmt: skip
    if ordered:
        units_q = units_q.order_by(_unit.unit_key)
        ballots_q = ballots_q.order_by(_ballot.seq)
    units = [(k, a, o, bool(d), e) for k, a, o, d, e in await plain_rows(session, units_q)]
    electors = await plain_rows(
        session,
        select(_elector.key, _elector.heads, _elector.area_centi).where(
            _elector.election_id == eid
        ),
    )
    make = StoredBallot._make
    ballots = {b[0]: make(b) for b in await plain_rows(session, ballots_q)}
    qrows = await questions_of(session, eid)
    crows = await candidates_of(session, eid)
    claims = Claims(
        election_id=str(eid),
        ledger_head=election.ledger_head,
        roll_fingerprint=election.roll_fingerprint,
        result_digest=election.result_digest,
        non_voter_rule=election.non_voter_rule,
        state=election.state,
        signoffs=await _signoffs(session, eid),
        drill=election.drill,
    )
    return ElectionRecord(
        claims,
        lambda: core_questions(qrows, crows),
        cast(Sequence[LedgerLine], entries),
        ballots,
        units,
        cast(Sequence[ElectorLine], electors),
    )


async def _signoffs(session: AsyncSession, eid: int) -> tuple[Signoff, ...]:
    """The supervisors' sign-off rows: the verifier compares each with the claims."""
    c = _cert
    rows = await session.execute(
        select(c.supervisor_id, c.result_digest, c.roll_fingerprint, c.ledger_head)
        .where(c.election_id == eid)
        .order_by(c.supervisor_id)
    )
    return tuple(Signoff(str(s), d, f, h) for s, d, f, h in rows)


async def check_election(
    session: AsyncSession,
    election: Election,
    secret: bytes,
    published: Published | None = None,
) -> Verdict:
    """Every check of :func:`voting.verify.verify` on the stored election, against the
    ``published`` values when given (``gongzhi verify --expect-head/--expect-digest``)."""
    return verify(await election_record(session, election), secret=secret, published=published)


async def verify_election(
    *, session: AsyncSession, election: Election, secret: bytes
) -> VerifyView:
    """:func:`check_election` as the API reports it."""
    return view_of(await check_election(session, election, secret))


def view_of(verdict: Verdict) -> VerifyView:
    """The API's view of a verdict: a roll that is not frozen yet has nothing to mismatch."""
    return VerifyView(
        ok=verdict.ok,
        entries=verdict.entries,
        head=verdict.head,
        first_bad_seq=verdict.first_bad_seq,
        reason=verdict.reason,
        roll_fingerprint_ok=verdict.roll_fingerprint_ok is not False,
        counted_ok=verdict.counted_ok,
        result_ok=verdict.result_ok,
    )


async def export_lines(
    session: AsyncSession, election: Election, secret: bytes | None = None
) -> Iterator[str]:
    """The election as JSON Lines (:mod:`api.formats.ledger_export`); with the election
    ``secret``, the weight lines the recount key recounts from."""
    record = await election_record(session, election, ordered=True)
    weights = []
    if secret is not None:
        weights = weight_lines(secret, record.electors, [(u[0], u[4]) for u in record.units])
    header = {
        "id": election.id,
        "title": election.title,
        "state": election.state,
        "questions": vballot.encode_questions(record.questions()),
        "roll_fingerprint": election.roll_fingerprint,
        "questions_fingerprint": election.questions_fingerprint,
        "roll_heads": election.roll_heads,
        "roll_area": election.roll_area,
        "ledger_seq": election.ledger_seq,
        "ledger_head": election.ledger_head,
        "result_digest": election.result_digest,
        "non_voter_rule": election.non_voter_rule,
    }
    if record.claims.drill:  # the mark travels with the export (api/services/drill.py)
        header["drill"] = True
        header["drill_mark"] = "演练，不具法律效力 / Drill — no legal effect"
    return write_lines(
        header,
        record.units,
        record.electors,
        record.ballots.values(),
        record.ledger,
        record.claims.signoffs,
        weights,
    )
