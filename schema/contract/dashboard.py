"""What the district dashboard's services hand the schema (issue #16 part 2, docs/design.md
§2 "District dashboard"): one row per compound with its column families, the district's
summary, its alerts, an export file and a recorded coverage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from schema.contract.voting import ElectionUnderWayView

#: governing bodies, in the order a sort by body puts them (the most urgent first)
BODIES = ("none", "preparatory", "stand_in", "committee")
SORTS = (
    "name",
    "body",
    "term_ends_at",
    "elections",
    "proposals_qualified",
    "consultations_open",
    "coverage",
    "service_rank",
    "complaints_open",
    "complaints_overdue",
    "complaints_resolved",
    "complaints_resolve_hours",
    "complaints_rating",
)
#: alert kinds (bottom: 末位 in the latest property-service assessment; complaints_overdue: an
#: open complaint past its stage's deadline)
ALERTS = ("no_body", "term_ending", "bottom", "complaints_overdue")


@dataclass(frozen=True)
class DashboardFilter:
    """Every criterion given narrows the rows (AND); None leaves it out."""

    bodies: Sequence[str] | None = None
    term_ending: bool | None = None
    elections_under_way: bool | None = None
    proposals_waiting: bool | None = None
    consultations_open: bool | None = None
    coverage_incomplete: bool | None = None
    complaints_overdue: bool | None = None
    alerts_only: bool | None = None
    name: str | None = None


@dataclass(frozen=True)
class CoverageView:
    party_org: bool
    party_members: bool
    governing_body: bool  # derived: a 业委会 or 物管会 in office
    property_service: bool
    party_venue: bool
    count: int
    note: str
    recorded_at: datetime | None
    recorded_by: str | None


@dataclass(frozen=True)
class ComplaintsView:
    """A compound's complaints (docs/design.md §7): open now, overdue now, resolved this
    month (Asia/Shanghai) and, of those, the average hours to resolve and rating."""

    open: int
    overdue: int
    resolved: int
    resolve_hours: float | None
    rating: float | None


@dataclass(frozen=True)
class DashboardRowView:
    community_id: int
    name: str
    drill: bool
    body: str  # one of BODIES
    term_ends_at: datetime | None
    term_ending: bool
    elections_under_way: int
    elections: Sequence[ElectionUnderWayView]
    proposals_open: int
    proposals_qualified: int
    consultations_open: int
    service_rank: int | None  # in the district's latest closed assessment period
    service_bottom: bool  # 末位 in that period
    complaints: ComplaintsView
    coverage: CoverageView
    alerts: Sequence[str]


@dataclass(frozen=True)
class DashboardPage:
    rows: Sequence[DashboardRowView]
    total: int
    end_cursor: str | None
    has_next: bool


@dataclass(frozen=True)
class DashboardSummary:
    compounds: int
    bodies: dict[str, int]
    term_ending: int
    elections_under_way: int
    proposals_qualified: int
    consultations_open: int
    coverage: dict[str, int]  # coverage name → compounds covered; "complete" → all five
    alerts: int
    chart: str  # an SVG document of these figures (api/formats/chart.py)


@dataclass(frozen=True)
class AlertView:
    community_id: int
    name: str
    kind: str  # one of ALERTS
    due_at: datetime | None = None
    count: int | None = None  # complaints_overdue: how many


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    rows: int


@dataclass(frozen=True)
class CoverageIn:
    community_id: int
    party_org: bool
    party_members: bool
    property_service: bool
    party_venue: bool
    note: str = ""
