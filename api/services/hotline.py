"""Importing a 12345 hotline export into the complaint queue (issue #16 part 1; docs/design.md §7
"Complaints"): all or nothing, like the owner roll import.

An official of the district (or an admin) uploads the file (``importHotline``) or runs
``gongzhi import-12345``. The file is parsed whole (api/formats/hotline.py); each ticket's
compound is found by name among the district's compounds, and a ticket number already imported
into the district is refused (a re-import of the same export changes nothing by being refused,
row by row). Any fault refuses the whole file with every row's fault (row, column, why), in one
transaction that writes nothing; a dry run reports the same and writes nothing either.

A ticket becomes a complaint like an owner's report (voting.complaints.report: the compound's
deadline from the category, serious ones whistled at once), with ``source`` hotline, the ticket's
number and time, the caller's name and phone as the reporter (never shown to neighbours or the
compound: a hotline caller did not choose to be named), and an ``import`` event by the official.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import hotline as hotline_format
from api.services import audit, authz
from api.services.complaints import TIMING, categories_of, new_case_columns, tell_reporter
from api.store.models import Community, Complaint, ComplaintEvent, District
from schema.contract.community import Viewer
from schema.contract.complaints import HotlineReport, HotlineRowError
from schema.contract.errors import AppError, Detail, not_found
from voting import complaints as flow

MAX_ERRORS_REPORTED = 200


def _refused(errors: list[hotline_format.RowError]) -> AppError:
    n = len(errors)
    return AppError(
        "HOTLINE_INVALID",
        f"12345 工单文件有 {n} 处错误，未导入任何工单",
        f"the 12345 export has {n} error(s); nothing was imported",
        details=tuple(
            Detail(
                code="BAD_ROW", zh=e.zh, en=e.en, line=e.row, column=e.column, value=e.value or None
            )
            for e in errors[:MAX_ERRORS_REPORTED]
        ),
    )


async def _check_against_database(
    session: AsyncSession,
    district_id: int,
    tickets: list[hotline_format.Ticket],
    errors: list[hotline_format.RowError],
) -> dict[str, int]:
    """The district's compounds by name; a ticket naming another compound, or one imported
    before, adds its row's fault to ``errors``."""
    compounds = {
        name: cid
        for cid, name in await session.execute(
            select(Community.id, Community.name).where(Community.district_id == district_id)
        )
    }
    refs = [t.ref for t in tickets]
    taken = set(
        (
            await session.execute(
                select(Complaint.hotline_ref).where(
                    Complaint.district_id == district_id, Complaint.hotline_ref.in_(refs)
                )
            )
        ).scalars()
    )
    for t in tickets:
        if t.compound not in compounds:
            errors.append(
                hotline_format.RowError(
                    t.row,
                    "小区",
                    "本街道没有这个小区",
                    "no such compound in the district",
                    t.compound,
                )
            )
        if t.ref in taken:
            errors.append(
                hotline_format.RowError(
                    t.row, "工单编号", "该工单已导入过", "this ticket was imported before", t.ref
                )
            )
    return compounds


async def _import(
    session: AsyncSession,
    viewer: Viewer,
    district_id: int,
    community_id: int,
    t: hotline_format.Ticket,
    cats: Sequence[flow.Category],
    now: datetime,
) -> None:
    """One ticket as a complaint, with its ``import`` event."""
    case = flow.report(flow.category(cats, t.category), now, TIMING)
    row = Complaint(
        community_id=community_id,
        district_id=district_id,
        reporter_id=None,
        reporter_name=t.caller,
        reporter_phone=t.phone,
        reporter_public=False,
        source="hotline",
        hotline_ref=t.ref,
        category=t.category,
        text=t.text,
        unit_id=None,
        place=t.place,
        reported_at=t.at,
        **new_case_columns(case, now),
    )
    session.add(row)
    await session.flush()
    session.add(
        ComplaintEvent(
            complaint_id=row.id,
            at=now,
            actor_id=viewer.account_id,
            action="import",
            from_state=None,
            to_state=row.state,
            note=f"12345 工单 {t.ref}",
        )
    )
    await tell_reporter(session, row, action="import", now=now)


async def import_file(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    filename: str,
    data: bytes,
    dry_run: bool,
    now: datetime,
) -> HotlineReport:
    """Validate the whole export and import every ticket, or none (AppError HOTLINE_INVALID,
    with each fault as a detail: row, column, why)."""
    authz.require_district(viewer, district_id)
    assert viewer is not None
    district = await session.get(District, district_id)
    if district is None:
        raise not_found("街道", "district")
    cats = categories_of(district)
    parsed = hotline_format.parse(filename, data, cats)
    errors = list(parsed.errors)
    compounds = await _check_against_database(session, district.id, parsed.tickets, errors)
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        raise _refused(errors)
    if dry_run:
        return HotlineReport(imported=len(parsed.tickets), errors=[], dry_run=True)
    for t in parsed.tickets:
        await _import(session, viewer, district.id, compounds[t.compound], t, cats, now)
    await session.flush()
    await audit.record(
        session=session,
        chain=0,
        actor=viewer.account_id,
        action="complaint.hotline_import",
        district=district.id,
        tickets=len(parsed.tickets),
        file=filename[:200],
    )
    return HotlineReport(imported=len(parsed.tickets), errors=[], dry_run=False)


def row_errors(error: AppError) -> list[HotlineRowError]:
    """A refusal's details as rows (for the CLI's output)."""
    return [
        HotlineRowError(row=d.line or 0, column=d.column or "", message=d.zh) for d in error.details
    ]
