"""What resolvers need from the service, declared here and implemented in ``api/access/``.

``schema`` may not import ``api`` (docs/design.md §5), so the row shapes are Protocols that the ORM
rows satisfy structurally, and the services are one Protocol reached through the request
context. Resolvers stay thin: read arguments, call a service, wrap the rows.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from schema.contract.assessment import AssessmentServices
from schema.contract.complaints import ComplaintServices
from schema.contract.dashboard import (
    AlertView,
    CoverageIn,
    CoverageView,
    DashboardFilter,
    DashboardPage,
    DashboardSummary,
    ExportFile,
)
from schema.contract.drafting import DraftingServices, Loader
from schema.contract.inbox import InboxServices
from schema.contract.nominations import NominationServices
from schema.contract.notices import NoticeServices
from schema.contract.page import Page
from schema.contract.voting import (
    ElectionRow,
    ElectionUnderWayView,
    VotingServices,
)


@dataclass(frozen=True)
class Grant:
    role: str
    community_id: int | None
    district_id: int | None
    # a supervisor confirmed for one election counts for that election only (issue #13 item 6)
    election_id: int | None = None
    # a department's staff (issue #16 吹哨报到): the department; None for every other role
    department_id: int | None = None


@dataclass(frozen=True)
class Viewer:
    account_id: int
    display_name: str
    phone: str
    grants: tuple[Grant, ...]


class CommunityRow(Protocol):
    id: int
    district_id: int
    name: str
    address: str
    head_rule: str
    co_owner_rule: str
    meeting_notice_days: int
    extraordinary_notice_days: int
    candidate_publicity_days: int
    result_publicity_days: int
    proxy_cap: int
    non_voter_rule: bool
    paper_priority: str
    tally_step: int
    term_years: int
    committee_min_seats: int
    committee_max_seats: int
    supervisory_min_seats: int
    supervisory_max_seats: int
    roll_version: int
    drill: bool


class BuildingRow(Protocol):
    id: int
    name: str


class UnitRow(Protocol):
    id: int
    building_id: int
    number: str
    floor: int | None
    area_centi: int
    developer_unsold: bool


class PersonRow(Protocol):
    id: int
    name: str
    phone: str | None  # None: listed without a phone, cannot activate online


@dataclass(frozen=True)
class Totals:
    heads: int
    area_centi: int
    units: int
    electors: int
    head_rule: str


@dataclass(frozen=True)
class IssuedCode:
    person_id: int
    name: str
    units: str  # the owner's flats, as voting.flats.encode stores them
    code: str


@dataclass(frozen=True)
class RollChange:
    building: str
    unit: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class WithoutPhone:
    """Someone imported without a phone, who cannot activate an account online until one is
    added: the roll line, the unit, the name, and ``co_owner`` or ``developer``."""

    line: int
    building: str
    unit: str
    name: str
    role: str


@dataclass(frozen=True)
class ImportReport:
    applied: bool
    units: int
    added: int
    removed: int
    changed: Sequence[RollChange]
    summary_zh: str
    summary_en: str
    without_phone: Sequence[WithoutPhone] = ()


@dataclass(frozen=True)
class GrantView:
    """One role grant as a record (api/services/organisation.py): held, ended or revoked."""

    id: int
    role: str
    account_id: int
    holder: str  # the holder's display name
    phone: str  # for operators (the CLI); the GraphQL type does not carry it
    community_id: int | None
    district_id: int | None
    granted_at: datetime
    granted_by: str | None  # the granter's display name; None for the seed or the CLI
    reason: str
    ends_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    held: bool


@dataclass(frozen=True)
class SeatView:
    """One seat on a committee in office, sitting or ended (api/services/terms.py)."""

    id: int
    person_id: int
    name: str
    kind: str  # member | alternate
    position: int
    office: str | None  # chair | vice_chair
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None  # resigned | recalled | vacant | stepped_up | term_end
    recall_election_id: int | None
    stepped_up_from: int | None


@dataclass(frozen=True)
class TermView:
    """A term of the 业委会 or the 监委会 (issue #13 item 5)."""

    id: int
    committee: str
    election_id: int
    seats: int
    starts_at: datetime
    ends_at: datetime
    in_office: bool
    seat_records: list[SeatView]
    reminders: list[int]  # days before the end whose reminder is due (90, 30)


@dataclass(frozen=True)
class BodyMemberIn:
    """One member of an appointed body: an owner on the roll (``person_id``) or a community or
    party representative (``name`` and ``phone``)."""

    kind: str  # owner | community_rep | party_rep
    person_id: int | None = None
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class BodyMemberView:
    id: int
    kind: str  # owner | community_rep | party_rep
    name: str
    person_id: int | None
    role: str  # the grant's role: preparatory | stand_in
    phone: str | None  # for staff and officials; None for owners, who never see phones
    held: bool
    revoked_at: datetime | None
    revoke_reason: str | None


@dataclass(frozen=True)
class RunningBodyView:
    """A preparatory group or 物管会 (issue #13 item 2, api/services/running_bodies.py)."""

    id: int
    community_id: int
    kind: str  # preparatory | stand_in
    state: str  # in_force | ended | dissolved | revoked
    appointed_at: datetime
    appointed_by: str | None
    reason: str
    ends_at: datetime
    dissolved_at: datetime | None
    dissolve_reason: str | None
    members: Sequence[BodyMemberView]


@dataclass(frozen=True)
class BodyLetter:
    """A new member account's one-time activation code, shown once to the appointing official."""

    name: str
    phone: str
    code: str


class DistrictRow(Protocol):
    id: int
    name: str
    code: str


@dataclass(frozen=True)
class CommitteeView:
    """A committee as its latest certified selection made it (there is no other record)."""

    committee: str  # owners_committee | supervisory_committee
    election_id: int
    election_title: str
    state: str  # certified | published
    decided_at: datetime
    seats: int
    members: Sequence[str]  # the winners' names, in rank order
    vacancies: int
    participation_met: bool


@dataclass(frozen=True)
class CompoundStateView:
    community: CommunityRow
    committees: Sequence[CommitteeView]
    elections: Sequence[ElectionUnderWayView]
    proposals_open: int
    proposals_qualified: int
    proposals_scheduled: int
    consultations_open: int
    roles: Sequence[GrantView] = ()  # held now, owners aside


class Services(Protocol):
    """The service calls resolvers make; each checks the viewer's role and compound itself."""

    async def login(self, *, phone: str, password: str) -> tuple[Viewer, str]: ...
    async def logout(self) -> None: ...
    async def activate(self, *, phone: str, code: str, password: str) -> tuple[Viewer, str]: ...
    async def issue_activation_codes(
        self, *, community_id: int, person_ids: Sequence[int] | None
    ) -> Sequence[IssuedCode]: ...
    async def request_password_reset(self, *, phone: str) -> int: ...
    async def reset_password(
        self, *, phone: str, code: str, password: str
    ) -> tuple[Viewer, str]: ...
    async def issue_password_reset_letter(
        self, *, community_id: int, person_id: int
    ) -> IssuedCode: ...
    async def community(self, community_id: int) -> CommunityRow: ...
    async def communities(self, *, first: int, after: str | None) -> Page[CommunityRow]: ...
    async def my_communities(self) -> Sequence[CommunityRow]: ...
    async def totals(self, community_id: int) -> Totals: ...
    async def buildings(self, community_id: int) -> Sequence[BuildingRow]: ...
    async def units(
        self, community_id: int, *, first: int, after: str | None, building_id: int | None
    ) -> Page[UnitRow]: ...
    async def my_units(self, community_id: int) -> Sequence[UnitRow]: ...
    async def import_roll(
        self, *, community_id: int, csv_bytes: bytes, dry_run: bool
    ) -> ImportReport: ...
    async def create_community(
        self, *, district_id: int, name: str, address: str, drill: bool = False
    ) -> CommunityRow: ...
    async def district_overview(
        self, *, first: int, after: str | None
    ) -> Page[CompoundStateView]: ...
    async def district_dashboard(
        self,
        district_id: int,
        *,
        first: int,
        after: str | None,
        sort: str,
        descending: bool,
        filter: DashboardFilter,
    ) -> DashboardPage: ...
    async def district_summary(self, district_id: int, *, lang: str) -> DashboardSummary: ...
    async def district_alerts(
        self, district_id: int, *, first: int
    ) -> tuple[list[AlertView], int]: ...
    async def export_district_dashboard(
        self,
        district_id: int,
        *,
        sort: str,
        descending: bool,
        filter: DashboardFilter,
        fmt: str,
        lang: str,
    ) -> ExportFile: ...
    async def record_coverage(self, given: CoverageIn) -> CoverageView: ...
    async def districts(self) -> Sequence[DistrictRow]: ...
    async def create_district(self, *, name: str, code: str, reason: str) -> DistrictRow: ...
    async def appoint_official(
        self, *, district_id: int, phone: str, name: str, reason: str, ends_at: datetime | None
    ) -> tuple[GrantView, str | None]: ...
    async def revoke_role(self, *, grant_id: int, reason: str) -> GrantView: ...
    async def appoint_running_body(
        self,
        kind: str,
        *,
        community_id: int,
        members: Sequence[BodyMemberIn],
        ends_on: date,
        reason: str,
    ) -> tuple[RunningBodyView, Sequence[BodyLetter]]: ...
    async def running_bodies(self, community_id: int) -> Sequence[RunningBodyView]: ...
    async def committee_terms(self, community_id: int) -> Sequence[TermView]: ...
    async def record_committee_officers(
        self, term_id: int, *, chair_seat_id: int, vice_seat_ids: Sequence[int], reason: str
    ) -> TermView: ...
    async def end_committee_seat(
        self, seat_id: int, *, reason: str, recall_election_id: int | None
    ) -> TermView: ...
    async def start_re_election(
        self, term_id: int, *, opens_at: datetime, closes_at: datetime
    ) -> ElectionRow: ...
    async def update_community_settings(
        self, community_id: int, *, changes: Mapping[str, object], reason: str
    ) -> CommunityRow: ...
    async def community_roles(
        self, community_id: int, *, include_ended: bool
    ) -> Sequence[GrantView]: ...
    async def district_roles(
        self, district_id: int | None, *, include_ended: bool
    ) -> Sequence[GrantView]: ...


class LiveServices(Protocol):
    """Subscriptions' source (api/live/views.py): schema.live payloads, current state first."""

    def election_tally(self, election_id: int) -> AsyncGenerator[Any, None]: ...

    def proposal(self, proposal_id: int) -> AsyncGenerator[Any, None]: ...

    def consultation(self, version_id: int) -> AsyncGenerator[Any, None]: ...

    def complaint(self, complaint_id: int) -> AsyncGenerator[Any, None]: ...


class Printing(Protocol):
    """The QR codes of printed letters and notices (api/http/printing.py): PNG data URLs, or
    None when the service's public address is not known."""

    async def activation_qr(self, code: str) -> str | None: ...
    async def ballot_qr(self, election_id: int, elector_id: int, code: str) -> str | None: ...


class Context(Protocol):
    """The request context every resolver receives as ``info.context``."""

    services: Services
    printing: Printing
    voting: VotingServices
    drafting: DraftingServices
    nominations: NominationServices
    assessment: AssessmentServices
    notices: NoticeServices
    complaints: ComplaintServices
    inbox: InboxServices
    live: LiveServices
    viewer: Viewer | None
    lang: str
    page_max: int
    owners_of_unit: Loader[int, Sequence[PersonRow]]
    building_names: Loader[int, str]
    # an elector's stored flats (voting.flats.encode) and its owners' names: the proxy register
    elector_cards: Loader[int, tuple[str, Sequence[str]]]

    def remember_session(self, token: str) -> None: ...
    def forget_session(self) -> None: ...
    async def rollback(self) -> None: ...
