"""Reading rule documents: documents, their versions and clauses, as the pages show them.

A version page is built in four statements whatever its length (its clauses, their comment counts,
the version's comment counts, the document), and handed over as plain views.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import ruletext
from api.formats.textdiff import ClauseSnapshot
from api.services import comments
from api.services.consultation_window import window_phase
from api.store.models import Document, DocumentVersion, VersionClause
from schema.contract.drafting import ClauseView, DocumentView, VersionSummary, VersionView
from schema.contract.errors import not_found


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
        phase=window_phase(version, now),
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


async def clause_rows(session: AsyncSession, version_id: int) -> Sequence[Row[Any]]:
    """A version's clauses as plain rows, for reading only: a page of 80 clauses built 80 ORM
    objects for nothing but their columns (issue #17)."""
    return (
        await session.execute(
            select(VersionClause.__table__)
            .where(VersionClause.version_id == version_id)
            .order_by(VersionClause.position)
        )
    ).all()


async def version_view(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    document: Document,
    drafts_visible: bool,
    now: datetime,
) -> VersionView:
    """A version with its clauses and comment counts: four statements whatever its length."""
    rows = await clause_rows(session, version.id)
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


def snapshots(rows: Sequence[VersionClause]) -> list[ClauseSnapshot]:
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
