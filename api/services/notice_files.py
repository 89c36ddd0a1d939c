"""Where notice attachments live on disk: ``<var_dir>/notices/<random hex>``, mode 0600
(issue #15 part 2, docs/design.md §3.11).

The stored name is 32 random hex digits, never anything the client sent, so no file name can
reach outside the directory or overwrite another file (``O_EXCL``). The files of one notice are
written together after every attachment has been checked; if any write fails, the ones already
written are removed before the refusal, so a refused upload leaves nothing in ``var/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from api.formats.attachment import CheckedFile

SUBDIR = "notices"
_NAME = re.compile(r"[0-9a-f]{32}")


def directory(var_dir: str) -> Path:
    return Path(var_dir) / SUBDIR


def write_all(var_dir: str, files: Sequence[CheckedFile]) -> list[str]:
    """Write each file under a new random name; all or none."""
    folder = directory(var_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written: list[str] = []
    try:
        for f in files:
            name = secrets.token_hex(16)
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(name)
            with os.fdopen(fd, "wb") as out:
                out.write(f.data)
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        remove(var_dir, written)
        raise
    return written


def remove(var_dir: str, names: Sequence[str]) -> None:
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            (directory(var_dir) / name).unlink()


def read(var_dir: str, name: str) -> bytes:
    """The stored bytes; the name comes from our own row and is checked once more."""
    if not _NAME.fullmatch(name):
        raise FileNotFoundError(name)
    return (directory(var_dir) / name).read_bytes()
