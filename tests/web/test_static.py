"""Checks of the web client's files that need no browser: the two catalogues agree, every key
the code asks for exists, no module builds HTML from strings, and the vendored libraries are
exactly what web/vendor/refresh.sh fetched."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
JS = sorted((WEB / "js").rglob("*.js"))


def catalogue(lang: str) -> dict[str, str]:
    text = (WEB / "i18n" / f"{lang}.js").read_text(encoding="utf-8")
    body = text.split("export default", 1)[1].strip().removesuffix(";")
    data = json.loads(body)  # strict JSON, so this test can read it
    assert isinstance(data, dict)
    return data


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert sorted(set(zh) - set(en)) == [], "missing in en.js"
    assert sorted(set(en) - set(zh)) == [], "missing in zh.js"
    for key in zh:
        assert zh[key].strip() and en[key].strip(), f"empty string for {key}"
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_counts_are_pluralised_not_written_with_parentheses() -> None:
    """Issue #14 item 8: "1 comment", "2 comments", never "comment(s)"; every plural key has
    the "other" form, which Chinese uses for every count."""
    zh, en = catalogue("zh"), catalogue("en")
    assert [k for k, v in en.items() if re.search(r"\w\((s|es)\)", v)] == []
    for key in zh:
        if key.endswith((".one", ".two", ".few", ".many", ".zero")):
            assert key.rsplit(".", 1)[0] + ".other" in zh, key
            assert key.rsplit(".", 1)[0] not in zh, f"{key}: both plural forms and a plain key"


STATES = ["DRAFT", "ANNOUNCED", "OPEN", "CLOSED", "CERTIFIED", "PUBLISHED", "CANCELLED"]
ACTIONS = ["announce", "open", "close", "publish", "cancel"]


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    zh = catalogue("zh")
    used: set[str] = set()
    for path in JS:
        # Whole-line comments hold examples of routes to come (routes.js), not live keys.
        code = re.sub(r"(?m)^\s*//.*$", "", path.read_text(encoding="utf-8"))
        used |= set(re.findall(r"""\bt\(\s*"([\w.]+)\"""", code))
        used |= set(re.findall(r"""\b(?:title|label):\s*"([\w.]+)\"""", code))
    assert used, "found no keys: the patterns above no longer match the code"
    # a count's key is written KEY.one / KEY.other (js/i18n.js picks the plural form)
    assert sorted(k for k in used - set(zh) if f"{k}.other" not in zh) == []
    # Keys built at run time from values the API sends.
    for prefix, values in {
        "role.": ["owner", "committee", "preparatory", "supervisor", "official", "admin"],
        "headRule.": ["per_owner", "per_unit"],
        "roll.column.": ["building", "unit", "floor", "area", "owner_name", "phone"],
        # the election screens (js/voting.js and friends)
        "election.state.": STATES,
        "election.note.": STATES,
        "manage.next.": STATES,
        "manage.action.": ACTIONS,
        "manage.confirm.": ACTIONS,
        "manage.do.": ACTIONS,
        "manage.ask.": ACTIONS,
        "matter.": [str(n) for n in range(1, 10)],
        "matter.threshold.": [str(n) for n in range(1, 10)],
        "matter.item.": [str(n) for n in range(1, 10)],
        "answer.": ["yes", "no", "abstain", "invalid"],
        "count.": ["yes", "no", "abstain", "invalid", "blank", "added"],
        "visibility.": ["SUPERVISORS", "ALL", "SEALED"],
        "turnout.countsHidden.": ["SUPERVISORS", "ALL", "SEALED"],
        "committee.": ["OWNERS_COMMITTEE", "SUPERVISORY_COMMITTEE"],
        "check.status.": ["COUNTED", "SUPERSEDED", "RECORDED", "UNKNOWN"],
        "check.explain.": ["COUNTED", "SUPERSEDED", "RECORDED", "UNKNOWN"],
        "live.": ["connecting", "live", "reconnecting", "polling"],
    }.items():
        for value in values:
            assert prefix + value in zh


def test_no_module_builds_html_from_strings() -> None:
    banned = re.compile(
        r"innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function"
    )
    for path in JS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not banned.search(line), f"{path.relative_to(ROOT)}:{n}: {line.strip()}"


def test_nothing_loads_from_another_origin_and_nothing_is_inline() -> None:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and " style=" not in html and re.search(r"\son\w+=", html) is None
    for path in [WEB / "index.html", *JS, *(WEB / "css").glob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"""(?:src|href|import|from|url)\s*\(?\s*["']?(?:https?:)?//""", text
        ), path


def test_vendored_files_match_their_checksums_and_carry_a_version() -> None:
    vendor = WEB / "vendor"
    sums = {}
    for line in (vendor / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    shipped = {p.name for p in vendor.iterdir() if p.name not in ("SHA256SUMS", "refresh.sh")}
    assert shipped == set(sums), "web/vendor/ differs from SHA256SUMS: run web/vendor/refresh.sh"
    for name, digest in sums.items():
        assert re.search(r"-\d+\.\d+\.\d+", name), f"{name}: no version in the file name"
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    imports = re.findall(r"""from\s+"(\.\./vendor/[^"]+)\"""", "\n".join(p.read_text() for p in JS))
    for target in imports:
        assert (WEB / "js" / target).resolve().exists(), target


def test_axe_core_is_for_the_tests_only() -> None:
    """axe-core is vendored for the browser tests' accessibility check (tests/web/axe.py); no
    page of the client loads it."""
    assert len(list((WEB / "vendor").glob("axe-core-*.min.js"))) == 1
    for path in [WEB / "index.html", *JS, *(WEB / "css").glob("*.css")]:
        assert "axe" not in path.read_text(encoding="utf-8").lower(), path
