"""The owners' satisfaction survey of a compound's property company (issue #15 part 1,
docs/design.md §2 "Property assessment"): secret like a ballot (docs/design.md §3.3).

* **The roll** is frozen when the period opens (:func:`freeze`), electors derived by the
  compound's head rule exactly as for a vote (:func:`voting.roll.electors`); the developer's
  unsold units are left out, since the developer usually chose the company (前期物业).
* **One response per elector, changeable until the close:** a response row is keyed by the slot
  HMAC(survey secret, elector key) under a unique (survey, slot) constraint and replaced in place;
  the secret is derived from GONGZHI_SECRET_KEY and never stored.
* **No join links an owner to an answer:** the response row holds no account, person, unit,
  weight or time, its id is random, no audit entry records an answer, and no operation returns
  one response. Results are computed by deriving every elector's slot in memory
  (:func:`responses`) and are shown only after the close, by heads and by area with participation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import property_companies
from api.store.models import (
    AssessmentPeriod,
    Building,
    Community,
    Ownership,
    Person,
    Survey,
    SurveyElector,
    SurveyElectorOwner,
    SurveyResponse,
    Unit,
)
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, unauthenticated
from voting import assessment as va
from voting import roll as vroll
from voting import secrecy


def survey_secret(settings_key: bytes, survey_id: int) -> bytes:
    """The per-survey HMAC key of slot keys: derived, never stored (like an election's)."""
    return hmac.new(settings_key, f"survey:{survey_id}".encode(), hashlib.sha256).digest()


async def freeze(session: AsyncSession, survey: Survey, community: Community) -> None:
    """Store the survey's electors and who may answer for each; set its roll totals."""
    rows = (
        await session.execute(
            select(Unit.id, Unit.area_centi, Unit.number, Building.name)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.community_id == community.id, Unit.developer_unsold.is_(False))
            .order_by(Unit.position, Unit.id)
        )
    ).all()
    owners: dict[int, list[int]] = {}
    for unit_id, person_id in await session.execute(
        select(Ownership.unit_id, Ownership.person_id).where(Ownership.community_id == community.id)
    ):
        owners.setdefault(unit_id, []).append(person_id)
    label = {str(uid): f"{b}-{n}" for uid, _, n, b in rows}
    units = [
        vroll.UnitRecord(str(uid), area, frozenset(str(p) for p in owners.get(uid, ())))
        for uid, area, _, _ in rows
        if owners.get(uid)
    ]
    electors = vroll.electors(units, vroll.HeadRule(community.head_rule)) if units else []
    survey.roll_heads = sum(e.heads for e in electors)
    survey.roll_area = sum(e.area for e in electors)
    for e in electors:
        row = SurveyElector(
            survey_id=survey.id,
            key=e.key,
            heads=e.heads,
            area_centi=e.area,
            label="、".join(label[u] for u in e.unit_ids)[:400],
        )
        session.add(row)
        await session.flush()
        session.add_all(
            SurveyElectorOwner(elector_id=row.id, person_id=int(p)) for p in sorted(e.owner_ids)
        )


async def mine(
    session: AsyncSession, viewer: Viewer, survey_ids: Sequence[int], settings_key: bytes
) -> dict[int, list[tuple[SurveyElector, bool]]]:
    """Per survey, the viewer's electors (as an owner on the roll) and whether each answered:
    derived from the slot now, never stored beside the elector."""
    found = await session.execute(
        select(SurveyElector)
        .join(SurveyElectorOwner, SurveyElectorOwner.elector_id == SurveyElector.id)
        .join(Person, Person.id == SurveyElectorOwner.person_id)
        .where(SurveyElector.survey_id.in_(survey_ids), Person.account_id == viewer.account_id)
        .order_by(SurveyElector.id)
    )
    electors = list(found.scalars().unique())
    slots = {
        e.id: secrecy.slot_key(survey_secret(settings_key, e.survey_id), e.key) for e in electors
    }
    answered = set(
        (
            await session.execute(
                select(SurveyResponse.slot).where(
                    SurveyResponse.survey_id.in_(survey_ids),
                    SurveyResponse.slot.in_(list(slots.values())),
                )
            )
        ).scalars()
    )
    out: dict[int, list[tuple[SurveyElector, bool]]] = {}
    for e in electors:
        out.setdefault(e.survey_id, []).append((e, slots[e.id] in answered))
    return out


async def answer(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    survey: Survey,
    period: AssessmentPeriod,
    elector_id: int,
    scores: Mapping[str, int],
    settings_key: bytes,
    now: datetime,
) -> None:
    """Store or replace the elector's answers. Only a registered owner of that elector, while
    the period is open (checked under the period row's lock, at write time)."""
    if viewer is None:
        raise unauthenticated()
    if period.state != "open" or now >= period.closes_at:
        raise AppError.of(
            "SURVEY_CLOSED",
            "满意度测评已于 {closesAt:time} 截止",
            "the survey closed at {closesAt:time}",
            closesAt=period.closes_at,
        )
    elector = await session.get(SurveyElector, elector_id)
    owns = await session.execute(
        select(SurveyElectorOwner.id)
        .join(Person, Person.id == SurveyElectorOwner.person_id)
        .where(
            SurveyElectorOwner.elector_id == elector_id,
            Person.account_id == viewer.account_id,
        )
    )
    if elector is None or elector.survey_id != survey.id or owns.first() is None:
        # one refusal for "no such elector" and "not yours": no oracle of the roll
        raise forbidden()
    items = json.loads(period.settings_json)["items"]
    try:
        clean = va.check_scores(items, scores)
    except va.AssessmentError as error:
        raise property_companies.refusal(error, "scores") from None
    slot = secrecy.slot_key(survey_secret(settings_key, survey.id), elector.key)
    body = json.dumps(clean, ensure_ascii=False, sort_keys=True)
    row = (
        await session.execute(
            select(SurveyResponse).where(
                SurveyResponse.survey_id == survey.id, SurveyResponse.slot == slot
            )
        )
    ).scalar_one_or_none()
    if row is None:
        session.add(
            SurveyResponse(
                id=secrets.token_hex(16), survey_id=survey.id, slot=slot, scores_json=body
            )
        )
    else:
        row.scores_json = body
    await session.flush()


async def responses(
    session: AsyncSession, survey: Survey, settings_key: bytes
) -> list[va.Response]:
    """The survey's responses with their electors' weights: each elector's slot derived in
    memory and matched; a response whose slot matches no elector is not counted."""
    secret = survey_secret(settings_key, survey.id)
    weight = {
        secrecy.slot_key(secret, key): (heads, area)
        for key, heads, area in await session.execute(
            select(SurveyElector.key, SurveyElector.heads, SurveyElector.area_centi).where(
                SurveyElector.survey_id == survey.id
            )
        )
    }
    out: list[va.Response] = []
    for slot, body in await session.execute(
        select(SurveyResponse.slot, SurveyResponse.scores_json).where(
            SurveyResponse.survey_id == survey.id
        )
    ):
        if slot in weight:
            heads, area = weight[slot]
            out.append(va.Response(heads, area, json.loads(body)))
    return out


async def result(
    session: AsyncSession, survey: Survey, items: Sequence[str], settings_key: bytes
) -> va.SurveyResult:
    return va.survey_result(
        items,
        await responses(session, survey, settings_key),
        roll_heads=survey.roll_heads,
        roll_area=survey.roll_area,
    )


def store(survey: Survey, r: va.SurveyResult) -> None:
    """Keep the closed survey's means and participation (exact, as p/q): computing them means
    deriving every elector's slot (one HMAC each), done once at the close, not per reader."""
    survey.result_json = json.dumps(
        {
            "heads": r.heads,
            "area": r.area,
            "score": exact(r.score),
            "items": [[i, exact(h), exact(a)] for i, h, a in r.items],
        },
        ensure_ascii=False,
    )


def stored(survey: Survey) -> va.SurveyResult | None:
    if survey.result_json is None:
        return None
    data = json.loads(survey.result_json)
    return va.SurveyResult(
        tuple((i, fraction(h), fraction(a)) for i, h, a in data["items"]),
        data["heads"],
        data["area"],
        survey.roll_heads,
        survey.roll_area,
        fraction(data["score"]),
    )


async def answered(session: AsyncSession, survey: Survey) -> int:
    """Electors who have answered so far (each elector is one head, voting/roll.py): the
    response rows, counted without deriving any slot."""
    found = await session.execute(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    )
    return int(found.scalar_one())


def exact(v: Fraction | None) -> str | None:
    return None if v is None else f"{v.numerator}/{v.denominator}"


def fraction(v: str | None) -> Fraction | None:
    return None if v is None else Fraction(v)
