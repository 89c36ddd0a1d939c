"""Forum and nomination calls of one request: who may do each, then the services.

Who: the running body (preparatory group or committee; officials and the admin too) records
the forum; owners on the roll nominate themselves or jointly and co-sign; the running body
nominates as itself, officials do not. A stranger to the compound is told its objects do not
exist (docs/design.md §3.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from api.access.request import RequestScope
from api.formats.photo import data_url
from api.services import authz, nominations
from api.services.actors import owner_persons
from api.store.models import Community, Forum, Nomination, Person
from api.store.models import NominationSignature as Sig
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from schema.contract.nominations import ForumSpec, ForumView, NominationSpec, NominationView

RUNNERS = frozenset({"committee", "preparatory", "official"})
RUNNING_BODY = frozenset({"committee", "preparatory"})
OWNERS = frozenset({"owner"})


def not_on_roll() -> AppError:
    return AppError(
        "NOT_ON_ROLL",
        "您不在本小区的业主名册上，不能提名或联署",
        "you are not on this compound's owner roll, so you cannot nominate or co-sign",
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

    # -- reading -------------------------------------------------------------------------------

    async def forums(self, community_id: int) -> Sequence[ForumView]:
        community = await self._community(community_id, authz.MEMBERS)
        rows = await nominations.forums_of(self.session, community.id)
        return [await self._forum_view(f, community) for f in rows]

    async def _forum_view(self, forum: Forum, community: Community) -> ForumView:
        rows = await nominations.nominations_of(self.session, [forum.id])
        return ForumView(
            id=forum.id,
            community_id=forum.community_id,
            held_at=forum.held_at,
            place=forum.place,
            attendees=forum.attendees,
            minutes=forum.minutes,
            opinions=forum.opinions,
            nominations_close_at=forum.nominations_close_at,
            nominations=await self._nomination_views(rows),
        )

    async def _nomination_views(self, rows: Sequence[Nomination]) -> list[NominationView]:
        ids = [n.id for n in rows]
        counts = await nominations.signature_counts(self.session, ids)
        names = dict(
            (
                await self.session.execute(
                    select(Person.id, Person.name).where(Person.id.in_([n.person_id for n in rows]))
                )
            ).all()
        )
        mine = await self._signed_by_me(ids)
        out: list[NominationView] = []
        for n in rows:
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
                    standing=nominations.stands(n, counts.get(n.id, 0)),
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

    async def _one(self, nomination: Nomination) -> NominationView:
        [view] = await self._nomination_views([nomination])
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
        return await self._one(row)

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
        return await self._one(row)
