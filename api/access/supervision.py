"""Supervision: recompute an election from its ledger, and sign off its result.

Two distinct supervisors, each acting in person (:mod:`api.services.authz`), signing the same
result digest, roll fingerprint and ledger head certify the result (docs/design.md §3.8).
"""

from __future__ import annotations

from collections.abc import Sequence

from api.access.election_scope import OVERSEERS, ElectionAccess
from api.services import certification, verification
from api.store.models import Election
from schema.contract.voting import VerifyView


class Supervision(ElectionAccess):
    async def signoffs(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await certification.signoffs(self.session, election_id)

    async def verify(self, election_id: int) -> VerifyView:
        election, _ = await self._load(election_id, OVERSEERS)
        report = await verification.verify_election(
            session=self.session, election=election, secret=self.secret(election.id)
        )
        return report

    async def sign_off(
        self, election_id: int, *, result_digest: str, roll_fingerprint: str, ledger_head: str
    ) -> Election:
        election, community = await self._scrutineer(election_id)
        signed = await certification.sign_off(
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
