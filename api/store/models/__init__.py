"""The ORM models, one module per area; importing this package registers every table."""

from api.store.models.account import (
    ROLES,
    Account,
    ActivationCode,
    LoginSession,
    PasswordReset,
    RoleMembership,
)
from api.store.models.audit import AuditEntry
from api.store.models.base import Base, utcnow
from api.store.models.bodies import RunningBody, RunningBodyMember
from api.store.models.comment import Comment
from api.store.models.community import Building, Community, District, Ownership, Person, Unit
from api.store.models.document import (
    Clause,
    Document,
    DocumentVersion,
    DraftingVersion,
    VersionClause,
)
from api.store.models.election import (
    Ballot,
    Candidate,
    Certification,
    Election,
    ElectionUnit,
    Elector,
    ElectorOwner,
    LateLink,
    LedgerEntry,
    PaperEntry,
    Proxy,
    Question,
)
from api.store.models.installation import Installation
from api.store.models.nomination import (
    DistrictVetting,
    Forum,
    Nomination,
    NominationSignature,
    Objection,
)
from api.store.models.notice import (
    FundEntry,
    Notice,
    NoticeAttachment,
    NoticeObjection,
    NoticeRead,
)
from api.store.models.notification import (
    OUTBOX_STATES,
    InboxItem,
    NotificationPreference,
    OutboxMessage,
)
from api.store.models.proposal import Proposal, ProposalEvent, ProposalSignature
from api.store.models.supervision import ElectionSupervisor
from api.store.models.terms import CommitteeSeat, CommitteeTerm, TermReminder

__all__ = [
    "OUTBOX_STATES",
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
    "CommitteeSeat",
    "CommitteeTerm",
    "Community",
    "District",
    "DistrictVetting",
    "Document",
    "DocumentVersion",
    "DraftingVersion",
    "Election",
    "ElectionSupervisor",
    "ElectionUnit",
    "Elector",
    "ElectorOwner",
    "Forum",
    "FundEntry",
    "InboxItem",
    "Installation",
    "LateLink",
    "LedgerEntry",
    "LoginSession",
    "Nomination",
    "NominationSignature",
    "Notice",
    "NoticeAttachment",
    "NoticeObjection",
    "NoticeRead",
    "NotificationPreference",
    "Objection",
    "OutboxMessage",
    "Ownership",
    "PaperEntry",
    "PasswordReset",
    "Person",
    "Proposal",
    "ProposalEvent",
    "ProposalSignature",
    "Proxy",
    "Question",
    "RoleMembership",
    "RunningBody",
    "RunningBodyMember",
    "TermReminder",
    "Unit",
    "VersionClause",
    "utcnow",
]
