"""Checking and storing what an election puts to the owners: its header and its questions.

:func:`api.services.elections.define` creates a draft, or replaces a draft's whole definition,
through these: the title, schedule and visibility; each question (a Civil Code Art. 278
resolution, possibly adopting a rules version, or a committee selection with its seats and
candidates from the compound's roll). The election core then validates the set as a whole.

A committee selection's seats are checked against the law and the compound's settings when the
election is defined and again when it is announced (the settings it freezes then may have
changed): the 业委会's by :func:`voting.rules.validate_seats` and the compound's 业委会 bounds, the
监委会's by its own bounds (3–5 by default; the 业委会's 5–11 do not apply to it). A draft may hold
fewer candidates than seats while the running body completes it (a 换届 draft starts from the
vetted list); it is not announced so (:func:`check_announceable`, docs/design.md §3.10
"Seats and candidates").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.formats.hidden import first_hidden, shown
from api.services import compound_settings, documents, vetting
from api.services.compound_settings import CompoundSettings
from api.services.roll import totals
from api.services.voting_messages import app_error
from api.store.models import Candidate, Community, Election, Ownership, Person, Question
from schema.contract.errors import AppError
from schema.contract.voting import ElectionIn, QuestionIn
from voting.errors import VotingError
from voting.rules import MatterType, validate_seats
from voting.visibility import step_hides_a_ballot

VISIBILITIES = ("supervisors", "all", "sealed")
COMMITTEES = ("owners_committee", "supervisory_committee")
MAX_TITLE = 200
MAX_BODY = 20_000


def checked_header(spec: ElectionIn) -> tuple[str, str]:
    """The cleaned title and description, once the header's fields are acceptable."""
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
    return title, description


def check_tally_step(community: Community) -> None:
    """docs/design.md §3.7: a step of the live tally must hold more ballots than one person can
    cast (their own and ``proxy_cap`` proxies'), or steps hide nothing (issue #12)."""
    step, cap = community.tally_step, community.proxy_cap
    if not step_hides_a_ballot(step, cap):
        raise AppError.of(
            "TALLY_STEP_TOO_SMALL",
            "本小区的计票步长为 {tallyStep}，必须大于每人可代理的业主数上限加一"
            "（{proxyCap} + 1），即至少 {minimumStep}：一人最多投出自己和 {proxyCap} 位"
            "委托人的选票，每一步须多于此数，否则逐步公布的票数能读出别人的选票。"
            "请先调整小区的计票步长或代理上限。",
            "this compound's tally step is {tallyStep}; it must be larger than the proxy cap "
            "plus one ({proxyCap} + 1), so at least {minimumStep}: one person casts their own "
            "ballot and up to {proxyCap} proxies', and each step must hold more ballots than "
            "that or the released counts can show someone else's ballot. Change the compound's "
            "tally step or proxy cap first.",
            tallyStep=step,
            proxyCap=cap,
            minimumStep=cap + 2,
        )


COMMITTEE_NAMES = {"owners_committee": "业主委员会", "supervisory_committee": "业主监督委员会"}


def seat_bounds(settings: CompoundSettings, committee: str) -> tuple[int, int]:
    if committee == "supervisory_committee":
        return settings.supervisory_min_seats, settings.supervisory_max_seats
    return settings.committee_min_seats, settings.committee_max_seats


def check_seat_count(
    settings: CompoundSettings, committee: str, seats: int, heads: int, field: str
) -> None:
    """The 业委会: the law's 5–11 (3 in a small compound) and the compound's bounds; the 监委会:
    its own bounds only. Either way an odd number."""
    if committee == "owners_committee":
        try:
            validate_seats(seats, heads)
        except VotingError as e:
            raise app_error(e, field) from None
    low, high = seat_bounds(settings, committee)
    if seats % 2 == 0 or not low <= seats <= high:
        raise AppError.of(
            "SEATS_OUT_OF_BOUNDS",
            "{committee}的席位数须为本小区设置的 {low} 至 {high} 之间的奇数，现为 {seats}；"
            "如需调整，请街道先修改小区设置",
            "the {committee}'s seats must be an odd number from {low} to {high}, the compound's "
            "setting; it is {seats}. An official changes the compound's settings first if needed",
            field=field,
            committee=COMMITTEE_NAMES.get(committee, committee),
            low=low,
            high=high,
            seats=seats,
        )


async def check_announceable(
    session: AsyncSession,
    community: Community,
    questions: Sequence[Question],
    candidates: Sequence[Candidate],
) -> None:
    """Before an announcement: each committee selection's seats still fit the settings it is
    about to freeze, and it has at least as many candidates as seats. Fewer would announce
    seats no one can fill (docs/design.md §2: a contested election has more candidates than
    seats, and seats left unfilled are vacancies); the running body lowers the seats within
    the bounds or takes more nominations first."""
    settings = compound_settings.of_community(community)
    heads: int | None = None
    for pos, q in enumerate(questions):
        if q.kind != "committee":
            continue
        if heads is None:
            heads = (await totals(session, community)).heads
        committee, seats = q.committee or "", q.seats or 0
        check_seat_count(settings, committee, seats, heads, f"questions[{pos}].seats")
        standing = sum(1 for c in candidates if c.question_id == q.id)
        if standing < seats:
            low, high = seat_bounds(settings, committee)
            raise AppError.of(
                "TOO_FEW_CANDIDATES",
                "「{question}」有 {seats} 个席位，只有 {candidates} 名候选人：席位选不满，"
                "委员会也可能无法组成。请在本小区设置的 {low} 至 {high} 人（奇数）内减少席位，"
                "或增加经两考公示的候选人后再发布公告",
                "“{question}” has {seats} seats and only {candidates} candidates: the seats "
                "cannot all be filled and the committee may not be formed. Lower the seats "
                "within the compound's {low} to {high} (odd), or add candidates from a "
                "publicised vetted list, before announcing",
                field=f"questions[{pos}].candidates",
                question=q.title,
                seats=seats,
                candidates=standing,
                low=low,
                high=high,
            )


class _Definer:
    """Adds one draft's questions and candidates, reading the roll at most once."""

    def __init__(
        self, session: AsyncSession, community: Community, election: Election, now: datetime
    ) -> None:
        self.session = session
        self.community = community
        self.election = election
        self.now = now
        self.heads: int | None = None
        self.owners: dict[int, str] = {}
        self.questions: list[Question] = []
        self.candidates: list[Candidate] = []

    async def add_all(self, specs: Sequence[QuestionIn]) -> None:
        self.owners = {
            pid: name
            for pid, name in await self.session.execute(
                select(Person.id, Person.name)
                .join(Ownership, Ownership.person_id == Person.id)
                .where(Person.community_id == self.community.id)
            )
        }
        for pos, qs in enumerate(specs, start=1):
            await self.add(pos, qs)

    async def add(self, pos: int, qs: QuestionIn) -> None:
        field = f"questions[{pos - 1}]"
        q = Question(
            election_id=self.election.id,
            community_id=self.community.id,
            position=pos,
            kind=qs.kind,
            title=textinput.line(qs.title, field=f"{field}.title", cap=300),
            body=textinput.prose(qs.body, field=f"{field}.body", cap=MAX_BODY, required=False),
        )
        if qs.kind == "resolution":
            await self._resolution(q, qs, field)
        elif qs.kind == "committee":
            await self._committee(q, qs, field)
        else:
            raise AppError(
                "BAD_KIND",
                "事项类型无效",
                "kind must be resolution or committee",
                field=f"{field}.kind",
            )
        self.session.add(q)
        await self.session.flush()
        self.questions.append(q)
        if qs.kind == "committee":
            self._candidates(q, qs, field)

    async def _resolution(self, q: Question, qs: QuestionIn, field: str) -> None:
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
                session=self.session,
                community_id=self.community.id,
                version_id=qs.document_version_id,
                matter_type=qs.matter,
                now=self.now,
            )
            q.document_version_id = qs.document_version_id

    async def _committee(self, q: Question, qs: QuestionIn, field: str) -> None:
        if qs.committee not in COMMITTEES:
            raise AppError(
                "BAD_COMMITTEE",
                "请选择业委会或监委会",
                "choose the committee",
                field=f"{field}.committee",
            )
        if self.heads is None:
            self.heads = (await totals(self.session, self.community)).heads
        settings = compound_settings.of_community(self.community)
        check_seat_count(settings, qs.committee, qs.seats or 0, self.heads, f"{field}.seats")
        q.matter = int(MatterType.ELECT_COMMITTEE)
        q.seats = qs.seats
        q.committee = qs.committee

    def _candidates(self, q: Question, qs: QuestionIn, field: str) -> None:
        if not qs.candidate_person_ids:
            raise AppError(
                "NO_CANDIDATES",
                "请添加候选人",
                "add the candidates",
                field=f"{field}.candidates",
            )
        for cpos, pid in enumerate(qs.candidate_person_ids, start=1):
            if pid not in self.owners:
                raise AppError(
                    "NOT_AN_OWNER",
                    "候选人必须是本小区名册上的业主",
                    "candidates must be owners on this compound's roll",
                    field=f"{field}.candidates",
                )
            _check_candidate_name(self.owners[pid], f"{field}.candidates")
            if any(c.question_id == q.id and c.person_id == pid for c in self.candidates):
                raise AppError(
                    "DUPLICATE_CANDIDATE",
                    "候选人重复",
                    "a candidate is listed twice",
                    field=f"{field}.candidates",
                )
            c = Candidate(
                question_id=q.id,
                election_id=self.election.id,
                community_id=self.community.id,
                person_id=pid,
                name=self.owners[pid],
                position=cpos,
            )
            self.candidates.append(c)


def _check_candidate_name(name: str, field: str) -> None:
    """Refuse a candidate whose roll name holds a bidi control or an invisible character: the
    ballot would show another name than the one stored (issue #12 item 14). The roll import
    refuses such names; this also stops one already stored by an earlier import."""
    hit = first_hidden(name)
    if hit is None:
        return
    raise AppError.of(
        "TEXT_INVALID_CHARACTER",
        "候选人「{candidate}」的名册姓名含有不可见的格式字符 {character}（{characterName}），"
        "会在选票上显示成别的名字；请先更正名册（重新导入）",
        "the roll name of candidate “{candidate}” contains the invisible formatting character "
        "{character} ({characterName}), which would show another name on the ballot; correct "
        "the roll (re-import) first",
        field=field,
        candidate=shown(name),
        character=f"U+{ord(hit[1]):04X}",
        characterName=unicodedata.name(hit[1], "unnamed"),
    )


async def add_questions(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    specs: Sequence[QuestionIn],
    now: datetime,
) -> tuple[list[Question], list[Candidate]]:
    """Check and add ``specs`` to ``election`` (flushed); the stored questions and candidates."""
    definer = _Definer(session, community, election, now)
    await definer.add_all(specs)
    for pos, q in enumerate(definer.questions):
        if q.kind == "committee":
            # only candidates who passed 两考 reach a ballot (api/services/vetting.py)
            await vetting.check_ballot(
                session=session,
                community=community,
                committee=q.committee or "",
                person_ids=[c.person_id for c in definer.candidates if c.question_id == q.id],
                field=f"questions[{pos}].candidates",
            )
    session.add_all(definer.candidates)
    await session.flush()
    return definer.questions, definer.candidates
