"""The one settings object, read once from ``GONGZHI_*`` environment variables.

Defaults run the whole service on one machine with nothing else installed: SQLite under
``./var/``, the in-process pubsub, and a secret generated on first start and kept in
``./var/secret.key`` (mode 0600, in a var directory of mode 0700). :func:`Settings.check_production`
refuses to serve on a missing, generated, short or patterned secret, because the secret keys the
HMACs that keep ballots unlinkable from owners (docs/design.md §3.3) and the voting codes (§3.4);
only `gongzhi demo` serves on its generated secret, and ``GONGZHI_DEMO`` does not exempt
`gongzhi serve` (issue #12).

Every field is documented in README.md; a test fails when one is not.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PREFIX = "GONGZHI_"
SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
DEFAULT_SECRET_MARKERS = ("", "change-me", "changeme", "secret", "default")
# What a secret must carry by the estimate of :func:`secret_bits`. A random key of 32 hex digits
# (128 bits) scores about 107, and no lower than 95 in 20,000 draws; "a" * 32 scores 0.
MIN_SECRET_BITS = 80
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable to set."""


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. Field ``x`` is read from ``GONGZHI_X``."""

    var_dir: str = "./var"
    database_url: str = ""  # default: sqlite+aiosqlite:///<var_dir>/gongzhi.db
    secret_key: str = ""  # default: generated once into <var_dir>/secret.key
    demo: bool = False
    debug: bool = False  # GraphiQL, introspection and suggestions, as in a demo (see explorable)
    # argon2id profile: OWASP's 19 MiB, t=2 instead of argon2-cffi's 64 MiB default, so that a
    # burst of logins on a small server does not exhaust memory; the semaphore bounds it further.
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    argon2_concurrency: int = 2
    session_days: int = 14
    cookie_secure: bool = False
    # Failed logins (api/services/ratelimit.py), in the `limits` library's notation, each a stack
    # of moving windows whose waits grow: per phone *and* client (the right password from another
    # client is never refused), and per client over all phones (a spray). The client is the
    # address the connection came from, or X-Forwarded-For's when it came from a trusted proxy.
    login_limits: str = "5/minute;10/15 minutes;20/day"
    login_limits_per_client: str = "30/15 minutes;200/day"
    trusted_proxies: str = ""  # comma-separated addresses or networks of the reverse proxies
    # Wrong voting codes per account and election, and failed activation codes per client, in
    # a sliding window of login_window_seconds (the names are older than their use).
    login_window_seconds: int = 900
    login_max_per_phone: int = 5
    login_max_per_address: int = 30
    max_body_bytes: int = 4 * 1024 * 1024
    body_timeout_seconds: float = 10.0  # the whole body must arrive within this (408)
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 15
    page_max: int = 100
    operation_timeout_seconds: float = 10.0
    ws_init_timeout_seconds: float = 5.0
    ws_max_subscriptions: int = 20
    # How often each worker re-reads the sessions of its open WebSockets and closes those whose
    # session ended (logout, expiry, a disabled account) or lost a grant (api/live/sessions.py).
    ws_session_check_seconds: float = 5.0
    # permessage-deflate keeps a zlib stream per connection (memory) and compresses every update
    # once per subscriber (CPU); tally updates are a kilobyte or two. Off unless bandwidth is dear.
    ws_compression: bool = False
    # Logged-in requests' viewers kept per worker (api/live/session_cache.py): how many, and for
    # at most how long; a logout, a grant given or taken or an account changed drops them on
    # every worker through the pubsub at once. 0 entries = off (every request reads its session).
    session_cache_entries: int = 10_000
    session_cache_seconds: float = 60.0
    # Refuse every GraphQL document over HTTP but the web client's own (api/http/trusted.py):
    # off by default (GraphiQL, scripts, tests send their own); see docs/deployment.md.
    trusted_documents_only: bool = False
    # Set by `gongzhi serve --workers N` for its workers: with the in-process pubsub several
    # workers cannot hear each other's revocations, so they keep no session cache.
    serve_workers: int = 1
    # The WebSocket keepalive: a ping to every open socket this often, closed if no pong within
    # 20 s (a dead peer's socket is freed). uvicorn's default of 20 s meant, with 10,000
    # subscribers, 500 pings and pongs a second: a fifth of the event loop (docs/performance.md).
    # Keep it below the reverse proxy's idle timeout (docs/deployment.md: 1 h).
    ws_ping_seconds: float = 60.0
    allowed_origins: str = ""  # comma-separated; empty = same host only
    # The address owners open (https://gongzhi.example.org): the QR codes on printed letters and
    # notices point there (api/http/printing.py). Empty: the origin the printing browser is on,
    # when its Origin header names the Host it asked (never a Host header alone).
    public_url: str = ""
    activation_code_days: int = 90
    # How an owner is told something on the roll's phone (api/services/notify.py): "console"
    # (one line on standard error, for an operator to pass on; a message carrying a code, such as
    # a password-reset code, is logged redacted unless ``demo``) or "file" (JSON lines appended to
    # notify_file, default <var_dir>/notifications.jsonl, created 0600, for an SMS gateway to pick
    # up: the codes are written there, and a developer reads them there).
    notify: str = "console"
    notify_file: str = ""
    # GONGZHI_NOTIFY=sms (issue #15): a provider class, "module:Class" built with the settings
    # and having ``async send(messages)``, or else an HTTP gateway that gets one JSON POST per
    # text with an Idempotency-Key header (and the token as a bearer token, if set).
    sms_provider: str = ""
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    # The outbox worker (api/services/delivery.py): runs inside `gongzhi serve` unless
    # delivery_in_serve is off (then run `gongzhi deliver` from a timer); how often it looks for
    # due texts, how many it claims at once and for how long (a worker that dies leaves them to
    # another after the lease), and the retries: attempt n waits backoff * 2**(n-1) seconds,
    # and after max attempts the text is marked failed.
    delivery_in_serve: bool = True
    delivery_poll_seconds: float = 5.0
    delivery_batch: int = 50
    delivery_lease_seconds: int = 120
    delivery_max_attempts: int = 6
    delivery_backoff_seconds: int = 30
    # Fan-out across workers (api/live/pubsub): memory | redis | postgres (LISTEN/NOTIFY on the
    # database_url); and how often one topic (an election's tally) may be re-read per second.
    pubsub: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    pubsub_max_rate: float = 4.0
    # The shortest consultation window (征求意见期) on a rule document the server accepts.
    consultation_min_days: int = 7
    # Drafting page results kept per worker for reuse while their data is unchanged; 0 = off.
    drafting_cache_entries: int = 512
    # The notice board (api/services/notices.py): the largest attachment accepted (the decoded
    # bytes; base64 and the JSON around it must still fit max_body_bytes), and the maintenance
    # fund spending above which the entry must cite a passed Art. 278 matter-5 resolution.
    notice_attachment_max_bytes: int = 2 * 1024 * 1024
    fund_resolution_threshold_fen: int = 500_000
    # Operations (api/http/logs.py, api/http/shutdown.py): log lines as JSON objects or text
    # ("auto": text on a terminal, JSON when the output is captured by systemd, Docker or a file),
    # and how long a stopping server waits for requests in flight before it cancels them.
    log_format: str = "auto"
    shutdown_grace_seconds: int = 20

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every field from the environment (or ``env``), then apply ``overrides``."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _parse(f.name, str(f.type), raw)
        values.update(overrides)
        settings = cls(**values)
        return settings.resolved()

    def resolved(self) -> Settings:
        """Fill the derived defaults (database URL, secret) that depend on ``var_dir``."""
        var = Path(self.var_dir)
        url = self.database_url or f"sqlite+aiosqlite:///{var / 'gongzhi.db'}"
        secret = self.secret_key
        if not secret:
            secret = load_or_create_secret(var)
        return _replace(self, database_url=url, secret_key=secret)

    @property
    def secret_is_generated(self) -> bool:
        return self.secret_key == _read_secret(Path(self.var_dir))

    def check_production(self) -> None:
        """Refuse to serve on a generated, placeholder, short or patterned secret. ``demo`` does
        not exempt `gongzhi serve`: only `gongzhi demo` serves its own generated secret."""
        hint = (
            " — GONGZHI_DEMO=1 does not let `gongzhi serve` run without a secret: for a demo "
            "run `gongzhi demo` / GONGZHI_DEMO=1 不能让 gongzhi serve 在没有密钥时运行："
            "演示请用 gongzhi demo"
            if self.demo
            else ""
        )
        if self.secret_key.strip().lower() in DEFAULT_SECRET_MARKERS or self.secret_is_generated:
            raise SettingsError(
                "GONGZHI_SECRET_KEY is not set: set it to a random value of at least 32 "
                f"characters, e.g. the output of `{GENERATE}`"
                " / 未设置 GONGZHI_SECRET_KEY：必须设置至少 32 个字符的随机密钥，"
                f"可用 `{GENERATE}` 生成" + hint
            )
        if len(self.secret_key) < 32:
            raise SettingsError(
                "GONGZHI_SECRET_KEY is shorter than 32 characters"
                f" / GONGZHI_SECRET_KEY 少于 32 个字符; generate one / 生成：`{GENERATE}`"
            )
        bits = secret_bits(self.secret_key)
        if bits < MIN_SECRET_BITS:
            raise SettingsError(
                f"GONGZHI_SECRET_KEY is not random enough (about {bits:.0f} bits by its "
                f"characters, at least {MIN_SECRET_BITS} needed): repeated or few distinct "
                f"characters; generate one with `{GENERATE}`"
                f" / GONGZHI_SECRET_KEY 随机性不足（按字符估计约 {bits:.0f} 位，至少需要 "
                f"{MIN_SECRET_BITS} 位）：字符重复或种类太少，请用 `{GENERATE}` 生成"
            )

    @property
    def explorable(self) -> bool:
        """GraphiQL at /graphiql/, introspection and "Did you mean …?" suggestions: in a demo
        (GONGZHI_DEMO, set by `gongzhi demo`) or with a developer's GONGZHI_DEBUG, never in
        production (api/http/explorer.py)."""
        return self.demo or self.debug

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def proxies(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.allowed_origins.split(",") if o.strip())

    def key(self, purpose: str) -> bytes:
        """A sub-key per purpose, so one leaked derived key does not expose the others."""
        import hashlib
        import hmac

        return hmac.new(self.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def secret_bits(secret: str) -> float:
    """An upper estimate of a secret's entropy in bits: the Shannon entropy of its characters
    times its length, over its shortest repeating unit ("0123456789abcdef" * 2 counts once).
    It cannot see that a human chose a phrase; it does catch "a" * 32, "ab" * 16 and the like."""
    n = len(secret)
    periods = (p for p in range(1, n // 2 + 1) if (secret[:p] * (n // p + 1))[:n] == secret)
    unit = secret[: next(periods, n)]
    counts = Counter(unit)
    size = len(unit)
    return -sum(c * math.log2(c / size) for c in counts.values())


def _replace(s: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(s, **changes)


def _parse(name: str, type_name: str, raw: str) -> Any:
    var = PREFIX + name.upper()
    try:
        if type_name == "bool":
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{var}={raw!r} is not a valid {type_name}") from None
    return raw


def _read_secret(var: Path) -> str | None:
    path = var / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return None


def load_or_create_secret(var: Path) -> str:
    """Return the secret kept in ``var/secret.key``, creating it (mode 0600) on first start."""
    existing = _read_secret(var)
    if existing:
        return existing
    if existing is not None:
        raise SettingsError(
            f"{var / SECRET_FILE} is empty (an interrupted first start?): delete it and start "
            "again, or set GONGZHI_SECRET_KEY"
        )
    var.mkdir(parents=True, exist_ok=True, mode=0o700)  # the database and backups go here too
    path = var / SECRET_FILE
    secret = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its secret
        import time

        for _ in range(50):  # it writes 65 bytes right after creating the file
            found = _read_secret(var)
            if found:
                return found
            time.sleep(0.01)
        return load_or_create_secret(var)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    return secret


def documented_names() -> list[str]:
    """Every environment variable the service reads (the README test compares against this)."""
    return [PREFIX + f.name.upper() for f in fields(Settings)]
