"""Drill compounds (演练小区, issue #14 item 9): where committees rehearse and newcomers learn.

A drill compound is marked as such when an official or admin creates it (``createCommunity``
with ``drill: true``). There its notice, candidate publicity and consultation periods count
minutes instead of days (:data:`voting.rules.DRILL_NOTICE`, :data:`DRILL_CONSULTATION_MINUTES`),
so a newcomer walks announce → open → cast → close → sign-off → publish in ten minutes; a real
compound refuses such timings and says that they are a drill's only. Every screen, notice,
letter and result of a drill compound says "演练，不具法律效力", and a drill's stored result
carries the mark inside the digest the supervisors sign (:func:`voting.result.encode_result`), so
it cannot be passed off as a real one (docs/design.md §2 "Drill compounds").

Why the flag is fixed once the compound has a roll or an election (:func:`check_switch`): the
results of a real vote must never be relabelled as a drill's (that would strip their legal
effect after the fact), and a drill's results, counted under minutes of notice, must never be
relabelled as real (that would give legal effect to a vote nobody was properly called to). A
roll is the first thing a vote is counted on, so the flag freezes with the first import; an
empty compound created with the wrong flag may still be corrected, with a reason in the audit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Community, Election, Unit
from schema.contract.errors import AppError
from voting.errors import ErrorCode, VotingError


def flag_drill_only(error: VotingError, *, drill: bool, opens_at: datetime, now: datetime) -> None:
    """A real compound asked for a drill's timing (an opening less than a day after the
    announcement): the refusal says minutes are a drill compound's only."""
    if (
        not drill
        and error.code is ErrorCode.NOTICE_TOO_SHORT
        and error.detail.get("what") == "meeting"
        and opens_at - now < timedelta(days=1)
    ):
        error.detail["drill_only"] = True


async def check_switch(session: AsyncSession, community: Community, drill: bool) -> None:
    """Refuse to switch a compound between drill and real once it has a roll or an election
    (see the module docstring: a real result must never be relabelled, nor a drill's)."""
    if drill == community.drill:
        return
    has_roll = await session.scalar(select(exists().where(Unit.community_id == community.id)))
    has_vote = await session.scalar(select(exists().where(Election.community_id == community.id)))
    if has_roll or has_vote:
        raise AppError.of(
            "DRILL_FIXED",
            "本小区已有{what}，不能再在演练与真实之间切换：真实表决的结果永远不能改标为演练，"
            "演练的结果也不能改标为真实",
            "this compound already has {whatEn}, so it can no longer switch between drill and "
            "real: the results of a real vote must never be relabelled as a drill, nor a "
            "drill's as real",
            field="drill",
            what="表决" if has_vote else "业主名册",
            whatEn="an election" if has_vote else "an owner roll",
        )
