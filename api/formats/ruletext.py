"""Read a rule document written in Markdown or plain text into chapters and articles (clauses).

Why a parser of our own: committees write the rules of procedure (议事规则) and the management
statute (管理规约) in Word and paste them, or keep them as Markdown. Both follow the drafting
convention of Chinese legal texts — 第一章 总则, 第一条 …, numbered continuously through the
document — and English translations use "Chapter 1" / "Article 1". We recognise exactly those
headings, keep everything else as the text of the article it belongs to, and refuse what would
silently lose or merge articles (a gap or repeat in the numbering, text outside any article
within a chapter, an empty article). Like the roll import, every problem is reported with its
line at once, and nothing is stored unless the whole text is sound.

Recognised heading lines (leading ``#`` marks of Markdown and ``**`` emphasis are ignored):

* ``第X章 标题`` / ``Chapter X Title`` (X in Chinese numerals, Arabic or Roman digits);
* ``第X条 text…`` / ``Article X text…``: on a plain line the rest is the start of the article's
  text, unless it begins with a bracketed heading (``第五条【业主大会】…``); on a Markdown
  heading line (``### 第五条 业主大会``) the rest is the article's heading;
* lines before the first chapter or article are the preamble (序言); a Markdown ``# Title`` or a
  short first plain line without sentence punctuation is the document's title.

Full-width digits and the ideographic space are accepted in headings (the text is kept in NFC).
Pure: no I/O, nothing from the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from api.formats.textinput import CLAUSE_TEXT_MAX, HEADING_MAX, IMPORT_MAX_CLAUSES

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    **{str(d): d for d in range(10)},
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[零〇一二两三四五六七八九十百千0-9０-９]+"
_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_CHAPTER_ZH = re.compile(rf"^第\s*({_NUM})\s*章(?:\s*[:：、.．]?\s*)(.*)$")
_ARTICLE_ZH = re.compile(rf"^第\s*({_NUM})\s*条(?:\s*[:：、.．]?\s*)(.*)$", re.S)
_SECTION_ZH = re.compile(rf"^第\s*({_NUM})\s*节")
_CHAPTER_EN = re.compile(r"^chapter\s+([0-9０-９]+|[ivxlcdm]+)\b\s*[.:：\-—–]?\s*(.*)$", re.I)
_ARTICLE_EN = re.compile(r"^article\s+([0-9０-９]+)\b\s*[.:：\-—–]?\s*(.*)$", re.I | re.S)
_BRACKETED = re.compile(r"^[【\[]([^】\]]{1,100})[】\]]\s*(.*)$", re.S)
_SENTENCE_END = re.compile(r"[。．.；;！!？?：:，,]")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def chinese_number(raw: str) -> int:
    """``"十二"`` → 12, ``"一百零五"`` → 105, ``"一〇五"`` → 105, ``"12"`` → 12."""
    if raw.isdigit():
        return int(raw)
    if not any(ch in _CN_UNITS for ch in raw):  # positional: 一〇五
        return int("".join(str(_CN_DIGITS[ch]) for ch in raw))
    total = digit = 0
    for ch in raw:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def roman_number(raw: str) -> int:
    values = [_ROMAN[ch] for ch in raw.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _number(raw: str) -> int:
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    if all(ch in _ROMAN for ch in raw.lower()):
        return roman_number(raw)
    return chinese_number(raw)


@dataclass(frozen=True)
class ParsedClause:
    line: int
    chapter_number: int  # 0 when the document has no chapter above this article
    chapter_title: str
    number: int
    heading: str
    text: str


@dataclass(frozen=True)
class ParseProblem:
    code: str
    line: int
    zh: str
    en: str


@dataclass
class ParsedText:
    title: str = ""
    preamble: str = ""
    clauses: list[ParsedClause] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    markdown: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Open:
    line: int
    chapter_number: int
    chapter_title: str
    number: int
    heading: str
    lines: list[str]


def _unemphasise(text: str) -> str:
    text = text.strip()
    while len(text) > 4 and text[:2] in ("**", "__") and text[-2:] == text[:2]:
        text = text[2:-2].strip()
    return text


def _paragraphs(lines: list[str]) -> str:
    """Non-blank lines joined by one line break: blank lines between paragraphs carry nothing
    a reader needs and would otherwise make two identical texts differ."""
    return "\n".join(ln for ln in (x.strip() for x in lines) if ln)


def parse(text: str) -> ParsedText:
    """Parse a whole document; ``result.ok`` is False if anything is wrong (see ``problems``)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    reader = _DocumentReader()
    for lineno, raw in enumerate(text.split("\n"), start=1):
        reader.read_line(lineno, raw)
    return reader.finish()


class _DocumentReader:
    """The state of one parse, line by line: the open article, the chapter it is in, the
    numbers expected next, and what came before the first heading (title, preamble)."""

    def __init__(self) -> None:
        self.out = ParsedText()
        self.chapter_number, self.chapter_title = 0, ""
        self.chapter_line = 0
        self.expected_chapter, self.expected_article = 1, 1
        self.current: _Open | None = None
        self.preamble: list[str] = []
        self.seen_heading = False
        self.articles_in_chapter = 0

    def problem(self, code: str, lineno: int, zh: str, en: str) -> None:
        self.out.problems.append(ParseProblem(code, lineno, zh, en))

    def read_line(self, lineno: int, raw: str) -> None:
        """One physical line: a blank, a heading, or text of the article, preamble or title."""
        stripped = raw.strip()
        if not stripped:
            if self.current is not None:
                self.current.lines.append("")
            return
        md = _MD_HEADING.match(stripped)
        content = _unemphasise(md.group(2) if md else stripped)
        if md is not None:
            self.out.markdown = True
        chapter = _CHAPTER_ZH.match(content) or _CHAPTER_EN.match(content)
        if chapter:
            self.open_chapter(lineno, chapter)
            return
        article = _ARTICLE_ZH.match(content) or _ARTICLE_EN.match(content)
        if article:
            self.open_article(lineno, article, is_md_heading=md is not None)
            return
        self.read_text(lineno, stripped, content, md)

    def read_text(self, lineno: int, stripped: str, content: str, md: re.Match[str] | None) -> None:
        """A line that opens neither a chapter nor an article."""
        if _SECTION_ZH.match(content):
            self.problem(
                "SECTION_NOT_SUPPORTED",
                lineno,
                "暂不支持“节”，请将节改为章，或删除节标题",
                "sections (节) are not supported: make them chapters or remove the heading",
            )
            return
        if self.current is not None:
            self.current.lines.append(content if md is not None else stripped)
            return
        if not self.seen_heading:
            self.read_front_matter(stripped, content, md)
            return
        self.problem(
            "TEXT_OUTSIDE_ARTICLE",
            lineno,
            f"第{self.chapter_number}章标题之后、第一条之前不能有正文（第 {lineno} 行）",
            f"text after the heading of chapter {self.chapter_number} and before its first "
            f"article (line {lineno})",
        )

    def read_front_matter(self, stripped: str, content: str, md: re.Match[str] | None) -> None:
        """Before any heading: the title (``# Title`` or a short first line), else preamble."""
        out = self.out
        if md is not None and len(md.group(1)) == 1 and not out.title:
            out.title = content
        elif not out.title and not self.preamble and _looks_like_title(stripped):
            out.title = stripped
        else:
            self.preamble.append(stripped)

    def open_chapter(self, lineno: int, chapter: re.Match[str]) -> None:
        """第X章 / Chapter X: close the open article, check the numbering and the title."""
        self.close()
        self.check_chapter_not_empty()
        number = _number(chapter.group(1))
        if number != self.expected_chapter:
            self.problem(
                "CHAPTER_NUMBER_SEQUENCE",
                lineno,
                f"章的编号应为第{self.expected_chapter}章，这里是第{number}章",
                f"expected chapter {self.expected_chapter} here, found chapter {number}",
            )
        self.expected_chapter = number + 1
        self.chapter_number = number
        self.chapter_title = chapter.group(2).strip()
        if len(self.chapter_title) > HEADING_MAX:
            self.problem(
                "HEADING_TOO_LONG",
                lineno,
                f"第{number}章的标题超过 {HEADING_MAX} 个字",
                f"the title of chapter {number} is longer than {HEADING_MAX} characters",
            )
        self.chapter_line = lineno
        self.articles_in_chapter = 0
        self.seen_heading = True

    def open_article(self, lineno: int, article: re.Match[str], *, is_md_heading: bool) -> None:
        """第X条 / Article X: close the open article, check the numbering, open this one."""
        self.close()
        number = _number(article.group(1))
        if number != self.expected_article:
            self.problem(
                "ARTICLE_NUMBER_SEQUENCE",
                lineno,
                f"条的编号应为第{self.expected_article}条，这里是第{number}条",
                f"expected article {self.expected_article} here, found article {number}",
            )
        self.expected_article = number + 1
        rest = article.group(2).strip()
        heading, first = "", rest
        if is_md_heading:
            heading, first = rest, ""
        else:
            bracketed = _BRACKETED.match(rest)
            if bracketed:
                heading, first = bracketed.group(1).strip(), bracketed.group(2)
        self.current = _Open(
            lineno, self.chapter_number, self.chapter_title, number, heading, [first]
        )
        self.articles_in_chapter += 1
        self.seen_heading = True

    def check_chapter_not_empty(self) -> None:
        if self.chapter_line and self.articles_in_chapter == 0:
            self.problem(
                "CHAPTER_EMPTY",
                self.chapter_line,
                f"第{self.chapter_number}章没有任何条文",
                f"chapter {self.chapter_number} has no articles",
            )

    def close(self) -> None:
        """Finish the open article, if any: check its text and heading, add it to the clauses."""
        current = self.current
        if current is None:
            return
        body = _paragraphs(current.lines)
        if not body:
            self.problem(
                "ARTICLE_EMPTY",
                current.line,
                f"第{current.number}条没有内容",
                f"article {current.number} has no text",
            )
        elif len(body) > CLAUSE_TEXT_MAX:
            self.problem(
                "ARTICLE_TOO_LONG",
                current.line,
                f"第{current.number}条超过 {CLAUSE_TEXT_MAX} 个字（现有 {len(body)} 个字）",
                f"article {current.number} is longer than {CLAUSE_TEXT_MAX} characters "
                f"({len(body)})",
            )
        if len(current.heading) > HEADING_MAX:
            self.problem(
                "HEADING_TOO_LONG",
                current.line,
                f"第{current.number}条的标题超过 {HEADING_MAX} 个字",
                f"the heading of article {current.number} is longer than {HEADING_MAX} characters",
            )
        self.out.clauses.append(
            ParsedClause(
                line=current.line,
                chapter_number=current.chapter_number,
                chapter_title=current.chapter_title,
                number=current.number,
                heading=current.heading,
                text=body,
            )
        )
        self.current = None

    def finish(self) -> ParsedText:
        """End of text: close the last article and check the document as a whole."""
        out = self.out
        self.close()
        self.check_chapter_not_empty()
        if not out.clauses and not out.problems:
            self.problem(
                "NO_ARTICLES",
                1,
                "没有找到任何条文：每条应以“第X条”或“Article X”开头",
                "no articles found: each must start with 第X条 or Article X",
            )
        if len(out.clauses) > IMPORT_MAX_CLAUSES:
            self.problem(
                "TOO_MANY_ARTICLES",
                out.clauses[IMPORT_MAX_CLAUSES].line,
                f"条文不能超过 {IMPORT_MAX_CLAUSES} 条（现有 {len(out.clauses)} 条）",
                f"at most {IMPORT_MAX_CLAUSES} articles (found {len(out.clauses)})",
            )
        out.preamble = "\n".join(self.preamble)
        return out


def _looks_like_title(line: str) -> bool:
    return len(line) <= 60 and not _SENTENCE_END.search(line)


def chinese_numeral(n: int) -> str:
    """12 → ``"十二"``, 105 → ``"一百零五"``: how 第X条 is written in Chinese legal texts."""
    if n <= 0:
        return str(n)
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    parts: list[str] = []
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                parts.append("零")
                zero = False
            parts.append(digits[d] + name)
        elif parts:
            zero = True
    return "".join(parts)
