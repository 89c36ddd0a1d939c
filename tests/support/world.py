"""A small hand-worked world: two districts, three compounds, one account per role.

Compound A's roll is the hand-worked example of docs/design.md §2 counting used across the tests:
  building 1: 101 张三 90.00 m² and 102 张三 80.00 m²  (one owner, two units: one head)
              201 李四 + 王五 100.50 m²                 (co-owned: one head)
              202 赵六 120.25 m²
  building 2: 301 and 302 developer-unsold 60.00 + 75.00 m² (together one head)
per_owner: 4 heads, 525.75 m²; per_unit: 6 heads.

Building it is most of a database test's set-up, so tests/conftest.py builds its rows once per run
into a SQLite file (:class:`WorldSnapshot`) and copies that file into each test's fresh database;
each test still gets sessions of its own, started at its runtime's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import filecmp
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import make_url

from api.runtime import Runtime
from api.services.accounts import start_session
from api.services.roll import import_roll
from api.settings import Settings
from api.store.models import Account, Community, District, Person, RoleMembership
from tests.support.app import make_settings

ROLL_A = """楼栋,房号,楼层,专有面积,业主姓名,手机,共有人,开发商未售
1号楼,101,1,90.00,张三,13900000001,,
1号楼,102,1,80.00,张三,13900000001,,
1号楼,201,2,100.50,李四,13900000002,王五:13900000003,
1号楼,202,2,120.25,赵六,13900000004,,
2号楼,301,3,60.00,华景置业,13900000009,,是
2号楼,302,3,75.00,华景置业,13900000009,,是
"""
ROLL_B = """楼栋,房号,楼层,专有面积,业主姓名,手机
1栋,101,1,88.00,孙七,13900000005
"""
ROLL_C = """building,unit,floor,area,owner,phone
A,1,1,50.00,周八,13900000006
"""

PASSWORD = "correct horse battery"


@dataclass
class World:
    district_1: int = 0
    district_2: int = 0
    a: int = 0
    b: int = 0
    c: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)


SESSION_DAYS = 400
# the world's accounts in the order they are made (their ids follow it): key → (phone, role,
# community key, district key, the roll person's phone the account is linked to)
ACCOUNTS: tuple[tuple[str, str, str, str | None, str | None, str | None], ...] = (
    ("admin", "13700000000", "admin", None, None, None),
    ("official", "13700000001", "official", None, "district_1", None),
    ("official_2", "13700000002", "official", None, "district_2", None),
    ("committee", "13700000003", "committee", "a", None, None),
    ("supervisor", "13700000004", "supervisor", "a", None, None),
    # voting opens only with two supervisors who may act on it (issue #13 item 6): standing
    # grants naming no election, like the demo seed's
    ("supervisor_2", "13700000005", "supervisor", "a", None, None),
    ("owner", "13900000001", "owner", "a", None, "13900000001"),
    ("owner_b", "13900000005", "owner", "b", None, "13900000005"),
)


async def build_world(rt: Runtime) -> World:
    """The world in ``rt``'s database, with a session per account started at ``rt.clock()``."""
    w = await build_world_rows(rt)
    await start_world_sessions(rt, w)
    return w


async def build_world_rows(rt: Runtime) -> World:
    """Districts, compounds, rolls, accounts and grants: everything but the sessions."""
    w = World()
    password_hash = await rt.passwords.hash(PASSWORD)
    async with rt.writer() as s:
        d1, d2 = District(name="测试街道", code="d1"), District(name="另一街道", code="d2")
        s.add_all([d1, d2])
        await s.flush()
        # A is small (4 heads): its rules allow a 3-member 业委会, as the law does up to 100
        # households (docs/design.md §2), and the committee tests elect 3
        ca = Community(district_id=d1.id, name="甲小区", committee_min_seats=3)
        cb = Community(district_id=d1.id, name="乙小区")
        cc = Community(district_id=d2.id, name="丙小区")
        s.add_all([ca, cb, cc])
        await s.flush()
        for community, roll in ((ca, ROLL_A), (cb, ROLL_B), (cc, ROLL_C)):
            await import_roll(
                session=s, community=community, data=roll.encode(), dry_run=False, actor=None
            )
        w.district_1, w.district_2, w.a, w.b, w.c = d1.id, d2.id, ca.id, cb.id, cc.id
        ids = {"a": ca.id, "b": cb.id, "c": cc.id, "district_1": d1.id, "district_2": d2.id}
        for key, phone, role, community_key, district_key, person_phone in ACCOUNTS:
            community_id = ids[community_key] if community_key else None
            acc = Account(phone=phone, display_name=key, password_hash=password_hash)
            s.add(acc)
            await s.flush()
            s.add(
                RoleMembership(
                    account_id=acc.id,
                    role=role,
                    community_id=community_id,
                    district_id=ids[district_key] if district_key else None,
                )
            )
            if person_phone:
                await s.execute(
                    update(Person)
                    .where(Person.phone == person_phone, Person.community_id == community_id)
                    .values(account_id=acc.id)
                )
            await s.flush()
            w.accounts[key] = acc.id
        await s.commit()
    return w


async def start_world_sessions(rt: Runtime, w: World) -> None:
    """A session of :data:`SESSION_DAYS` for every account of ``w``, from ``rt.clock()``."""
    async with rt.writer() as s:
        for key, account_id in w.accounts.items():
            acc = await s.get(Account, account_id)
            assert acc is not None
            w.tokens[key] = await start_session(s, acc, now=rt.clock(), days=SESSION_DAYS)
        await s.commit()


def _key(settings: Settings) -> tuple[object, ...]:
    """What the world's stored rows depend on beyond the code (the password hash's profile)."""
    return (settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism)


@dataclass(frozen=True)
class WorldSnapshot:
    """The world's rows built once in a SQLite file (``path``), from the empty migrated database
    ``template``, with the settings whose :func:`_key` is ``key``."""

    path: Path
    template: Path
    world: World
    key: tuple[object, ...]

    @classmethod
    def make(cls, template: Path, directory: Path) -> WorldSnapshot:
        """Build the snapshot in ``directory``, with the tests' settings (tests/support/app.py)."""
        path = directory / "world.db"
        shutil.copy(template, path)
        settings = make_settings(directory, f"sqlite+aiosqlite:///{path}")

        async def rows() -> World:
            rt = Runtime.create(settings)
            try:
                return await build_world_rows(rt)
            finally:
                await rt.close()

        world = asyncio.run(rows())
        with contextlib.closing(sqlite3.connect(path)) as db:  # fold the WAL into the file
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cls(path, template, world, _key(settings))

    async def restore(self, rt: Runtime) -> World | None:
        """The world in ``rt``'s database by copying the snapshot over it, with fresh sessions;
        None (build it instead) unless that database is SQLite, still exactly the empty template
        and closed (no write-ahead log: no connection has it open), and the settings agree."""
        url = make_url(rt.settings.database_url)
        if url.get_backend_name() != "sqlite" or not url.database or _key(rt.settings) != self.key:
            return None
        if not self._copy_over(Path(url.database)):
            return None
        w = copy.deepcopy(self.world)
        await start_world_sessions(rt, w)
        return w

    def _copy_over(self, path: Path) -> bool:
        if Path(f"{path}-wal").exists() or not filecmp.cmp(path, self.template, shallow=False):
            return False
        shutil.copyfile(self.path, path)  # into the file: it keeps its private mode
        return True
