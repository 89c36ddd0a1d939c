"""Voting-code notices: print them per building once voting opens, replace a lost one.

A code is derived from the election, the elector and its generation (docs/design.md §3.4);
only its MAC is stored, so printing derives it again, and every printing is logged. Only a
supervisor of the compound who holds no role that issues activation letters may print or replace
one (:func:`api.services.authz.require_code_releaser`): the hands that can create an owner's login
never also hold the owner's voting code.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from api.access.election_scope import ElectionAccess
from api.services import audit, authz
from api.services.notify import Message
from api.store.models import Community, Election, Elector, ElectorOwner, Person
from schema.contract.errors import AppError
from schema.contract.voting import NoticeView
from voting import flats, secrecy


class VotingCodes(ElectionAccess):
    async def _releaser(self, election_id: int) -> tuple[Election, Community]:
        """The election, for a supervisor who may release its voting codes (services/authz.py)."""
        election, community = await self._load(election_id)
        authz.require_code_releaser(
            self.viewer,
            community_id=community.id,
            district_id=community.district_id,
            election_id=election.id,
        )
        return election, community

    async def notices(self, election_id: int, *, building: str | None) -> Sequence[NoticeView]:
        election, community = await self._releaser(election_id)
        if election.state != "open":
            raise AppError(
                "NOT_OPEN", "表决开始后才能打印表决码通知书", "notices exist once voting opens"
            )
        query = select(Elector).where(Elector.election_id == election.id)
        if building:
            query = query.where(Elector.building == building)
        electors = sorted(
            (await self.session.execute(query)).scalars(),
            key=lambda e: (flats.stored_key(e.label), e.id),
        )
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
        election, community = await self._releaser(election_id)
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
        owners = await self._owners_of(elector)
        # One supervisor alone voids the old code: the owners hear of it on the roll's phone,
        # so a silent denial of their vote is seen (docs/design.md §3.4).
        await self._tell(
            [code_replaced(name, phone, election.title) for name, phone in owners if phone]
        )
        names = [name for name, _ in owners]
        return NoticeView(elector.id, elector.label, elector.building, names, code)


def code_replaced(name: str, phone: str, title: str) -> Message:
    """Tells an owner that their voting code was replaced (the old one no longer works)."""
    return Message(
        phone=phone,
        kind="voting_code_reissued",
        text=(
            f"【共治】{name}：表决“{title}”中您房屋的表决码已由监票人补发，原表决码作废。"
            "如非本人申请，请尽快联系监票人，或投书面表决票。"
            f" / Gongzhi: {name}, a supervisor reissued the voting code for your units in the vote "
            f'"{title}"; the old code no longer works. If you did not ask for this, contact the '
            "supervisors at once, or vote on paper."
        ),
    )
