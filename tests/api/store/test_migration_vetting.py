"""Migration 0009 (两考 vetting, issue #13 item 4) gives a forum recorded before it both vetting
steps, the district default, and leaves no server default behind (the models give each new
forum its district's steps)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from sqlalchemy import inspect, text

from api.store.engine import create_engine
from api.store.migrations import alembic_config, upgrade_async

ROWS = [
    "INSERT INTO district (id, name, code) VALUES (1, '街道', 'd-0009')",
    "INSERT INTO community (id, district_id, name, address, head_rule, co_owner_rule,"
    " meeting_notice_days, extraordinary_notice_days, candidate_publicity_days,"
    " result_publicity_days, proxy_cap, non_voter_rule, paper_priority, tally_step,"
    " roll_version, created_at) VALUES (1, 1, '小区', '', 'per_owner', 'any_latest', 15, 7, 7,"
    " 15, 3, false, 'online', 5, 0, '2026-12-01 00:00:00+00:00')",
    "INSERT INTO account (id, phone, display_name, created_at) VALUES"
    " (1, '13700000001', '筹备组', '2026-12-01 00:00:00+00:00')",
    "INSERT INTO forum (id, community_id, held_at, place, attendees, minutes, opinions,"
    " nominations_close_at, recorded_by, recorded_at) VALUES (1, 1,"
    " '2026-12-01 00:00:00+00:00', '活动室', '代表', '纪要', '', '2026-12-09 00:00:00+00:00', 1,"
    " '2026-12-01 00:00:00+00:00')",
]


async def run_sync(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def test_a_forum_from_before_vetting_requires_both_steps(db_url: str) -> None:
    cfg = alembic_config(db_url)
    try:
        await asyncio.to_thread(command.downgrade, cfg, "0008")

        def fill(conn: object) -> None:
            for sql in ROWS:
                conn.execute(text(sql))  # type: ignore[attr-defined]
            conn.commit()  # type: ignore[attr-defined]

        await run_sync(db_url, fill)
        await upgrade_async(db_url)
        steps = await run_sync(
            db_url,
            lambda c: tuple(
                c.execute(text("SELECT exam_required, review_required FROM forum")).one()
            ),
        )
        assert steps == (True, True) or steps == (1, 1)
    finally:
        await upgrade_async(db_url)
    defaults = await run_sync(
        db_url, lambda c: {col["name"]: col["default"] for col in inspect(c).get_columns("forum")}
    )
    assert defaults["exam_required"] is None and defaults["review_required"] is None
