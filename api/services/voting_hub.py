"""The :class:`schema.contract.voting.VotingServices` implementation, one per request.

It decides who may do what (:mod:`api.services.authz`), turns GraphQL input into the election core's
terms, and calls :mod:`api.services.elections` and :mod:`api.services.ballots`. The pairing
of an elector with a choice exists only inside a cast, never in anything returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, literal_column, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from api.live import views as live
from api.runtime import Runtime
from api.services import audit, authz, tallies, verification
from api.services import ballots as store
from api.services import elections as svc
from api.services.accounts import normalize_phone
from api.services.voting_messages import app_error
from api.store.models import (
    Ballot,
    Community,
    Election,
    Elector,
    ElectorOwner,
    PaperEntry,
    Person,
    Proxy,
)
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from schema.contract.voting import (
    AnswerIn,
    BuildingTurnoutView,
    ElectionIn,
    MyElectorView,
    NoticeView,
    ReceiptView,
    ResultView,
    TallyView,
    VerifyView,
)
from voting import ballot as vballot
from voting import lifecycle, secrecy
from voting.channel import Channel, check_four_eyes, check_proxy_cap
from voting.errors import VotingError
from voting.rules import PARTICIPATION

RUNNERS = frozenset({"committee", "preparatory", "official"})
SUPERVISORS = frozenset({"supervisor"})
OVERSEERS = frozenset({"supervisor", "official"})
STAFF_VIEW = RUNNERS | SUPERVISORS


class CastElection(NamedTuple):
    """The columns of an election that a cast reads (not the ORM row: a cast runs per ballot)."""

    id: int
    state: str
    opens_at: datetime
    closes_at: datetime
    questions_fingerprint: str | None


class CastElector(NamedTuple):
    elector_id: int
    key: str
    code_mac: str
    via_proxy: bool


_election = Election.__table__.c
_elector = Elector.__table__.c
_owner = ElectorOwner.__table__.c
_person = Person.__table__.c
_proxy = Proxy.__table__.c
# Core statements built once: the cast path runs them for every ballot.
# Own electors: driven from the account's persons (an IN subquery), not from the election's
# electors, which SQLite's planner picks for the equivalent join and then scans whole (about
# 2 ms per cast at 6,000 electors, growing with the roll).
_CAST_ELECTORS = union_all(
    select(
        _elector.id, _elector.key, _elector.code_mac, literal_column("0").label("via_proxy")
    ).where(
        _elector.election_id == bindparam("election_id"),
        _elector.id.in_(
            select(_owner.elector_id)
            .join(Person.__table__, _person.id == _owner.person_id)
            .where(_person.account_id == bindparam("account_id"))
        ),
    ),
    select(_elector.id, _elector.key, _elector.code_mac, literal_column("1").label("via_proxy"))
    .select_from(Elector.__table__.join(Proxy.__table__, _proxy.elector_id == _elector.id))
    .where(
        _proxy.election_id == bindparam("election_id"),
        _proxy.holder_phone == bindparam("phone"),
        _proxy.revoked_at.is_(None),
    ),
)
# The election's schedule with the viewer's electors, in one round trip: one row per elector,
# or a single row with no elector (NULLs) when the viewer has none; no row: no such election.
_mine = _CAST_ELECTORS.subquery("mine")
_CAST_LOOKUP = (
    select(
        _election.id,
        _election.state,
        _election.opens_at,
        _election.closes_at,
        _election.questions_fingerprint,
        _mine.c.id,
        _mine.c.key,
        _mine.c.code_mac,
        _mine.c.via_proxy,
    )
    .select_from(Election.__table__.outerjoin(_mine, true()))
    .where(_election.id == bindparam("election_id"))
)


class VotingHub:
    def __init__(
        self,
        runtime: Runtime,
        session: AsyncSession,
        viewer: Viewer | None,
        *,
        after_commit: list[Callable[[], Awaitable[None]]] | None = None,
    ) -> None:
        self.rt = runtime
        self.session = session
        self.viewer = viewer
        # announcements the request makes once its transaction commits (live subscriptions)
        self.after_commit = after_commit if after_commit is not None else []

    def _announce(self, election: Election) -> None:
        live = self.rt.live
        if live is not None:
            self.after_commit.append(lambda: live.publish_election(election))

    # helpers ------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.rt.clock()

    @property
    def code_key(self) -> bytes:
        return self.rt.settings.key("voting-code")

    def secret(self, election_id: int) -> bytes:
        return svc.election_secret(self.rt.settings.key("slot"), election_id)

    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def _load(
        self, election_id: int, roles: frozenset[str] = authz.MEMBERS
    ) -> tuple[Election, Community]:
        viewer = self._me()
        election = await self.session.get(Election, election_id)
        community = (
            None if election is None else await self.session.get(Community, election.community_id)
        )
        if election is None or community is None:
            raise not_found("表决", "election")
        if not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            # A proxy holder need not belong to the compound (docs/design.md §2: "another person"):
            # while their authorisation is active they read the election as an owner would.
            if roles != authz.MEMBERS or not await self._holds_proxy(election.id, viewer):
                raise not_found("表决", "election")
            return election, community
        authz.require(viewer, roles, community_id=community.id, district_id=community.district_id)
        return election, community

    async def _holds_proxy(self, election_id: int, viewer: Viewer) -> bool:
        return (
            await self.session.execute(
                select(Proxy.id)
                .where(
                    Proxy.election_id == election_id,
                    Proxy.holder_phone == viewer.phone,
                    Proxy.revoked_at.is_(None),
                )
                .limit(1)
            )
        ).first() is not None

    def _can(self, community: Community, roles: frozenset[str]) -> bool:
        return authz.allowed(
            self.viewer, roles, community_id=community.id, district_id=community.district_id
        )

    def _spec(self, spec: ElectionIn) -> svc.ElectionSpec:
        return svc.ElectionSpec(
            title=spec.title,
            description=spec.description,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            extraordinary=spec.extraordinary,
            visibility=spec.visibility,
            questions=[
                svc.QuestionSpec(
                    kind=q.kind,
                    title=q.title,
                    body=q.body,
                    matter=q.matter,
                    seats=q.seats,
                    committee=q.committee,
                    candidate_person_ids=q.candidate_person_ids,
                    document_version_id=q.document_version_id,
                )
                for q in spec.questions
            ],
        )

    # reads --------------------------------------------------------------------------------
    async def election(self, election_id: int) -> Election:
        election, community = await self._load(election_id)
        if election.state == "draft" and not self._can(community, STAFF_VIEW):
            raise not_found("表决", "election")
        return election

    async def elections(self, community_id: int) -> Sequence[Election]:
        viewer = self._me()
        community = await self.session.get(Community, community_id)
        if community is None or not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            raise not_found("小区", "compound")
        rows = await svc.list_for(self.session, community_id)
        if self._can(community, STAFF_VIEW):
            return rows
        return [e for e in rows if e.state != "draft"]

    async def questions(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await svc.questions_of(self.session, election_id)

    async def candidates(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await svc.candidates_of(self.session, election_id)

    async def my_electors(self, election_id: int) -> Sequence[MyElectorView]:
        viewer = self._me()
        election = await self.session.get(Election, election_id)
        if election is None:
            raise not_found("表决", "election")
        own = await svc.electors_for_person(self.session, election_id, viewer.account_id)
        proxied = list(
            (
                await self.session.execute(
                    select(Elector)
                    .join(Proxy, Proxy.elector_id == Elector.id)
                    .where(
                        Proxy.election_id == election_id,
                        Proxy.holder_phone == viewer.phone,
                        Proxy.revoked_at.is_(None),
                    )
                )
            ).scalars()
        )
        if not own and not proxied:
            return []
        voted = await store.voted_slots(self.session, election_id)
        secret = self.secret(election_id)
        views = [
            MyElectorView(e.id, e.label, False, secrecy.slot_key(secret, e.key) in voted)
            for e in own
        ]
        mine = {e.id for e in own}
        views.extend(
            MyElectorView(e.id, e.label, True, secrecy.slot_key(secret, e.key) in voted)
            for e in proxied
            if e.id not in mine
        )
        return views

    async def tally(self, election_id: int) -> TallyView:
        election, community = await self._load(election_id)
        if election.state in ("draft", "announced", "cancelled"):
            raise AppError("NOT_OPEN", "投票尚未开始", "voting has not opened yet")
        closed = election.state in live.CLOSED
        viewer_class = live.viewer_class(self._me(), community)
        supervisor = viewer_class == live.OVERSEER
        counts_visible = live.counts_visible(election.state, election.visibility, viewer_class)
        if counts_visible and not closed:
            # docs/design.md §3.7: every start of a live-count view is logged (own short
            # transaction: this request only reads)
            async with self.rt.writer() as log_session:
                await audit.record(
                    session=log_session,
                    chain=community.id,
                    actor=self._me().account_id,
                    action="tally.view",
                    election=election.id,
                    view=viewer_class,
                )
                await log_session.commit()
        step = 1 if closed else max(1, election.tally_step)
        view = await tallies.released_tally(
            session=self.session,
            election=election,
            secret=self.secret(election.id),
            step=step,
            cache=self.rt.tally_cache,
        )
        questions = None
        if counts_visible:
            questions = live.question_counts(view)
        return TallyView(
            step=step,
            released_ballots=view.ballots,
            ballots=view.exact_ballots if (supervisor or closed) else None,
            participating_heads=view.heads,
            participating_area=view.area,
            total_heads=election.roll_heads,
            total_area=election.roll_area,
            participation_met=PARTICIPATION.met_both(
                view.heads, view.area, election.roll_heads, election.roll_area
            ),
            questions=questions,
            ledger_seq=election.ledger_seq,
            ledger_head=election.ledger_head,
        )

    async def building_turnout(self, election_id: int) -> Sequence[BuildingTurnoutView]:
        election, _ = await self._load(election_id, STAFF_VIEW)
        rows = await store.building_turnout(self.session, election.id, self.secret(election.id))
        return [BuildingTurnoutView(b, n, v) for b, n, v in rows]

    async def result(self, election_id: int) -> ResultView | None:
        election, community = await self._load(election_id)
        if election.result_json is None or election.result_digest is None:
            return None
        if election.state != "published" and not self._can(community, STAFF_VIEW):
            return None
        return ResultView(election.result_json, election.result_digest)

    async def signoffs(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await svc.signoffs(self.session, election_id)

    async def tracking_codes(
        self, election_id: int, *, first: int, after: str | None
    ) -> tuple[Sequence[str], int, str | None, bool]:
        """The counted tracking codes, sorted by code (not by time: order must reveal nothing)."""
        await self.election(election_id)
        where = [Ballot.election_id == election_id, Ballot.status == "counted"]
        total = int(
            (
                await self.session.execute(select(func.count()).select_from(Ballot).where(*where))
            ).scalar_one()
        )
        start = decode_cursor(after)
        codes = [
            t
            for (t,) in await self.session.execute(
                select(Ballot.tracking)
                .where(*where)
                .order_by(Ballot.tracking)
                .offset(start)
                .limit(first + 1)
            )
        ]
        has_next = len(codes) > first
        codes = codes[:first]
        return codes, total, encode_cursor(start + len(codes)) if codes else None, has_next

    async def ballot_status(self, election_id: int, tracking: str) -> str:
        await self.election(election_id)
        prefix = tracking.replace("-", "").replace(" ", "").lower()
        if len(prefix) < 16 or any(c not in "0123456789abcdef" for c in prefix):
            raise AppError(
                "BAD_TRACKING_CODE",
                "查验码格式不正确：应为回执上的 16 位字母数字",
                "the tracking code should be the 16 characters printed on your receipt",
                field="trackingCode",
            )
        rows = (
            (
                await self.session.execute(
                    select(Ballot.status).where(
                        Ballot.election_id == election_id, Ballot.tracking.startswith(prefix)
                    )
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            return "unknown"
        return "counted" if "counted" in rows else "superseded"

    async def verify(self, election_id: int) -> VerifyView:
        election, _ = await self._load(election_id, OVERSEERS)
        report = await verification.verify_election(
            session=self.session, election=election, secret=self.secret(election.id)
        )
        return report

    async def electors(
        self, election_id: int, *, building: str | None, first: int, after: str | None
    ) -> tuple[Sequence[Elector], int, str | None, bool]:
        await self._load(election_id, STAFF_VIEW)
        where = [Elector.election_id == election_id]
        if building:
            where.append(Elector.building == building)
        total = int(
            (
                await self.session.execute(select(func.count()).select_from(Elector).where(*where))
            ).scalar_one()
        )
        rows = list(
            (
                await self.session.execute(
                    select(Elector)
                    .where(*where, Elector.id > decode_cursor(after))
                    .order_by(Elector.id)
                    .limit(first + 1)
                )
            ).scalars()
        )
        has_next = len(rows) > first
        rows = rows[:first]
        return rows, total, encode_cursor(rows[-1].id) if rows else None, has_next

    async def proxies(self, election_id: int) -> Sequence[Proxy]:
        await self._load(election_id, STAFF_VIEW)
        return list(
            (
                await self.session.execute(
                    select(Proxy).where(Proxy.election_id == election_id).order_by(Proxy.id)
                )
            ).scalars()
        )

    # lifecycle ----------------------------------------------------------------------------
    async def create(self, community_id: int, spec: ElectionIn) -> Election:
        viewer = self._me()
        community = await self.session.get(Community, community_id)
        if community is None or not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            raise not_found("小区", "compound")
        authz.require(viewer, RUNNERS, community_id=community.id, district_id=community.district_id)
        return await svc.define(
            session=self.session,
            community=community,
            spec=self._spec(spec),
            now=self.now,
            actor=viewer.account_id,
        )

    async def update(self, election_id: int, spec: ElectionIn) -> Election:
        election, community = await self._load(election_id, RUNNERS)
        return await svc.define(
            session=self.session,
            community=community,
            spec=self._spec(spec),
            now=self.now,
            actor=self._me().account_id,
            election=election,
        )

    async def transition(self, election_id: int, action: str) -> Election:
        roles = (RUNNERS | SUPERVISORS) if action in ("close", "publish") else RUNNERS
        election, community = await self._load(election_id, roles)
        actor = self._me().account_id
        common = {
            "session": self.session,
            "community": community,
            "election": election,
            "actor": actor,
            "now": self.now,
        }
        if action == "announce":
            changed = await svc.announce(**common)  # type: ignore[arg-type]
        elif action == "cancel":
            changed = await svc.cancel(**common)  # type: ignore[arg-type]
        elif action == "open":
            changed = await svc.open_voting(**common, code_key=self.code_key)  # type: ignore[arg-type]
        elif action == "close":
            changed = await svc.close(**common, secret=self.secret(election.id))  # type: ignore[arg-type]
        elif action == "publish":
            changed = await svc.publish(**common)  # type: ignore[arg-type]
        else:
            raise AppError("BAD_ACTION", "操作无效", f"unknown action {action}")
        self._announce(changed)
        return changed

    async def _scrutineer(self, election_id: int) -> tuple[Election, Community]:
        """The election, for a supervisor of its compound acting in person (services/authz.py)."""
        election, community = await self._load(election_id, SUPERVISORS)
        authz.require_held(
            self.viewer, "supervisor", community_id=community.id, district_id=community.district_id
        )
        return election, community

    async def sign_off(
        self, election_id: int, *, result_digest: str, roll_fingerprint: str, ledger_head: str
    ) -> Election:
        election, community = await self._scrutineer(election_id)
        signed = await svc.sign_off(
            session=self.session,
            community=community,
            election=election,
            supervisor=self._me().account_id,
            result_digest_=result_digest,
            roll_fingerprint=roll_fingerprint,
            ledger_head=ledger_head,
            now=self.now,
        )
        self._announce(signed)
        return signed

    # casting ------------------------------------------------------------------------------
    def _choices(
        self,
        questions: Sequence[vballot.Question],
        candidate_person: dict[int, int],
        answers: Sequence[AnswerIn],
        *,
        paper: bool,
    ) -> str:
        raw: list[tuple[str, object]] = []
        for a in answers:
            if a.candidate_ids is not None:
                picked: list[str] = []
                for cid in a.candidate_ids:
                    person = candidate_person.get(cid)
                    picked.append(str(person) if person is not None else f"?{cid}")
                raw.append((str(a.question_id), a.answer if a.answer == "invalid" else picked))
            else:
                raw.append((str(a.question_id), a.answer or ""))
        try:
            return vballot.encode_choices(vballot.validate_choices(questions, raw, paper=paper))
        except VotingError as e:
            raise app_error(e, "answers") from None

    async def _ballot_context(
        self, election: Election | CastElection
    ) -> tuple[list[vballot.Question], dict[int, int]]:
        """The questions as the core sees them, and candidate id → person id.

        Both are frozen when voting opens, which is when the questions' fingerprint is set, so
        from then on they are cached per (election, fingerprint) for the process: a cast
        need not read them again (a draft, without a fingerprint, is always read afresh).
        """
        fingerprint = election.questions_fingerprint
        key = None if fingerprint is None else (election.id, fingerprint)
        if key is not None:
            hit = self.rt.ballot_contexts.get(key)
            if hit is not None:
                return hit  # type: ignore[no-any-return]
        qs = await svc.questions_of(self.session, election.id)
        cs = await svc.candidates_of(self.session, election.id)
        context = svc.core_questions(qs, cs), {c.id: c.person_id for c in cs}
        if key is not None:
            if len(self.rt.ballot_contexts) > 256:
                self.rt.ballot_contexts.clear()
            self.rt.ballot_contexts[key] = context
        return context

    def _check_open(self, election: Election | CastElection) -> None:
        try:
            lifecycle.check_cast(
                lifecycle.State(election.state),
                self.now,
                lifecycle.Schedule(opens_at=election.opens_at, closes_at=election.closes_at),
            )
        except VotingError as e:
            raise app_error(e) from None

    async def _cast_lookup(
        self, election_id: int, viewer: Viewer
    ) -> tuple[CastElection | None, list[CastElector]]:
        """The election (None if there is none) and what :meth:`my_electors` lists, without
        whether each has voted (a cast does not need it, and it costs a pass over every counted
        ballot): the viewer's own electors by id, then those they hold an active proxy for."""
        rows = (
            await self.session.execute(
                _CAST_LOOKUP,
                {
                    "election_id": election_id,
                    "account_id": viewer.account_id,
                    "phone": viewer.phone,
                },
            )
        ).all()
        if not rows:
            return None, []
        election = CastElection(*rows[0][:5])
        found = [(i, k, m, bool(via)) for *_, i, k, m, via in rows if i is not None]
        own = sorted(CastElector(i, k, m, False) for i, k, m, via in found if not via)
        mine = {e.elector_id for e in own}
        return election, own + [
            CastElector(i, k, m, True) for i, k, m, via in found if via and i not in mine
        ]

    async def cast(
        self, election_id: int, *, elector_id: int | None, code: str, answers: Sequence[AnswerIn]
    ) -> ReceiptView:
        viewer = self._me()
        election, mine = await self._cast_lookup(election_id, viewer)
        if election is None:
            raise not_found("表决", "election")
        if not mine:
            # Neither an elector nor a proxy: someone outside the compound gets the answer a
            # missing election gets (its existence and state are not theirs to learn).
            await self._load(election_id)
        self._check_open(election)
        if not mine:
            raise AppError(
                "NOT_AN_ELECTOR",
                "您不是本次表决的投票人，也没有受托代理",
                "you are not an elector of this vote, nor a proxy for one",
            )
        if elector_id is None:
            if len(mine) > 1:
                raise AppError(
                    "ELECTOR_REQUIRED",
                    "您可代表多个投票人，请选择本次为谁投票",
                    "you may vote for several electors: choose which one",
                    field="electorId",
                )
            chosen = mine[0]
        else:
            found = [m for m in mine if m.elector_id == elector_id]
            if not found:
                raise forbidden()
            chosen = found[0]
        key = f"{viewer.account_id}:{election_id}"
        wait = self.rt.code_limiter.retry_after(key)
        if wait:
            raise AppError(
                "RATE_LIMITED",
                f"表决码错误次数过多，请 {wait} 秒后再试",
                f"too many wrong voting codes, try again in {wait} s",
                retry_after=wait,
            )
        try:
            secrecy.normalize_code(code)
        except VotingError as e:
            raise app_error(e, "code") from None
        if not secrecy.check_code(self.code_key, str(election_id), code, chosen.code_mac):
            self.rt.code_limiter.hit(key)
            raise AppError(
                "BAD_VOTING_CODE",
                "表决码不正确，请核对投票通知书上的表决码",
                "the voting code is not correct; check the code on your notice",
                field="code",
            )
        questions, candidate_person = await self._ballot_context(election)
        choices = self._choices(questions, candidate_person, answers, paper=False)
        request = store.CastRequest(
            election_id=election_id,
            slot=secrecy.slot_key(self.secret(election_id), chosen.key),
            channel=Channel.PROXY if chosen.via_proxy else Channel.ONLINE,
            choices=choices,
        )
        # Release this request's transaction (on SQLite, its write lock) before the shared
        # group-commit transaction takes the election lock.
        await self.session.commit()
        return await self._submit(request)

    async def _submit(self, request: store.CastRequest) -> ReceiptView:
        try:
            receipt = await self.rt.cast_queue.submit(request)
        except VotingError as e:
            raise app_error(e) from None
        except store.CastRefused as e:
            raise AppError(e.code, "投票未在进行中", "voting is not open") from None
        return _receipt(receipt)

    # proxies and paper ---------------------------------------------------------------------
    async def _elector(self, election: Election, elector_id: int) -> Elector:
        elector = await self.session.get(Elector, elector_id)
        if elector is None or elector.election_id != election.id:
            raise AppError(
                "UNKNOWN_ELECTOR",
                "该业主不在本次表决的名册中",
                "not an elector of this vote",
                field="electorId",
            )
        return elector

    async def record_proxy(
        self,
        election_id: int,
        *,
        elector_id: int,
        holder_phone: str,
        holder_name: str,
        paper_ref: str,
    ) -> Proxy:
        election, community = await self._load(election_id, STAFF_VIEW)
        if election.state not in ("announced", "open"):
            raise AppError("NOT_OPEN", "只能在表决截止前登记委托", "proxies close with the vote")
        elector = await self._elector(election, elector_id)
        # Under the election's lock, like every ballot write: two recordings for one elector
        # at once (PostgreSQL runs them side by side) would otherwise both count zero active
        # proxies and both insert, and two holders at the cap would both pass it.
        await store.lock_election(self.session, election.id)
        phone = normalize_phone(holder_phone)
        name = holder_name.strip()
        ref = paper_ref.strip()
        if not name or not ref:
            raise AppError(
                "EMPTY",
                "请填写受托人姓名和书面委托书编号",
                "enter the proxy's name and the reference of the signed paper",
                field="paperRef" if name else "holderName",
            )
        active = (
            select(func.count())
            .select_from(Proxy)
            .where(Proxy.election_id == election_id, Proxy.revoked_at.is_(None))
        )
        held = int(
            (await self.session.execute(active.where(Proxy.holder_phone == phone))).scalar_one()
        )
        try:
            check_proxy_cap(held, election.proxy_cap)
        except VotingError as e:
            raise app_error(e, "holderPhone") from None
        if int(
            (await self.session.execute(active.where(Proxy.elector_id == elector.id))).scalar_one()
        ):
            raise AppError(
                "PROXY_EXISTS",
                "该业主已有有效委托，请先撤销",
                "this elector already has an active proxy; revoke it first",
                field="electorId",
            )
        proxy = Proxy(
            election_id=election.id,
            community_id=community.id,
            elector_id=elector.id,
            holder_phone=phone,
            holder_name=name[:100],
            paper_ref=ref[:200],
            recorded_by=self._me().account_id,
            recorded_at=self.now,
        )
        self.session.add(proxy)
        await self.session.flush()
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=self._me().account_id,
            action="proxy.record",
            election=election.id,
            proxy=proxy.id,
            elector=elector.id,
            paper_ref=proxy.paper_ref,
        )
        return proxy

    async def revoke_proxy(self, proxy_id: int) -> Proxy:
        proxy = await self.session.get(Proxy, proxy_id)
        if proxy is None:
            raise not_found("委托", "proxy")
        election, community = await self._load(proxy.election_id, STAFF_VIEW)
        if election.state not in ("announced", "open"):
            raise AppError("NOT_OPEN", "表决已截止，委托不能再撤销", "the vote has closed")
        if proxy.revoked_at is None:
            proxy.revoked_at = self.now
            proxy.revoked_by = self._me().account_id
            await audit.record(
                session=self.session,
                chain=community.id,
                actor=self._me().account_id,
                action="proxy.revoke",
                election=election.id,
                proxy=proxy.id,
            )
        return proxy

    async def enter_paper(
        self, election_id: int, *, elector_id: int, answers: Sequence[AnswerIn]
    ) -> int:
        election, community = await self._scrutineer(election_id)
        self._check_open(election)
        elector = await self._elector(election, elector_id)
        questions, candidate_person = await self._ballot_context(election)
        choices = self._choices(questions, candidate_person, answers, paper=True)
        entry = PaperEntry(
            election_id=election.id,
            community_id=community.id,
            elector_id=elector.id,
            choices=choices,
            entered_by=self._me().account_id,
        )
        self.session.add(entry)
        await self.session.flush()
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=self._me().account_id,
            action="paper.enter",
            election=election.id,
            entry=entry.id,
        )
        return entry.id

    async def confirm_paper(self, entry_id: int, *, answers: Sequence[AnswerIn]) -> ReceiptView:
        """The second supervisor re-enters the paper; only a matching entry is cast."""
        entry = await self.session.get(PaperEntry, entry_id)
        if entry is None:
            raise not_found("纸质选票", "paper entry")
        election, community = await self._scrutineer(entry.election_id)
        self._check_open(election)
        if entry.status != "pending" or entry.elector_id is None or entry.choices is None:
            raise AppError("ALREADY_CONFIRMED", "该纸质选票已处理", "this paper entry is done")
        me = self._me().account_id
        try:
            check_four_eyes(str(entry.entered_by), str(me))
        except VotingError as e:
            raise app_error(e) from None
        questions, candidate_person = await self._ballot_context(election)
        if self._choices(questions, candidate_person, answers, paper=True) != entry.choices:
            raise AppError(
                "PAPER_MISMATCH",
                "复核录入与首次录入不一致，请核对纸质选票",
                "the second entry differs from the first; check the paper ballot",
                field="answers",
            )
        elector = await self._elector(election, entry.elector_id)
        locked = await store.lock_election(self.session, election.id)
        assert locked is not None
        self._check_open(locked)  # again under the lock: the vote may have closed meanwhile
        # And the entry again under the lock: a second confirmation of the same entry that
        # read it as pending before the first one committed (a double click; PostgreSQL runs
        # both up to the lock) must not cast the same paper twice.
        await self.session.refresh(entry, with_for_update=True)
        if entry.status != "pending" or entry.elector_id is None or entry.choices is None:
            raise AppError("ALREADY_CONFIRMED", "该纸质选票已处理", "this paper entry is done")
        [receipt] = await store.store_casts(
            session=self.session,
            election=locked,
            requests=[
                store.CastRequest(
                    election_id=election.id,
                    slot=secrecy.slot_key(self.secret(election.id), elector.key),
                    channel=Channel.PAPER,
                    choices=entry.choices,
                )
            ],
        )
        # from here the entry keeps only who entered and who confirmed it
        entry.status = "confirmed"
        entry.confirmed_by = me
        entry.elector_id = None
        entry.choices = None
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=me,
            action="paper.confirm",
            election=election.id,
            entry=entry.id,
        )
        self._announce(locked)
        return _receipt(receipt)

    # voting-code notices -------------------------------------------------------------------
    async def notices(self, election_id: int, *, building: str | None) -> Sequence[NoticeView]:
        election, community = await self._load(election_id, RUNNERS)
        if election.state != "open":
            raise AppError(
                "NOT_OPEN", "表决开始后才能打印表决码通知书", "notices exist once voting opens"
            )
        query = select(Elector).where(Elector.election_id == election.id)
        if building:
            query = query.where(Elector.building == building)
        electors = list((await self.session.execute(query.order_by(Elector.id))).scalars())
        owners: dict[int, list[str]] = {}
        for eid, name in await self.session.execute(
            select(ElectorOwner.elector_id, Person.name)
            .join(Person, Person.id == ElectorOwner.person_id)
            .where(ElectorOwner.election_id == election.id)
            .order_by(ElectorOwner.id)
        ):
            owners.setdefault(eid, []).append(name)
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=self._me().account_id,
            action="codes.print",
            election=election.id,
            building=building or "*",
            notices=len(electors),
        )
        return [
            NoticeView(
                e.id,
                e.label,
                e.building,
                owners.get(e.id, []),
                secrecy.derive_voting_code(self.code_key, str(election.id), e.key, e.code_gen),
            )
            for e in electors
        ]

    async def reissue_code(self, election_id: int, *, elector_id: int) -> NoticeView:
        election, community = await self._load(election_id, RUNNERS)
        if election.state != "open":
            raise AppError("NOT_OPEN", "投票未在进行中", "voting is not open")
        elector = await self._elector(election, elector_id)
        elector.code_gen += 1
        code = secrecy.derive_voting_code(
            self.code_key, str(election.id), elector.key, elector.code_gen
        )
        elector.code_mac = secrecy.code_mac(self.code_key, str(election.id), code)
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=self._me().account_id,
            action="codes.reissue",
            election=election.id,
            elector=elector.id,
        )
        names = [
            n
            for (n,) in await self.session.execute(
                select(Person.name)
                .join(ElectorOwner, ElectorOwner.person_id == Person.id)
                .where(ElectorOwner.elector_id == elector.id)
            )
        ]
        return NoticeView(elector.id, elector.label, elector.building, names, code)


def _receipt(receipt: store.Receipt) -> ReceiptView:
    return ReceiptView(
        tracking=receipt.tracking,
        tracking_short=secrecy.short_tracking_code(receipt.tracking),
        ledger_seq=receipt.ledger_seq,
        ledger_head=receipt.ledger_head,
        counted=receipt.counted,
    )
