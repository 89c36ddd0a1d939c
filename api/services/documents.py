"""Rule documents: draft, import, edit, publish for consultation, compare, adopt.

Why the rules are what they are:

* A version is written only while it is a draft. Publishing stores the SHA-256 of its canonical
  content and records it in the audit log; from then on nothing writes its clauses again, so
  what owners commented on is what stays on record.
* The next version cannot be published while the current one's window is still open or any
  of its comments is unanswered, and the adoption vote cannot be called on a version in that
  state either (:func:`ensure_adoptable`): the committee must have heard and answered everyone
  (充分征询、采纳意见) before the text moves on.
* A consultation window is at least ``consultation_min_days`` long (a setting), so a committee
  cannot publish a window nobody could use.
* Imported text gets clause identities back from the draft it replaces
  (:func:`api.formats.textdiff.match_clauses`), so comments stay on their article across versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import ruletext, textinput
from api.formats.textdiff import Candidate, ClauseSnapshot, diff_versions, match_clauses
from api.services import audit, comments, drafting_cache
from api.store.models import Clause, Comment, Document, DocumentVersion, VersionClause
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.drafting import (
    ClauseChangeView,
    ClauseView,
    DiffView,
    DocumentView,
    RegisterEntry,
    RegisterPage,
    SegmentView,
    VersionSummary,
    VersionView,
)
from schema.contract.errors import AppError, Detail, not_found
from voting.codec import canonical_json, sha256_hex
from voting.rules import CHINA_TZ, MatterType

KINDS = ("rules_of_procedure", "management_statute", "other")
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
MAX_DETAILS = 50
CLOCK_SKEW = timedelta(minutes=5)


# --- reading ------------------------------------------------------------------------------------


async def get_version(session: AsyncSession, version_id: int) -> DocumentVersion:
    row = await session.get(DocumentVersion, version_id)
    if row is None:
        raise not_found("版本", "version")
    return row


async def get_document(session: AsyncSession, document_id: int) -> Document:
    row = await session.get(Document, document_id)
    if row is None:
        raise not_found("文件", "document")
    return row


def summary(version: DocumentVersion, now: datetime) -> VersionSummary:
    return VersionSummary(
        id=version.id,
        document_id=version.document_id,
        community_id=version.community_id,
        number=version.number,
        status=version.status,
        phase=comments.window_phase(version, now),
        title=version.title,
        opens_at=version.opens_at,
        closes_at=version.closes_at,
        published_at=version.published_at,
        content_hash=version.content_hash,
        in_force=version.in_force,
        adopted_by_election_id=version.adopted_by_election_id,
        adopted_by_question_id=version.adopted_by_question_id,
        adopted_at=version.adopted_at,
        in_force_until=version.in_force_until,
    )


async def document_views(
    session: AsyncSession, documents: Sequence[Document], *, drafts_visible: bool
) -> list[DocumentView]:
    """Documents with their latest visible version and the version in force (one query)."""
    ids = [d.id for d in documents]
    latest: dict[int, int] = {}
    in_force: dict[int, int] = {}
    if ids:
        query = select(
            DocumentVersion.document_id,
            DocumentVersion.id,
            DocumentVersion.status,
            DocumentVersion.in_force,
        ).where(DocumentVersion.document_id.in_(ids))
        if not drafts_visible:
            query = query.where(DocumentVersion.status != "draft")
        for doc_id, vid, _, force in await session.execute(query.order_by(DocumentVersion.number)):
            latest[doc_id] = vid
            if force:
                in_force[doc_id] = vid
    return [
        DocumentView(
            id=d.id,
            community_id=d.community_id,
            kind=d.kind,
            title=d.title,
            created_at=d.created_at,
            latest_version_id=latest.get(d.id),
            in_force_version_id=in_force.get(d.id),
        )
        for d in documents
    ]


async def documents_of(session: AsyncSession, community_id: int) -> list[Document]:
    return list(
        (
            await session.execute(
                select(Document).where(Document.community_id == community_id).order_by(Document.id)
            )
        ).scalars()
    )


async def versions_of(
    session: AsyncSession, document_ids: Sequence[int], *, drafts_visible: set[int], now: datetime
) -> list[list[VersionSummary]]:
    """Batch for the DataLoader: each document's versions, oldest first; drafts only for the
    compounds in ``drafts_visible``."""
    found: dict[int, list[VersionSummary]] = {d: [] for d in document_ids}
    for v in (
        await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.document_id.in_(document_ids))
            .order_by(DocumentVersion.number)
        )
    ).scalars():
        if v.status == "draft" and v.community_id not in drafts_visible:
            continue
        found[v.document_id].append(summary(v, now))
    return [found[d] for d in document_ids]


async def clauses(session: AsyncSession, version_id: int) -> list[VersionClause]:
    return list(
        (
            await session.execute(
                select(VersionClause)
                .where(VersionClause.version_id == version_id)
                .order_by(VersionClause.position)
            )
        ).scalars()
    )


def chapter_label(number: int, title: str) -> str:
    if number <= 0:
        return title
    return f"第{ruletext.chinese_numeral(number)}章" + (f" {title}" if title else "")


async def version_view(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    document: Document,
    drafts_visible: bool,
    now: datetime,
) -> VersionView:
    """A version with its clauses and comment counts: four statements whatever its length."""
    rows = await clauses(session, version.id)
    counts = await comments.clause_counts(session, version)
    stats = await comments.version_stats(session, version.id)
    return VersionView(
        summary=summary(version, now),
        document=(await document_views(session, [document], drafts_visible=drafts_visible))[0],
        preamble=version.preamble,
        change_note=version.change_note,
        clauses=[
            ClauseView(
                clause_id=r.clause_id,
                number=r.number,
                label=f"第{ruletext.chinese_numeral(r.number)}条",
                chapter_number=r.chapter_number,
                chapter_title=r.chapter_title,
                heading=r.heading,
                text=r.text,
                comment_count=counts.get(r.clause_id, 0),
            )
            for r in rows
        ],
        document_comment_count=stats["document"],
        comment_count=stats["visible"],
        unanswered_count=stats["unanswered"],
    )


def _snapshots(rows: Sequence[VersionClause]) -> list[ClauseSnapshot]:
    return [
        ClauseSnapshot(
            clause_id=r.clause_id,
            number=r.number,
            chapter_number=r.chapter_number,
            chapter_title=r.chapter_title,
            heading=r.heading,
            text=r.text,
        )
        for r in rows
    ]


async def diff(
    *, session: AsyncSession, old: DocumentVersion, new: DocumentVersion, now: datetime
) -> DiffView:
    if old.document_id != new.document_id:
        raise AppError(
            "DIFFERENT_DOCUMENTS",
            "只能比较同一文件的两个版本",
            "only two versions of the same document can be compared",
            field="newVersionId",
        )
    changes = diff_versions(
        _snapshots(await clauses(session, old.id)), _snapshots(await clauses(session, new.id))
    )
    views = [
        ClauseChangeView(
            change=c.change.value,
            clause_id=c.clause_id,
            moved=c.moved,
            old_number=c.old.number if c.old else None,
            new_number=c.new.number if c.new else None,
            old_chapter=chapter_label(c.old.chapter_number, c.old.chapter_title) if c.old else None,
            new_chapter=chapter_label(c.new.chapter_number, c.new.chapter_title) if c.new else None,
            old_heading=c.old.heading if c.old else None,
            new_heading=c.new.heading if c.new else None,
            old_text=c.old.text if c.old else None,
            new_text=c.new.text if c.new else None,
            heading_segments=[SegmentView(s.op.value, s.text) for s in c.heading],
            text_segments=[SegmentView(s.op.value, s.text) for s in c.text],
        )
        for c in changes
    ]
    tally = {kind: sum(1 for v in views if v.change == kind) for kind in ("added", "removed")}
    return DiffView(
        old=summary(old, now),
        new=summary(new, now),
        changes=views,
        added=tally["added"],
        removed=tally["removed"],
        changed=sum(1 for v in views if v.change == "changed"),
        moved=sum(1 for v in views if v.moved),
        unchanged=sum(1 for v in views if v.change == "unchanged"),
    )


async def register(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    first: int,
    after: str | None,
    viewer_id: int,
    moderator: bool,
    now: datetime,
) -> RegisterPage:
    """The response register (意见答复台账) of a version: every root comment made on it, the
    clause it is on, the committee's answer, and where an adopted comment landed in the next
    published version. Constant statements per page."""
    stats = await comments.version_stats(session, version.id)
    where = [Comment.version_id == version.id, Comment.root_id.is_(None)]
    total = int(
        (
            await session.execute(select(func.count()).select_from(Comment).where(*where))
        ).scalar_one()
    )
    rows = list(
        (
            await session.execute(
                select(Comment)
                .where(*where, Comment.id > decode_cursor(after))
                .order_by(Comment.id)
                .limit(first + 1)
            )
        ).scalars()
    )
    has_next = len(rows) > first
    rows = rows[:first]
    here = {r.clause_id: r for r in await clauses(session, version.id)}
    successor = (
        await session.execute(
            select(DocumentVersion)
            .where(
                DocumentVersion.document_id == version.document_id,
                DocumentVersion.number > version.number,
                DocumentVersion.status != "draft",
            )
            .order_by(DocumentVersion.number)
            .limit(1)
        )
    ).scalar_one_or_none()
    there: dict[int, int] = {}
    if successor is not None:
        there = {
            cid: number
            for cid, number in await session.execute(
                select(VersionClause.clause_id, VersionClause.number).where(
                    VersionClause.version_id == successor.id
                )
            )
        }
    entries = []
    for r in rows:
        placed = here.get(r.clause_id) if r.clause_id is not None else None
        adopted = r.answer in ("adopted", "partly_adopted") and successor is not None
        entries.append(
            RegisterEntry(
                comment=comments.view(r, viewer_id=viewer_id, moderator=moderator),
                clause_number=placed.number if placed else None,
                clause_heading=placed.heading if placed else "",
                adopted_in_version=successor.number if adopted and successor else None,
                adopted_in_clause_number=there.get(r.clause_id)
                if adopted and r.clause_id is not None
                else None,
            )
        )
    return RegisterPage(
        version=summary(version, now),
        items=entries,
        total=total,
        end_cursor=encode_cursor(rows[-1].id) if rows else None,
        has_next=has_next,
        answered=stats["answered"],
        unanswered=stats["unanswered"],
        adopted=stats["adopted"],
        partly_adopted=stats["partly_adopted"],
        not_adopted=stats["not_adopted"],
        hidden=stats["hidden"],
    )


# --- writing drafts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One clause of a draft being written; ``clause_id`` None means a new identity."""

    clause_id: int | None
    chapter_number: int
    chapter_title: str
    heading: str
    text: str


def _entries(rows: Sequence[VersionClause]) -> list[Entry]:
    return [Entry(r.clause_id, r.chapter_number, r.chapter_title, r.heading, r.text) for r in rows]


def _writable(version: DocumentVersion) -> None:
    if version.status != "draft":
        raise AppError(
            "VERSION_IMMUTABLE",
            f"第 {version.number} 版已公布，不能再修改；请新建修订稿",
            f"version {version.number} is published and cannot change; start a new draft",
            field="versionId",
        )


async def _write(session: AsyncSession, version: DocumentVersion, entries: list[Entry]) -> None:
    """Replace the draft's content with ``entries`` (numbered 1.. in order)."""
    fresh = [
        Clause(
            community_id=version.community_id,
            document_id=version.document_id,
            created_in_version_id=version.id,
        )
        for e in entries
        if e.clause_id is None
    ]
    session.add_all(fresh)
    await session.flush()
    new_ids = iter(c.id for c in fresh)
    await session.execute(delete(VersionClause).where(VersionClause.version_id == version.id))
    rows = [
        {
            "community_id": version.community_id,
            "version_id": version.id,
            "clause_id": e.clause_id if e.clause_id is not None else next(new_ids),
            "position": i,
            "number": i + 1,
            "chapter_number": e.chapter_number,
            "chapter_title": e.chapter_title,
            "heading": e.heading,
            "text": e.text,
        }
        for i, e in enumerate(entries)
    ]
    if rows:
        await session.execute(insert(VersionClause), rows)


async def create_document(
    *,
    session: AsyncSession,
    community_id: int,
    actor: int,
    kind: str,
    title: str,
    now: datetime,
) -> DocumentVersion:
    """A new document and its first, empty draft."""
    if kind not in KINDS:
        raise AppError(
            "BAD_KIND",
            "文件类型须为议事规则、管理规约或其他",
            "the kind must be rules_of_procedure, management_statute or other",
            field="kind",
        )
    title = textinput.line(title, field="title", cap=textinput.TITLE_MAX)
    doc = Document(
        community_id=community_id, kind=kind, title=title, created_by=actor, created_at=now
    )
    session.add(doc)
    await session.flush()
    version = DocumentVersion(
        community_id=community_id,
        document_id=doc.id,
        number=1,
        status="draft",
        title=title,
        created_by=actor,
        created_at=now,
    )
    session.add(version)
    await session.flush()
    await audit.record(
        session=session,
        chain=community_id,
        actor=actor,
        action="document.create",
        document=doc.id,
        kind=kind,
        title=title,
    )
    return version


async def create_draft(
    *, session: AsyncSession, document: Document, actor: int, now: datetime
) -> DocumentVersion:
    """The next version's draft, starting as a copy of the latest published version (same
    clause identities, so what changes is exactly what the committee edits)."""
    versions = list(
        (
            await session.execute(
                select(DocumentVersion)
                .where(DocumentVersion.document_id == document.id)
                .order_by(DocumentVersion.number)
            )
        ).scalars()
    )
    if any(v.status == "draft" for v in versions):
        draft = next(v for v in versions if v.status == "draft")
        raise AppError(
            "DRAFT_EXISTS",
            f"已有一份修订稿（第 {draft.number} 版），请先完成或公布它",
            f"a draft already exists (version {draft.number}); finish or publish it first",
            field="documentId",
        )
    base = versions[-1] if versions else None
    version = DocumentVersion(
        community_id=document.community_id,
        document_id=document.id,
        number=(base.number + 1) if base else 1,
        status="draft",
        title=base.title if base else document.title,
        preamble=base.preamble if base else "",
        created_by=actor,
        created_at=now,
    )
    session.add(version)
    await session.flush()
    if base is not None:
        await _write(session, version, _entries(await clauses(session, base.id)))
    return version


@dataclass(frozen=True)
class Imported:
    kept: int
    added: int
    removed: int
    title: str
    markdown: bool


async def import_text(*, session: AsyncSession, version: DocumentVersion, text: str) -> Imported:
    """Replace a draft's clauses with parsed text; identities are kept where clauses match."""
    _writable(version)
    text = textinput.prose(text, field="text", cap=textinput.IMPORT_MAX_CHARS)
    parsed = ruletext.parse(text)
    if not parsed.ok:
        n = len(parsed.problems)
        raise AppError(
            "TEXT_INVALID",
            f"文本有 {n} 处问题，未导入任何内容",
            f"the text has {n} problem(s); nothing was imported",
            field="text",
            details=tuple(
                Detail(code=p.code, zh=p.zh, en=p.en, line=p.line)
                for p in parsed.problems[:MAX_DETAILS]
            ),
        )
    if len(parsed.preamble) > textinput.CLAUSE_TEXT_MAX:
        raise AppError(
            "TEXT_TOO_LONG",
            f"序言不能超过 {textinput.CLAUSE_TEXT_MAX} 个字",
            f"the preamble must be at most {textinput.CLAUSE_TEXT_MAX} characters",
            field="text",
        )
    current = _snapshots(await clauses(session, version.id))
    ids = match_clauses(current, [Candidate(c.heading, c.text) for c in parsed.clauses])
    entries = [
        Entry(cid, c.chapter_number, c.chapter_title, c.heading, c.text)
        for cid, c in zip(ids, parsed.clauses, strict=True)
    ]
    version.preamble = parsed.preamble
    await _write(session, version, entries)
    kept = sum(1 for cid in ids if cid is not None)
    return Imported(
        kept=kept,
        added=len(ids) - kept,
        removed=len(current) - kept,
        title=parsed.title,
        markdown=parsed.markdown,
    )


def _position(entries: list[Entry], clause_id: int) -> int:
    for i, e in enumerate(entries):
        if e.clause_id == clause_id:
            return i
    raise AppError(
        "CLAUSE_NOT_IN_VERSION",
        "该条文不在这个版本中",
        "that clause is not part of this version",
        field="clauseId",
    )


async def edit_clause(
    *, session: AsyncSession, version: DocumentVersion, clause_id: int, heading: str, text: str
) -> None:
    _writable(version)
    entries = _entries(await clauses(session, version.id))
    i = _position(entries, clause_id)
    old = entries[i]
    entries[i] = Entry(
        clause_id,
        old.chapter_number,
        old.chapter_title,
        textinput.line(heading, field="heading", cap=textinput.HEADING_MAX, required=False),
        textinput.prose(text, field="text", cap=textinput.CLAUSE_TEXT_MAX),
    )
    await _write(session, version, entries)


async def add_clause(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    after_clause_id: int | None,
    heading: str,
    text: str,
    chapter_number: int | None,
    chapter_title: str | None,
) -> None:
    """Insert a new clause after ``after_clause_id`` (first if None), in that clause's chapter
    unless another is given."""
    _writable(version)
    entries = _entries(await clauses(session, version.id))
    if len(entries) >= textinput.IMPORT_MAX_CLAUSES:
        raise AppError(
            "TOO_MANY_ARTICLES",
            f"条文不能超过 {textinput.IMPORT_MAX_CLAUSES} 条",
            f"at most {textinput.IMPORT_MAX_CLAUSES} articles",
        )
    at = 0 if after_clause_id is None else _position(entries, after_clause_id) + 1
    neighbour = entries[at - 1] if at > 0 else (entries[0] if entries else None)
    number = (
        chapter_number
        if chapter_number is not None
        else (neighbour.chapter_number if neighbour else 0)
    )
    if number < 0:
        raise AppError("BAD_CHAPTER", "章的编号不能为负", "chapter numbers are not negative")
    if chapter_title is not None:
        title = textinput.line(
            chapter_title, field="chapterTitle", cap=textinput.HEADING_MAX, required=False
        )
    else:
        title = next((e.chapter_title for e in entries if e.chapter_number == number), "")
    entries.insert(
        at,
        Entry(
            None,
            number,
            title,
            textinput.line(heading, field="heading", cap=textinput.HEADING_MAX, required=False),
            textinput.prose(text, field="text", cap=textinput.CLAUSE_TEXT_MAX),
        ),
    )
    await _write(session, version, entries)


async def remove_clause(*, session: AsyncSession, version: DocumentVersion, clause_id: int) -> None:
    _writable(version)
    entries = _entries(await clauses(session, version.id))
    del entries[_position(entries, clause_id)]
    await _write(session, version, entries)


# --- publishing and adoption --------------------------------------------------------------------


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
) -> DocumentVersion:
    _writable(version)
    rows = await clauses(session, version.id)
    if not rows:
        raise AppError(
            "VERSION_EMPTY",
            "该版本还没有任何条文",
            "this version has no clauses yet",
            field="versionId",
        )
    opens = opens_at or now
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
    if closes_at - opens < timedelta(days=min_days):
        raise AppError(
            "WINDOW_TOO_SHORT",
            f"征求意见期不能少于 {min_days} 天",
            f"the consultation must last at least {min_days} days",
            field="closesAt",
            extra={"minDays": str(min_days)},
        )
    current = await _current(session, version.document_id)
    if current is not None:
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


async def close_consultation(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    reason: str,
    actor: int,
    now: datetime,
    min_days: int,
) -> DocumentVersion:
    """End an open consultation now, once it has lasted the shortest window the service
    accepts: a committee that has heard enough need not wait out a long window before it
    answers and publishes the next version, but it cannot cut the owners' time below the
    minimum either. The reason is recorded in the audit log."""
    phase = comments.window_phase(version, now)
    if phase != "open":
        if phase == "upcoming":
            raise comments.window_refusal(version, now)
        raise AppError(
            "CONSULTATION_NOT_OPEN",
            "该版本不在征求意见期内，无需结束",
            "this version is not in consultation",
            field="versionId",
        )
    assert version.opens_at is not None and version.closes_at is not None
    # a window always has some length (a database constraint), even with a minimum of 0 days
    earliest = version.opens_at + max(timedelta(days=min_days), timedelta(seconds=1))
    if now < earliest:
        when = f"{earliest.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
        raise AppError(
            "WINDOW_TOO_SHORT",
            f"征求意见期不能少于 {min_days} 天，最早可于 {when} 结束",
            f"the consultation must last at least {min_days} days; it may end from "
            f"{earliest.isoformat()}",
            field="versionId",
            extra={"minDays": str(min_days), "earliest": earliest.isoformat()},
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
    return version
