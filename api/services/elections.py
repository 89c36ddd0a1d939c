"""Elections from draft to published: define, announce, open (freeze the roll), close (count),
certify and publish. Each transition is checked by :mod:`voting.lifecycle` against the server's
clock, and written to the compound's audit log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, documents
from api.services import ballots as ballot_store
from api.services.voting_messages import app_error
from api.store.models import (
    Building,
    Candidate,
    Certification,
    Community,
    Election,
    ElectionUnit,
    Elector,
    ElectorOwner,
    Ownership,
    PaperEntry,
    Person,
    Question,
    Unit,
)
from schema.contract.errors import AppError
from voting import ballot as vballot
from voting import lifecycle, secrecy
from voting import roll as vroll
from voting.errors import ErrorCode, VotingError
from voting.result import ResolutionResult, TallyResult, encode_result, result_digest
from voting.rules import MatterType, NoticeSettings, validate_seats

VISIBILITIES = ("supervisors", "all", "sealed")
COMMITTEES = ("owners_committee", "supervisory_committee")
MAX_TITLE = 200
MAX_BODY = 20_000


@dataclass(frozen=True)
class QuestionSpec:
    kind: str  # resolution | committee
    title: str
    body: str
    matter: int | None
    seats: int | None
    committee: str | None
    candidate_person_ids: Sequence[int]
    document_version_id: int | None = None


@dataclass(frozen=True)
class ElectionSpec:
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    extraordinary: bool
    visibility: str
    questions: Sequence[QuestionSpec]


def notice_settings(community: Community) -> NoticeSettings:
    return NoticeSettings(
        meeting_notice_days=community.meeting_notice_days,
        extraordinary_notice_days=community.extraordinary_notice_days,
        candidate_publicity_days=community.candidate_publicity_days,
        result_publicity_days=community.result_publicity_days,
    )


def schedule_of(e: Election, *, elects_committee: bool) -> lifecycle.Schedule:
    return lifecycle.Schedule(
        opens_at=e.opens_at,
        closes_at=e.closes_at,
        announced_at=e.announced_at,
        candidates_publicised_at=e.candidates_publicised_at,
        elects_committee=elects_committee,
        extraordinary=e.extraordinary,
    )


def election_secret(settings_key: bytes, election_id: int) -> bytes:
    """The per-election HMAC key for slot keys: derived, never stored (docs/design.md §3.3)."""
    import hashlib
    import hmac

    return hmac.new(settings_key, f"election:{election_id}".encode(), hashlib.sha256).digest()


async def questions_of(session: AsyncSession, election_id: int) -> list[Question]:
    return list(
        (
            await session.execute(
                select(Question)
                .where(Question.election_id == election_id)
                .order_by(Question.position)
            )
        ).scalars()
    )


async def candidates_of(session: AsyncSession, election_id: int) -> list[Candidate]:
    return list(
        (
            await session.execute(
                select(Candidate)
                .where(Candidate.election_id == election_id)
                .order_by(Candidate.question_id, Candidate.position)
            )
        ).scalars()
    )


def core_questions(
    questions: Sequence[Question], candidates: Sequence[Candidate]
) -> list[vballot.Question]:
    """The questions as the election core sees them: ids are the question ids; candidates are
    person ids, so that one person standing for both committees is caught."""
    by_q: dict[int, list[str]] = {}
    for c in candidates:
        by_q.setdefault(c.question_id, []).append(str(c.person_id))
    out: list[vballot.Question] = []
    for q in questions:
        if q.kind == "committee":
            out.append(
                vballot.CommitteeQuestion(
                    id=str(q.id),
                    seats=q.seats or 0,
                    candidate_ids=tuple(by_q.get(q.id, [])),
                    committee=q.committee or "owners_committee",  # type: ignore[arg-type]
                )
            )
        else:
            out.append(vballot.ResolutionQuestion(id=str(q.id), matter=MatterType(q.matter)))
    return out


async def _roll_heads(session: AsyncSession, community: Community) -> int:
    from api.services.roll import totals

    return (await totals(session, community)).heads


async def define(
    *,
    session: AsyncSession,
    community: Community,
    spec: ElectionSpec,
    actor: int,
    now: datetime,
    election: Election | None = None,
) -> Election:
    """Create a draft election, or replace a draft's whole definition."""
    title = textinput.line(spec.title, field="title", cap=MAX_TITLE)
    description = textinput.prose(
        spec.description, field="description", cap=MAX_BODY, required=False
    )
    if spec.visibility not in VISIBILITIES:
        raise AppError(
            "BAD_VISIBILITY",
            "公开方式无效",
            f"visibility must be one of {', '.join(VISIBILITIES)}",
            field="visibility",
        )
    if spec.closes_at <= spec.opens_at:
        raise AppError(
            "BAD_SCHEDULE",
            "截止时间须晚于开始时间",
            "closesAt must be after opensAt",
            field="closesAt",
        )
    if not spec.questions:
        raise AppError("NO_QUESTIONS", "至少需要一个表决事项", "add at least one question")
    if election is None:
        election = Election(community_id=community.id, created_by=actor)
        session.add(election)
    elif election.state != "draft":
        raise AppError(
            "NOT_DRAFT", "只有草稿可以修改", "only a draft can be changed", field="electionId"
        )
    election.title = title
    election.description = description
    election.opens_at = spec.opens_at
    election.closes_at = spec.closes_at
    election.extraordinary = spec.extraordinary
    election.visibility = spec.visibility
    election.tally_step = community.tally_step
    election.paper_policy = {"online": "online_wins", "paper": "paper_wins"}.get(
        community.paper_priority, "online_wins"
    )
    election.non_voter_rule = community.non_voter_rule
    election.proxy_cap = community.proxy_cap
    await session.flush()
    await session.execute(delete(Candidate).where(Candidate.election_id == election.id))
    await session.execute(delete(Question).where(Question.election_id == election.id))

    owners = {
        pid: name
        for pid, name in await session.execute(
            select(Person.id, Person.name)
            .join(Ownership, Ownership.person_id == Person.id)
            .where(Person.community_id == community.id)
        )
    }
    heads: int | None = None
    questions: list[Question] = []
    candidates: list[Candidate] = []
    for pos, qs in enumerate(spec.questions, start=1):
        field = f"questions[{pos - 1}]"
        q = Question(
            election_id=election.id,
            community_id=community.id,
            position=pos,
            kind=qs.kind,
            title=textinput.line(qs.title, field=f"{field}.title", cap=300),
            body=textinput.prose(qs.body, field=f"{field}.body", cap=MAX_BODY, required=False),
        )
        if qs.kind == "resolution":
            if qs.matter is None or not 1 <= qs.matter <= 9:
                raise AppError(
                    "BAD_MATTER",
                    "请选择《民法典》第二百七十八条所列的表决事项类型（1-9）",
                    "choose the Civil Code Art. 278 matter type (1-9)",
                    field=f"{field}.matter",
                )
            q.matter = qs.matter
            if qs.document_version_id is not None:
                # only a published version whose consultation closed with every comment
                # answered may be put to the owners (issue #4)
                await documents.ensure_adoptable(
                    session=session,
                    community_id=community.id,
                    version_id=qs.document_version_id,
                    matter_type=qs.matter,
                    now=now,
                )
                q.document_version_id = qs.document_version_id
        elif qs.kind == "committee":
            if qs.committee not in COMMITTEES:
                raise AppError(
                    "BAD_COMMITTEE",
                    "请选择业委会或监委会",
                    "choose the committee",
                    field=f"{field}.committee",
                )
            heads = heads if heads is not None else await _roll_heads(session, community)
            try:
                validate_seats(qs.seats or 0, heads)
            except VotingError as e:
                raise app_error(e, f"{field}.seats") from None
            q.matter = int(MatterType.ELECT_COMMITTEE)
            q.seats = qs.seats
            q.committee = qs.committee
        else:
            raise AppError(
                "BAD_KIND",
                "事项类型无效",
                "kind must be resolution or committee",
                field=f"{field}.kind",
            )
        session.add(q)
        await session.flush()
        questions.append(q)
        if qs.kind == "committee":
            if not qs.candidate_person_ids:
                raise AppError(
                    "NO_CANDIDATES",
                    "请添加候选人",
                    "add the candidates",
                    field=f"{field}.candidates",
                )
            for cpos, pid in enumerate(qs.candidate_person_ids, start=1):
                if pid not in owners:
                    raise AppError(
                        "NOT_AN_OWNER",
                        "候选人必须是本小区名册上的业主",
                        "candidates must be owners on this compound's roll",
                        field=f"{field}.candidates",
                    )
                if any(c.question_id == q.id and c.person_id == pid for c in candidates):
                    raise AppError(
                        "DUPLICATE_CANDIDATE",
                        "候选人重复",
                        "a candidate is listed twice",
                        field=f"{field}.candidates",
                    )
                c = Candidate(
                    question_id=q.id,
                    election_id=election.id,
                    community_id=community.id,
                    person_id=pid,
                    name=owners[pid],
                    position=cpos,
                )
                candidates.append(c)
    session.add_all(candidates)
    await session.flush()
    try:
        vballot.validate_questions(core_questions(questions, candidates))
    except VotingError as e:
        raise app_error(e, "questions") from None
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.define",
        election=election.id,
        questions=len(questions),
    )
    return election


async def _transition(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    action: lifecycle.Action,
    now: datetime,
    signoffs: Sequence[lifecycle.Signoff] = (),
) -> lifecycle.State:
    elects = any(q.kind == "committee" for q in await questions_of(session, election.id))
    schedule = schedule_of(election, elects_committee=elects)
    if action is lifecycle.Action.ANNOUNCE and elects:
        # the candidate list goes up with the announcement
        schedule = lifecycle.Schedule(
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            announced_at=now,
            candidates_publicised_at=now,
            elects_committee=True,
            extraordinary=schedule.extraordinary,
        )
    try:
        return lifecycle.transition(
            lifecycle.State(election.state),
            action,
            now=now,
            schedule=schedule,
            settings=notice_settings(community),
            signoffs=signoffs,
        )
    except VotingError as e:
        raise app_error(e) from None


async def announce(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    state = await _transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.ANNOUNCE,
        now=now,
    )
    election.state = state.value
    election.announced_at = now
    if any(q.kind == "committee" for q in await questions_of(session, election.id)):
        election.candidates_publicised_at = now
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.announce",
        election=election.id,
        opens_at=election.opens_at.isoformat(),
    )
    return election


async def cancel(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    state = await _transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.CANCEL,
        now=now,
    )
    election.state = state.value
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.cancel",
        election=election.id,
    )
    return election


async def open_voting(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    actor: int,
    now: datetime,
    code_key: bytes,
) -> Election:
    """Open voting: freeze the roll and the questions, publish their fingerprints, and derive
    each elector's voting code (only its MAC is stored)."""
    state = await _transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.OPEN,
        now=now,
    )
    rows = (
        await session.execute(
            select(Unit.id, Unit.area_centi, Unit.developer_unsold, Unit.number, Building.name)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.community_id == community.id)
            .order_by(Unit.id)
        )
    ).all()
    owners: dict[int, list[int]] = {}
    for unit_id, person_id in await session.execute(
        select(Ownership.unit_id, Ownership.person_id).where(Ownership.community_id == community.id)
    ):
        owners.setdefault(unit_id, []).append(person_id)
    try:
        units = [
            vroll.UnitRecord(
                unit_id=str(uid),
                area=area,
                owner_ids=frozenset() if unsold else frozenset(str(p) for p in owners.get(uid, ())),
                developer_unsold=unsold,
            )
            for uid, area, unsold, _, _ in rows
        ]
        electors = vroll.electors(units, vroll.HeadRule(community.head_rule))
        questions = await questions_of(session, election.id)
        qfp = vballot.questions_fingerprint(
            core_questions(questions, await candidates_of(session, election.id))
        )
    except VotingError as error:
        raise app_error(error) from None
    label = {str(uid): (f"{b}-{n}", b) for uid, _, _, n, b in rows}
    elector_of_unit = {u: e.key for e in electors for u in e.unit_ids}
    await ballot_store.bulk_insert(
        session,
        ElectionUnit,
        [
            {
                "election_id": election.id,
                "community_id": community.id,
                "unit_key": u.unit_id,
                "label": label[u.unit_id][0],
                "building": label[u.unit_id][1],
                "area_centi": u.area,
                "owner_ids": ",".join(sorted(u.owner_ids)),
                "developer_unsold": u.developer_unsold,
                "elector_key": elector_of_unit[u.unit_id],
            }
            for u in units
        ],
    )
    eid = str(election.id)
    elector_rows = []
    for e in electors:
        code = secrecy.derive_voting_code(code_key, eid, e.key, 1)
        elector_rows.append(
            {
                "election_id": election.id,
                "community_id": community.id,
                "key": e.key,
                "heads": e.heads,
                "area_centi": e.area,
                "label": "、".join(label[u][0] for u in e.unit_ids)[:400],
                "building": label[e.unit_ids[0]][1],
                "code_gen": 1,
                "code_mac": secrecy.code_mac(code_key, eid, code),
            }
        )
    await ballot_store.bulk_insert(session, Elector, elector_rows)
    ids = {
        key: i
        for i, key in await session.execute(
            select(Elector.id, Elector.key).where(Elector.election_id == election.id)
        )
    }
    unsold_contacts = sorted(
        {p for uid, _, unsold, _, _ in rows if unsold for p in owners.get(uid, ())}
    )
    links: list[dict[str, int]] = []
    for e in electors:
        persons = (
            unsold_contacts
            if e.key == vroll.DEVELOPER_KEY
            else sorted({int(p) for p in e.owner_ids})
        )
        links.extend(
            {
                "election_id": election.id,
                "community_id": community.id,
                "elector_id": ids[e.key],
                "person_id": p,
            }
            for p in persons
        )
    await ballot_store.bulk_insert(session, ElectorOwner, links)
    t = vroll.totals(electors)
    election.roll_heads = t.heads
    election.roll_area = t.area
    election.roll_fingerprint = vroll.fingerprint(units, electors)
    election.questions_fingerprint = qfp
    election.state = state.value
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.open",
        election=election.id,
        roll_fingerprint=election.roll_fingerprint,
        questions_fingerprint=qfp,
        heads=t.heads,
        area=t.area,
    )
    return election


async def close(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    actor: int | None,
    now: datetime,
    secret: bytes,
) -> Election:
    """Close voting after ``closesAt`` and count: the result, its digest and any lot drawn are
    stored and logged; supervisors certify this digest."""
    state = await _transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.CLOSE,
        now=now,
    )
    election.state = state.value
    election.closed_at = now
    # A paper entry still unconfirmed at the close will never count: forget whose paper it was
    # and what it said (docs/design.md §3.3); who entered it stays.
    unconfirmed = len(
        (
            await session.execute(
                update(PaperEntry)
                .where(PaperEntry.election_id == election.id, PaperEntry.status == "pending")
                .values(status="rejected", elector_id=None, choices=None)
                .returning(PaperEntry.id)
            )
        ).all()
    )
    result = await ballot_store.recount(session=session, election=election, secret=secret)
    election.result_json = encode_result(result)
    election.result_digest = result_digest(result)
    await _adopt_documents(session, community, election, result, actor=actor, now=now)
    lots = [
        {"question": lot.question_id, "candidates": list(lot.candidate_ids), "lots": list(lot.lots)}
        for q in result.questions
        for lot in getattr(q, "lots", ())
    ]
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.close",
        election=election.id,
        ballots=result.ballots,
        result_digest=election.result_digest,
        ledger_head=election.ledger_head,
        lots=lots,
        paper_unconfirmed=unconfirmed,
    )
    return election


async def _adopt_documents(
    session: AsyncSession,
    community: Community,
    election: Election,
    result: TallyResult,
    *,
    actor: int | None,
    now: datetime,
) -> None:
    """A passed resolution on a rules version puts that version in force, linked to the vote."""
    passed = {
        r.question_id for r in result.questions if isinstance(r, ResolutionResult) and r.passed
    }
    for q in await questions_of(session, election.id):
        if q.document_version_id is not None and str(q.id) in passed:
            await documents.mark_adopted(
                session=session,
                community_id=community.id,
                version_id=q.document_version_id,
                election_id=election.id,
                question_id=q.id,
                matter_type=q.matter,
                now=now,
                actor=actor,
            )


async def sign_off(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    supervisor: int,
    result_digest_: str,
    roll_fingerprint: str,
    ledger_head: str,
    now: datetime,
) -> Election:
    """A supervisor signs the three values they checked; the second distinct signature
    certifies the result."""
    if election.state != "closed":
        raise AppError(
            "NOT_CLOSED", "只有已截止的表决可以签字确认", "only a closed election can be certified"
        )
    current = (election.result_digest, election.roll_fingerprint, election.ledger_head)
    if (result_digest_, roll_fingerprint, ledger_head) != current:
        raise app_error(VotingError(ErrorCode.SIGNOFF_MISMATCH))
    existing = (
        await session.execute(
            select(Certification).where(
                Certification.election_id == election.id,
                Certification.supervisor_id == supervisor,
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            Certification(
                election_id=election.id,
                community_id=community.id,
                supervisor_id=supervisor,
                result_digest=result_digest_,
                roll_fingerprint=roll_fingerprint,
                ledger_head=ledger_head,
                signed_at=now,
            )
        )
        await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=supervisor,
        action="election.signoff",
        election=election.id,
        result_digest=result_digest_,
    )
    signoffs = [
        lifecycle.Signoff(str(c.supervisor_id), c.result_digest, c.roll_fingerprint, c.ledger_head)
        for c in (
            await session.execute(
                select(Certification).where(Certification.election_id == election.id)
            )
        ).scalars()
    ]
    if len({s.supervisor_id for s in signoffs}) >= lifecycle.MIN_SIGNOFFS:
        await _transition(
            session=session,
            community=community,
            election=election,
            action=lifecycle.Action.CERTIFY,
            now=now,
            signoffs=signoffs,
        )
        election.state = "certified"
        election.certified_at = now
        await audit.record(
            session=session,
            chain=community.id,
            actor=supervisor,
            action="election.certify",
            election=election.id,
            supervisors=[s.supervisor_id for s in signoffs],
        )
    return election


async def publish(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    state = await _transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.PUBLISH,
        now=now,
    )
    election.state = state.value
    election.published_at = now
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.publish",
        election=election.id,
        result_digest=election.result_digest,
    )
    return election


async def signoffs(session: AsyncSession, election_id: int) -> list[Certification]:
    return list(
        (
            await session.execute(
                select(Certification)
                .where(Certification.election_id == election_id)
                .order_by(Certification.signed_at)
            )
        ).scalars()
    )


async def list_for(session: AsyncSession, community_id: int) -> list[Election]:
    return list(
        (
            await session.execute(
                select(Election)
                .where(Election.community_id == community_id)
                .order_by(Election.id.desc())
            )
        ).scalars()
    )


async def electors_for_person(
    session: AsyncSession, election_id: int, account_id: int
) -> list[Elector]:
    return list(
        (
            await session.execute(
                select(Elector)
                .join(ElectorOwner, ElectorOwner.elector_id == Elector.id)
                .join(Person, Person.id == ElectorOwner.person_id)
                .where(Elector.election_id == election_id, Person.account_id == account_id)
                .order_by(Elector.id)
            )
        ).scalars()
    )


async def elector_count(session: AsyncSession, election_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(Elector).where(Elector.election_id == election_id)
            )
        ).scalar_one()
    )


def result_payload(election: Election) -> dict[str, object] | None:
    return None if election.result_json is None else json.loads(election.result_json)
