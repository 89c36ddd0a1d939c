"""The cases of the authorisation matrix: every operation of the schema x every role, one
pytest parameter each (test_authz_matrix.py runs them, test_threat_model_doc.py checks that
docs/threat-model.md lists them)."""

from __future__ import annotations

import pytest

from tests.e2e.security.decisions import ROLES
from tests.e2e.security.operations import operations

CASES = [pytest.param(key, role, id=f"{key}-{role}") for key in operations() for role in ROLES]
