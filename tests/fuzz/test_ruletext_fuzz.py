"""Hypothesis for the rule-document text import (api/formats/ruletext.py, api/formats/textinput.py).

Generated documents (a title, a preamble, chapters or none, continuously numbered articles with
or without headings, paragraphs of Chinese and Latin text) are rendered the ways committees write
them — plain text with 第X章/第X条 and 【heading】, Markdown with ``#`` headings, English with
Chapter/Article — with Chinese, Arabic, full-width or Roman numerals, and must parse back to
exactly the document (title, preamble, chapters, numbers, headings, text and each article's
line). Then one fault is put into the rendered text (a numbering gap, an empty article, a
section heading, text between a chapter heading and its first article, an over-long article or
heading) and the parser must report exactly that problem at its line. Arbitrary text through
``textinput.prose`` and ``ruletext.parse`` raises nothing but the module's own refusals. At the
service level (GraphQL ``importDraftText``, both databases) a faulty text is refused with the
same positioned details and changes no table.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re

import httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.formats import ruletext, textinput
from api.http.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.fuzz.cases import count
from tests.fuzz.dbstate import changed_tables, table_digests
from tests.support.world import build_world

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(lambda c: c != "第")
LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# Inside a line: no character that starts a heading, emphasis or a bracketed heading.
INNER = st.one_of(CJK, LATIN, st.sampled_from(" ，。；：、（）“”-.,"))
SENTENCE_END = ("。", "；", ".")
HEADINGISH = re.compile(r"(?i)^\s*(第|chapter\s|article\s|#|\*\*|__|【|\[)")


def words(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """A line starting and ending with a letter or ideograph (no leading punctuation that a
    heading's separator would swallow, no edge spaces that the parser strips)."""
    edge = st.one_of(CJK, LATIN)
    return st.builds(
        lambda a, mid, b: (a + mid + b) if max_size > 1 else a,
        edge,
        st.text(INNER, max_size=max(0, max_size - 2)),
        edge,
    ).filter(lambda s: min_size <= len(s) and not HEADINGISH.match(s) and "  " not in s.strip())


TITLES = words(1, 30).filter(lambda s: not re.search(r"[。．.；;！!？?：:，,]", s))
PARAGRAPHS = st.builds(lambda s, end: s + end, words(1, 60), st.sampled_from(SENTENCE_END))


@dataclasses.dataclass(frozen=True)
class Article:
    heading: str
    paragraphs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Chapter:
    title: str
    articles: tuple[Article, ...]


@dataclasses.dataclass(frozen=True)
class Doc:
    title: str
    preamble: tuple[str, ...]
    chapters: tuple[Chapter, ...] | None  # None: articles without chapters
    loose: tuple[Article, ...]  # the articles when there are no chapters


articles = st.builds(
    Article,
    heading=st.one_of(st.just(""), TITLES),
    paragraphs=st.lists(PARAGRAPHS, min_size=1, max_size=3).map(tuple),
)


@st.composite
def docs(draw: st.DrawFn) -> Doc:
    title = draw(st.one_of(st.just(""), TITLES))
    preamble = tuple(draw(st.lists(PARAGRAPHS, max_size=2)))
    if draw(st.booleans()):
        chapters = draw(
            st.lists(
                st.builds(
                    Chapter,
                    title=st.one_of(st.just(""), TITLES),
                    articles=st.lists(articles, min_size=1, max_size=3).map(tuple),
                ),
                min_size=1,
                max_size=4,
            )
        )
        return Doc(title, preamble, tuple(chapters), ())
    return Doc(title, preamble, None, tuple(draw(st.lists(articles, min_size=1, max_size=6))))


@dataclasses.dataclass(frozen=True)
class Style:
    markdown: bool
    english: bool
    numerals: str  # "chinese" | "arabic" | "full" | "roman" (chapters of English documents)
    blank_lines: bool


styles = st.builds(
    Style,
    markdown=st.booleans(),
    english=st.booleans(),
    numerals=st.sampled_from(["chinese", "arabic", "full", "roman"]),
    blank_lines=st.booleans(),
)

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def numeral(n: int, style: Style, chapter: bool) -> str:
    kind = style.numerals
    if (kind == "chinese" and style.english) or (
        kind == "roman" and not (chapter and style.english)
    ):
        kind = "arabic"
    return {
        "chinese": ruletext.chinese_numeral(n),
        "arabic": str(n),
        "full": str(n).translate(FULL),
        "roman": roman(n),
    }[kind]


@dataclasses.dataclass
class Rendered:
    lines: list[str]
    expected: ruletext.ParsedText
    article_lines: list[int]  # line of each article heading
    article_labels: list[str]  # 第三条 / Article 3 as written on that line
    chapter_lines: list[int]  # line of each chapter heading


def render(doc: Doc, style: Style) -> Rendered:
    """The text a committee would paste, and what parsing it must give."""
    lines: list[str] = []
    clauses: list[ruletext.ParsedClause] = []
    article_lines: list[int] = []
    article_labels: list[str] = []
    chapter_lines: list[int] = []

    def add(line: str) -> int:
        lines.append(line)
        return len(lines)

    def gap() -> None:
        if style.blank_lines:
            add("")

    if doc.title:
        add(f"# {doc.title}" if style.markdown else doc.title)
        gap()
    for paragraph in doc.preamble:
        add(paragraph)
    number = 0

    def article(a: Article, chapter_number: int, chapter_title: str) -> None:
        nonlocal number
        number += 1
        label = (
            f"Article {numeral(number, style, False)}"
            if style.english
            else f"第{numeral(number, style, False)}条"
        )
        first, rest = a.paragraphs[0], a.paragraphs[1:]
        if style.markdown:
            line = add(f"### {label} {a.heading}".rstrip())
            add(first)
        elif a.heading:
            bracketed = f"[{a.heading}]" if style.english else f"【{a.heading}】"
            line = add(f"{label} {bracketed}{first}")
        else:
            line = add(f"{label} {first}")
        for paragraph in rest:
            gap()
            add(paragraph)
        gap()
        article_lines.append(line)
        article_labels.append(label)
        clauses.append(
            ruletext.ParsedClause(
                line, chapter_number, chapter_title, number, a.heading, "\n".join(a.paragraphs)
            )
        )

    if doc.chapters is None:
        for a in doc.loose:
            article(a, 0, "")
    else:
        for c_number, chapter in enumerate(doc.chapters, start=1):
            label = (
                f"Chapter {numeral(c_number, style, True)}"
                if style.english
                else f"第{numeral(c_number, style, True)}章"
            )
            heading = f"{label} {chapter.title}".rstrip()
            chapter_lines.append(add(f"## {heading}" if style.markdown else heading))
            for a in chapter.articles:
                article(a, c_number, chapter.title)
    expected = ruletext.ParsedText(
        title=doc.title,
        preamble="\n".join(doc.preamble),
        clauses=clauses,
        problems=[],
        markdown=style.markdown,
    )
    return Rendered(lines, expected, article_lines, article_labels, chapter_lines)


@hypothesis_settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=docs(), style=styles, crlf=st.booleans())
def test_parse_of_render_is_the_document(doc: Doc, style: Style, crlf: bool) -> None:
    rendered = render(doc, style)
    text = ("\r\n" if crlf else "\n").join(rendered.lines)
    assert ruletext.parse(text) == rendered.expected
    # what the import does first keeps a valid document as it is
    assert ruletext.parse(textinput.prose(text, field="text", cap=10**6)) == rendered.expected
    count("ruletext: parse(render(doc)) == doc")


# --- one fault at a time --------------------------------------------------------------------


@st.composite
def faulty(draw: st.DrawFn) -> tuple[str, list[tuple[str, int]]]:
    """A rendered document with one fault, and the (code, line) problems it must give."""
    doc, style = draw(docs()), draw(styles)
    r = render(doc, style)
    lines = r.lines
    n = len(r.article_lines)
    kind = draw(
        st.sampled_from(
            ["renumber", "empty", "section", "outside", "too_long", "long_heading"]
            if r.chapter_lines
            else ["renumber", "empty", "section", "too_long", "long_heading"]
        )
    )
    if kind == "renumber":  # the last article gets a wrong number
        at = r.article_lines[-1]
        wrong = draw(st.integers(1, 600).filter(lambda k: k != n))
        label = f"Article {wrong}" if style.english else f"第{wrong}条"
        lines[at - 1] = lines[at - 1].replace(r.article_labels[-1], label, 1)
        return "\n".join(lines), [("ARTICLE_NUMBER_SEQUENCE", at)]
    if kind == "empty":  # an article heading with nothing after it
        k = draw(st.integers(0, n - 1))
        at = r.article_lines[k]
        end = r.article_lines[k + 1] - 1 if k + 1 < n else len(lines)
        if r.chapter_lines:
            end = min([end, *[c - 1 for c in r.chapter_lines if c > at]])
        number = k + 1
        label = f"Article {number}" if style.english else f"第{number}条"
        lines[at - 1 : end] = [("### " if style.markdown else "") + label]
        return "\n".join(lines), [("ARTICLE_EMPTY", at)]
    if kind == "section":  # 节 are not supported, wherever they are put after the first heading
        first = r.chapter_lines[0] if r.chapter_lines else r.article_lines[0]
        at = draw(st.integers(first + 1, len(lines) + 1))
        lines.insert(at - 1, "第一节 一般规定")
        return "\n".join(lines), [("SECTION_NOT_SUPPORTED", at)]
    if kind == "outside":  # prose between a chapter heading and its first article
        at = draw(st.sampled_from(r.chapter_lines)) + 1
        lines.insert(at - 1, draw(PARAGRAPHS))
        return "\n".join(lines), [("TEXT_OUTSIDE_ARTICLE", at)]
    if kind == "too_long":
        k = draw(st.integers(0, n - 1))
        at = r.article_lines[k]
        lines.insert(at, "长" * (textinput.CLAUSE_TEXT_MAX + 1))
        return "\n".join(lines), [("ARTICLE_TOO_LONG", at)]
    # long_heading: a Markdown article heading over the cap
    k = draw(st.integers(0, n - 1))
    at = r.article_lines[k]
    number = k + 1
    label = f"Article {number}" if style.english else f"第{number}条"
    lines[at - 1] = f"### {label} " + "标" * (textinput.HEADING_MAX + 1)
    if not style.markdown:
        lines.insert(at, "正文。")
    return "\n".join(lines), [("HEADING_TOO_LONG", at)]


@hypothesis_settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=faulty())
def test_a_single_fault_is_reported_at_its_line(case: tuple[str, list[tuple[str, int]]]) -> None:
    text, expected = case
    got = ruletext.parse(text)
    assert [(p.code, p.line) for p in got.problems] == expected, text
    assert all(p.zh and p.en for p in got.problems)
    count("ruletext: single faults (parser)")


# --- arbitrary text -------------------------------------------------------------------------

FUZZ = st.one_of(
    st.sampled_from(
        [
            *(
                "第",
                "章",
                "条",
                "节",
                "十",
                "百",
                "零",
                "一",
                "二",
                "#",
                "**",
                "【",
                "】",
                "[",
                "]",
            ),
            *("Chapter ", "Article ", "IV", "１", "2", "\n", "\r\n", "\r", " ", "\u3000", "："),
            *("．", "\u202e", "\x00", "\u200b", "\ufeff", "e\u0301", "\t"),
        ]
    ),
    st.characters(),
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(FUZZ, max_size=120).map("".join))
def test_arbitrary_text_gives_only_positioned_refusals(raw: str) -> None:
    try:
        text = textinput.prose(raw, field="text", cap=textinput.IMPORT_MAX_CHARS)
    except AppError as refused:
        assert refused.code in {"TEXT_EMPTY", "TEXT_INVALID_CHARACTER", "TEXT_TOO_LONG"}
        assert refused.field == "text" and refused.zh and refused.en
        if refused.code == "TEXT_INVALID_CHARACTER":
            assert re.search(r"character \d+, U\+[0-9A-F]{4}", refused.en), refused.en
        count("ruletext: arbitrary text")
        return
    got = ruletext.parse(text)
    physical = text.count("\n") + 1
    for problem in got.problems:
        assert 1 <= problem.line <= physical, (problem, text)
        assert problem.zh and problem.en
    assert got.ok == (not got.problems)
    for clause in got.clauses:
        assert 1 <= clause.line <= physical and clause.number >= 0
    count("ruletext: arbitrary text")


# --- service level --------------------------------------------------------------------------

IMPORT = """mutation($i: ImportDraftTextInput!) { importDraftText(input: $i) { __typename
  ... on DraftImported { kept added removed }
  ... on Problem { code field details { code line } } } }"""
CREATE = """mutation($i: CreateDocumentInput!) { createDocument(input: $i) { __typename
  ... on VersionSaved { version { id } } ... on Problem { code } } }"""


def test_import_of_a_faulty_text_changes_nothing(settings: Settings) -> None:
    """Through GraphQL, with a database: a faulty text is refused with each problem's line and
    no table changes (and a sound text is then imported by the same call)."""
    runner = asyncio.Runner()
    runtime = Runtime.create(settings)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    gql = Gql(client)
    cases = 0
    try:
        world = runner.run(build_world(runtime))
        token = world.tokens["committee"]
        created = runner.run(
            gql(
                CREATE,
                {"i": {"communityId": str(world.a), "kind": "OTHER", "title": "规则"}},
                token=token,
            )
        )
        version = created["data"]["createDocument"]["version"]["id"]

        async def attempt(text: str, expected: list[tuple[str, int]]) -> None:
            before = await table_digests(runtime)
            r = await gql(IMPORT, {"i": {"versionId": version, "text": text}}, token=token)
            problem = r["data"]["importDraftText"]
            assert problem["__typename"] == "Problem" and problem["code"] == "TEXT_INVALID"
            assert [(d["code"], d["line"]) for d in problem["details"]] == expected
            assert changed_tables(before, await table_digests(runtime)) == []

        @hypothesis_settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=faulty())
        def run(case: tuple[str, list[tuple[str, int]]]) -> None:
            nonlocal cases
            cases += 1
            runner.run(attempt(*case))

        run()
        sound = render(
            Doc("规则", (), None, (Article("", ("内容。",)),)),
            Style(False, False, "chinese", False),
        )
        r = runner.run(
            gql(IMPORT, {"i": {"versionId": version, "text": "\n".join(sound.lines)}}, token=token)
        )
        assert r["data"]["importDraftText"] == {
            "__typename": "DraftImported",
            "kept": 0,
            "added": 1,
            "removed": 0,
        }
    finally:
        runner.run(client.aclose())
        runner.run(runtime.close())
        runner.close()
    count(f"ruletext: service imports [{settings.database_url.split(':')[0]}]", cases)
