"""The ORM models, one module per area; importing this package registers every table."""

from api.models.account import ROLES, Account, ActivationCode, LoginSession, RoleMembership
from api.models.audit import AuditEntry
from api.models.base import Base, utcnow
from api.models.comment import Comment
from api.models.community import Building, Community, District, Ownership, Person, Unit
from api.models.document import (
    Clause,
    Document,
    DocumentVersion,
    DraftingVersion,
    VersionClause,
)
from api.models.election import (
    Ballot,
    Candidate,
    Certification,
    Election,
    ElectionUnit,
    Elector,
    ElectorOwner,
    LedgerEntry,
    PaperEntry,
    Proxy,
    Question,
)
from api.models.proposal import Proposal, ProposalEvent, ProposalSignature

__all__ = [
    "ROLES",
    "Account",
    "ActivationCode",
    "AuditEntry",
    "Ballot",
    "Base",
    "Building",
    "Candidate",
    "Certification",
    "Clause",
    "Comment",
    "Community",
    "District",
    "Document",
    "DocumentVersion",
    "DraftingVersion",
    "Election",
    "ElectionUnit",
    "Elector",
    "ElectorOwner",
    "LedgerEntry",
    "LoginSession",
    "Ownership",
    "PaperEntry",
    "Person",
    "Proposal",
    "ProposalEvent",
    "ProposalSignature",
    "Proxy",
    "Question",
    "RoleMembership",
    "Unit",
    "VersionClause",
    "utcnow",
]
