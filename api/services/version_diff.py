"""Comparing two versions of a document clause by clause (what the diff page shows).

Clauses are matched by identity, not by number, so a renumbered article is "moved", not "removed
and added" (:func:`api.formats.textdiff.diff_versions`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import ruletext
from api.formats.textdiff import diff_versions
from api.services.document_reading import clauses, snapshots, summary
from api.store.models import DocumentVersion
from schema.contract.drafting import ClauseChangeView, DiffView, SegmentView
from schema.contract.errors import AppError


def chapter_label(number: int, title: str) -> str:
    if number <= 0:
        return title
    return f"第{ruletext.chinese_numeral(number)}章" + (f" {title}" if title else "")


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
        snapshots(await clauses(session, old.id)), snapshots(await clauses(session, new.id))
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
