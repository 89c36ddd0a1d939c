"""The one place a released tally becomes the API's :class:`TallyView`, and the one place a
viewer's grants become their class for tally views.

The HTTP query (:mod:`api.access.tallies`), the live subscription (:mod:`api.live.views`) and
the district overview (:mod:`api.services.district`) all show a tally; what each viewer is shown
of it is decided by :mod:`voting.visibility` and passed in as a :class:`~voting.visibility.Shown`.
"""

from __future__ import annotations

from api.services import authz
from api.services.tallies import Released
from api.store.models import Community
from schema.contract.community import Viewer
from schema.contract.voting import Count, QuestionCount, TallyView
from voting import visibility
from voting.rules import PARTICIPATION
from voting.visibility import Shown


def tally_viewer_class(viewer: Viewer, community: Community, election_id: int) -> str:
    """The viewer's class for tally views of this election (:mod:`voting.visibility`), from
    their grants: a supervisor confirmed for another election is an owner here at most."""
    return visibility.viewer_class(
        lambda roles: authz.allowed(
            viewer,
            roles,
            community_id=community.id,
            district_id=community.district_id,
            election_id=election_id,
        ),
        authz.RUNNING_BODY_ROLES,
    )


def question_counts(released: Released, *, area: bool) -> list[QuestionCount]:
    """The released counts as the API shows them (HTTP query and subscription alike); without
    ``area``, heads only: no area per option, nor the verdict that area decides."""
    return [
        QuestionCount(
            question_id=int(q.question_id),
            counts=[Count(k, h, a if area else None) for k, h, a in q.counts],
            passing=q.passing if area else None,
        )
        for q in released.questions
    ]


def tally_view(
    released: Released,
    shown: Shown,
    *,
    step: int,
    roll_heads: int,
    roll_area: int,
    ledger_seq: int,
    ledger_head: str,
) -> TallyView:
    """Turnout toward the 2/3 lines always; counts, their area, the exact ballot count and the
    ledger position where ``shown`` allows (a hidden ledger position reads 0 and "")."""
    return TallyView(
        step=step,
        released_ballots=released.ballots,
        ballots=released.exact_ballots if shown.exact_ballots else None,
        participating_heads=released.heads,
        participating_area=released.area,
        total_heads=roll_heads,
        total_area=roll_area,
        participation_met=PARTICIPATION.met_both(
            released.heads, released.area, roll_heads, roll_area
        ),
        questions=question_counts(released, area=shown.area) if shown.counts else None,
        ledger_seq=ledger_seq if shown.ledger else 0,
        ledger_head=ledger_head if shown.ledger else "",
    )
