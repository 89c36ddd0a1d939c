"""The drafting services of one request: :class:`schema.contract.drafting.DraftingServices`.

It only routes: each call finds the compound the object belongs to, checks the viewer's role
there (:class:`api.access.drafting_scope.DraftingScope`), and calls the keyword-only service
functions that hold the rules. The calls are grouped by what
they reach: proposals, comments, rule documents.

Who may do what:

=====================================  ==========================================
read proposals, documents, comments    owners, committee, preparatory group, supervisors,
                                       officials of the district
read drafts of a document              committee, preparatory group, officials
write, submit, withdraw a proposal     owners on the roll (withdraw: its author)
co-sign, comment                       owners on the roll
reply to a comment                     owners, committee, preparatory group
answer proposals and comments; draft   committee, preparatory group
hide or restore a comment              committee, preparatory group, officials
=====================================  ==========================================
"""

from __future__ import annotations

from api.access.comments import CommentAccess
from api.access.documents import DocumentAccess
from api.access.proposals import ProposalAccess
from schema.contract.drafting import DraftingServices


class RequestDraftingServices(ProposalAccess, CommentAccess, DocumentAccess):
    """The proposal, comment and rule document calls of one request, bound to its session."""


def _implements(services: RequestDraftingServices) -> DraftingServices:
    """Never called: mypy checks here that the class satisfies the schema's protocol."""
    return services
