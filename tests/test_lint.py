"""The lint hooks are part of the suite, so the README's one test command checks everything;
CI's script runs exactly the README's test command; installs come from the lock file.

The commands themselves live in one place, ``.pre-commit-config.yaml``: the same entries run
before each commit (pre-commit) and here, with this virtual environment's tools, started when
collection ends so that they run beside the other tests (tests/support/lint.py).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from tests.support import lint
from tests.support.lint import hooks

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_runs_ruff_and_mypy_locally() -> None:
    ids = {hook["id"] for hook in hooks()}
    assert {"ruff", "mypy"} <= ids
    # local hooks only: nothing is fetched, and the tools are the locked ones
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_lint_hook_passes(hook: dict[str, str]) -> None:
    status, output = lint.run(hook)
    assert status == 0, output


def readme_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    blocks = readme_blocks()
    test_cmd = next(b for b in blocks if "pytest" in b)
    assert test_cmd in (ROOT / ".ci" / "run").read_text()
    assert any("gongzhi demo" in b for b in blocks)


def test_the_readme_commands_install_from_the_lock_file() -> None:
    """An unpinned release once broke the suite on a fresh machine: every install line of the
    README goes through requirements.lock."""
    installs = [line for b in readme_blocks() for line in b.splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "-c requirements.lock" in line, line


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: not an exact pin: {line}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_lock_file_pins_every_declared_dependency_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        declared.extend(extra)
    pins = locked()
    for spec in declared:
        req = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is declared but not in requirements.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {req.name}=={pins[name]}, outside {req.specifier}"
        )


def test_this_environment_was_installed_from_the_lock_file() -> None:
    """What the suite runs on is what the lock names (the README's command used it)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for name, pin in locked().items():
        try:
            have = version(name)
        except PackageNotFoundError:
            continue  # an extra this install did not ask for (dev)
        if have != pin:
            wrong.append(f"{name}: installed {have}, locked {pin}")
    assert not wrong, "reinstall with the README's command:\n" + "\n".join(wrong)
