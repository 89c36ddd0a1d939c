"""Who acts on proposals and comments: an account, the name shown for it, its persons on the roll.

An owner acts under the name the roll gives them, staff under their account's display name; only an
account with a person on the compound's roll may propose, co-sign or comment as an owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Person
from schema.contract.errors import AppError


@dataclass(frozen=True)
class Actor:
    """Who acts: the account, the name shown for it, and its person on the roll (if any)."""

    account_id: int
    name: str
    person_ids: tuple[int, ...] = ()


async def owner_persons(
    session: AsyncSession, *, account_id: int, community_id: int
) -> list[tuple[int, str]]:
    """The roll entries (person id, name) of an account in one compound."""
    return [
        (pid, name)
        for pid, name in await session.execute(
            select(Person.id, Person.name)
            .where(Person.account_id == account_id, Person.community_id == community_id)
            .order_by(Person.id)
        )
    ]


def not_on_roll() -> AppError:
    return AppError(
        "NOT_ON_ROLL",
        "您不在本小区的业主名册上，不能提出或联署提案",
        "you are not on this compound's owner roll, so you cannot propose or co-sign",
    )
