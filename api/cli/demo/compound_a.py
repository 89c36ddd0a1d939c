"""Compound A (共治示范小区): five years of self-governance, seeded in order through the services.

1. The preparatory group drafts the 管理规约 (version 1), consults on it and answers every
   comment; records the forum; nominates candidates for the 业委会 and the 监委会; the official
   records 两考 (one candidate fails the review); the list is publicised.
2. The first election (both committees, and the statute) is announced with 15 days' notice,
   opened, voted by four electors in five, closed, signed off by the two supervisors and
   published; when its 15 days of result publicity end, ``seat_due`` (the job behind
   ``gongzhi take-office``) seats both committees for five years and the preparatory group's
   grants end. The committee records its chair and vice-chair; a year later a member resigns
   and the alternate steps up.
3. Now, 60 days before the term ends: two proposals (one qualified), version 2 of the statute
   under consultation, and the 换届 (re-election) — a new forum, 两考, an objection answered,
   supervisors proposed and confirmed — open for voting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import committee_seats, inbox_events, terms, vetting
from api.store.models import CommitteeTerm, Community, Election, Forum, Nomination, Person
from schema.contract.voting import AnswerIn, ElectionIn, QuestionIn

from . import board, forums, proposals, rules
from . import voting as vote
from .people import (
    COMMITTEE,
    OFFICIAL,
    PREPARATORY,
    SECOND_SUPERVISOR,
    SUPERVISOR,
    by_phone,
    staff_actor,
    viewer,
)
from .timeline import Timeline, timeline

FIRST_TITLE = "第一届业主委员会、业主监督委员会选举暨《管理规约》表决"
OPEN_TITLE = "第二届业主委员会换届选举暨续聘物业服务企业表决"
OPEN_RESOLUTION = "续聘示范物业服务有限公司（2027—2029 年）"
# the 监委会 within its bounds (3 to 5 by default)
OWNERS_SEATS, SUPERVISORY_SEATS = 5, 5
# of 20 voters, how many leave each candidate unticked (7 for the 业委会, 6 for the 监委会): the
# first five of each are elected in this order, the sixth is a qualified alternate, the seventh
# 业委会 candidate misses the double majority
OWNERS_LEFT_OUT = (2, 4, 5, 6, 7, 9, 14)
SUPERVISORY_LEFT_OUT = (2, 3, 4, 5, 6, 8)


@dataclass(frozen=True)
class Cast:
    """Who plays which part in compound A, picked from its activated owners in roll order."""

    owners_committee: list[Person]  # 7 pass 两考; the 8th fails the review
    supervisory: list[Person]
    newcomers: list[Person]  # stand in the 换届 with three sitting members; the 4th fails
    supervisors: list[Person]  # the 换届's supervisors
    commenters: list[Person]
    objector: Person
    proposers: list[Person]


def cast_of(activated: list[Person]) -> Cast:
    return Cast(
        owners_committee=activated[0:8],
        supervisory=activated[8:14],
        newcomers=activated[14:18],
        supervisors=activated[18:20],
        commenters=activated[20:27],
        objector=activated[27],
        proposers=activated[30:],
    )


def _first_ballot(voter: int, shape: vote.Layout) -> list[AnswerIn]:
    (q1, owners), (q2, supervisory), (q3, _) = shape
    r = voter % vote.PATTERN
    left_1 = vote.omissions(OWNERS_LEFT_OUT, 3)[r]
    left_2 = vote.omissions(SUPERVISORY_LEFT_OUT, 2)[r]
    answer = "no" if r in (3, 11) else "abstain" if r == 17 else "yes"
    return [
        AnswerIn(q1, None, [c for k, c in enumerate(owners) if k not in left_1]),
        AnswerIn(q2, None, [c for k, c in enumerate(supervisory) if k not in left_2]),
        AnswerIn(q3, answer, None),
    ]


async def _first_round(
    session: AsyncSession, rt: Runtime, community: Community, cast: Cast, tl: Timeline
) -> Election:
    """Everything up to the first election's publication."""
    prep = await staff_actor(session, PREPARATORY)
    official = (await by_phone(session, OFFICIAL)).id
    statute = await rules.first_version(
        session,
        community.id,
        runner=prep,
        owners=cast.commenters,
        opens=tl.rules_open,
        closes=tl.rules_close,
        min_days=rt.settings.consultation_min_days,
    )
    picks = [forums.Pick(p, passes=i < 7) for i, p in enumerate(cast.owners_committee)] + [
        forums.Pick(p, "supervisory_committee") for p in cast.supervisory
    ]
    forum, made = await forums.open_round(
        session,
        community,
        runner=prep.account_id,
        recorded=tl.forum,
        closes=tl.nominations_close,
        topic="首届业主委员会和业主监督委员会选举",
        picks=picks,
    )
    await forums.vet_and_publish(
        session, forum, made, picks, official=official, runner=prep.account_id, at=tl.vetted
    )
    spec = ElectionIn(
        title=FIRST_TITLE,
        description="首次业主大会：选举第一届业主委员会委员 5 名、业主监督委员会委员 5 名，"
        "并表决通过《管理规约》（第 1 版）。",
        opens_at=tl.opens,
        closes_at=tl.closes,
        extraordinary=False,
        visibility="supervisors",
        questions=[
            QuestionIn(
                "committee",
                f"选举业主委员会委员（{OWNERS_SEATS} 名）",
                "得票须超过参与表决的业主人数和专有面积的一半。",
                None,
                OWNERS_SEATS,
                "owners_committee",
                [p.id for p in cast.owners_committee[:7]],
            ),
            QuestionIn(
                "committee",
                f"选举业主监督委员会委员（{SUPERVISORY_SEATS} 名）",
                "同一人不能同时担任业主委员会和业主监督委员会委员。",
                None,
                SUPERVISORY_SEATS,
                "supervisory_committee",
                [p.id for p in cast.supervisory],
            ),
            QuestionIn(
                "resolution", "通过《管理规约》（第 1 版）", "", 2, None, None, (), statute.id
            ),
        ],
    )
    election = await vote.define_and_announce(
        session, community, spec, actor=prep.account_id, at=tl.announced
    )
    await vote.open_now(session, rt, community, election, actor=prep.account_id)
    await vote.cast_ballots(session, rt, election, _first_ballot, at=tl.opens + timedelta(days=2))
    supervisors = [(await by_phone(session, p)).id for p in (SUPERVISOR, SECOND_SUPERVISOR)]
    return await vote.close_certify_publish(
        session,
        rt,
        community,
        election,
        actor=prep.account_id,
        supervisors=supervisors,
        published=tl.published,
    )


async def _in_office(session: AsyncSession, cast: Cast, tl: Timeline) -> CommitteeTerm:
    """The committees take office; the committee's first meeting chooses its officers; a year
    later a member resigns and the alternate steps up."""
    seated = await terms.seat_due(session, tl.seated)
    assert not seated.refused, seated.refused
    term = next(t for t in seated.terms if t.committee == "owners_committee")
    seats = {s.person_id: s for s in await committee_seats.active_seats(session, term.id)}
    chair, vice, leaving = (cast.owners_committee[i] for i in (0, 1, 4))
    assert chair.account_id is not None
    chair_viewer = await viewer(session, _phone(chair), tl.seated + timedelta(days=3))
    await committee_seats.record_officers(
        session,
        actor=chair_viewer,
        term=term,
        chair_seat_id=seats[chair.id].id,
        vice_seat_ids=[seats[vice.id].id],
        reason="第一届业主委员会第一次会议选举主任、副主任（会议纪要第 1 号）",
        now=tl.seated + timedelta(days=3),
    )
    await committee_seats.end_seat(
        session,
        actor=await viewer(session, OFFICIAL, tl.resigned),
        term=term,
        seat=seats[leaving.id],
        reason="resigned",
        recall_election_id=None,
        now=tl.resigned,
    )
    return term


def _phone(person: Person) -> str:
    assert person.phone is not None
    return person.phone


async def _objection(
    session: AsyncSession,
    community: Community,
    forum: Forum,
    nomination: Nomination,
    objector: Person,
    official: int,
    tl: Timeline,
) -> None:
    """An owner objects to a candidate on the publicised list; the official answers."""
    assert objector.account_id is not None
    objection = await vetting.object_to(
        session=session,
        forum=forum,
        community=community,
        nomination=nomination,
        body="听说该候选人家里装修时占用了楼道，请核实。",
        actor=objector.account_id,
        now=tl.objection,
    )
    await vetting.answer(
        session=session,
        objection=objection,
        text="经社区和物业现场核实，楼道已于上月清理完毕，不影响其候选人资格。",
        actor=official,
        now=tl.objection + timedelta(days=1),
    )


async def _re_election(
    session: AsyncSession,
    rt: Runtime,
    community: Community,
    term: CommitteeTerm,
    cast: Cast,
    tl: Timeline,
) -> Election:
    """The 换届: forum, 两考, an objection answered, the draft made from the term, supervisors
    proposed and confirmed, voting open now."""
    committee = (await by_phone(session, COMMITTEE)).id
    official = await viewer(session, OFFICIAL, tl.vetted_2)
    picks = [forums.Pick(p) for p in cast.owners_committee[:3]] + [
        forums.Pick(p, passes=i < 3) for i, p in enumerate(cast.newcomers)
    ]
    forum, made = await forums.open_round(
        session,
        community,
        runner=committee,
        recorded=tl.forum_2,
        closes=tl.nominations_2_close,
        topic="第二届业主委员会换届选举",
        picks=picks,
    )
    await forums.vet_and_publish(
        session, forum, made, picks, official=official.account_id, runner=committee, at=tl.vetted_2
    )
    await _objection(session, community, forum, made[3], cast.objector, official.account_id, tl)
    draft = await terms.re_election_spec(session, term, opens_at=tl.opens_2, closes_at=tl.closes_2)
    spec = replace(
        draft,
        title=OPEN_TITLE,
        description=(
            "第一届业主委员会任期将满。选举第二届业主委员会委员 5 名（6 名候选人，差额选举），"
            "并表决是否续聘物业服务企业。投票需要登录账号和表决码通知书上的表决码；"
            "截止前可以重新投票，以最后一次为准。"
        ),
        questions=[
            replace(
                draft.questions[0],
                title=f"选举业主委员会委员（{OWNERS_SEATS} 名）",
                body="每张选票最多选 5 人；得票须超过参与表决的业主人数和专有面积的一半。",
            ),
            QuestionIn(
                "resolution",
                OPEN_RESOLUTION,
                "续聘现物业服务企业，合同期三年，收费标准不变。",
                4,
                None,
                None,
                (),
            ),
        ],
    )
    election = await vote.define_and_announce(
        session, community, spec, actor=committee, at=tl.announced_2
    )
    await vote.add_supervisors(
        session,
        community,
        election,
        proposer=await viewer(session, COMMITTEE, tl.announced_2),
        confirmer=await viewer(session, OFFICIAL, tl.announced_2 + timedelta(days=1)),
        person_ids=[p.id for p in cast.supervisors],
        at=tl.announced_2 + timedelta(days=1),
    )
    opened = await vote.open_now(session, rt, community, election, actor=committee)
    # the open vote's notices in the owners' inboxes and the outbox (issue #15)
    await inbox_events.election_announced(session, opened)
    await inbox_events.voting_opened(session, opened)
    return opened


async def seed_history(
    session: AsyncSession, rt: Runtime, community: Community, activated: list[Person]
) -> Election:
    """Compound A's whole history; returns the election open now."""
    tl = timeline(rt.clock())
    cast = cast_of(activated)
    await _first_round(session, rt, community, cast, tl)
    term = await _in_office(session, cast, tl)
    await proposals.seed_proposals(
        session, community, cast.proposers, at=tl.now - timedelta(days=60)
    )
    statute = await rules.statute_of(session, community.id)
    assert statute is not None
    await rules.second_version(
        session,
        statute.id,
        committee=await staff_actor(session, COMMITTEE),
        owners=cast.commenters,
        opens=tl.now - timedelta(days=5),
        closes=tl.now + timedelta(days=10),
        min_days=rt.settings.consultation_min_days,
    )
    election = await _re_election(session, rt, community, term, cast, tl)
    committee = (await staff_actor(session, COMMITTEE)).account_id
    await board.seed_board(session, rt, community, tl, committee=committee, objector=cast.objector)
    return election
