"""Forum, nomination and 两考 calls of one request: who may do each, then the services.

Who: the running body (preparatory group or committee; officials and the admin too) records
the forum and publicises the vetted list; owners on the roll nominate themselves or jointly and
co-sign, and object to a publicised candidate; the running body nominates as itself. Vetting and
answering objections are the district's acts: only an official of the compound's own district,
never the admin standing in (an operator is no reviewer), and never about their own candidacy.
A stranger to the compound is told its objects do not exist (docs/design.md §3.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from api.access.request import RequestScope
from api.formats.photo import data_url
from api.services import authz, nominations, vetting
from api.services.actors import owner_persons
from api.store.models import (
    Account,
    Community,
    District,
    Forum,
    Nomination,
    Objection,
    Person,
)
from api.store.models import NominationSignature as Sig
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from schema.contract.nominations import (
    DistrictVettingView,
    ForumSpec,
    ForumView,
    NominationSpec,
    NominationView,
    ObjectionView,
    VettingStepView,
)

RUNNERS = authz.RUNNING_BODY_ROLES | {"official"}
RUNNING_BODY = authz.RUNNING_BODY_ROLES
OWNERS = frozenset({"owner"})
STAFF_VIEW = authz.STAFF


def not_on_roll() -> AppError:
    return AppError(
        "NOT_ON_ROLL",
        "您不在本小区的业主名册上，不能提名、联署或提出异议",
        "you are not on this compound's owner roll, so you cannot nominate, co-sign or object",
    )


class NominationAccess(RequestScope):
    @property
    def now(self) -> datetime:
        return self.rt.clock()

    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    def _can(self, community: Community, roles: frozenset[str]) -> bool:
        return authz.allowed(
            self.viewer, roles, community_id=community.id, district_id=community.district_id
        )

    async def _community(
        self, community_id: int, roles: frozenset[str], missing: AppError | None = None
    ) -> Community:
        """The compound, for a viewer holding ``roles`` there. A compound they cannot see
        answers as ``missing``: the same words as a missing id of the object asked about, so
        that ids cannot be probed (issue #12 item 10)."""
        viewer = self._me()
        community = await self.session.get(Community, community_id)
        if community is None or not self._can(community, authz.MEMBERS):
            raise missing or not_found("小区", "compound")
        authz.require(viewer, roles, community_id=community.id, district_id=community.district_id)
        return community

    async def _forum(
        self, forum_id: int, roles: frozenset[str], missing: AppError | None = None
    ) -> tuple[Forum, Community]:
        self._me()
        missing = missing or not_found("座谈会", "forum")
        forum = await self.session.get(Forum, forum_id)
        if forum is None:
            raise missing
        return forum, await self._community(forum.community_id, roles, missing)

    async def _nomination(
        self, nomination_id: int, roles: frozenset[str], missing: AppError | None = None
    ) -> tuple[Nomination, Forum, Community]:
        self._me()
        missing = missing or not_found("提名", "nomination")
        row = await self.session.get(Nomination, nomination_id)
        if row is None:
            raise missing
        forum, community = await self._forum(row.forum_id, roles, missing)
        return row, forum, community

    async def _my_person(self, community: Community) -> int:
        mine = await owner_persons(
            self.session, account_id=self._me().account_id, community_id=community.id
        )
        if not mine:
            raise not_on_roll()
        return mine[0][0]

    async def _vetter(self, community: Community, nomination: Nomination) -> Viewer:
        """An official of this compound's district, in person, who is not the candidate."""
        viewer = self._me()
        if not any(
            g.role == "official" and g.district_id == community.district_id for g in viewer.grants
        ):
            raise forbidden()
        person = await self.session.get(Person, nomination.person_id)
        if person is not None and (
            person.account_id == viewer.account_id or person.phone == viewer.phone
        ):
            raise AppError(
                "OWN_CANDIDACY",
                "不能考核或答复与本人候选资格有关的事项",
                "you cannot vet, or answer objections about, your own candidacy",
                field="nominationId",
            )
        return viewer

    # -- reading -------------------------------------------------------------------------------

    async def forums(self, community_id: int) -> Sequence[ForumView]:
        community = await self._community(community_id, authz.MEMBERS)
        rows = await nominations.forums_of(self.session, community.id)
        return [await self._forum_view(f, community) for f in rows]

    async def _forum_view(self, forum: Forum, community: Community) -> ForumView:
        staff = self._can(community, STAFF_VIEW)
        rows = await nominations.nominations_of(self.session, [forum.id])
        objections = list(
            (
                await self.session.execute(
                    select(Objection).where(Objection.forum_id == forum.id).order_by(Objection.id)
                )
            ).scalars()
        )
        if not staff:
            objections = [o for o in objections if o.filed_by == self._me().account_id]
        return ForumView(
            id=forum.id,
            community_id=forum.community_id,
            held_at=forum.held_at,
            place=forum.place,
            attendees=forum.attendees,
            minutes=forum.minutes,
            opinions=forum.opinions,
            nominations_close_at=forum.nominations_close_at,
            exam_required=forum.exam_required,
            review_required=forum.review_required,
            list_published_at=forum.list_published_at,
            publicity_ends_at=vetting.publicity_ends(forum, community),
            nominations=await self._nomination_views(rows, forum, staff),
            objections=[_objection_view(o) for o in objections],
        )

    async def _nomination_views(
        self, rows: Sequence[Nomination], forum: Forum, staff: bool
    ) -> list[NominationView]:
        ids = [n.id for n in rows]
        counts = await nominations.signature_counts(self.session, ids)
        names = dict(
            (
                await self.session.execute(
                    select(Person.id, Person.name).where(Person.id.in_([n.person_id for n in rows]))
                )
            ).all()
        )
        reviewers = {n.exam_by for n in rows} | {n.review_by for n in rows}
        shown = dict(
            (
                await self.session.execute(
                    select(Account.id, Account.display_name).where(
                        Account.id.in_(reviewers - {None})
                    )
                )
            ).all()
        )
        mine = await self._signed_by_me(ids)
        out: list[NominationView] = []
        for n in rows:
            published = forum.list_published_at is not None
            standing = nominations.stands(n, counts.get(n.id, 0))
            out.append(
                NominationView(
                    id=n.id,
                    forum_id=n.forum_id,
                    person_id=n.person_id,
                    name=names.get(n.person_id, ""),
                    committee=n.committee,
                    route=n.route,
                    statement=n.statement,
                    photo=data_url(n.photo, n.photo_type or "") if n.photo else None,
                    signatures=counts.get(n.id, 0),
                    standing=standing,
                    vetting=_steps(forum, n, shown) if staff else [],
                    passed=(standing and vetting.passed(forum, n))
                    if (published or staff)
                    else None,
                    signed_by_me=n.id in mine,
                )
            )
        return out

    async def _signed_by_me(self, ids: Sequence[int]) -> set[int]:
        if not ids or self.viewer is None:
            return set()
        return set(
            (
                await self.session.execute(
                    select(Sig.nomination_id).where(
                        Sig.nomination_id.in_(ids), Sig.account_id == self.viewer.account_id
                    )
                )
            ).scalars()
        )

    async def _one(
        self, nomination: Nomination, forum: Forum, community: Community
    ) -> NominationView:
        staff = self._can(community, STAFF_VIEW)
        [view] = await self._nomination_views([nomination], forum, staff)
        return view

    # -- the forum and nominations -----------------------------------------------------------

    async def record_forum(self, spec: ForumSpec) -> ForumView:
        community = await self._community(spec.community_id, RUNNERS)
        forum = await nominations.record_forum(
            session=self.session,
            community=community,
            spec=nominations.ForumIn(
                held_at=spec.held_at,
                place=spec.place,
                attendees=spec.attendees,
                minutes=spec.minutes,
                opinions=spec.opinions,
                nominations_close_at=spec.nominations_close_at,
            ),
            actor=self._me().account_id,
            now=self.now,
        )
        return await self._forum_view(forum, community)

    async def nominate(self, spec: NominationSpec) -> NominationView:
        if spec.route not in nominations.ROUTES:
            raise AppError("BAD_ROUTE", "提名方式无效", "unknown nomination route", field="route")
        roles = RUNNERS if spec.route == "running_body" else OWNERS
        forum, community = await self._forum(spec.forum_id, roles)
        actor_person: int | None = None
        if spec.route == "running_body":
            if not self._can(community, RUNNING_BODY):
                raise forbidden()  # officials vet candidates: they do not also nominate them
            person_id = spec.person_id
        else:
            actor_person = await self._my_person(community)
            person_id = actor_person if spec.route == "self" else spec.person_id
            if spec.route == "self" and spec.person_id not in (None, actor_person):
                raise AppError(
                    "NOT_SELF",
                    "自荐只能提名自己；提名他人请用业主联名",
                    "a self-nomination names yourself; nominate another owner jointly",
                    field="personId",
                )
        if person_id is None:
            raise AppError(
                "NO_CANDIDATE", "请选择被提名的业主", "choose the owner", field="personId"
            )
        row = await nominations.nominate(
            session=self.session,
            forum=forum,
            spec=nominations.NominationIn(
                committee=spec.committee,
                route=spec.route,
                person_id=person_id,
                statement=spec.statement,
                photo=spec.photo,
            ),
            actor=self._me().account_id,
            actor_person=actor_person,
            now=self.now,
        )
        return await self._one(row, forum, community)

    async def cosign(self, nomination_id: int) -> NominationView:
        row, forum, community = await self._nomination(nomination_id, OWNERS)
        person = await self._my_person(community)
        await nominations.cosign(
            session=self.session,
            forum=forum,
            nomination=row,
            person_id=person,
            actor=self._me().account_id,
            now=self.now,
        )
        return await self._one(row, forum, community)

    # -- 两考, the list and objections --------------------------------------------------------

    async def record_vetting(
        self, nomination_id: int, *, step: str, passes: bool, reason: str
    ) -> NominationView:
        row, forum, community = await self._nomination(nomination_id, frozenset({"official"}))
        viewer = await self._vetter(community, row)
        await vetting.record(
            session=self.session,
            forum=forum,
            nomination=row,
            step=step,
            passes=passes,
            reason=reason,
            actor=viewer.account_id,
            now=self.now,
        )
        return await self._one(row, forum, community)

    async def publish_list(self, forum_id: int) -> ForumView:
        forum, community = await self._forum(forum_id, RUNNERS)
        await vetting.publish(
            session=self.session, forum=forum, actor=self._me().account_id, now=self.now
        )
        return await self._forum_view(forum, community)

    async def object_to(self, nomination_id: int, body: str) -> ObjectionView:
        row, forum, community = await self._nomination(nomination_id, OWNERS)
        await self._my_person(community)
        objection = await vetting.object_to(
            session=self.session,
            forum=forum,
            community=community,
            nomination=row,
            body=body,
            actor=self._me().account_id,
            now=self.now,
        )
        return _objection_view(objection)

    async def answer_objection(self, objection_id: int, answer: str) -> ObjectionView:
        self._me()
        missing = not_found("异议", "objection")
        objection = await self.session.get(Objection, objection_id)
        if objection is None:
            raise missing
        row, _, community = await self._nomination(
            objection.nomination_id, frozenset({"official"}), missing
        )
        viewer = await self._vetter(community, row)
        await vetting.answer(
            session=self.session,
            objection=objection,
            text=answer,
            actor=viewer.account_id,
            now=self.now,
        )
        return _objection_view(objection)

    async def set_district_vetting(
        self, district_id: int, *, exam: bool, review: bool, reason: str
    ) -> DistrictVettingView:
        viewer = authz.require_district(self.viewer, district_id)
        if await self.session.get(District, district_id) is None:
            raise not_found("街道", "district")
        await vetting.set_district(
            session=self.session,
            district_id=district_id,
            exam=exam,
            review=review,
            reason=reason,
            actor=viewer.account_id,
            now=self.now,
        )
        return await vetting.district_view(self.session, district_id)

    async def district_vetting(self, district_id: int) -> DistrictVettingView:
        """The district's 两考 steps, for its officials and admins (docs/design.md §3.10)."""
        authz.require_district(self.viewer, district_id)
        if await self.session.get(District, district_id) is None:
            raise not_found("街道", "district")
        return await vetting.district_view(self.session, district_id)


def _steps(forum: Forum, n: Nomination, names: dict[int, str]) -> list[VettingStepView]:
    out = []
    for step in vetting.required_steps(forum):
        by = getattr(n, f"{step}_by")
        out.append(
            VettingStepView(
                step=step,
                result=getattr(n, f"{step}_result"),
                reason=getattr(n, f"{step}_reason"),
                reviewer=names.get(by) if by is not None else None,
                recorded_at=getattr(n, f"{step}_at"),
            )
        )
    return out


def _objection_view(o: Objection) -> ObjectionView:
    return ObjectionView(
        id=o.id,
        nomination_id=o.nomination_id,
        body=o.body,
        filed_at=o.filed_at,
        answer=o.answer,
        answered_at=o.answered_at,
    )
