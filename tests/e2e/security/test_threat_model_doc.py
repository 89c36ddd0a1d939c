"""docs/threat-model.md names a test for each line: every one it names must exist.

A reference is ``path::name`` (a test function in that file) or ``path::name[id]`` (one case of
a parametrized test; only the authorisation matrix's cases are named that way, and the id must
be one of its cases).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.security.cases import CASES

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "threat-model.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]`]+)\])?`")
MATRIX = "tests/e2e/security/test_authz_matrix.py"


def references(text: str) -> list[tuple[str, str, str | None]]:
    return [(m[1], m[2], m[3]) for m in REFERENCE.finditer(text)]


def missing(text: str) -> list[str]:
    """The references in ``text`` that name no test."""
    case_ids = {p.id for p in CASES}
    bad = []
    for path, name, case in references(text):
        where = ROOT / path
        if not where.is_file():
            bad.append(f"{path}::{name}: no such file")
        elif not re.search(rf"^(async )?def {name}\(", where.read_text("utf-8"), re.M):
            bad.append(f"{path}::{name}: no such test")
        elif case is not None and (path != MATRIX or case not in case_ids):
            bad.append(f"{path}::{name}[{case}]: no such case")
    return bad


def test_every_test_the_threat_model_names_exists() -> None:
    text = DOC.read_text("utf-8")
    found = references(text)
    assert len(found) >= 80, "the page names a test for each line"
    assert not missing(text), "docs/threat-model.md names tests that do not exist:\n" + "\n".join(
        missing(text)
    )


def test_the_check_catches_a_renamed_test_and_a_wrong_case() -> None:
    """Guard: the test above would pass vacuously if the parser found nothing to check."""
    text = (
        "`tests/api/services/test_access.py::test_anonymous_reads_nothing` "
        "`tests/api/services/test_access.py::test_anonymous_reads_everything` "
        "`tests/nowhere.py::test_x` "
        f"`{MATRIX}::test_matrix[Mutation.castBallot-owner]` "
        f"`{MATRIX}::test_matrix[Mutation.castBallot-nobody]`"
    )
    assert missing(text) == [
        "tests/api/services/test_access.py::test_anonymous_reads_everything: no such test",
        "tests/nowhere.py::test_x: no such file",
        f"{MATRIX}::test_matrix[Mutation.castBallot-nobody]: no such case",
    ]
