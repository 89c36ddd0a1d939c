"""Community proposals: write, submit, co-sign, qualify, answer, decide or withdraw.

Lifecycle (each change is a :class:`~api.store.models.ProposalEvent` with who and why, and an entry
in the compound's hash-chained audit log)::

    draft ──submit──▶ open ──(support reaches 20% heads AND 20% area)──▶ qualified
      │                 │                                                  │
      └──withdraw──▶ withdrawn ◀──withdraw (author, while open)            │
                        open / qualified ──committee answers──▶ scheduled | answered
                        scheduled ──owners voted──▶ decided

Why signatures are per elector and carry their weight: docs/design.md §2 counts one owner of several
units as one head with all their area, and co-owners of a unit together as one elector; the
20%/20% line of an extraordinary meeting is measured the same way. A signature made for an
elector is that elector's, whichever co-owner gave it, and the unique key on (proposal,
elector) makes a second one impossible even under concurrent requests. The weight is recorded
as it was when signed; the line is drawn against the current roll's totals.

Why signatures may be withdrawn only while the proposal is open: once the line is crossed the
request to convene is made (the committee must now answer it), and a later withdrawal cannot
unmake it — like a petition that has been filed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, delete, exists, func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, roll
from api.store.models import Community, Person, Proposal, ProposalEvent, ProposalSignature
from api.store.models.proposal import SEARCH_TABLE
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.drafting import (
    ProposalAnswer,
    ProposalCard,
    ProposalDecision,
    ProposalEventView,
    ProposalPage,
    ProposalView,
    SupportLine,
)
from schema.contract.errors import AppError, not_found
from voting import roll as voting_roll
from voting.roll import area_m2
from voting.rules import EXTRAORDINARY, MatterType

STATUS_ZH = {
    "draft": "草稿",
    "open": "征集联署中",
    "qualified": "已达联署门槛",
    "scheduled": "已安排表决",
    "answered": "已答复",
    "decided": "已表决",
    "withdrawn": "已撤回",
}
EXCERPT_CHARS = 120
SIGNABLE = ("open", "qualified")
ANSWERABLE = ("open", "qualified", "scheduled", "answered")
COMMENTABLE = ("open", "qualified", "scheduled", "answered")


# --- the roll, as support is measured against it ------------------------------------------------


@dataclass(frozen=True)
class RollSnapshot:
    """Totals and electors of one version of a compound's roll."""

    roll_version: int
    heads: int
    area_centi: int
    electors_of_person: dict[str, tuple[voting_roll.Elector, ...]]

    @property
    def line(self) -> SupportLine:
        return SupportLine(
            roll_heads=self.heads,
            roll_area_centi=self.area_centi,
            heads_needed=_needed(self.heads),
            area_needed_centi=_needed(self.area_centi),
            roll_version=self.roll_version,
        )


def _needed(whole: int) -> int:
    """The least part that is at least 1/5 of ``whole`` (``5 * part >= whole``), exactly."""
    return -(-whole * EXTRAORDINARY.num // EXTRAORDINARY.den) if whole else 0


class RollCache:
    """Roll snapshots keyed by (compound, roll version), bounded, one per database engine.

    Why: every proposals page shows support against the compound's totals, and counting a
    10,000-unit roll by the SPC rules takes tens of milliseconds. The roll changes only by an
    import, which bumps ``community.roll_version``, so a snapshot for a version never goes stale.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int], RollSnapshot] = OrderedDict()

    def get(self, key: tuple[int, int]) -> RollSnapshot | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[int, int], value: RollSnapshot) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


async def roll_snapshot(
    *, session: AsyncSession, community: Community, cache: RollCache
) -> RollSnapshot:
    key = (community.id, community.roll_version)
    found = cache.get(key)
    if found is not None:
        return found
    units = await roll.load_units(session, community.id)
    electors = (
        voting_roll.electors(units, voting_roll.HeadRule(community.head_rule)) if units else []
    )
    totals = voting_roll.totals(electors)
    by_person: dict[str, list[voting_roll.Elector]] = {}
    for elector in electors:
        for owner in elector.owner_ids:
            by_person.setdefault(owner, []).append(elector)
    snapshot = RollSnapshot(
        roll_version=community.roll_version,
        heads=totals.heads,
        area_centi=totals.area,
        electors_of_person={k: tuple(v) for k, v in by_person.items()},
    )
    cache.put(key, snapshot)
    return snapshot


# --- reading ------------------------------------------------------------------------------------


def _visible_to(viewer_id: int) -> ColumnElement[bool]:
    return or_(Proposal.status != "draft", Proposal.author_account_id == viewer_id)


def _card_columns(viewer_id: int) -> tuple[Any, ...]:
    signed = exists().where(
        ProposalSignature.proposal_id == Proposal.id, ProposalSignature.account_id == viewer_id
    )
    return (
        Proposal.id,
        Proposal.community_id,
        Proposal.title,
        func.substr(Proposal.body, 1, EXCERPT_CHARS).label("excerpt"),
        Proposal.category,
        Proposal.matter_type,
        Proposal.status,
        Proposal.author_name,
        Proposal.support_heads,
        Proposal.support_area_centi,
        Proposal.signature_count,
        Proposal.comment_count,
        signed.label("signed_by_me"),
        (Proposal.author_account_id == viewer_id).label("mine"),
        Proposal.created_at,
        Proposal.submitted_at,
        Proposal.qualified_at,
    )


def _card(m: RowMapping) -> ProposalCard:
    return ProposalCard(
        id=m["id"],
        community_id=m["community_id"],
        title=m["title"],
        excerpt=m["excerpt"],
        category=m["category"],
        matter_type=m["matter_type"],
        status=m["status"],
        author_name=m["author_name"],
        support_heads=m["support_heads"],
        support_area_centi=m["support_area_centi"],
        signature_count=m["signature_count"],
        comment_count=m["comment_count"],
        signed_by_me=bool(m["signed_by_me"]),
        mine=bool(m["mine"]),
        created_at=m["created_at"],
        submitted_at=m["submitted_at"],
        qualified_at=m["qualified_at"],
    )


def _search_terms(search: str) -> list[str]:
    text = textinput.line(search, field="search", cap=textinput.SEARCH_MAX, required=False)
    return textinput.search_key(text).split()


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_filter(session: AsyncSession, terms: list[str]) -> list[ColumnElement[bool]]:
    """Conditions for every term. On SQLite, terms of three characters or more go through the
    FTS5 trigram index in one MATCH (shorter ones cannot be trigram-matched and use LIKE); on
    PostgreSQL every term is a LIKE, which the pg_trgm GIN index serves from three characters
    on. ``search_text`` is NFKC case-folded, and so are the terms."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    where: list[ColumnElement[bool]] = []
    long_terms = [t for t in terms if sqlite and len(t) >= 3]
    if long_terms:
        match = " ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        where.append(
            Proposal.id.in_(
                select(literal_column("rowid"))
                .select_from(sql_text(SEARCH_TABLE))
                .where(sql_text(f"{SEARCH_TABLE} MATCH :match").bindparams(match=match))
            )
        )
    where.extend(
        Proposal.search_text.like(_like(t), escape="\\") for t in terms if t not in long_terms
    )
    return where


async def page(
    *,
    session: AsyncSession,
    community_id: int,
    viewer_id: int,
    first: int,
    after: str | None,
    status: str | None,
    search: str | None,
    mine: bool,
    line: SupportLine,
) -> ProposalPage:
    """One page, newest first: two statements (the count and the rows) whatever its size."""
    where: list[ColumnElement[bool]] = [
        Proposal.community_id == community_id,
        _visible_to(viewer_id),
    ]
    if status is not None:
        where.append(Proposal.status == status)
    if mine:
        where.append(Proposal.author_account_id == viewer_id)
    if search:
        where.extend(_search_filter(session, _search_terms(search)))
    total = int(
        (
            await session.execute(select(func.count()).select_from(Proposal).where(*where))
        ).scalar_one()
    )
    cursor = decode_cursor(after)
    query = select(*_card_columns(viewer_id)).where(*where)
    if cursor:
        query = query.where(Proposal.id < cursor)
    rows = (await session.execute(query.order_by(Proposal.id.desc()).limit(first + 1))).all()
    has_next = len(rows) > first
    cards = [_card(r._mapping) for r in rows[:first]]
    return ProposalPage(
        items=cards,
        total=total,
        end_cursor=encode_cursor(cards[-1].id) if cards else None,
        has_next=has_next,
        line=line,
    )


async def get(session: AsyncSession, proposal_id: int, *, lock: bool = False) -> Proposal:
    query = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise not_found("提案", "proposal")
    return row


async def view(
    *, session: AsyncSession, proposal_id: int, viewer_id: int, line: SupportLine
) -> ProposalView:
    found = (
        await session.execute(
            select(*_card_columns(viewer_id), Proposal).where(
                Proposal.id == proposal_id, _visible_to(viewer_id)
            )
        )
    ).first()
    if found is None:
        raise not_found("提案", "proposal")
    row: Proposal = found[-1]
    answer = (
        ProposalAnswer(
            kind=row.answer_kind,
            text=row.answer_text or "",
            by_name=row.answered_by_name or "",
            at=row.answered_at,
        )
        if row.answer_kind and row.answered_at
        else None
    )
    decision = (
        ProposalDecision(
            outcome=row.outcome,
            text=row.outcome_text or "",
            election_id=row.election_id,
            at=row.decided_at,
        )
        if row.outcome and row.decided_at
        else None
    )
    return ProposalView(
        card=_card(found._mapping), body=row.body, answer=answer, decision=decision, line=line
    )


async def history(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> list[list[ProposalEventView]]:
    """Batch for the DataLoader: each proposal's status changes, oldest first."""
    found: dict[int, list[ProposalEventView]] = {pid: [] for pid in proposal_ids}
    for e in (
        await session.execute(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id.in_(proposal_ids))
            .order_by(ProposalEvent.id)
        )
    ).scalars():
        found[e.proposal_id].append(
            ProposalEventView(
                from_status=e.from_status,
                to_status=e.to_status,
                actor_name=e.actor_name,
                reason=e.reason,
                at=e.created_at,
            )
        )
    return [found[pid] for pid in proposal_ids]


# --- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who acts: the account, the name shown for it, and its person on the roll (if any)."""

    account_id: int
    name: str
    person_ids: tuple[int, ...] = ()


async def owner_persons(
    session: AsyncSession, *, account_id: int, community_id: int
) -> list[tuple[int, str]]:
    """The roll entries (person id, name) of an account in one compound."""
    return [
        (pid, name)
        for pid, name in await session.execute(
            select(Person.id, Person.name)
            .where(Person.account_id == account_id, Person.community_id == community_id)
            .order_by(Person.id)
        )
    ]


def _fields(
    *, title: str, body: str, category: str, matter_type: int | None
) -> tuple[str, str, str, int | None]:
    title = textinput.line(title, field="title", cap=textinput.TITLE_MAX)
    body = textinput.prose(body, field="body", cap=textinput.PROPOSAL_BODY_MAX)
    category = textinput.key(category, field="category", cap=textinput.CATEGORY_MAX)
    if matter_type is not None and matter_type not in {m.value for m in MatterType}:
        raise AppError(
            "BAD_MATTER_TYPE",
            f"事项类型须为 1 到 9（《民法典》第二百七十八条），这里是 {matter_type}",
            f"the matter type must be 1 to 9 (Civil Code Art. 278), not {matter_type}",
            field="matterType",
        )
    return title, body, category, matter_type


async def _change_status(
    session: AsyncSession,
    proposal: Proposal,
    to: str,
    *,
    actor: Actor | None,
    reason: str,
    now: datetime,
) -> None:
    before = proposal.status
    proposal.status = to
    session.add(
        ProposalEvent(
            community_id=proposal.community_id,
            proposal_id=proposal.id,
            actor_account_id=actor.account_id if actor else None,
            actor_name=actor.name if actor else "系统",
            from_status=before,
            to_status=to,
            reason=reason,
            created_at=now,
        )
    )
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id if actor else None,
        action="proposal.status",
        proposal=proposal.id,
        before=before,
        after=to,
        reason=reason,
    )


def _refuse_status(proposal: Proposal, action_zh: str, action_en: str) -> AppError:
    return AppError(
        "BAD_STATUS",
        f"提案当前状态为“{STATUS_ZH[proposal.status]}”，不能{action_zh}",
        f"the proposal is {proposal.status}: it cannot be {action_en}",
        field="proposalId",
        extra={"status": proposal.status},
    )


def _search_text(title: str, body: str) -> str:
    return textinput.search_key(title + "\n" + body)


async def create(
    *,
    session: AsyncSession,
    community: Community,
    author: Actor,
    title: str,
    body: str,
    category: str,
    matter_type: int | None,
    now: datetime,
) -> Proposal:
    title, body, category, matter_type = _fields(
        title=title, body=body, category=category, matter_type=matter_type
    )
    if not author.person_ids:
        raise not_on_roll()
    row = Proposal(
        community_id=community.id,
        author_account_id=author.account_id,
        author_person_id=author.person_ids[0],
        author_name=author.name,
        title=title,
        body=body,
        category=category,
        matter_type=matter_type,
        status="draft",
        search_text=_search_text(title, body),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=author.account_id,
        action="proposal.create",
        proposal=row.id,
        title=title,
    )
    return row


def not_on_roll() -> AppError:
    return AppError(
        "NOT_ON_ROLL",
        "您不在本小区的业主名册上，不能提出或联署提案",
        "you are not on this compound's owner roll, so you cannot propose or co-sign",
    )


def _author_only(proposal: Proposal, actor: Actor) -> None:
    if proposal.author_account_id != actor.account_id:
        raise AppError(
            "NOT_AUTHOR",
            "只有提案人可以这样做",
            "only the proposal's author may do this",
            field="proposalId",
        )


async def update(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    title: str,
    body: str,
    category: str,
    matter_type: int | None,
) -> Proposal:
    """Edit a draft; once submitted, what owners co-signed must not change under them."""
    _author_only(proposal, actor)
    if proposal.status != "draft":
        raise _refuse_status(proposal, "修改", "edited")
    title, body, category, matter_type = _fields(
        title=title, body=body, category=category, matter_type=matter_type
    )
    proposal.title, proposal.body, proposal.category = title, body, category
    proposal.matter_type = matter_type
    proposal.search_text = _search_text(title, body)
    return proposal


async def submit(
    *,
    session: AsyncSession,
    proposal: Proposal,
    community: Community,
    actor: Actor,
    snapshot: RollSnapshot,
    now: datetime,
) -> int:
    """Open the proposal for co-signing; its author's electors sign it first."""
    _author_only(proposal, actor)
    if proposal.status != "draft":
        raise _refuse_status(proposal, "提交", "submitted")
    proposal.submitted_at = now
    await _change_status(session, proposal, "open", actor=actor, reason="", now=now)
    return await sign(
        session=session,
        proposal=proposal,
        community=community,
        actor=actor,
        snapshot=snapshot,
        now=now,
    )


async def withdraw(
    *, session: AsyncSession, proposal: Proposal, actor: Actor, reason: str, now: datetime
) -> None:
    _author_only(proposal, actor)
    if proposal.status not in ("draft", "open"):
        raise _refuse_status(proposal, "撤回", "withdrawn")
    reason = textinput.prose(reason, field="reason", cap=textinput.REASON_MAX)
    await _change_status(session, proposal, "withdrawn", actor=actor, reason=reason, now=now)


async def sign(
    *,
    session: AsyncSession,
    proposal: Proposal,
    community: Community,
    actor: Actor,
    snapshot: RollSnapshot,
    now: datetime,
) -> int:
    """Co-sign for every elector the actor may act for that has not signed yet.

    Returns how many electors signed. Refused when the proposal is not collecting signatures,
    the actor is not on the roll, or all their electors have signed already.
    """
    if proposal.status not in SIGNABLE:
        raise _refuse_status(proposal, "联署", "co-signed")
    mine: dict[str, tuple[int, voting_roll.Elector]] = {}
    for pid in actor.person_ids:
        for elector in snapshot.electors_of_person.get(str(pid), ()):
            mine.setdefault(elector.key, (pid, elector))
    if not mine:
        raise not_on_roll()
    already = set(
        (
            await session.execute(
                select(ProposalSignature.elector_key).where(
                    ProposalSignature.proposal_id == proposal.id,
                    ProposalSignature.elector_key.in_(list(mine)),
                )
            )
        ).scalars()
    )
    todo = [(pid, e) for key, (pid, e) in sorted(mine.items()) if key not in already]
    if not todo:
        raise AppError(
            "ALREADY_SIGNED",
            "您（或与您共有房屋的业主）已经联署过该提案",
            "you (or a co-owner of your unit) have already co-signed this proposal",
            field="proposalId",
        )
    for pid, elector in todo:
        session.add(
            ProposalSignature(
                community_id=proposal.community_id,
                proposal_id=proposal.id,
                elector_key=elector.key,
                account_id=actor.account_id,
                person_id=pid,
                heads=elector.heads,
                area_centi=elector.area,
                roll_version=snapshot.roll_version,
                created_at=now,
            )
        )
    proposal.support_heads += sum(e.heads for _, e in todo)
    proposal.support_area_centi += sum(e.area for _, e in todo)
    proposal.signature_count += len(todo)
    await session.flush()
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id,
        action="proposal.sign",
        proposal=proposal.id,
        electors=len(todo),
        heads=proposal.support_heads,
        area_centi=proposal.support_area_centi,
    )
    if proposal.status == "open" and qualifies(proposal, snapshot):
        proposal.qualified_at = now
        await _change_status(
            session,
            proposal,
            "qualified",
            actor=None,
            reason=(
                f"联署已达业主人数和专有部分面积的 20%：{proposal.support_heads}/"
                f"{snapshot.heads} 人，{area_m2(proposal.support_area_centi)}/"
                f"{area_m2(snapshot.area_centi)} 平方米"
            ),
            now=now,
        )
    return len(todo)


def qualifies(proposal: Proposal, snapshot: RollSnapshot) -> bool:
    """At least 20% of heads AND at least 20% of area (exact integer comparison)."""
    return EXTRAORDINARY.met_both(
        min(proposal.support_heads, snapshot.heads),
        min(proposal.support_area_centi, snapshot.area_centi),
        snapshot.heads,
        snapshot.area_centi,
    )


async def unsign(*, session: AsyncSession, proposal: Proposal, actor: Actor) -> int:
    """Withdraw the signatures this account gave, while the proposal is still open."""
    if proposal.status != "open":
        raise _refuse_status(proposal, "撤回联署", "un-signed")
    rows = list(
        (
            await session.execute(
                select(ProposalSignature).where(
                    ProposalSignature.proposal_id == proposal.id,
                    ProposalSignature.account_id == actor.account_id,
                )
            )
        ).scalars()
    )
    if not rows:
        raise AppError(
            "NOT_SIGNED",
            "您没有联署过该提案",
            "you have not co-signed this proposal",
            field="proposalId",
        )
    await session.execute(
        delete(ProposalSignature).where(ProposalSignature.id.in_([r.id for r in rows]))
    )
    proposal.support_heads -= sum(r.heads for r in rows)
    proposal.support_area_centi -= sum(r.area_centi for r in rows)
    proposal.signature_count -= len(rows)
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id,
        action="proposal.unsign",
        proposal=proposal.id,
        electors=len(rows),
        heads=proposal.support_heads,
        area_centi=proposal.support_area_centi,
    )
    return len(rows)


async def answer(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    kind: str,
    text: str,
    now: datetime,
) -> None:
    """The committee's official answer: schedule it for the owners' vote, or respond."""
    if proposal.status not in ANSWERABLE:
        raise _refuse_status(proposal, "答复", "answered")
    if kind not in ("schedule", "respond"):
        raise AppError(
            "BAD_ANSWER_KIND",
            "答复方式须为“安排表决”或“答复”",
            "the answer must schedule a vote or respond",
            field="kind",
        )
    text = textinput.prose(text, field="body", cap=textinput.PROPOSAL_BODY_MAX)
    proposal.answer_kind = kind
    proposal.answer_text = text
    proposal.answered_by = actor.account_id
    proposal.answered_by_name = actor.name
    proposal.answered_at = now
    to = "scheduled" if kind == "schedule" else "answered"
    await _change_status(session, proposal, to, actor=actor, reason=text, now=now)


async def decide(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    outcome: str,
    text: str,
    election_id: int | None,
    now: datetime,
) -> None:
    """Record the owners' decision on a scheduled proposal (and the election that made it)."""
    if proposal.status != "scheduled":
        raise _refuse_status(proposal, "记录表决结果", "decided")
    if outcome not in ("passed", "rejected", "other"):
        raise AppError(
            "BAD_OUTCOME",
            "表决结果须为通过、未通过或其他",
            "the outcome must be passed, rejected or other",
            field="outcome",
        )
    text = textinput.prose(text, field="outcome", cap=textinput.REASON_MAX)
    proposal.outcome, proposal.outcome_text = outcome, text
    proposal.election_id = election_id
    proposal.decided_at = now
    await _change_status(session, proposal, "decided", actor=actor, reason=text, now=now)
