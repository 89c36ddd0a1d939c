"""Pubsub across workers and hosts: ids and versions only, each worker re-reads the database.

Choose the backend with ``GONGZHI_PUBSUB``: ``memory`` (default; one process), ``redis``
(``GONGZHI_REDIS_URL``) or ``postgres`` (LISTEN/NOTIFY on ``GONGZHI_DATABASE_URL``). One
backend per worker; :class:`api.live.fanout.FanOut` runs its single listener and fans out
in-process.

Publish after commit: ``await backend.publish("election:42", version)``.
"""

from __future__ import annotations

from api.live.pubsub.base import Backend, Backoff, Event, Message, Resync
from api.live.pubsub.memory import MemoryBackend
from api.settings import Settings, SettingsError

__all__ = [
    "Backend",
    "Backoff",
    "Event",
    "MemoryBackend",
    "Message",
    "Resync",
    "asyncpg_dsn",
    "create_backend",
]

KINDS = ("memory", "redis", "postgres")


def create_backend(settings: Settings) -> Backend:
    """The backend ``settings.pubsub`` names; the networked ones are imported only if used."""
    kind = settings.pubsub.strip().lower()
    if kind == "memory":
        return MemoryBackend()
    if kind == "redis":
        from api.live.pubsub.redis import RedisBackend

        return RedisBackend(settings.redis_url)
    if kind == "postgres":
        from api.live.pubsub.postgres import PostgresBackend

        return PostgresBackend(asyncpg_dsn(settings.database_url))
    raise SettingsError(f"GONGZHI_PUBSUB={settings.pubsub!r} is not one of {', '.join(KINDS)}")


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://u@h/db`` → ``postgresql://u@h/db`` (what asyncpg accepts)."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise SettingsError(
            "GONGZHI_PUBSUB=postgres needs GONGZHI_DATABASE_URL to be a PostgreSQL URL"
            f" (postgresql+asyncpg://...), not {scheme if sep else 'one without a scheme'!r}"
        )
    return f"postgresql://{rest}"
