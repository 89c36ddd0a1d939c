"""What an appointed account is told when its letter is redeemed: the text names the role(s) it
was appointed to — an official of a district, a member of a compound's preparatory group or
物管会 — so that a representative of a group is not told of an "official account", and whoever
holds the phone learns exactly which powers were just switched on (issue #13; the owner's
counterpart is :func:`api.services.activation.activated`).

Why by the held grants and not by the letter: a letter names an account, not a role; the roles
were granted with the appointment (api/services/organisation.py, api/services/running_bodies.py)
and are what the activation turns on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.accounts import held_at
from api.services.notify import Message
from api.store.models import Account, Community, District, RoleMembership

# role → (Chinese, English) with {place}: the district's or the compound's name
ROLE_WORDS = {
    "admin": ("系统管理员", "an administrator"),
    "official": ("{place}的街道工作人员", "an official of {place}"),
    "preparatory": ("{place}业主大会筹备组成员", "a member of the preparatory group of {place}"),
    "stand_in": (
        "{place}物业管理委员会（物管会）成员",
        "a member of the property management committee (物管会) of {place}",
    ),
    "committee": ("{place}业主委员会委员", "a member of the owners' committee of {place}"),
    "supervisor": ("{place}监票人", "a vote supervisor of {place}"),
}
# appointed by the administrator; every other role by the officials of the district
BY_ADMIN = frozenset({"admin", "official"})


async def roles_held(
    session: AsyncSession, account_id: int, now: datetime
) -> list[tuple[str, str]]:
    """The account's held roles, each as (role, the district's or compound's name), in grant
    order."""
    rows = await session.execute(
        select(RoleMembership.role, Community.name, District.name)
        .outerjoin(Community, Community.id == RoleMembership.community_id)
        .outerjoin(District, District.id == RoleMembership.district_id)
        .where(RoleMembership.account_id == account_id, held_at(now))
        .order_by(RoleMembership.id)
    )
    return [(role, community or district or "") for role, community, district in rows]


async def activation_message(session: AsyncSession, account: Account, now: datetime) -> Message:
    """What the account's phone is told now that its letter was redeemed."""
    return account_activated(account, await roles_held(session, account.id, now))


def account_activated(account: Account, roles: list[tuple[str, str]]) -> Message:
    """Tells an appointee, on the phone they were appointed by, that their account was
    activated with the letter's code, naming the roles it holds: a letter taken by someone
    else is seen (issue #13), as an owner's is."""
    appointments = [(role, place) for role, place in roles if role != "owner"]
    zh = [ROLE_WORDS.get(r, (r, r))[0].format(place=p) for r, p in appointments]
    en = [ROLE_WORDS.get(r, (r, r))[1].format(place=p) for r, p in appointments]
    if not zh:  # every role was revoked before the letter was used: say so plainly
        zh, en = ["（现无任何职务）"], ["(no role held now)"]
    admin_only = all(role in BY_ADMIN for role, _ in appointments)
    who_zh, who_en = (
        ("系统管理员", "the administrator")
        if admin_only
        else ("任命您的街道办事处", "the sub-district office that appointed you")
    )
    name = account.display_name
    return Message(
        phone=account.phone,
        kind="account_activated",
        text=(
            f"【共治】{name}：您作为{'、'.join(zh)}的共治账号已用任命通知书上的激活码开通。"
            f"如非本人操作，请立即联系{who_zh}。"
            f" / Gongzhi: {name}, your account as {', '.join(en)} was activated with the code on "
            f"your appointment letter. If this was not you, contact {who_en} now."
        ),
    )
