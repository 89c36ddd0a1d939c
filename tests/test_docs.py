"""The project's documents stay true to the tree: docs/design.md has every section the code cites,
and every file path the docs cite exists.

* No tracked file points at the design brief kept outside the repository (only CHANGELOG.md, which
  is history, may name it): the project's own account is docs/design.md.
* Every ``docs/design.md §N`` or ``§N.M`` cited in the code, tests, web client, docs or README is a
  section heading (``## N.``, ``### N.M``) or a numbered item of docs/design.md, and a quoted name
  after it (``§2 "Counting"``) appears in that section.
* Every path of the tree cited in docs/*.md and README.md (``api/store/paging.py``,
  ``tests/e2e/protocol/``, ``api/services/tallies.released_tally``) exists.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "docs" / "design.md"
BRIEF_NAMES = ("DESIGN" + ".md", "shared/" + "DESIGN")  # spelled apart so this file passes (a)
CITING = ("api/", "schema/", "voting/", "tests/", "bench/", "web/", "docs/", "README.md")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", "var", ".mypy_cache", ".ruff_cache"}

# "docs/design.md §3.3", "docs/design.md §2-§3", "docs/design.md §5, §6", and a bare "(§3.4)"
# later on the same line; "Art. 278 §2" or "RFC 6455 §7.4.1" (a number, then §) are not ours.
MENTION = re.compile(r"docs/design\.md")
SECTION = re.compile(r"(?<![\w§])(?<!\d )§(\d+(?:\.\d+)*)(?:\s+\"([^\"]+)\")?")
HEADING = re.compile(r"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s")
ITEM = re.compile(r"^(\d+)\.\s")
# a path of the tree: a top-level directory, then at least one more part; "../" links allowed
TREE_PATH = re.compile(
    r"(?<![\w/.-])(?:\.\./)*((?:api|schema|voting|tests|bench|web|migrations|docs)/[\w./-]*\w/?)"
)


def tracked_text_files() -> Iterator[tuple[str, str]]:
    """(path relative to the root, text) of every tracked file that is UTF-8 text."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        names = [n for n in listed.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        names = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
        ]
    for name in sorted(names):
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def design_sections() -> dict[str, str]:
    """Section number ("3", "3.7") → its text, up to the next heading of any number."""
    assert DESIGN.exists(), "docs/design.md is missing"
    sections: dict[str, list[str]] = {}
    within: list[str] = []  # the numbers the current line belongs to: its section, item
    for line in DESIGN.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        item = ITEM.match(line)
        if heading:
            number = heading.group(1)
            top = number.split(".")[0]
            within = [top] if number == top else [top, number]
        elif item and within:
            within = [within[0], f"{within[0]}.{item.group(1)}"]
        for number in within:
            sections.setdefault(number, []).append(line)
    return {number: "\n".join(lines) for number, lines in sections.items()}


def citations(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line number, section, quoted name or None) of each docs/design.md citation."""
    lines = text.splitlines()
    for lineno, line in enumerate(lines, start=1):
        mention = MENTION.search(line)
        if mention is None:
            continue
        rest = line[mention.end() :]
        if not rest.strip() and lineno < len(lines):  # "(docs/design.md" and "§3)." below
            rest = " " + lines[lineno].lstrip(" #/*")
        for match in SECTION.finditer(rest):
            yield lineno, match.group(1), match.group(2)


def test_no_file_points_at_the_brief_outside_the_repository() -> None:
    bad = [
        f"{name}:{lineno}"
        for name, text in tracked_text_files()
        if name != "CHANGELOG.md"
        for lineno, line in enumerate(text.splitlines(), start=1)
        if any(brief in line for brief in BRIEF_NAMES)
    ]
    assert not bad, "cite docs/design.md, not the brief outside the repository:\n" + "\n".join(bad)


def test_every_cited_section_of_the_design_exists() -> None:
    sections = design_sections()
    cited = 0
    bad = []
    for name, text in tracked_text_files():
        if not name.startswith(CITING):
            continue
        for lineno, number, title in citations(text):
            cited += 1
            if number not in sections:
                bad.append(f"{name}:{lineno}: §{number} is not a section of docs/design.md")
            elif title and title.lower() not in sections[number].lower():
                bad.append(f'{name}:{lineno}: §{number} has no "{title}"')
    assert cited > 50, f"only {cited} citations found: is the pattern still right?"
    assert not bad, "\n".join(bad)


def test_the_design_numbers_the_security_items_three_one_to_three_ten() -> None:
    sections = design_sections()
    assert {str(n) for n in range(1, 6)} <= sections.keys()
    assert {f"3.{n}" for n in range(1, 11)} <= sections.keys()


def exists(path: str) -> bool:
    """The file or directory, or a module attribute written ``api/x/module.name``."""
    if (ROOT / path).exists():
        return True
    module, dot, _ = path.rstrip("/").rpartition(".")
    return bool(dot) and (ROOT / f"{module}.py").is_file()


def ignored(path: str) -> bool:
    """Generated paths git ignores (screenshots, node_modules) need not exist in a checkout."""
    for candidate in (path, path.rstrip("/") + "/"):  # "node_modules/" matches directories
        result = subprocess.run(
            ["git", "check-ignore", "-q", candidate], cwd=ROOT, capture_output=True, check=False
        )
        if result.returncode == 0:
            return True
    return False


def test_every_path_the_docs_cite_exists() -> None:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    cited = 0
    bad = []
    for doc in docs:
        for lineno, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            for match in TREE_PATH.finditer(line):
                path = match.group(1)
                cited += 1
                if not exists(path) and not ignored(path):
                    bad.append(f"{doc.relative_to(ROOT)}:{lineno}: {path} does not exist")
    assert cited > 20, f"only {cited} paths found: is the pattern still right?"
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("see docs/design.md §3.3.", [("3.3", None)]),
        ("(docs/design.md §5, §6)", [("5", None), ("6", None)]),
        ("docs/design.md §2-§3", [("2", None), ("3", None)]),
        ('docs/design.md §2 "Counting"', [("2", "Counting")]),
        ("owners (docs/design.md §3.3) and the codes (§3.4)", [("3.3", None), ("3.4", None)]),
        ("Art. 278 §2 and docs/design.md §1; RFC 6455 §7.4.1", [("1", None)]),
        ("Art. 278 §2 says so", []),
        ("ballot secrecy (docs/design.md\n§3).", [("3", None)]),
        ("# the voting core (docs/design.md\n# §5): no clock", [("5", None)]),
    ],
)
def test_the_citation_pattern(line: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(number, title) for _, number, title in citations(line)] == expected
