"""A consultation's window: where a version stands by the server's clock, and the refusal outside.

A window is a legal period (征求意见期): a comment is taken only while it is open, by the server's
clock, because a client's clock is not evidence.
"""

from __future__ import annotations

from datetime import datetime

from api.store.models import DocumentVersion
from schema.contract.errors import AppError


def window_phase(version: DocumentVersion, now: datetime) -> str:
    """draft, upcoming, open, closed or superseded, by the server's clock."""
    if version.status == "draft":
        return "draft"
    if version.status == "superseded":
        return "superseded"
    assert version.opens_at is not None and version.closes_at is not None
    if now < version.opens_at:
        return "upcoming"
    if now < version.closes_at:
        return "open"
    return "closed"


def window_refusal(version: DocumentVersion, now: datetime) -> AppError:
    phase = window_phase(version, now)
    if phase == "upcoming" and version.opens_at is not None:
        return AppError.of(
            "CONSULTATION_NOT_OPEN",
            "征求意见将于 {opensAt:time} 开始，现在还不能提交意见",
            "the consultation opens on {opensAt:time}; comments are not accepted yet",
            field="versionId",
            opensAt=version.opens_at,
        )
    if phase in ("closed", "superseded") and version.closes_at is not None:
        return AppError.of(
            "CONSULTATION_CLOSED",
            "征求意见已于 {closesAt:time} 结束，不再接受意见",
            "the consultation closed on {closesAt:time}; comments are no longer accepted",
            field="versionId",
            closesAt=version.closes_at,
        )
    return AppError(
        "CONSULTATION_NOT_OPEN",
        "该版本尚未公布征求意见",
        "this version has not been published for consultation",
        field="versionId",
    )
