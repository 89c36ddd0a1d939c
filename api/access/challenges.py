"""An owner's in-person challenge of an account linked to their units during the vote.

Why: an activation during an open vote may be an insider's, who then casts online as the owner
(docs/design.md §3.4). The owner, told on the roll's phone, comes to a supervisor with their ID;
the supervisor, acting in person like for paper ballots, records the challenge: the elector's
counted online ballot is superseded (nothing takes its place until the owner votes, on paper),
the accounts linked late are unlinked from the owner so they cannot cast for the elector again,
the audit entry names the person, and the owner is told on the roll's phone (one supervisor
acts alone here, so the owner hears of it either way). Only for a marked elector: an ordinary
online ballot is not undone on someone's word.
"""

from __future__ import annotations

from sqlalchemy import select

from api.access.election_scope import ElectionAccess
from api.services import audit, late_links
from api.services import ballots as store
from api.store.models import ElectorOwner, LateLink, Person
from schema.contract.errors import AppError
from schema.contract.voting import ChallengeView
from voting import secrecy


class LateLinkChallenges(ElectionAccess):
    async def challenge_late_link(self, election_id: int, *, elector_id: int) -> ChallengeView:
        election, community = await self._scrutineer(election_id)
        self._check_open(election)
        elector = await self._elector(election, elector_id)
        links = list(
            (
                await self.session.execute(
                    select(LateLink)
                    .where(LateLink.election_id == election.id, LateLink.elector_id == elector.id)
                    .order_by(LateLink.id)
                )
            ).scalars()
        )
        if not links:
            raise AppError(
                "NOT_LATE_LINKED",
                "表决开始后没有账号关联到该房屋的业主，不能当面撤销网上投票；业主可投书面表决票",
                "no account was linked to this elector's owners after the vote opened, so no "
                "online ballot can be challenged; the owner may vote on paper",
                field="electorId",
            )
        locked = await store.lock_election(self.session, election.id)
        assert locked is not None
        self._check_open(locked)  # again under the lock, as every ballot write
        slot = secrecy.slot_key(self.secret(election.id), elector.key)
        voided = await store.void_online(session=self.session, election=locked, slot=slot)
        unlinked = 0
        told: dict[int, Person] = {}
        for link in links:
            link.challenged_at = self.now
            person = await self.session.get(Person, link.person_id)
            if person is None:
                continue
            told[person.id] = person
            if person.account_id == link.account_id:
                person.account_id = None
                unlinked += 1
        messages = [
            late_links.challenged(p, p.phone, election.title, voided=voided)
            for p in told.values()
            if p.phone  # a roll import may have removed it since the link
        ]
        if voided:  # the voided ballot may have been a co-owner's: every owner hears of it
            messages.extend(
                late_links.voided_for_co_owner(p, p.phone, election.title)
                for p in await self._owners(election.id, elector.id)
                if p.id not in told and p.phone
            )
        await self.tell(messages)
        await audit.record(
            session=self.session,
            chain=community.id,
            actor=self._me().account_id,
            action="ballot.challenge",
            election=election.id,
            elector=elector.id,
            persons=sorted({link.person_id for link in links}),
            voided=voided,
            unlinked=unlinked,
        )
        self._announce(locked)
        return ChallengeView(voided=voided, unlinked=unlinked)

    async def _owners(self, election_id: int, elector_id: int) -> list[Person]:
        """The elector's owners on the frozen roll."""
        return list(
            (
                await self.session.execute(
                    select(Person)
                    .join(ElectorOwner, ElectorOwner.person_id == Person.id)
                    .where(
                        ElectorOwner.election_id == election_id,
                        ElectorOwner.elector_id == elector_id,
                    )
                    .order_by(ElectorOwner.id)
                )
            ).scalars()
        )
