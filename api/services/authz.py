"""Who may do what, scoped to a compound (docs/design.md §3.10).

One rule everywhere: an admin may do anything; an official acts on every compound of their
district; everyone else only on the compound their role names. The per-request access objects
(:mod:`api.access`) call :func:`require` before they read or write, so no resolver can forget
the check.

Two exceptions. A scrutineer's personal acts — signing off a result, entering or confirming a
paper ballot — need the supervisor role itself, held in that compound (:func:`require_held`).
Certification means two supervisors vouch for the count (docs/design.md §3.8) and paper ballots are
four-eyes between two supervisors; an admin standing in for one would let an operator account
be one of the two pairs of eyes. And voting codes are released by supervisors only, never by a role
that can issue activation letters (:func:`require_code_releaser`): whoever could create an owner's
login must never also hold that owner's voting code (docs/design.md §3.4, separation of duties).

A supervisor grant confirmed for one election (issue #13 item 6, api/services/
election_supervisors.py) names that election: where a check concerns an election, its id is
passed as ``election_id`` and such a grant counts only if it names the same election, so a
supervisor of election X never prints codes for, signs off or enters papers in election Y. Where
no election is concerned it counts as a role in its compound (to read the compound).
"""

from __future__ import annotations

from collections.abc import Collection

from schema.contract.community import Grant, Viewer
from schema.contract.errors import AppError, forbidden, unauthenticated

#: The running side of a compound: the 业委会, or before it the preparatory group (筹备组), or
#: where no committee can be formed the 物管会 (``stand_in``), which has the committee's powers
#: (issue #13 item 2). Every access module names the running body through this one constant, so
#: a new kind of body is added here and nowhere else.
RUNNING_BODY_ROLES = frozenset({"committee", "preparatory", "stand_in"})
MEMBERS = RUNNING_BODY_ROLES | {"owner", "supervisor", "official"}
STAFF = RUNNING_BODY_ROLES | {"supervisor", "official"}
ROLL_KEEPERS = frozenset({"official"})
CODE_ISSUERS = RUNNING_BODY_ROLES | {"official"}


def _covers(g: Grant, election_id: int | None) -> bool:
    """A grant for one election counts only for that election when one is concerned."""
    return g.election_id is None or election_id is None or g.election_id == election_id


def allowed(
    viewer: Viewer | None,
    roles: Collection[str],
    *,
    community_id: int,
    district_id: int,
    election_id: int | None = None,
) -> bool:
    if viewer is None:
        return False
    for g in viewer.grants:
        if g.role == "admin":
            return True
        if g.role not in roles or not _covers(g, election_id):
            continue
        if g.role == "official" and g.district_id == district_id:
            return True
        if g.community_id == community_id:
            return True
    return False


def require(
    viewer: Viewer | None,
    roles: Collection[str],
    *,
    community_id: int,
    district_id: int,
    election_id: int | None = None,
) -> Viewer:
    if viewer is None:
        raise unauthenticated()
    if not allowed(
        viewer, roles, community_id=community_id, district_id=district_id, election_id=election_id
    ):
        raise forbidden()
    return viewer


def holds(viewer: Viewer, role: str, *, community_id: int, election_id: int) -> bool:
    """Whether the viewer holds exactly ``role`` in this compound for this election."""
    return any(
        g.role == role and g.community_id == community_id and _covers(g, election_id)
        for g in viewer.grants
    )


def require_held(
    viewer: Viewer | None, role: str, *, community_id: int, district_id: int, election_id: int
) -> Viewer:
    """:func:`require`, but only a grant of exactly ``role`` in this compound, for this
    election, counts: no admin or district official stands in for it."""
    viewer = require(
        viewer, {role}, community_id=community_id, district_id=district_id, election_id=election_id
    )
    if not holds(viewer, role, community_id=community_id, election_id=election_id):
        raise forbidden()
    return viewer


def require_code_releaser(
    viewer: Viewer | None, *, community_id: int, district_id: int, election_id: int
) -> Viewer:
    """A supervisor of this compound acting in person who holds no role here that can issue
    activation letters (:data:`CODE_ISSUERS`, an official of the district, an admin): the
    running body creates logins, the supervisors release voting codes (docs/design.md §3.4)."""
    if viewer is None:
        raise unauthenticated()
    if not holds(viewer, "supervisor", community_id=community_id, election_id=election_id):
        raise AppError(
            "FORBIDDEN",
            "表决码通知书只能由本次表决的监票人打印或补发：签发激活码的业委会、筹备组、街道干部和"
            "系统管理员不能经手表决码（职责分离）",
            "voting notices are printed and replaced only by a supervisor of this election: "
            "the committee, preparatory group, officials and administrators, who issue "
            "activation letters, may not handle voting codes (separation of duties)",
        )
    if allowed(viewer, CODE_ISSUERS, community_id=community_id, district_id=district_id):
        raise AppError(
            "FORBIDDEN",
            "您同时持有可签发激活码的角色，不能打印或补发表决码（职责分离）：请由不兼任业委会、"
            "筹备组或街道职务的监票人办理",
            "you also hold a role that issues activation letters, so you may not print or "
            "replace voting codes (separation of duties): ask a supervisor who holds no "
            "committee, preparatory-group or district role",
        )
    return viewer


def require_district(viewer: Viewer | None, district_id: int) -> Viewer:
    """Officials of this district, or an admin."""
    if viewer is None:
        raise unauthenticated()
    for g in viewer.grants:
        if g.role == "admin" or (g.role == "official" and g.district_id == district_id):
            return viewer
    raise forbidden()


def is_admin(viewer: Viewer | None) -> bool:
    return viewer is not None and any(g.role == "admin" for g in viewer.grants)


def district_ids(viewer: Viewer) -> set[int]:
    return {g.district_id for g in viewer.grants if g.role == "official" and g.district_id}
