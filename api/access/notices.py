"""Notice board and maintenance fund calls of one request (issue #15 part 2): find the object's
compound, check the viewer's role there (:mod:`api.services.authz`), then call the services
(:mod:`api.services.notices`, :mod:`api.services.fund`).

Readers are every member of the compound (:data:`api.services.authz.MEMBERS`); posters, who
also withdraw, change the period, answer objections and keep the fund ledger, are the running
body and the district's officials; objectors are the compound's owners. A viewer without a role
in the compound gets the same NOT_FOUND as for a missing id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from api.access.request import RequestScope
from api.formats import attachment
from api.services import authz, communities, fund, notice_files, notice_views, notices
from api.services.actors import owner_persons
from api.store.models import Community, Notice, NoticeAttachment
from api.store.paging import keyset
from schema.contract.community import Viewer
from schema.contract.errors import AppError, unauthenticated
from schema.contract.notices import (
    AttachmentFile,
    AttachmentIn,
    FundEntryIn,
    FundLedgerView,
    NoticeView,
)
from schema.contract.page import Page

READERS = authz.MEMBERS
POSTERS = authz.RUNNING_BODY_ROLES | {"official"}
OBJECTORS = frozenset({"owner"})


class NoticeAccess(RequestScope):
    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def _community(
        self, community_id: int, roles: frozenset[str], unseen: AppError | None = None
    ) -> Community:
        return await communities.visible(
            self.session, self.viewer, community_id, roles, unseen=unseen
        )

    async def _notice(
        self, notice_id: int, roles: frozenset[str], *, lock: bool = False
    ) -> tuple[Notice, Community]:
        self._me()  # an anonymous caller learns nothing of which ids exist
        row = await notices.get(self.session, notice_id, lock=lock)
        community = await self._community(row.community_id, roles, notices.notice_not_found())
        return row, community

    def _manages(self, community: Community) -> bool:
        return authz.allowed(
            self._me(), POSTERS, community_id=community.id, district_id=community.district_id
        )

    def _owner(self, community: Community) -> bool:
        return any(g.role == "owner" and g.community_id == community.id for g in self._me().grants)

    async def _views(self, rows: Sequence[Notice], community: Community) -> list[NoticeView]:
        await self.session.flush()
        return await notice_views.views(
            self.session,
            rows,
            viewer_id=self._me().account_id,
            manage=self._manages(community),
            owner=self._owner(community),
            now=self.rt.clock(),
        )

    async def _view(self, row: Notice, community: Community) -> NoticeView:
        return (await self._views([row], community))[0]

    # reading ------------------------------------------------------------------------------
    async def notices(
        self, community_id: int, *, first: int, after: str | None, kind: str | None
    ) -> Page[NoticeView]:
        community = await self._community(community_id, READERS)
        where = [Notice.community_id == community.id]
        if kind is not None:
            notices.min_days(kind, community)  # an unknown kind is refused by name
            where.append(Notice.kind == kind)
        page = await keyset(
            self.session,
            select(Notice),
            Notice.id,
            first=first,
            after=after,
            counted=Notice,
            where=where,
            descending=True,
        )
        items = await self._views(page.items, community)
        return Page(items, page.total, page.end_cursor, page.has_next)

    async def notice(self, notice_id: int) -> NoticeView:
        row, community = await self._notice(notice_id, READERS)
        return await self._view(row, community)

    async def mark_notice_read(self, *, notice_id: int) -> NoticeView:
        row, community = await self._notice(notice_id, READERS)
        await notices.mark_read(
            self.session, row, account_id=self._me().account_id, now=self.rt.clock()
        )
        return await self._view(row, community)

    async def notice_attachment(self, attachment_id: int) -> AttachmentFile:
        """For the download route: the file, if the viewer may read its notice."""
        self._me()
        found = await self.session.get(NoticeAttachment, attachment_id)
        if found is None:
            raise attachment_not_found()
        await self._community(found.community_id, READERS, attachment_not_found())
        try:
            data = notice_files.read(self.rt.settings.var_dir, found.stored_name)
        except OSError:
            raise attachment_not_found() from None
        return AttachmentFile(data=data, media_type=found.media_type, name=found.display_name)

    # posting ------------------------------------------------------------------------------
    async def post_notice(
        self,
        *,
        community_id: int,
        kind: str,
        title: str,
        body: str,
        publicity_days: int | None,
        attachments: Sequence[AttachmentIn],
    ) -> NoticeView:
        community = await self._community(community_id, POSTERS)
        checked = self._check_files(attachments)
        row = await notices.post_notice(
            self.session,
            community=community,
            kind=kind,
            title=title,
            body=body,
            now=self.rt.clock(),
            actor=self._me().account_id,
            publicity_days=publicity_days,
        )
        names = notice_files.write_all(self.rt.settings.var_dir, checked)
        try:
            notices.attach(self.session, row, checked, names)
            await self.session.flush()
        except BaseException:
            notice_files.remove(self.rt.settings.var_dir, names)
            raise
        return await self._view(row, community)

    def _check_files(self, attachments: Sequence[AttachmentIn]) -> list[attachment.CheckedFile]:
        """Every attachment checked before anything is written (one refusal: nothing stored)."""
        if len(attachments) > notices.MAX_ATTACHMENTS:
            raise AppError.of(
                "TOO_MANY_ATTACHMENTS",
                "一则公告最多 {max} 个附件",
                "a notice may have at most {max} attachments",
                field="attachments",
                max=notices.MAX_ATTACHMENTS,
            )
        cap = self.rt.settings.notice_attachment_max_bytes
        out = []
        for i, a in enumerate(attachments):
            attachment.check_name(a.name, i)
            data = attachment.decode(a.data, index=i, max_bytes=cap)
            out.append(attachment.check(a.name, data, index=i))
        return out

    async def withdraw_notice(self, *, notice_id: int, reason: str) -> NoticeView:
        row, community = await self._notice(notice_id, POSTERS, lock=True)
        await notices.withdraw(
            self.session, row, reason=reason, actor=self._me().account_id, now=self.rt.clock()
        )
        return await self._view(row, community)

    async def set_notice_publicity(self, *, notice_id: int, ends_at: datetime) -> NoticeView:
        row, community = await self._notice(notice_id, POSTERS, lock=True)
        await notices.set_publicity(
            self.session, row, ends_at=ends_at, actor=self._me().account_id, now=self.rt.clock()
        )
        return await self._view(row, community)

    # objections ---------------------------------------------------------------------------
    async def object_to_notice(self, *, notice_id: int, body: str) -> NoticeView:
        row, community = await self._notice(notice_id, READERS)
        if not self._owner(community):
            raise AppError(
                "FORBIDDEN",
                "只有本小区业主可以对公告提出异议",
                "only owners of this compound may object to a notice",
            )
        me = self._me()
        persons = await owner_persons(
            self.session, account_id=me.account_id, community_id=community.id
        )
        await notices.object_to(
            self.session,
            row,
            account_id=me.account_id,
            name=persons[0][1] if persons else me.display_name,
            body=body,
            now=self.rt.clock(),
        )
        return await self._view(row, community)

    async def answer_notice_objection(self, *, objection_id: int, answer: str) -> NoticeView:
        self._me()
        objection = await notices.get_objection(self.session, objection_id)
        community = await self._community(
            objection.community_id, POSTERS, notices.objection_not_found()
        )
        await notices.answer(
            self.session, objection, text=answer, actor=self._me().account_id, now=self.rt.clock()
        )
        row = await notices.get(self.session, objection.notice_id)
        return await self._view(row, community)

    # the maintenance fund -----------------------------------------------------------------
    async def fund_ledger(
        self, community_id: int, *, from_on: date | None, to_on: date | None
    ) -> FundLedgerView:
        community = await self._community(community_id, READERS)
        return await fund.ledger(
            self.session,
            community.id,
            from_on=from_on,
            to_on=to_on,
            threshold_fen=self.rt.settings.fund_resolution_threshold_fen,
            can_record=self._manages(community),
        )

    async def record_fund_entry(self, *, community_id: int, entry: FundEntryIn) -> FundLedgerView:
        community = await self._community(community_id, POSTERS)
        await fund.record(
            self.session,
            community=community,
            entry=entry,
            actor=self._me().account_id,
            now=self.rt.clock(),
            threshold_fen=self.rt.settings.fund_resolution_threshold_fen,
        )
        return await self.fund_ledger(community.id, from_on=None, to_on=None)

    async def publish_fund_statement(
        self, *, community_id: int, from_on: date, to_on: date, publicity_days: int
    ) -> NoticeView:
        community = await self._community(community_id, POSTERS)
        row = await fund.statement(
            self.session,
            community=community,
            from_on=from_on,
            to_on=to_on,
            publicity_days=publicity_days,
            actor=self._me().account_id,
            now=self.rt.clock(),
            threshold_fen=self.rt.settings.fund_resolution_threshold_fen,
        )
        return await self._view(row, community)


def attachment_not_found() -> AppError:
    return AppError("NOT_FOUND", "找不到该附件", "attachment not found")
