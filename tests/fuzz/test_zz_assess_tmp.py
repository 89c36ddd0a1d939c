"""Temporary: the fuzz suite on the assessment operations only (not committed)."""
from __future__ import annotations

import pytest

from api.settings import Settings
from tests.fuzz import test_graphql_fuzz as f

MINE = ("ssessment", "ompan", "urvey", "ectification", "erviceContract")


@pytest.mark.parametrize("role", ["owner", "committee"])
def test_fuzz_assessment(role: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    ops = [o for o in f.OPERATIONS if any(m in o.definition.field_name for m in MINE)]
    print(sorted(o.definition.field_name for o in ops))
    assert len(ops) >= 18
    monkeypatch.setattr(f, "OPERATIONS", ops)
    monkeypatch.setattr(f, "EXAMPLES", {"sqlite": (25, 5, 10), "postgresql": (8, 2, 4)})
    f.test_graphql_fuzz(role, settings)
