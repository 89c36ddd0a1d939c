"""Casting a ballot online, and what an owner can check afterwards.

A cast checks the voting window, who the viewer may vote for (own electors, then active
proxies), the voting code (rate-limited) and the answers, then hands the ballot to the
group-commit queue (:mod:`api.services.castqueue`). The pairing of an elector with a choice
exists only inside a cast, never in anything returned (docs/design.md §3.3). Anyone admitted may
check a receipt's tracking code at any time — only the elector it belongs to, logged in, learns
whether it still counts or was superseded (§3.5) — and list every recorded tracking code once
voting has closed (supervisors and officials: at any time): while voting is open the list's
length is the exact ballot count (docs/design.md §3.5, §3.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, exists, func, literal_column, select, true, union_all

from api.access.election_scope import STAFF_VIEW, ElectionAccess
from api.access.proxies import supervisor_holder
from api.services import ballots as store
from api.services import elections as svc
from api.services.ballot_input import ballot_context, choices_of, receipt_view
from api.services.tally_views import tally_viewer_class
from api.services.voting_messages import app_error
from api.store.models import Ballot, Election, Elector, ElectorOwner, LateLink, Person, Proxy
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found
from schema.contract.page import Page
from schema.contract.voting import AnswerIn, MyElectorView, ReceiptView
from voting import secrecy, visibility
from voting.channel import Channel
from voting.errors import VotingError


class CastElection(NamedTuple):
    """The columns of an election that a cast reads (not the ORM row: a cast runs per ballot)."""

    id: int
    state: str
    opens_at: datetime
    closes_at: datetime
    questions_fingerprint: str | None
    community_id: int


class CastElector(NamedTuple):
    elector_id: int
    key: str
    code_mac: str
    via_proxy: bool
    paper_first: bool  # linked to an account after the opening (api/services/late_links.py)


_election = Election.__table__.c
_elector = Elector.__table__.c
_owner = ElectorOwner.__table__.c
_person = Person.__table__.c
_proxy = Proxy.__table__.c
_late = LateLink.__table__.c
# an account was linked to the elector after the opening: its paper ballot counts over online
_LATE = exists().where(_late.elector_id == _elector.id).label("paper_first")
# Core statements built once: the cast path runs them for every ballot.
# Own electors: driven from the account's persons (an IN subquery), not from the election's
# electors, which SQLite's planner picks for the equivalent join and then scans whole (a cost
# per cast that grows with the roll; figures: docs/performance.md).
_CAST_ELECTORS = union_all(
    select(
        _elector.id,
        _elector.key,
        _elector.code_mac,
        literal_column("0").label("via_proxy"),
        _LATE,
    ).where(
        _elector.election_id == bindparam("election_id"),
        _elector.id.in_(
            select(_owner.elector_id)
            .join(Person.__table__, _person.id == _owner.person_id)
            .where(_person.account_id == bindparam("account_id"))
        ),
    ),
    select(
        _elector.id, _elector.key, _elector.code_mac, literal_column("1").label("via_proxy"), _LATE
    )
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
        _election.community_id,
        _mine.c.id,
        _mine.c.key,
        _mine.c.code_mac,
        _mine.c.via_proxy,
        _mine.c.paper_first,
    )
    .select_from(Election.__table__.outerjoin(_mine, true()))
    .where(_election.id == bindparam("election_id"))
)


class Casting(ElectionAccess):
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

    async def tracking_codes(self, election_id: int, *, first: int, after: str | None) -> Page[str]:
        """The counted tracking codes, sorted by code (not by time: order must reveal nothing).

        Paged by position, not with :func:`api.store.paging.keyset`: the order is by the code,
        a string, where keyset pages by an integer key; the cursor uses the same codec."""
        election, community = await self._load(election_id)
        if election.state == "draft" and not self._can(community, STAFF_VIEW, election.id):
            raise not_found("表决", "election")
        if not visibility.exact_visible(
            election.state, tally_viewer_class(self._me(), community, election.id)
        ):
            raise AppError.of(
                "CODES_AFTER_CLOSE",
                "投票截止（{closesAt:time}）后才公布全部查验码清单：清单长度就是选票数，投票期间"
                "只向监票人和街道/社区显示。在此之前请用回执上的查验码查询自己的选票",
                "the list of tracking codes is published once voting has closed ({closesAt:time}): "
                "its length is the exact ballot count, shown only to supervisors and officials "
                "while voting is open. Until then check your own ballot with the tracking code on "
                "your receipt",
                field="electionId",
                closesAt=election.closes_at,
            )
        # Every recorded ballot, counted or superseded: a list of counted codes only would tell
        # whoever holds a receipt that the owner voted again (docs/design.md §3.5).
        where = [Ballot.election_id == election_id]
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
        return Page(
            items=codes,
            total=total,
            end_cursor=encode_cursor(start + len(codes)) if codes else None,
            has_next=has_next,
        )

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
            await self.session.execute(
                select(Ballot.status, Ballot.slot).where(
                    Ballot.election_id == election_id, Ballot.tracking.startswith(prefix)
                )
            )
        ).all()
        if not rows:
            return "unknown"
        # Whether a ballot was superseded is the elector's alone to learn (coercion: whoever
        # holds a receipt must not learn, ever, that the owner voted again): to anyone else a
        # counted and a superseded ballot both answer "recorded" (docs/design.md §3.5).
        mine = await self._own_slots(election_id)
        own = [status for status, slot in rows if slot in mine]
        if not own:
            return "recorded"
        return "counted" if "counted" in own else "superseded"

    async def _own_slots(self, election_id: int) -> set[str]:
        """The slot keys of the viewer's own electors (as an owner, never as a proxy holder)."""
        electors = await svc.electors_for_person(self.session, election_id, self._me().account_id)
        secret = self.secret(election_id)
        return {secrecy.slot_key(secret, e.key) for e in electors}

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
        election = CastElection(*rows[0][:6])
        found = [
            CastElector(i, k, m, bool(via), bool(late))
            for *_, i, k, m, via, late in rows
            if i is not None
        ]
        own = sorted(e for e in found if not e.via_proxy)
        mine = {e.elector_id for e in own}
        return election, own + [e for e in found if e.via_proxy and e.elector_id not in mine]

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
        chosen = _choose(mine, elector_id, viewer, election.community_id)
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
        questions, candidate_person = await ballot_context(
            self.session, election, self.rt.caches.ballot_contexts
        )
        choices = choices_of(questions, candidate_person, answers, paper=False)
        request = store.CastRequest(
            election_id=election_id,
            slot=secrecy.slot_key(self.secret(election_id), chosen.key),
            channel=Channel.PROXY if chosen.via_proxy else Channel.ONLINE,
            choices=choices,
            paper_first=chosen.paper_first,
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
        return receipt_view(receipt, by_proxy=request.channel is Channel.PROXY)


def _choose(
    mine: list[CastElector], elector_id: int | None, viewer: Viewer, community_id: int
) -> CastElector:
    """The elector this cast is for, among the viewer's own and proxied ones."""
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
    if chosen.via_proxy and any(
        g.role == "supervisor" and g.community_id == community_id for g in viewer.grants
    ):
        # a supervisor printed this elector's code: as its proxy holder they would hold both
        # factors (docs/design.md §3.4), whichever came first, the proxy or the role
        raise supervisor_holder()
    return chosen
