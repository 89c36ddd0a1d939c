"""Writing drafts of rule documents: create a document or the next draft, import text, edit clauses.

A version is written only while it is a draft (:func:`require_draft`); imported text gets clause
identities back from the draft it replaces (:func:`api.formats.textdiff.match_clauses`), so
comments stay on their article across versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import ruletext, textinput
from api.formats.textdiff import Candidate, match_clauses
from api.services import audit
from api.services.document_reading import clauses, snapshots
from api.store.models import Clause, Document, DocumentVersion, VersionClause
from schema.contract.errors import AppError, Detail

KINDS = ("rules_of_procedure", "management_statute", "other")
MAX_DETAILS = 50


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


def require_draft(version: DocumentVersion) -> None:
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
    require_draft(version)
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
    current = snapshots(await clauses(session, version.id))
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
    require_draft(version)
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
    require_draft(version)
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
    require_draft(version)
    entries = _entries(await clauses(session, version.id))
    del entries[_position(entries, clause_id)]
    await _write(session, version, entries)
