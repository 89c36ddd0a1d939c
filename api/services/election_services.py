"""The :class:`schema.contract.voting.VotingServices` implementation, one per request.

It joins the voting concerns, each a mixin over :class:`~api.services.election_access.
ElectionAccess` (who may reach an election) in a module of its own: running an election
(:mod:`~api.services.election_admin`), voting-code notices (:mod:`~api.services.voting_codes`),
casting and receipts (:mod:`~api.services.casting`), proxies (:mod:`~api.services.proxies`),
paper ballots (:mod:`~api.services.paper`), tallies and results (:mod:`~api.services.tallies`),
verification and sign-off (:mod:`~api.services.supervision`).
"""

from __future__ import annotations

from api.services.casting import Casting
from api.services.election_admin import ElectionAdministration
from api.services.paper import PaperBallots
from api.services.proxies import Proxies
from api.services.supervision import Supervision
from api.services.tallies import Tallies
from api.services.voting_codes import VotingCodes


class ElectionServices(
    ElectionAdministration, VotingCodes, Casting, Proxies, PaperBallots, Tallies, Supervision
):
    """Everything the election resolvers ask of the service, for one request's viewer."""
