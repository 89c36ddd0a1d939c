"""Who may do what, scoped to a compound (DESIGN.md §3.10).

One rule everywhere: an admin may do anything; an official acts on every compound of their
district; everyone else only on the compound their role names. Services call :func:`require`
before they read or write, so no resolver can forget the check.
"""

from __future__ import annotations

from collections.abc import Collection

from schema.errors import forbidden, unauthenticated
from schema.ports import Viewer

MEMBERS = frozenset({"owner", "committee", "preparatory", "supervisor", "official"})
STAFF = frozenset({"committee", "preparatory", "supervisor", "official"})
ROLL_KEEPERS = frozenset({"official"})
CODE_ISSUERS = frozenset({"committee", "preparatory", "official"})


def allowed(
    viewer: Viewer | None, roles: Collection[str], *, community_id: int, district_id: int
) -> bool:
    if viewer is None:
        return False
    for g in viewer.grants:
        if g.role == "admin":
            return True
        if g.role not in roles:
            continue
        if g.role == "official" and g.district_id == district_id:
            return True
        if g.community_id == community_id:
            return True
    return False


def require(
    viewer: Viewer | None, roles: Collection[str], *, community_id: int, district_id: int
) -> Viewer:
    if viewer is None:
        raise unauthenticated()
    if not allowed(viewer, roles, community_id=community_id, district_id=district_id):
        raise forbidden()
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
