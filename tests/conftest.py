"""Shared fixtures (a fresh database per test, on SQLite and, when reachable, PostgreSQL) and the
test tiers.

Tiers: every test gets exactly one of the markers unit, db, e2e, browser, fuzz, slow (registered
in pyproject.toml), from where it lives and what it uses (see :func:`tier_of`), so that
`pytest -n 2 -m "not browser and not fuzz and not slow"` is the fast loop of the README.

PostgreSQL: set GONGZHI_TEST_PG_URL (CI sets it; `.ci/run` starts the server if needed). On a
machine without it the PostgreSQL variants are skipped with a message saying so — except under
CI (CI=true), where a missing PostgreSQL is a failure, never a silent skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from api.http.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from api.store.migrations import upgrade
from tests.support import demo_template, lint
from tests.support.app import SECRET, Gql, make_settings, one_schema_per_limits
from tests.support.backends import REDIS_HOST, REDIS_PORT, redis_answers, unavailable
from tests.support.world import World, WorldSnapshot, build_world

# Hypothesis's per-example deadline (200 ms) is a timing assertion: on this two-core machine under
# load a property test failed it (293 ms) with nothing wrong. Speed is measured in bench/, not in
# unit tests, so no example has a deadline; every other Hypothesis setting is the test's own.
hypothesis_settings.register_profile("gongzhi", deadline=None)
hypothesis_settings.load_profile("gongzhi")

PG_URL = os.environ.get("GONGZHI_TEST_PG_URL", "")
# test modules written before tests/support import these from here
__all__ = ["SECRET", "Gql", "make_settings"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


TIERS = ("unit", "db", "e2e", "browser", "fuzz", "slow")
TIER_BY_DIRECTORY = {"web": "browser", "fuzz": "fuzz", "e2e": "e2e"}
# test modules outside tests/e2e that start a real `gongzhi` process
PROCESS_MODULES = {
    "tests/api/http/test_logs.py",
    "tests/api/http/test_shutdown.py",
    "tests/api/cli/test_backup.py",
    "tests/api/services/test_delivery.py",  # a `gongzhi deliver` process killed mid-batch
}
# outside the fast loop (a module, or module::test for all its parameters): over 10 s each
# (setup included) on this two-core machine shared with other work, and below the line, a second
# or more each when the machine is quiet
SLOW = {
    "tests/api/cli/test_backup.py",
    "tests/api/cli/test_demo_election.py",
    "tests/api/cli/test_demo_labels.py",
    "tests/api/cli/test_demo_contents.py",  # five years of a compound's history, seeded
    "tests/api/cli/test_demo_seed.py::test_the_demo_seeds_its_open_election_once_and_prints_the_owners_codes",
    "tests/api/cli/test_cli.py::test_import_roll_dry_run_writes_nothing",
    "tests/api/cli/test_cli.py::test_create_admin_then_log_in",
    "tests/api/cli/test_cli.py::test_import_roll_gbk_then_reimport_changes_nothing",
    "tests/api/cli/test_verify_cli.py::test_an_edited_ledger_line_fails_naming_the_entry",
    "tests/api/cli/test_verify_cli.py::test_the_export_verifies_on_its_own",
    "tests/api/http/test_shutdown.py::test_sigterm_finishes_casts_in_flight_and_closes_websockets_1001",
    "tests/api/formats/test_rollcsv.py::test_round_trip",
    "tests/e2e/reliability/test_crash.py",
    "tests/e2e/protocol/test_graphql_http_audit.py",
    # a second or more each on this machine (pytest --durations, 2026-12-04)
    "tests/api/cli/test_cli.py::test_import_roll_with_bad_rows_lists_them_and_imports_nothing",
    "tests/api/cli/test_cli.py::test_migrate_creates_the_database_and_is_idempotent",
    "tests/api/cli/test_cli.py::test_the_server_process_freezes_start_up_objects_and_collects_rarely",
    "tests/api/cli/test_verify_cli.py::test_the_database_after_tampering_and_an_unknown_election",
    "tests/api/cli/test_verify_cli.py::test_verify_the_database_and_export_it",
    "tests/api/http/test_logs.py::test_json_log_lines_carry_requests_and_no_secret",
    "tests/api/live/test_fanout.py::test_a_burst_is_coalesced_into_a_few_loads_shared_by_all_watchers",
    "tests/api/live/test_fanout.py::test_loads_are_paced_by_what_the_last_fan_out_round_cost",
    "tests/api/live/test_pubsub.py::test_a_redis_server_that_stops_answering_is_left_for_a_new_connection",
    "tests/api/live/test_pubsub.py::test_after_a_redis_restart_the_watcher_catches_up_without_another_publish",
    "tests/api/services/test_ballot_secrecy.py::test_audit_log_and_logs_hold_no_choice_and_no_code",
    "tests/api/services/test_cast_concurrency.py::test_online_proxy_and_paper_racing_for_one_elector",
    "tests/api/services/test_district_overview.py::test_elections_turnout_and_the_committee_in_office",
    "tests/api/services/test_election_access.py::test_live_counts_move_only_in_steps_of_k",
    "tests/api/services/test_election_access.py::test_who_sees_live_counts_and_results",
    "tests/api/services/test_proposals.py::test_area_exactly_at_20_percent_qualifies",
    "tests/api/services/test_proposals.py::test_search_titles_and_bodies_chinese_included",
    "tests/api/services/test_proxy_paper.py::test_own_ballot_overrides_the_proxy_whatever_the_order",
    "tests/api/store/test_migrations.py::test_downgrade_to_base_and_upgrade_again",
    "tests/e2e/reliability/test_races.py::test_every_channel_racing_for_one_elector",
    "tests/e2e/reliability/test_races.py::test_proxy_cap_holds_when_one_holder_is_recorded_for_everyone_at_once",
    "tests/e2e/reliability/test_races.py::test_proxy_recorded_twice_and_revoked_while_the_holder_casts",
    "tests/e2e/reliability/test_races.py::test_two_workers_racing_for_one_elector",
    "tests/e2e/security/test_abuse.py::test_a_client_trickling_its_body_gets_408_and_others_are_served",
    "tests/e2e/security/test_abuse.py::test_connections_that_never_initialise_are_all_closed_4408",
    "tests/e2e/test_live.py::test_a_ballot_updates_the_supervisor_but_not_an_owner_below_the_next_step",
    "tests/e2e/test_live.py::test_a_client_that_stops_reading_slows_no_one_and_costs_no_memory",
    "tests/e2e/test_live.py::test_a_connection_that_never_initialises_is_closed_4408",
    "tests/e2e/test_live.py::test_the_first_message_is_the_current_state",
    "tests/e2e/test_live_workers.py::test_after_a_redis_restart_the_watcher_on_the_other_worker_catches_up",
    "tests/e2e/test_live_workers.py::test_postgres_carries_a_ballot_from_one_worker_to_another",
    "tests/e2e/test_live_workers.py::test_redis_carries_a_ballot_from_one_worker_to_another",
    "tests/schema/test_schema.py::test_too_many_tokens_are_refused",
    "tests/voting/test_tally_properties.py::test_incremental_equals_recount_equals_oracle",
    # issue #12 and #13 tests of a second or more each (pytest --durations, quiet, 2026-12-05)
    "tests/api/cli/test_cli.py::test_create_admin_refuses_a_weak_password",
    "tests/api/cli/test_cli.py::test_import_roll_lists_who_has_no_phone",
    "tests/api/cli/test_cli.py::test_import_roll_rows_follow_lang_or_the_locale",
    "tests/api/cli/test_cli.py::test_import_roll_stdout_holds_only_the_result",
    "tests/api/cli/test_cli.py::test_serve_refuses_the_demos_database_unless_told_it_is_a_demo",
    "tests/api/cli/test_cli.py::test_the_demo_refuses_a_database_it_did_not_make_and_writes_nothing",
    "tests/api/cli/test_cli.py::test_the_demo_runs_again_on_its_own_database_which_is_private",
    "tests/api/cli/test_verify_cli.py::test_a_ballot_line_that_disagrees_with_the_ledger_fails",
    "tests/api/cli/test_verify_cli.py::test_a_file_that_is_no_export_is_said_plainly",
    "tests/api/cli/test_verify_cli.py::test_a_forged_export_that_claims_the_vote_never_opened_fails",
    "tests/api/cli/test_verify_cli.py::test_a_forged_export_with_every_no_flipped_and_the_chain_rehashed_fails",
    "tests/api/cli/test_verify_cli.py::test_a_null_roll_fingerprint_or_head_fails",
    "tests/api/cli/test_verify_cli.py::test_a_tampered_database_fails_like_a_forged_export",
    "tests/api/cli/test_verify_cli.py::test_an_auditor_recounts_with_the_recount_key_alone",
    "tests/api/cli/test_verify_cli.py::test_forged_weights_fail_the_recount_key_and_the_secret",
    "tests/api/cli/test_verify_cli.py::test_sign_off_rows_that_differ_from_the_result_fail",
    "tests/api/services/test_drafting_cache.py::test_a_write_invalidates_at_once",
    "tests/api/services/test_election_access.py::test_staff_operations_by_role",
    "tests/api/services/test_election_lifecycle.py::test_every_transition_is_in_the_audit_log",
    "tests/api/services/test_login_limits.py::test_workers_share_the_counts_through_redis",
    "tests/api/services/test_proposals.py::test_lifecycle_from_draft_to_decided",
    "tests/api/services/test_proposals.py::test_search_follows_edits_of_a_draft",
    "tests/api/services/test_proxy_separation.py::test_a_proxy_cannot_name_a_supervisor_of_the_compound",
    "tests/api/services/test_terms.py::test_reminders_90_and_30_days_before_the_end_for_officials_and_the_committee",
    "tests/api/store/test_migrations.py::test_an_sqlite_database_holding_a_roll_upgrades_and_downgrades",
    "tests/api/store/test_private_files.py::test_a_backup_is_private",
    "tests/e2e/security/test_abuse.py::test_a_subscribe_flood_closes_the_connection_4429",
    "tests/e2e/test_election_e2e.py::test_committee_and_resolution_from_draft_to_published",
    "tests/e2e/test_live.py::test_abrupt_disconnects_leave_the_server_serving",
    "tests/e2e/test_live.py::test_connection_init_without_a_valid_session_is_closed_4403",
    "tests/e2e/test_live_workers.py::test_a_logout_on_one_worker_closes_the_socket_on_the_other",
    "tests/e2e/test_live_workers.py::test_a_supervisor_and_an_owner_on_two_workers_each_see_their_view_move",
    # issue #13 item 2 (pytest --durations, 2026-12-05)
    "tests/api/services/test_running_bodies.py::test_the_group_is_appointed_runs_the_election_and_is_dissolved_when_the_committee_sits",
    "tests/api/services/test_running_bodies.py::test_misuses_are_refused_and_change_nothing",
    # issue #13 "Tests and demo": the district from an empty database (~25 s a backend)
    "tests/e2e/test_district_lifecycle.py",
    # over 1.3 s of CPU each after the fast loop's set-up was made cheap (its own process's CPU
    # time, machine loaded, 2026-12-05)
    "tests/api/services/test_login_limits.py::test_a_spray_of_junk_phones_does_not_reset_the_counters",
    "tests/api/cli/test_demo_seed.py::test_the_demo_seeds_one_open_election_and_prints_the_owners_codes",
    "tests/api/services/test_ballot_secrecy.py::test_a_dump_alone_cannot_recompute_the_slot_keys",
    "tests/voting/test_bulk_properties.py::test_match_ballots_is_the_plain_match",
    "tests/e2e/security/test_step_secrecy.py::test_what_an_owner_sees_decodes_no_more_choices_than_heads_only_steps",
    # issue #14 items 10 and 11 (an election opened and every notice drawn)
    "tests/api/http/test_printing.py::test_a_voting_notice_opens_the_ballot_with_its_elector_and_code",
    # issue #14 item 9: the demo seeded, then a whole drill vote; a drill vote walked and exported
    "tests/api/cli/test_demo_drill.py",
    "tests/api/services/test_drill.py::test_a_drill_walks_the_whole_lifecycle_in_minutes",
}
ROOT = Path(__file__).resolve().parent.parent


def tier_of(item: pytest.Item) -> str:
    """The one tier of a test: its own tier marker if it has one; else browser, fuzz or e2e by
    directory; slow if listed in SLOW; e2e if it starts a server process; db if it uses the
    database fixtures; unit otherwise."""
    own = [m.name for m in item.iter_markers() if m.name in TIERS]
    if own:
        return own[0]
    path = item.path.resolve().relative_to(ROOT).as_posix()
    test = f"{path}::{item.name.split('[', 1)[0]}"
    parts = path.split("/")
    if len(parts) > 2 and parts[1] in ("web", "fuzz"):
        return TIER_BY_DIRECTORY[parts[1]]
    if path in SLOW or test in SLOW:
        return "slow"
    if parts[1] == "e2e" or path in PROCESS_MODULES:
        return "e2e"
    if "db_url" in getattr(item, "fixturenames", ()):
        return "db"
    return "unit"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(tier)
        tiers = {m.name for m in item.iter_markers() if m.name in TIERS}
        if len(tiers) != 1:
            raise pytest.UsageError(f"{item.nodeid} has tiers {sorted(tiers)}: give it one")


def pytest_collection_finish(session: pytest.Session) -> None:
    # ruff and mypy run beside the tests (tests/support/lint.py); under pytest-xdist (the
    # README's fast loop, -n 2) every worker collects every test, so none starts them early: the
    # worker that runs their test runs them then, while the other worker goes on with the rest
    if not session.config.option.collectonly and "PYTEST_XDIST_WORKER" not in os.environ:
        lint.start_early(session.items)


def pytest_sessionfinish() -> None:
    lint.stop()


def pytest_report_header() -> str:
    return f"gongzhi: PostgreSQL tests {'on ' + PG_URL if PG_URL else 'skipped (GONGZHI_TEST_PG_URL unset)'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
    finally:
        await conn.close()


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_available() -> Iterator[str]:
    """A database of this run's own on the server GONGZHI_TEST_PG_URL names, so that two test
    runs (two developers, or CI beside a developer) never empty each other's tables."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL tests: set GONGZHI_TEST_PG_URL")
        pytest.skip("PostgreSQL not configured: set GONGZHI_TEST_PG_URL to run these variants")
    name = f"gongzhi_test_{os.getpid()}"
    base, _, _ = PG_URL.rpartition("/")
    url = f"{base}/{name}"
    try:
        asyncio.run(_pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}"'))
        asyncio.run(_pg_admin(PG_URL, f'CREATE DATABASE "{name}"'))
    except OSError as e:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_URL} unreachable in CI: {e}")
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {e}")
    upgrade(url)
    yield url
    asyncio.run(_pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "gongzhi.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_available")
    asyncio.run(_pg_reset(url))
    return url


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = Runtime.create(settings)
    yield rt
    await rt.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Gql:
    return Gql(client)


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests build Settings explicitly; a developer's GONGZHI_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("GONGZHI_") and key != "GONGZHI_TEST_PG_URL":
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def world_snapshot(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> WorldSnapshot:
    """The world's rows built once per run (tests/support/world.py)."""
    return WorldSnapshot.make(sqlite_template, tmp_path_factory.mktemp("world"))


@pytest.fixture
async def world(runtime: Runtime, world_snapshot: WorldSnapshot) -> World:
    """The hand-worked world in this test's database, with sessions started at the runtime's
    clock: the snapshot copied in while the database is the untouched empty one on SQLite,
    else built there."""
    return await world_snapshot.restore(runtime) or await build_world(runtime)


@pytest.fixture(scope="session", autouse=True)
def _one_schema_per_limits() -> Iterator[None]:
    """Every app of the run shares one GraphQL schema per set of limits (tests/support/app.py)."""
    with one_schema_per_limits():
        yield


@pytest.fixture(scope="session", autouse=True)
def _one_demo_seed_per_run() -> Iterator[None]:
    """Every demo server of the run starts on a copy of one seeded demo of its kind
    (tests/support/demo_template.py)."""
    with demo_template.one_seed_per_run():
        yield


@pytest.fixture
def redis_url() -> str:
    """The shared Redis (127.0.0.1:6379), or a skip saying it is absent (a failure under CI)."""
    if not redis_answers():
        unavailable(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} (start redis-server)")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
