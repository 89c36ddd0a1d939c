"""What a printed letter's QR code points at: the service's public origin (issue #14 item 11).

``GONGZHI_PUBLIC_URL`` when set (checked at start: an http or https origin, optionally with a
path the service is mounted under). Otherwise the origin the printing browser is on, and only
when the request's ``Origin`` header names the very ``Host`` the request was sent to: a browser
sets ``Origin`` on every POST and page scripts cannot change it, so a letter never carries an
address that only a ``Host`` header claimed (an API client sending neither, or a reverse proxy
that rewrites ``Host``, gets no QR code: set ``GONGZHI_PUBLIC_URL`` there). The URLs and the
images are made in api/formats/qr.py, in a worker thread: a batch of a thousand notices is a few
seconds of CPU that must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from api.formats import qr
from api.settings import Settings, SettingsError

SCHEMES = ("http", "https")


def configured_origin(settings: Settings) -> str | None:
    """GONGZHI_PUBLIC_URL without its trailing slash, or None; refuses a malformed one."""
    raw = settings.public_url.strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in SCHEMES or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            f"GONGZHI_PUBLIC_URL={raw!r} is not an http(s) address such as "
            "https://gongzhi.example.org (no query, no #fragment) / GONGZHI_PUBLIC_URL 须为 "
            "http(s) 地址，例如 https://gongzhi.example.org（不带查询串和 #）"
        )
    return raw.rstrip("/")


def request_origin(conn: HTTPConnection) -> str | None:
    """The browser's origin when its ``Origin`` header agrees with ``Host``; else None."""
    origin = conn.headers.get("origin", "")
    host = conn.headers.get("host", "")
    parts = urlsplit(origin)
    if parts.scheme not in SCHEMES or not host or parts.netloc.lower() != host.lower():
        return None
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class Printing:
    """``info.context.printing``: the QR codes of one request's letters and notices."""

    def __init__(self, configured: str | None, conn: HTTPConnection) -> None:
        self.configured = configured
        self.conn = conn

    @functools.cached_property
    def origin(self) -> str | None:
        """Read when a letter is printed, not on every request."""
        return self.configured or request_origin(self.conn)

    async def activation_qr(self, code: str) -> str | None:
        if self.origin is None:
            return None
        return await asyncio.to_thread(qr.png_data_url, qr.activation_link(self.origin, code))

    async def ballot_qr(self, election_id: int, elector_id: int, code: str) -> str | None:
        if self.origin is None:
            return None
        link = qr.ballot_link(self.origin, election_id, elector_id, code)
        return await asyncio.to_thread(qr.png_data_url, link)
