"""The :class:`schema.contract.voting.VotingServices` implementation, one per request.

It joins the voting concerns, each a mixin over :class:`~api.access.election_scope.
ElectionAccess` (who may reach an election) in a module of its own: running an election
(:mod:`~api.access.election_admin`), voting-code notices (:mod:`~api.access.voting_codes`),
casting and receipts (:mod:`~api.access.casting`), proxies (:mod:`~api.access.proxies`),
paper ballots (:mod:`~api.access.paper`), in-person challenges of late links
(:mod:`~api.access.challenges`), tallies and results (:mod:`~api.access.tallies`),
verification and sign-off (:mod:`~api.access.supervision`), supervisors per election
(:mod:`~api.access.election_supervisors`).
"""

from __future__ import annotations

from api.access.casting import Casting
from api.access.challenges import LateLinkChallenges
from api.access.election_admin import ElectionAdministration
from api.access.election_supervisors import ElectionSupervisors
from api.access.paper import PaperBallots
from api.access.proxies import Proxies
from api.access.supervision import Supervision
from api.access.tallies import Tallies
from api.access.voting_codes import VotingCodes


class ElectionServices(
    ElectionAdministration,
    VotingCodes,
    Casting,
    Proxies,
    PaperBallots,
    LateLinkChallenges,
    Tallies,
    Supervision,
    ElectionSupervisors,
):
    """Everything the election resolvers ask of the service, for one request's viewer."""
