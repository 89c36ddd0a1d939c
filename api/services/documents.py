"""Rule documents' versions after drafting: publish for consultation, close early, adopt.

Drafting is in :mod:`api.services.document_drafts`, reading in
:mod:`api.services.document_reading`. Why the rules are what they are:

* A version is written only while it is a draft. Publishing stores the SHA-256 of its canonical
  content and records it in the audit log; from then on nothing writes its clauses again, so
  what owners commented on is what stays on record.
* The next version cannot be published while the current one's window is still open or any
  of its comments is unanswered, and the adoption vote cannot be called on a version in that
  state either (:func:`ensure_adoptable`): the committee must have heard and answered everyone
  (充分征询、采纳意见) before the text moves on.
* A consultation window is at least ``consultation_min_days`` long (a setting), so a committee
  cannot publish a window nobody could use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, comments, drafting_cache, notice_auto
from api.services.consultation_window import window_phase, window_refusal
from api.services.document_drafts import MAX_DETAILS, require_draft
from api.services.document_reading import clauses
from api.store.models import Document, DocumentVersion, VersionClause
from schema.contract.errors import AppError, Detail, not_found
from voting.codec import canonical_json, sha256_hex
from voting.rules import DRILL_CONSULTATION_MINUTES, MatterType

KIND_ZH = {
    "rules_of_procedure": "业主大会议事规则",
    "management_statute": "管理规约",
    "other": "其他规则",
}
# Civil Code Art. 278 §1: matter 1 adopts or amends the rules of procedure, matter 2 the statute.
MATTER_OF_KIND = {
    "rules_of_procedure": MatterType.RULES_OF_PROCEDURE,
    "management_statute": MatterType.MANAGEMENT_STATUTE,
}
CLOCK_SKEW = timedelta(minutes=5)


def _unanswered_refusal(pending: list[tuple[int, int | None]], number: int, code: str) -> AppError:
    zh_what = "公布新版本" if code == "COMMENTS_UNANSWERED" else "提请表决"
    return AppError(
        code,
        f"第 {number} 版还有 {len(pending)} 条意见未答复，不能{zh_what}",
        f"version {number} still has {len(pending)} unanswered comment(s)",
        field="versionId",
        details=tuple(
            Detail(
                code="UNANSWERED",
                zh=f"意见 {cid}" + (f"（条文 {clause}）" if clause else "（针对全文）"),
                en=f"comment {cid}" + (f" (clause {clause})" if clause else " (whole document)"),
                value=str(cid),
            )
            for cid, clause in pending[:MAX_DETAILS]
        ),
    )


async def _current(session: AsyncSession, document_id: int) -> DocumentVersion | None:
    return (
        await session.execute(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document_id,
                DocumentVersion.status == "published",
            )
        )
    ).scalar_one_or_none()


def content_hash(version: DocumentVersion, rows: Sequence[VersionClause]) -> str:
    """SHA-256 over the canonical JSON of the version (voting.codec's encoding), so anyone can
    recompute it from an export."""
    return sha256_hex(
        canonical_json(
            {
                "format": "gongzhi.document.v1",
                "document": version.document_id,
                "version": version.number,
                "title": version.title,
                "preamble": version.preamble,
                "clauses": [
                    {
                        "clause": r.clause_id,
                        "number": r.number,
                        "chapter": [r.chapter_number, r.chapter_title],
                        "heading": r.heading,
                        "text": r.text,
                    }
                    for r in rows
                ],
            }
        )
    )


async def publish(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    opens_at: datetime | None,
    closes_at: datetime,
    change_note: str,
    actor: int,
    now: datetime,
    min_days: int,
    drill: bool = False,
) -> DocumentVersion:
    require_draft(version)
    rows = await clauses(session, version.id)
    if not rows:
        raise AppError(
            "VERSION_EMPTY",
            "该版本还没有任何条文",
            "this version has no clauses yet",
            field="versionId",
        )
    opens = opens_at or now
    _check_window(opens, closes_at, now=now, min_days=min_days, drill=drill)
    current = await _current(session, version.document_id)
    if current is not None:
        await _supersede(session, current, now)
    version.change_note = textinput.prose(
        change_note, field="changeNote", cap=textinput.CHANGE_NOTE_MAX, required=False
    )
    version.content_hash = content_hash(version, rows)
    version.status = "published"
    version.published_at, version.published_by = now, actor
    version.opens_at, version.closes_at = opens, closes_at
    await session.flush()
    await audit.record(
        session=session,
        chain=version.community_id,
        actor=actor,
        action="document.publish",
        document=version.document_id,
        version=version.number,
        content_hash=version.content_hash,
        opens_at=opens.isoformat(),
        closes_at=closes_at.isoformat(),
        clauses=len(rows),
    )
    return version


def _check_window(
    opens: datetime, closes_at: datetime, *, now: datetime, min_days: int, drill: bool
) -> None:
    """A window has time zones, does not open in the past and lasts at least ``min_days``
    (a drill compound's: :data:`voting.rules.DRILL_CONSULTATION_MINUTES` minutes)."""
    if opens.tzinfo is None or closes_at.tzinfo is None:
        raise AppError(
            "BAD_WINDOW",
            "时间须带时区",
            "times must carry a time zone",
            field="opensAt" if opens.tzinfo is None else "closesAt",
        )
    if opens < now - CLOCK_SKEW:
        raise AppError(
            "BAD_WINDOW",
            "征求意见的开始时间不能早于现在",
            "the consultation cannot open in the past",
            field="opensAt",
        )
    if drill:
        _check_drill_window(closes_at - opens)
        return
    if closes_at - opens < timedelta(days=min_days):
        if closes_at - opens < timedelta(days=1):
            raise AppError.of(
                "WINDOW_TOO_SHORT",
                "本小区不是演练小区：以分钟计的征求意见期只适用于演练小区（演练，不具法律效力）；"
                "真实的征求意见期不能少于 {minDays} 天",
                "this compound is not a drill compound: a consultation in minutes is for drill "
                "compounds only (drill — no legal effect); a real one lasts at least {minDays} "
                "days",
                field="closesAt",
                minDays=min_days,
                drillOnly=True,
            )
        raise AppError(
            "WINDOW_TOO_SHORT",
            f"征求意见期不能少于 {min_days} 天",
            f"the consultation must last at least {min_days} days",
            field="closesAt",
            extra={"minDays": str(min_days)},
        )


def _check_drill_window(length: timedelta) -> None:
    if length < timedelta(minutes=DRILL_CONSULTATION_MINUTES):
        raise AppError.of(
            "WINDOW_TOO_SHORT",
            "演练的征求意见期不能少于 {minMinutes} 分钟（演练，不具法律效力）",
            "the drill's consultation must last at least {minMinutes} minutes "
            "(drill — no legal effect)",
            field="closesAt",
            minMinutes=DRILL_CONSULTATION_MINUTES,
        )


async def _supersede(session: AsyncSession, current: DocumentVersion, now: datetime) -> None:
    """The current version gives way to the next, once its window closed and every comment on
    it is answered."""
    assert current.closes_at is not None
    if now < current.closes_at:
        raise AppError(
            "CONSULTATION_STILL_OPEN",
            f"第 {current.number} 版的征求意见期尚未结束，不能公布新版本",
            f"the consultation on version {current.number} has not closed yet",
            field="versionId",
        )
    pending = await comments.unanswered(session, current.id)
    if pending:
        raise _unanswered_refusal(pending, current.number, "COMMENTS_UNANSWERED")
    current.status = "superseded"


async def close_consultation(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    reason: str,
    actor: int,
    now: datetime,
    min_days: int,
    drill: bool = False,
) -> DocumentVersion:
    """End an open consultation now, once it has lasted the shortest window the service
    accepts: a committee that has heard enough need not wait out a long window before it
    answers and publishes the next version, but it cannot cut the owners' time below the
    minimum either. The reason is recorded in the audit log."""
    phase = window_phase(version, now)
    if phase != "open":
        if phase == "upcoming":
            raise window_refusal(version, now)
        raise AppError(
            "CONSULTATION_NOT_OPEN",
            "该版本不在征求意见期内，无需结束",
            "this version is not in consultation",
            field="versionId",
        )
    assert version.opens_at is not None and version.closes_at is not None
    # a window always has some length (a database constraint), even with a minimum of 0 days
    shortest = timedelta(minutes=DRILL_CONSULTATION_MINUTES) if drill else timedelta(days=min_days)
    earliest = version.opens_at + max(shortest, timedelta(seconds=1))
    if now < earliest:
        if drill:
            raise AppError.of(
                "WINDOW_TOO_SHORT",
                "征求意见期不能少于 {minutes} 分钟（演练），最早可于 {earliest:time} 结束",
                "the consultation must last at least {minutes} minutes (drill); it may end from "
                "{earliest:time}",
                field="versionId",
                minutes=DRILL_CONSULTATION_MINUTES,
                earliest=earliest,
            )
        raise AppError.of(
            "WINDOW_TOO_SHORT",
            "征求意见期不能少于 {minDays} 天，最早可于 {earliest:time} 结束",
            "the consultation must last at least {minDays} days; it may end from {earliest:time}",
            field="versionId",
            minDays=min_days,
            earliest=earliest,
        )
    reason = textinput.prose(reason, field="reason", cap=textinput.REASON_MAX)
    planned = version.closes_at
    version.closes_at = now
    await session.flush()
    await audit.record(
        session=session,
        chain=version.community_id,
        actor=actor,
        action="document.close_consultation",
        document=version.document_id,
        version=version.number,
        planned_close=planned.isoformat(),
        closed_at=now.isoformat(),
        reason=reason,
    )
    return version


async def _version_in(
    session: AsyncSession, community_id: int, version_id: int
) -> tuple[DocumentVersion, Document]:
    version = await session.get(DocumentVersion, version_id)
    if version is None or version.community_id != community_id:
        raise not_found("版本", "version")
    document = await session.get(Document, version.document_id)
    assert document is not None
    return version, document


def _check_matter(document: Document, matter_type: int) -> None:
    expected = MATTER_OF_KIND.get(document.kind)
    if expected is None or matter_type != expected:
        raise AppError(
            "MATTER_MISMATCH",
            f"《{document.title}》（{KIND_ZH[document.kind]}）"
            f"不能以事项类型 {matter_type} 表决通过",
            f"{document.kind} cannot be adopted by a resolution of matter type {matter_type}",
            field="matterType",
        )


async def ensure_adoptable(
    *, session: AsyncSession, community_id: int, version_id: int, matter_type: int, now: datetime
) -> DocumentVersion:
    """Refuse to put a version to the owners' vote unless it is the current published version,
    its consultation has closed and every comment on it is answered.

    The voting side calls this when it creates a resolution (matter type 1 or 2) on a version.
    """
    version, document = await _version_in(session, community_id, version_id)
    _check_matter(document, matter_type)
    if version.status != "published":
        raise AppError(
            "NOT_CURRENT_VERSION",
            f"第 {version.number} 版不是当前公布的版本，不能提请表决",
            f"version {version.number} is not the current published version",
            field="versionId",
        )
    assert version.closes_at is not None
    if now < version.closes_at:
        raise AppError(
            "CONSULTATION_STILL_OPEN",
            f"第 {version.number} 版的征求意见期尚未结束，不能提请表决",
            f"the consultation on version {version.number} has not closed yet",
            field="versionId",
        )
    pending = await comments.unanswered(session, version.id)
    if pending:
        raise _unanswered_refusal(pending, version.number, "COMMENTS_UNANSWERED_FOR_VOTE")
    if version.in_force:
        raise AppError(
            "ALREADY_IN_FORCE",
            f"第 {version.number} 版已经生效",
            f"version {version.number} is already in force",
            field="versionId",
        )
    return version


async def mark_adopted(
    *,
    session: AsyncSession,
    community_id: int,
    version_id: int,
    election_id: int,
    question_id: int | None,
    matter_type: int,
    now: datetime,
    actor: int | None = None,
) -> DocumentVersion:
    """Mark a version adopted by the owners' vote and in force; the version in force before it
    (if any) stops being in force now. Called by the voting side, in its transaction, when a
    resolution of matter type 1 or 2 on this version passes. Idempotent for the same election.
    """
    version, document = await _version_in(session, community_id, version_id)
    _check_matter(document, matter_type)
    if version.in_force:
        if version.adopted_by_election_id == election_id:
            return version
        raise AppError(
            "ALREADY_IN_FORCE",
            f"第 {version.number} 版已经生效",
            f"version {version.number} is already in force",
            field="versionId",
        )
    if version.status == "draft":
        raise AppError(
            "NOT_CURRENT_VERSION",
            "草稿不能被表决通过",
            "a draft cannot be adopted",
            field="versionId",
        )
    previous = (
        await session.execute(
            select(DocumentVersion).where(
                DocumentVersion.document_id == version.document_id,
                DocumentVersion.in_force.is_(True),
            )
        )
    ).scalars()
    replaced = []
    for old in previous:
        old.in_force, old.in_force_until = False, now
        replaced.append(old.number)
    version.in_force = True
    version.adopted_by_election_id = election_id
    version.adopted_by_question_id = question_id
    version.adopted_at = now
    version.in_force_until = None
    await session.flush()
    await audit.record(
        session=session,
        chain=community_id,
        actor=actor,
        action="document.adopt",
        document=version.document_id,
        version=version.number,
        election=election_id,
        question=question_id,
        matter_type=matter_type,
        content_hash=version.content_hash,
        replaces=replaced,
    )
    # after the audit entry, as every drafting write does: one lock order, no deadlock
    await drafting_cache.bump(session, community_id)
    # the decision's notice (公示, 15 days), in the adopting transaction
    await notice_auto.rules_adopted(
        session, community_id=community_id, version=version, actor=actor, now=now
    )
    return version
