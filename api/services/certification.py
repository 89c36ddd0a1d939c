"""Certifying a result: each supervisor signs the three values they checked (result digest,
roll fingerprint, ledger head); the second distinct signature certifies it (docs/design.md §3.8).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit
from api.services.elections import checked_transition
from api.services.voting_messages import app_error
from api.store.models import Certification, Community, Election
from schema.contract.errors import AppError
from voting import lifecycle
from voting.errors import ErrorCode, VotingError


async def sign_off(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    supervisor: int,
    result_digest_: str,
    roll_fingerprint: str,
    ledger_head: str,
    now: datetime,
) -> Election:
    """A supervisor signs the three values they checked; the second distinct signature
    certifies the result."""
    if election.state != "closed":
        raise AppError(
            "NOT_CLOSED", "只有已截止的表决可以签字确认", "only a closed election can be certified"
        )
    current = (election.result_digest, election.roll_fingerprint, election.ledger_head)
    if (result_digest_, roll_fingerprint, ledger_head) != current:
        raise app_error(VotingError(ErrorCode.SIGNOFF_MISMATCH))
    existing = (
        await session.execute(
            select(Certification).where(
                Certification.election_id == election.id,
                Certification.supervisor_id == supervisor,
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            Certification(
                election_id=election.id,
                community_id=community.id,
                supervisor_id=supervisor,
                result_digest=result_digest_,
                roll_fingerprint=roll_fingerprint,
                ledger_head=ledger_head,
                signed_at=now,
            )
        )
        await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=supervisor,
        action="election.signoff",
        election=election.id,
        result_digest=result_digest_,
    )
    signoffs = [
        lifecycle.Signoff(str(c.supervisor_id), c.result_digest, c.roll_fingerprint, c.ledger_head)
        for c in (
            await session.execute(
                select(Certification).where(Certification.election_id == election.id)
            )
        ).scalars()
    ]
    if len({s.supervisor_id for s in signoffs}) >= lifecycle.MIN_SIGNOFFS:
        await checked_transition(
            session=session,
            community=community,
            election=election,
            action=lifecycle.Action.CERTIFY,
            now=now,
            signoffs=signoffs,
        )
        election.state = "certified"
        election.certified_at = now
        await audit.record(
            session=session,
            chain=community.id,
            actor=supervisor,
            action="election.certify",
            election=election.id,
            supervisors=[s.supervisor_id for s in signoffs],
        )
    return election


async def signoffs(session: AsyncSession, election_id: int) -> list[Certification]:
    return list(
        (
            await session.execute(
                select(Certification)
                .where(Certification.election_id == election_id)
                .order_by(Certification.signed_at)
            )
        ).scalars()
    )
