"""Why `gongzhi demo` refuses to run where a deployment lives (issue #12).

The demo plants accounts whose password it prints, the README repeats, and anyone can read here:
``13800000000`` / ``gongzhi-demo`` is an administrator. Run by mistake where a deployment lives
(the operator's shell holds the deployment's ``GONGZHI_SECRET_KEY``, or the working directory is
the service's var directory, or ``GONGZHI_DATABASE_URL`` names the real database), it used to add
that administrator beside the real one, silently. So:

* a configured ``GONGZHI_SECRET_KEY`` is refused: a demo runs on the secret it generates itself;
* a database that holds accounts, districts, compounds or elections is refused unless it carries
  the demo's marker, the one ``installation`` row with ``demo`` true. The demo writes that row,
  in the transaction that seeds it, only into a database that held nothing (:func:`claim`), so
  re-running the demo on its own database works and nothing else ever looks like a demo;
* a refusal writes nothing: :func:`refuse_foreign_data` reads the database before the secret is
  generated and before anything is migrated, without the engine's pragmas (api/store/engine.py
  would create the file and switch the journal mode), and :func:`claim` checks again inside
  the seeding transaction;
* the other way round, `gongzhi serve` refuses a database marked as a demo's
  (:func:`refuse_serving_a_demo`) unless ``GONGZHI_DEMO`` says it is served as a demo on purpose:
  a demo seeded into an empty database that was meant for production is caught there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.settings import PREFIX, Settings, SettingsError
from api.store.models import Account, Community, District, Election, Installation

# what the demo plants (api/cli/demo/people.py ADMIN and DEMO_PASSWORD; a test keeps them equal)
PUBLIC_LOGIN = "13800000000 / gongzhi-demo"
# the probe's settings must not generate a secret into the var directory; it is never used
PROBE_SECRET = "demo-guard-probe"  # noqa: S105 - not a secret: no key is derived from it
DATA = {"account": Account, "district": District, "community": Community, "election": Election}
ELSEWHERE = "GONGZHI_VAR_DIR=$(mktemp -d) gongzhi demo"
T = TypeVar("T")


class DemoRefused(SettingsError):
    """The demo will not run here, in Chinese and English; nothing was written."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")
        self.zh = zh
        self.en = en


def refuse_a_deployment_secret(env: Mapping[str, str]) -> None:
    """Refuse when ``GONGZHI_SECRET_KEY`` is set: that is a deployment's environment."""
    if env.get(PREFIX + "SECRET_KEY", "").strip():
        raise DemoRefused(
            "gongzhi demo 拒绝运行：已设置 GONGZHI_SECRET_KEY，这是正式部署的环境。演示会加入"
            f"密码公开的管理员账号（{PUBLIC_LOGIN}），只能在没有 GONGZHI_SECRET_KEY 的环境、"
            f"单独的目录中运行（它使用自己生成的密钥），例如 `{ELSEWHERE}`。未写入任何数据。",
            "gongzhi demo refused: GONGZHI_SECRET_KEY is set, so this is a deployment's "
            "environment. The demo adds an administrator whose password is public "
            f"({PUBLIC_LOGIN}); run it without GONGZHI_SECRET_KEY, in a directory of its own "
            f"(it generates its own secret), e.g. `{ELSEWHERE}`. Nothing was written.",
        )


def refuse_foreign_data(settings: Settings) -> None:
    """Refuse a database holding data without the demo's marker; read only, before migrating."""
    url = make_url(settings.database_url)
    if _absent(url):
        return  # nothing there yet: the demo will create it
    held = asyncio.run(_read(url, _held))
    if held:
        raise _foreign(settings, held)


async def _read(url: URL, look: Callable[[Connection], T]) -> T:
    """``look`` at the database on a plain engine (no pragmas, no file created), then close."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look)
    finally:
        await engine.dispose()


def refuse_serving_a_demo(settings: Settings) -> None:
    """`gongzhi serve`: refuse a demo's database (its administrator's password is public) unless
    GONGZHI_DEMO is set; read only, before migrating."""
    if settings.demo or _absent(make_url(settings.database_url)):
        return
    if asyncio.run(_read(make_url(settings.database_url), _marked)):
        raise DemoRefused(
            "gongzhi serve 拒绝运行：这是演示数据库（由 gongzhi demo 生成并标记），其中的管理员"
            f"账号密码是公开的（{PUBLIC_LOGIN}）。正式部署请使用新的数据库；确实要以演示方式"
            "提供服务，请设置 GONGZHI_DEMO=1。",
            "gongzhi serve refused: this is a demo's database (made and marked by gongzhi demo), "
            f"and its administrator's password is public ({PUBLIC_LOGIN}). Deploy on a database "
            "of its own; to serve a demo on purpose, set GONGZHI_DEMO=1.",
        )


def _absent(url: URL) -> bool:
    """A SQLite database that does not exist yet (nothing to read, nothing to refuse)."""
    if url.get_backend_name() != "sqlite":
        return False
    name = url.database or ""
    return name in ("", ":memory:") or not Path(name).exists()


def _marked(conn: Connection) -> bool:
    if Installation.__tablename__ not in inspect(conn).get_table_names():
        return False
    return bool(conn.execute(text("SELECT demo FROM installation WHERE id = 1")).scalar())


def _held(conn: Connection) -> str:
    """What the database holds that the demo did not make ("" for nothing, or a demo's)."""
    if _marked(conn):
        return ""
    tables = set(inspect(conn).get_table_names())
    held = []
    for table in DATA:
        if table in tables:
            n = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
            if n:
                held.append(f"{table}: {n}")
    return ", ".join(held)


async def claim(session: AsyncSession, settings: Settings) -> None:
    """Inside the seeding transaction: pass a demo database, mark an empty one, refuse the rest."""
    marker = await session.get(Installation, 1)
    if marker is not None and marker.demo:
        return
    held = []
    for table, model in DATA.items():
        n = (await session.execute(select(func.count()).select_from(model))).scalar_one()
        if n:
            held.append(f"{table}: {n}")
    if held or marker is not None:
        raise _foreign(settings, ", ".join(held) or "installation: not a demo")
    session.add(Installation(id=1, demo=True))
    await session.flush()


def _foreign(settings: Settings, held: str) -> DemoRefused:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    return DemoRefused(
        f"gongzhi demo 拒绝运行：数据库 {where} 中已有不是演示生成的数据（{held}）。演示会加入"
        f"密码公开的管理员账号（{PUBLIC_LOGIN}），所以不能在正式数据库上运行。请在单独的目录中"
        f"运行演示，例如 `{ELSEWHERE}`（不要设置 GONGZHI_DATABASE_URL）。未写入任何数据。",
        f"gongzhi demo refused: the database {where} holds data the demo did not make ({held}). "
        f"The demo adds an administrator whose password is public ({PUBLIC_LOGIN}), so it never "
        f"runs on a real database. Run it in a directory of its own, e.g. `{ELSEWHERE}`, "
        "without GONGZHI_DATABASE_URL. Nothing was written.",
    )
