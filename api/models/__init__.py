"""The ORM models, one module per area; importing this package registers every table."""

from api.models.account import ROLES, Account, ActivationCode, LoginSession, RoleMembership
from api.models.audit import AuditEntry
from api.models.base import Base, utcnow
from api.models.community import Building, Community, District, Ownership, Person, Unit

__all__ = [
    "ROLES",
    "Account",
    "ActivationCode",
    "AuditEntry",
    "Base",
    "Building",
    "Community",
    "District",
    "LoginSession",
    "Ownership",
    "Person",
    "RoleMembership",
    "Unit",
    "utcnow",
]
