"""Paper ballots, four-eyes: one supervisor enters a paper against an elector, a second one
re-enters it, and only a matching second entry is cast (docs/design.md §3.8).

Once cast (or rejected at the close) the entry forgets whose paper it was and what it said.
For an elector whose account was linked after the opening (api/services/late_links.py) the paper
counts over any online ballot, whatever ``paper_priority`` says, and the audit entry of that
override names the person(s) of the link (docs/design.md §3.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from api.access.election_scope import ElectionAccess
from api.services import audit, late_links
from api.services import ballots as store
from api.services.ballot_input import ballot_context, choices_of, receipt_view
from api.services.voting_messages import app_error
from api.store.models import PaperEntry
from schema.contract.errors import AppError, not_found
from schema.contract.voting import AnswerIn, ReceiptView
from voting import secrecy
from voting.channel import Channel, check_four_eyes
from voting.errors import VotingError


def _entry_not_found() -> AppError:
    """A missing paper entry, and one of a compound the viewer cannot see: one answer."""
    return not_found("纸质选票", "paper entry")


class PaperBallots(ElectionAccess):
    async def enter_paper(
        self, election_id: int, *, elector_id: int, answers: Sequence[AnswerIn]
    ) -> int:
        election, community = await self._scrutineer(election_id)
        self._check_open(election)
        elector = await self._elector(election, elector_id)
        questions, candidate_person = await ballot_context(
            self.session, election, self.rt.caches.ballot_contexts
        )
        choices = choices_of(questions, candidate_person, answers, paper=True)
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
        self._me()  # an anonymous caller learns nothing of which ids exist either
        entry = await self.session.get(PaperEntry, entry_id)
        if entry is None:
            raise _entry_not_found()
        election, community = await self._scrutineer(entry.election_id, unseen=_entry_not_found())
        self._check_open(election)
        if entry.status != "pending" or entry.elector_id is None or entry.choices is None:
            raise AppError("ALREADY_CONFIRMED", "该纸质选票已处理", "this paper entry is done")
        me = self._me().account_id
        try:
            check_four_eyes(str(entry.entered_by), str(me))
        except VotingError as e:
            raise app_error(e) from None
        questions, candidate_person = await ballot_context(
            self.session, election, self.rt.caches.ballot_contexts
        )
        if choices_of(questions, candidate_person, answers, paper=True) != entry.choices:
            raise AppError(
                "PAPER_MISMATCH",
                "复核录入与首次录入不一致，请核对纸质选票",
                "the second entry differs from the first; check the paper ballot",
                field="answers",
            )
        elector = await self._elector(election, entry.elector_id)
        linked_late = await late_links.marked_persons(self.session, election.id, elector.id)
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
                    paper_first=bool(linked_late),
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
        if linked_late:
            await audit.record(
                session=self.session,
                chain=community.id,
                actor=me,
                action="ballot.paper_over_late_link",
                election=election.id,
                elector=elector.id,
                persons=linked_late,
                counted=receipt.counted,
            )
        self._announce(locked)
        return receipt_view(receipt, position=True)  # supervisors see every ballot arrive
