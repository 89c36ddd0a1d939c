"""Proxies: a written authorisation lets another person vote for an elector (docs/design.md §2).

The running body (committee, preparatory group, officials) records them, staff (supervisors too)
revoke them, while the vote is open (or announced), under the election's lock so that the
per-holder cap and the one-active-proxy-per-elector rule hold under concurrency. Supervisors do
not record proxies: they print the voting codes, and a proxy is a way to cast for an elector,
so recording one to a phone of their own would put both factors in one hand (docs/design.md §3.4);
for the same reason nobody may name a supervisor of the compound as holder (a committee naming
one hands them an elector whose code they printed, with no late link marked and no owner told).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from api.access.election_scope import RUNNERS, STAFF_VIEW, ElectionAccess
from api.formats.hidden import code_point, first_hidden
from api.services import audit
from api.services import ballots as store
from api.services.accounts import normalize_phone
from api.services.notify import Message
from api.services.voting_messages import app_error
from api.store.models import Account, Proxy, RoleMembership
from schema.contract.errors import AppError, not_found
from voting.channel import check_proxy_cap
from voting.errors import VotingError


def _proxy_not_found() -> AppError:
    """A missing proxy, and one of a compound the viewer cannot see: one answer."""
    return not_found("委托", "proxy")


class Proxies(ElectionAccess):
    async def proxies(self, election_id: int) -> Sequence[Proxy]:
        await self._load(election_id, STAFF_VIEW)
        return list(
            (
                await self.session.execute(
                    select(Proxy).where(Proxy.election_id == election_id).order_by(Proxy.id)
                )
            ).scalars()
        )

    async def record_proxy(
        self,
        election_id: int,
        *,
        elector_id: int,
        holder_phone: str,
        holder_name: str,
        paper_ref: str,
    ) -> Proxy:
        election, community = await self._load(election_id, RUNNERS)
        if election.state not in ("announced", "open"):
            raise AppError("NOT_OPEN", "只能在表决截止前登记委托", "proxies close with the vote")
        elector = await self._elector(election, elector_id)
        # Under the election's lock, like every ballot write: two recordings for one elector
        # at once (PostgreSQL runs them side by side) would otherwise both count zero active
        # proxies and both insert, and two holders at the cap would both pass it.
        await store.lock_election(self.session, election.id)
        phone = normalize_phone(holder_phone)
        name, ref = _paper_names(holder_name, paper_ref)
        await self._not_a_supervisor(phone, community.id)
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
        owners = await self._owners_of(elector)
        await self._tell([proxy_recorded(o, p, election.title, name) for o, p in owners if p])
        return proxy

    async def _not_a_supervisor(self, phone: str, community_id: int) -> None:
        """Refuse a holder who is a supervisor of this compound: they print its voting codes."""
        supervisor = (
            await self.session.execute(
                select(RoleMembership.id)
                .join(Account, Account.id == RoleMembership.account_id)
                .where(
                    Account.phone == phone,
                    RoleMembership.role == "supervisor",
                    RoleMembership.community_id == community_id,
                )
            )
        ).first()
        if supervisor is not None:
            raise supervisor_holder(field="holderPhone")

    async def revoke_proxy(self, proxy_id: int) -> Proxy:
        self._me()  # an anonymous caller learns nothing of which ids exist either
        proxy = await self.session.get(Proxy, proxy_id)
        if proxy is None:
            raise _proxy_not_found()
        election, community = await self._load(
            proxy.election_id, STAFF_VIEW, unseen=_proxy_not_found()
        )
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


def supervisor_holder(field: str | None = None) -> AppError:
    """A supervisor of the compound as a proxy holder: refused when recorded and when casting."""
    return AppError(
        "PROXY_HOLDER_SUPERVISOR",
        "监票人不能作为受托人：监票人打印本小区的表决码，再代业主投票就同时掌握了投票所需的两样"
        "东西（职责分离）。请另选受托人",
        "a supervisor may not hold a proxy: supervisors print this compound's voting codes, so "
        "voting for an owner as well would put both factors in one hand (separation of duties). "
        "Choose another proxy holder",
        field=field,
    )


def _paper_names(holder_name: str, paper_ref: str) -> tuple[str, str]:
    """The holder's name and the paper's reference as entered, both required; a name holding a
    bidi control or an invisible character is refused, since it would show as another name on
    the proxy list (issue #12 item 14)."""
    name = holder_name.strip()
    ref = paper_ref.strip()
    if not name or not ref:
        raise AppError(
            "EMPTY",
            "请填写受托人姓名和书面委托书编号",
            "enter the proxy's name and the reference of the signed paper",
            field="paperRef" if name else "holderName",
        )
    hit = first_hidden(name)
    if hit is not None:
        raise AppError.of(
            "TEXT_INVALID_CHARACTER",
            "受托人姓名含有不可见的格式字符 {character}，请删除后重新填写",
            "the proxy's name contains the invisible formatting character {character}; "
            "remove it and enter the name again",
            field="holderName",
            character=code_point(hit[1]),
        )
    return name, ref


def proxy_recorded(owner: str, phone: str, title: str, holder: str) -> Message:
    """Tells an owner that a proxy now votes for their units: the running body records it from
    a paper the owner signed, and a forged paper is otherwise seen by nobody (issue #12 item 1,
    found in review). The owner's own ballot, online or on paper, still beats the proxy's."""
    return Message(
        phone=phone,
        kind="proxy_recorded",
        text=(
            f"【共治】{owner}：表决“{title}”已登记由{holder}代您房屋投票。如非您本人委托，请联系"
            "监票人；您本人投的票（网上或书面）始终优先于受托人的票。"
            f" / Gongzhi: {owner}, a proxy ({holder}) was recorded to vote for your units in "
            f'"{title}". If you did not sign it, contact the supervisors; your own ballot, online '
            "or on paper, always counts over the proxy's."
        ),
    )
