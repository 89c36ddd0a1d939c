"""The fuzz suite reports how many generated cases it ran, in the normal pytest output.

Each fuzz test adds to :data:`tests.fuzz.cases.CASES` (a label → count); the terminal summary
prints them, so a CI log shows the number of cases of every run without ``-s``. The sizes of the
runs are fixed in each test's Hypothesis settings (bounded so that the whole suite stays within
about three minutes on a two-core machine); nothing here skips or shrinks them.
"""

from __future__ import annotations

import pytest

from tests.fuzz.cases import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("fuzz cases")
    for label, n in sorted(CASES.items()):
        terminalreporter.write_line(f"{label}: {n}")
    terminalreporter.write_line(f"total: {sum(CASES.values())}")
