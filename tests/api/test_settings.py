"""Settings: read once from GONGZHI_* variables, a generated secret kept in ./var, and the
production check that refuses default secrets (docs/design.md §5)."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest

from api.settings import SECRET_FILE, Settings, SettingsError, documented_names

PROPER_SECRET = secrets.token_hex(32)


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    """An environment with var_dir in tmp_path and the given GONGZHI_* values."""
    out = {"GONGZHI_VAR_DIR": str(tmp_path / "var")}
    out.update({f"GONGZHI_{k.upper()}": v for k, v in values.items()})
    return out


def test_defaults_run_on_one_machine(tmp_path: Path) -> None:
    s = Settings.from_env(env(tmp_path))
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'gongzhi.db'}"
    assert s.is_sqlite
    assert s.demo is False and s.debug is False
    assert len(s.secret_key) >= 32


def test_from_env_reads_every_type(tmp_path: Path) -> None:
    s = Settings.from_env(
        env(
            tmp_path,
            database_url="postgresql+asyncpg://u@db/gz",
            secret_key=PROPER_SECRET,
            debug="yes",
            cookie_secure="TRUE",
            demo="off",
            max_query_depth=" 7 ",
            session_days="3",
            operation_timeout_seconds="2.5",
            allowed_origins="https://a.example, https://b.example",
        )
    )
    assert s.database_url == "postgresql+asyncpg://u@db/gz"
    assert not s.is_sqlite
    assert s.secret_key == PROPER_SECRET
    assert s.debug is True
    assert s.cookie_secure is True
    assert s.demo is False
    assert s.max_query_depth == 7
    assert s.session_days == 3
    assert s.operation_timeout_seconds == 2.5
    assert s.origins == ("https://a.example", "https://b.example")
    # an explicit secret is never written to disk
    assert not (tmp_path / "var" / SECRET_FILE).exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[("1", True), ("true", True), ("Yes", True), ("on", True)],
        *[("0", False), ("false", False), ("NO", False), ("off", False), ("", False)],
    ],
)
def test_bool_spellings(tmp_path: Path, raw: str, expected: bool) -> None:
    assert Settings.from_env(env(tmp_path, debug=raw)).debug is expected


@pytest.mark.parametrize(
    ("field", "raw", "kind"),
    [
        ("max_query_depth", "12abc", "int"),
        ("session_days", "1.5", "int"),
        ("operation_timeout_seconds", "ten", "float"),
        ("debug", "maybe", "bool"),
    ],
)
def test_malformed_value_names_the_variable(
    tmp_path: Path, field: str, raw: str, kind: str
) -> None:
    var = f"GONGZHI_{field.upper()}"
    with pytest.raises(SettingsError) as exc:
        Settings.from_env(env(tmp_path, **{field: raw}))
    message = str(exc.value)
    assert var in message
    assert raw in message
    assert kind in message


def test_reads_the_process_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GONGZHI_MAX_ALIASES", "4")
    s = Settings.from_env()
    assert s.max_aliases == 4
    assert s.var_dir == str(tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / SECRET_FILE).exists()


def test_overrides_win_over_the_environment(tmp_path: Path) -> None:
    s = Settings.from_env(env(tmp_path, debug="0", page_max="50"), debug=True)
    assert s.debug is True
    assert s.page_max == 50


def test_generated_secret_is_created_once_with_mode_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / SECRET_FILE
    assert not path.exists()
    first = Settings.from_env(env(tmp_path))
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 32
    before = path.stat()

    second = Settings.from_env(env(tmp_path))
    assert second.secret_key == first.secret_key
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    # a different var dir is a different deployment: its own secret
    other = Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path / "other")})
    assert other.secret_key != first.secret_key


def test_generated_secret_keeps_mode_0600_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        Settings.from_env(env(tmp_path))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "var" / SECRET_FILE).stat().st_mode) == 0o600
    # the directory that holds it, the database and the backups: the service user's only
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_production_check_refuses_a_generated_secret(tmp_path: Path) -> None:
    s = Settings.from_env(env(tmp_path))
    assert s.secret_is_generated
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY"):
        s.check_production()


@pytest.mark.parametrize("placeholder", ["change-me", "CHANGEME", " secret ", "default"])
def test_production_check_refuses_a_placeholder_secret(tmp_path: Path, placeholder: str) -> None:
    s = Settings.from_env(env(tmp_path, secret_key=placeholder))
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY"):
        s.check_production()


def test_production_check_refuses_an_empty_secret(tmp_path: Path) -> None:
    # a Settings built in code without resolved(): nothing was generated either
    s = Settings(var_dir=str(tmp_path / "var"), secret_key="")
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY"):
        s.check_production()


def test_production_check_refuses_a_short_secret(tmp_path: Path) -> None:
    s = Settings.from_env(env(tmp_path, secret_key="k" * 31))
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY") as exc:
        s.check_production()
    assert "32" in str(exc.value)


@pytest.mark.parametrize(
    "secret",
    [PROPER_SECRET, secrets.token_hex(16), secrets.token_urlsafe(32)],
    ids=["fixed", "token_hex", "token_urlsafe"],  # the same test ids in every process (xdist)
)
def test_production_check_accepts_a_proper_secret(tmp_path: Path, secret: str) -> None:
    s = Settings.from_env(env(tmp_path, secret_key=secret))
    assert not s.secret_is_generated
    s.check_production()


def test_production_check_accepts_a_secret_from_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GONGZHI_SECRET_KEY", PROPER_SECRET)
    Settings.from_env().check_production()


@pytest.mark.parametrize(
    "secret", ["a" * 32, "ab" * 16, "k" * 40, "0123456789abcdef" * 2, "0123456789abcdef" * 4 + "0"]
)
def test_production_check_refuses_a_low_entropy_secret(tmp_path: Path, secret: str) -> None:
    """Issue #12: "a" * 32 was accepted. Long enough, but no random key: the refusal says how to
    make one."""
    s = Settings.from_env(env(tmp_path, secret_key=secret))
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY") as exc:
        s.check_production()
    assert "secrets.token_urlsafe(32)" in str(exc.value)
    assert "随机性不足" in str(exc.value)


@pytest.mark.parametrize("secret", ["", "change-me", "short"])
def test_demo_mode_does_not_exempt_the_production_check(tmp_path: Path, secret: str) -> None:
    """Issue #12: GONGZHI_DEMO=1 let `gongzhi serve` run on a generated or weak secret, silently.
    Only `gongzhi demo` serves its own generated secret (tests/api/cli/test_cli.py)."""
    s = Settings.from_env(env(tmp_path, demo="1", secret_key=secret))
    assert s.demo is True
    with pytest.raises(SettingsError, match="GONGZHI_SECRET_KEY") as exc:
        s.check_production()
    if not secret or secret == "change-me":
        assert "gongzhi demo" in str(exc.value)


def test_sub_keys_differ_per_purpose_and_per_secret(tmp_path: Path) -> None:
    a = Settings.from_env(env(tmp_path, secret_key=PROPER_SECRET))
    b = Settings.from_env(env(tmp_path, secret_key=secrets.token_hex(32)))
    assert a.key("ballot-slot") != a.key("voting-code")
    assert a.key("ballot-slot") == a.key("ballot-slot")
    assert a.key("ballot-slot") != b.key("ballot-slot")


def test_documented_names_cover_every_field() -> None:
    names = documented_names()
    assert len(names) == len(set(names))
    assert all(n.startswith("GONGZHI_") and n == n.upper() for n in names)
    for expected in ("GONGZHI_SECRET_KEY", "GONGZHI_DATABASE_URL", "GONGZHI_VAR_DIR"):
        assert expected in names
