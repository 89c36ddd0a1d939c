"""The lint hooks of ``.pre-commit-config.yaml`` as the suite runs them (tests/test_lint.py), each
with this virtual environment's tools, started as soon as the run knows it will check them.

A cold mypy takes the better part of a minute while the rest of the run keeps one core busy: on
the two cores the README's figures are for, starting the hooks when collection ends
(tests/conftest.py) lets them run beside the other tests instead of after them. Their test then
collects the result; a hook whose test was not selected never starts, and one not yet collected
when the run ends is stopped. Under pytest-xdist no hook starts early (tests/conftest.py): each
worker collects every test but runs only some.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOOK_TEST = (ROOT / "tests" / "test_lint.py", "test_lint_hook_passes")
_started: dict[str, subprocess.Popen[str]] = {}


def hooks() -> list[dict[str, str]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def _start(hook: dict[str, str]) -> subprocess.Popen[str]:
    tool, *args = shlex.split(hook["entry"])
    return subprocess.Popen(
        [str(BIN / tool), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def start_early(items: Iterable[pytest.Item]) -> None:
    """Start the hook of every selected :data:`HOOK_TEST` case now."""
    for item in items:
        if (item.path, getattr(item, "originalname", None)) != HOOK_TEST:
            continue
        hook: dict[str, str] = item.callspec.params["hook"]  # type: ignore[attr-defined]
        if hook["id"] not in _started:
            _started[hook["id"]] = _start(hook)


def run(hook: dict[str, str]) -> tuple[int, str]:
    """The hook's exit status and output (from its early start if it had one)."""
    proc = _started.pop(hook["id"], None) or _start(hook)
    output, _ = proc.communicate()
    return proc.returncode, output


def stop() -> None:
    """Stop the hooks started early whose test did not run (``-x``, an interrupt)."""
    while _started:
        _, proc = _started.popitem()
        proc.kill()
        proc.communicate()
