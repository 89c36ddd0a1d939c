"""The ORM models, one module per area; importing this package registers every table."""

from api.models.account import ROLES, Account, ActivationCode, LoginSession, RoleMembership
from api.models.audit import AuditEntry
from api.models.base import Base, utcnow
from api.models.community import Building, Community, District, Ownership, Person, Unit
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
    "Community",
    "District",
    "Election",
    "ElectionUnit",
    "Elector",
    "ElectorOwner",
    "LedgerEntry",
    "LoginSession",
    "Ownership",
    "PaperEntry",
    "Person",
    "Proxy",
    "Question",
    "RoleMembership",
    "Unit",
    "utcnow",
]
