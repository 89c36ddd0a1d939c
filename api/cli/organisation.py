"""`gongzhi create-district`, `appoint-official`, `list-roles`, `revoke-role`: the district's
organisation from the command line, for operators (issue #13 item 8).

Each command acts as an account named with ``--by`` (the operator's own admin account, or for
``list-roles`` and ``revoke-role`` an official's) and calls the same functions as the GraphQL
operations (api/services/organisation.py) with that account's held grants, so it makes the same
checks, records the same actor and reason and writes the same audit entries. Results go to
standard output, refusals to standard error, both in Chinese and English like every gongzhi
message; a refusal exits 2 and writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING, TextIO

from api.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from api.runtime import Runtime
    from schema.contract.community import GrantView, Viewer

COMMANDS = ("create-district", "appoint-official", "list-roles", "revoke-role")
Migrate = Callable[[Settings, TextIO], int]


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--by",
        required=True,
        metavar="PHONE",
        help="the phone of the account you act as (an admin; an official may list and revoke "
        "in their district): recorded as the actor, and its roles are checked",
    )


def _reason(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True, help="why (recorded with the grant and audited)")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The four subcommands and their arguments."""
    cd = sub.add_parser(
        "create-district",
        help="create a district (街道) (admins)",
        description="Creates a district with its name and a short unique code. Admins only.",
    )
    cd.add_argument("name", help="the district's name, e.g. 金融街街道")
    cd.add_argument("code", help="a short unique code: letters, digits, . - _ (e.g. xicheng-jr)")
    _by(cd)
    _reason(cd)

    ao = sub.add_parser(
        "appoint-official",
        help="appoint an official of a district by phone (admins)",
        description="Grants the official role of DISTRICT to the account of PHONE. A phone "
        "without an account gets one, and the one-time code for its activation letter is "
        "printed once (the official sets a password with it). Admins only.",
    )
    ao.add_argument("district", type=int, help="the district's id")
    ao.add_argument("phone", help="the official's mobile number (their login)")
    ao.add_argument("--name", required=True, help="display name, used if the account is new")
    ao.add_argument(
        "--until",
        type=_instant,
        metavar="WHEN",
        help="end of the appointment: a date (its start, China time) or an ISO 8601 time",
    )
    _by(ao)
    _reason(ao)

    lr = sub.add_parser(
        "list-roles",
        help="list who holds which role, since when, until when",
        description="Lists the role grants of a compound (owners aside), of a district (its "
        "officials), or the admins, with who granted each, why, since and until when, and "
        "revocations. Held grants only unless --all.",
    )
    which = lr.add_mutually_exclusive_group(required=True)
    which.add_argument("--community", type=int, metavar="ID", help="a compound's roles")
    which.add_argument("--district", type=int, metavar="ID", help="a district's officials")
    which.add_argument("--admins", action="store_true", help="the admins (admins only)")
    lr.add_argument("--all", action="store_true", help="include ended and revoked grants")
    _by(lr)

    rr = sub.add_parser(
        "revoke-role",
        help="revoke a role grant now, with the reason",
        description="Revokes the grant GRANT (its id, as list-roles shows it) at once: it stops "
        "counting for requests and open live views. Admins revoke any grant but the last "
        "admin's; officials revoke a compound's committee, preparatory-group or supervisor "
        "roles in their own district.",
    )
    rr.add_argument("grant", type=int, help="the grant's id (see list-roles)")
    _by(rr)
    _reason(rr)


def _instant(raw: str) -> datetime:
    from voting.rules import CHINA_TZ

    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or ISO 8601 time: {raw}") from None
    if len(raw) <= 10:  # a bare date: its start in China
        when = datetime.combine(when.date(), time(), CHINA_TZ)
    return when if when.tzinfo else when.replace(tzinfo=CHINA_TZ)


def run(args: argparse.Namespace, *, migrate: Migrate) -> int:
    return asyncio.run(_run(args, migrate))


Action = Callable[["AsyncSession", "Viewer", "Runtime"], Awaitable[None]]


async def _run(args: argparse.Namespace, migrate: Migrate) -> int:
    from api.runtime import Runtime

    settings = Settings.from_env()
    # Alembic's env.py runs its own event loop: migrate from a thread, not from this loop.
    await asyncio.to_thread(migrate, settings, sys.stderr)
    rt = Runtime.create(settings)
    try:
        return await _as_account(rt, args.by, _ACTIONS[args.command](args))
    finally:
        await rt.close()


async def _as_account(rt: Runtime, phone: str, action: Action) -> int:
    from sqlalchemy import select

    from api.services.accounts import normalize_phone, viewer_for
    from api.store.models import Account
    from schema.contract.errors import AppError

    async with rt.writer() as session:
        account = (
            await session.execute(select(Account).where(Account.phone == normalize_phone(phone)))
        ).scalar_one_or_none()
        if account is None or account.disabled_at is not None:
            print(f"gongzhi: 没有手机号为 {phone} 的有效账号", file=sys.stderr)
            print(f"gongzhi: no active account with the phone {phone}", file=sys.stderr)
            return 2
        viewer = await viewer_for(session, account, now=rt.clock())
        try:
            await action(session, viewer, rt)
        except AppError as e:
            await session.rollback()
            print(f"gongzhi: {e.zh}\ngongzhi: {e.en}", file=sys.stderr)
            return 2
        await session.commit()
    return 0


def _create_district(args: argparse.Namespace) -> Action:
    async def act(session: AsyncSession, viewer: Viewer, rt: Runtime) -> None:
        from api.services import organisation

        d = await organisation.create_district(
            session, viewer, name=args.name, code=args.code, reason=args.reason
        )
        print(f"街道已创建 / district created: {d.id} {d.name} ({d.code})")

    return act


def _appoint_official(args: argparse.Namespace) -> Action:
    async def act(session: AsyncSession, viewer: Viewer, rt: Runtime) -> None:
        from api.services import organisation

        done = await organisation.appoint(
            session,
            viewer,
            role="official",
            district_id=args.district,
            phone=args.phone,
            name=args.name,
            reason=args.reason,
            ends_at=args.until,
            now=rt.clock(),
            letter_days=rt.settings.activation_code_days,
        )
        print("已任命 / appointed:")
        _print_grants([done.grant])
        if done.letter_code:
            print(
                f"新账号激活码（仅显示一次，请打印在通知书上）/ activation code of the new "
                f"account (shown once, print it on the letter): {done.letter_code}"
            )

    return act


def _list_roles(args: argparse.Namespace) -> Action:
    async def act(session: AsyncSession, viewer: Viewer, rt: Runtime) -> None:
        from api.services import organisation

        if args.community is not None:
            grants = await organisation.community_roles(
                session, viewer, community_id=args.community, include_ended=args.all, now=rt.clock()
            )
        else:
            grants = await organisation.district_roles(
                session,
                viewer,
                district_id=None if args.admins else args.district,
                include_ended=args.all,
                now=rt.clock(),
            )
        if not grants:
            print("没有职务 / no role grants")
        _print_grants(grants)

    return act


def _revoke_role(args: argparse.Namespace) -> Action:
    async def act(session: AsyncSession, viewer: Viewer, rt: Runtime) -> None:
        from api.services import organisation

        grant = await organisation.revoke(
            session, viewer, grant_id=args.grant, reason=args.reason, now=rt.clock()
        )
        print("已撤销 / revoked:")
        _print_grants([grant])

    return act


_ACTIONS: dict[str, Callable[[argparse.Namespace], Action]] = {
    "create-district": _create_district,
    "appoint-official": _appoint_official,
    "list-roles": _list_roles,
    "revoke-role": _revoke_role,
}


def _when(at: datetime | None) -> str:
    from voting.rules import CHINA_TZ

    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if at else "-"


def _print_grants(grants: Sequence[GrantView]) -> None:
    """One line per grant, then its reason and any revocation (times in China time)."""
    for g in grants:
        where = (
            f"compound {g.community_id}"
            if g.community_id
            else f"district {g.district_id}"
            if g.district_id
            else "everywhere"
        )
        state = "held 有效" if g.held else ("revoked 已撤销" if g.revoked_at else "ended 已到期")
        print(
            f"  #{g.id} {g.role} {g.holder} {g.phone} [{where}] {state}: "
            f"{_when(g.granted_at)} → {_when(g.ends_at)}, by {g.granted_by or '-'}"
        )
        print(f"      reason 理由: {g.reason or '-'}")
        if g.revoked_at:
            print(
                f"      revoked 撤销: {_when(g.revoked_at)} by {g.revoked_by or '-'}: "
                f"{g.revoke_reason}"
            )
