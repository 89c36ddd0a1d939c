"""Trusted documents: the web client's GraphQL documents, read from its files in ``web/`` when the
worker starts (issue #17 target 6; docs/design.md §4 "Trusted documents").

The client (web/js) writes each operation as a template literal assigned to a constant, with
shared pieces spliced in (``${PROBLEM}``, ``${COMMENT_FIELDS}``; constants of the same file or
imported by name from another). :func:`web_documents` finds every such constant whose text,
once its pieces are spliced in as the browser splices them, is an operation, and returns the
exact text the browser sends. The direct path (api/http/direct.py) checks each at start and
keeps it for good: a trusted document is never parsed or validated again, and no flood of other
documents can evict it. A screen added tomorrow is registered by the next start, with nothing to
list by hand; tests/api/http/test_trusted.py fails when one of them does not validate.

Templates built by a function (``SIGN(op)``, a query with one alias per compound) are not
constants: :func:`web_documents` reports them as ``dynamic``. With
``GONGZHI_TRUSTED_DOCUMENTS_ONLY`` (off by default) a worker refuses every document that is not
trusted, those included — so it is for a deployment whose client sends only constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# `const NAME = `…`;`, `export const NAME = `…`` or `const NAME = () => `…`` (no backtick
# inside but escaped ones)
CONSTANT = re.compile(
    r"(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*(?:\(\s*\)\s*=>\s*)?`((?:[^`\\]|\\.)*)`", re.S
)
# `const NAME = (a, b) => `…`` : a template made by a function
STRING = re.compile(r"""(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*(["'])([^"'\\\n]*)\2\s*;""")
FUNCTION = re.compile(r"const\s+([A-Za-z_$][\w$]*)\s*=\s*\((?=[^)]*\w)[^)]*\)\s*=>\s*`", re.S)
IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*[\"']([^\"']+)[\"']")
HOLE = re.compile(
    r"\$\{\s*([A-Za-z_$][\w$]*)\s*(?:\(\s*\))?\s*\}"
)  # a piece, or one of no argument
OPERATION = re.compile(r"^\s*(query|mutation|subscription)\b")


@dataclass
class Found:
    """What :func:`web_documents` found: the documents (text → where), and where a template is
    built by a function or has a piece it cannot resolve."""

    documents: dict[str, str] = field(default_factory=dict)
    dynamic: list[str] = field(default_factory=list)


def _unescape(raw: str) -> str:
    return re.sub(r"\\([`\\$])", r"\1", raw)


def _read(
    web_dir: Path, files: list[Path], found: Found
) -> tuple[dict[Path, dict[str, str]], dict[Path, dict[str, Path]]]:
    """Each file's string constants, and where each name it imports comes from."""
    constants: dict[Path, dict[str, str]] = {}
    imports: dict[Path, dict[str, Path]] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        constants[path] = {m[1]: m[3] for m in STRING.finditer(text)}
        constants[path].update({m[1]: m[2] for m in CONSTANT.finditer(text)})
        imports[path] = {
            name.strip().split(" as ")[-1].strip(): (path.parent / source).resolve()
            for names, source in IMPORT.findall(text)
            for name in names.split(",")
            if name.strip()
        }
        found.dynamic.extend(
            f"{path.relative_to(web_dir)}: {m[1]}(…)" for m in FUNCTION.finditer(text)
        )
    return constants, imports


def web_documents(web_dir: Path) -> Found:
    """Every constant operation of the web client under ``web_dir/js``, as the browser sends it."""
    web_dir = web_dir.resolve()
    root = web_dir / "js"
    found = Found()
    if not root.is_dir():
        return found
    files = sorted(root.rglob("*.js"))
    constants, imports = _read(web_dir, files, found)

    def resolve(path: Path, name: str, depth: int = 0) -> str | None:
        if depth > 8:
            return None
        raw = constants.get(path, {}).get(name)
        if raw is None:
            source = imports.get(path, {}).get(name)
            return resolve(source, name, depth + 1) if source in constants else None
        pieces = {hole: resolve(path, hole, depth + 1) for hole in HOLE.findall(raw)}
        if None in pieces.values():
            return None
        spliced = HOLE.sub(lambda m: pieces[m[1]] or "", raw)
        return None if "${" in spliced else _unescape(spliced)

    for path in files:
        for name, raw in constants[path].items():
            if not OPERATION.match(_unescape(raw)):
                continue
            where = f"{path.relative_to(web_dir)}: {name}"
            text = resolve(path, name)
            if text is None:
                found.dynamic.append(where)
            else:
                found.documents.setdefault(text, where)
    return found
