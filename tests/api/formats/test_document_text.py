"""Reading rule documents from Markdown and plain text (api.formats.ruletext), and the input rules every
owner-written text goes through (api.formats.textinput)."""

from __future__ import annotations

import pytest

from api.formats import ruletext, textinput
from api.formats.ruletext import chinese_number, chinese_numeral, parse
from schema.contract.errors import AppError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("一百", 100),
        ("一百零五", 105),
        ("一〇五", 105),
        ("两百二十", 220),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert ruletext._number(text) == value
    if text.isdigit() is False and "〇" not in text and "两" not in text:
        assert chinese_numeral(value) == text


def test_numerals_round_trip() -> None:
    for n in range(1, 1000):
        assert chinese_number(chinese_numeral(n)) == n


PLAIN = """幸福小区管理规约

第一章　总则
第一条　为加强本小区的管理，维护全体业主的合法权益，制定本规约。
第二条【适用范围】本规约对全体业主和物业使用人具有约束力。
业主转让房屋时，应当告知受让人本规约。
第二章 业主的权利和义务
第三条 业主享有下列权利：
（一）按照物业服务合同的约定，接受物业服务；
（二）提议召开业主大会会议。
"""


def test_plain_text_with_full_width_spaces_and_bracketed_headings() -> None:
    got = parse(PLAIN)
    assert got.ok, got.problems
    assert got.title == "幸福小区管理规约" and got.preamble == "" and not got.markdown
    assert [(c.number, c.chapter_number, c.chapter_title, c.heading) for c in got.clauses] == [
        (1, 1, "总则", ""),
        (2, 1, "总则", "适用范围"),
        (3, 2, "业主的权利和义务", ""),
    ]
    assert got.clauses[1].text == (
        "本规约对全体业主和物业使用人具有约束力。\n业主转让房屋时，应当告知受让人本规约。"
    )
    assert got.clauses[2].text.count("\n") == 2


MARKDOWN = """# Rules of Procedure of the Owners' Assembly

These rules are made under the Civil Code.

## Chapter I General Provisions

### Article 1 Purpose

These rules govern the owners' assembly.

It meets at least once a year.

### Article 2 Scope

They bind all owners.

## Chapter II Meetings

Article 3. A meeting is called by the committee.
"""


def test_markdown_with_english_headings() -> None:
    got = parse(MARKDOWN)
    assert got.ok, got.problems
    assert got.markdown and got.title == "Rules of Procedure of the Owners' Assembly"
    assert got.preamble == "These rules are made under the Civil Code."
    assert [
        (c.number, c.chapter_number, c.chapter_title, c.heading, c.text) for c in got.clauses
    ] == [
        (
            1,
            1,
            "General Provisions",
            "Purpose",
            "These rules govern the owners' assembly.\nIt meets at least once a year.",
        ),
        (2, 1, "General Provisions", "Scope", "They bind all owners."),
        (3, 2, "Meetings", "", "A meeting is called by the committee."),
    ]


def test_articles_without_chapters() -> None:
    got = parse("第一条 甲。\n第二条 乙。\n")
    assert got.ok
    assert [(c.chapter_number, c.text) for c in got.clauses] == [(0, "甲。"), (0, "乙。")]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("第一条 甲。\n第三条 丙。", [("ARTICLE_NUMBER_SEQUENCE", 2)]),
        ("第一条 甲。\n第一条 甲。", [("ARTICLE_NUMBER_SEQUENCE", 2)]),
        ("第一章 总则\n第一条 甲。\n第三章 附则\n第二条 乙。", [("CHAPTER_NUMBER_SEQUENCE", 3)]),
        ("第一条\n第二条 乙。", [("ARTICLE_EMPTY", 1)]),
        ("第一章 总则\n说明文字\n第一条 甲。", [("TEXT_OUTSIDE_ARTICLE", 2)]),
        ("第一章 总则\n第二章 会议\n第一条 甲。", [("CHAPTER_EMPTY", 1)]),
        ("第一章 总则\n第一条 甲。\n第一节 一般规定\n第二条 乙。", [("SECTION_NOT_SUPPORTED", 3)]),
        ("只是一段文字。", [("NO_ARTICLES", 1)]),
        ("", [("NO_ARTICLES", 1)]),
        ("第一条 " + "长" * 10_001, [("ARTICLE_TOO_LONG", 1)]),
    ],
)
def test_every_problem_is_reported_with_its_line(
    text: str, problems: list[tuple[str, int]]
) -> None:
    got = parse(text)
    assert [(p.code, p.line) for p in got.problems] == problems
    assert all(p.zh and p.en for p in got.problems)


def test_too_many_articles() -> None:
    text = "\n".join(f"第{chinese_numeral(i)}条 内容。" for i in range(1, 502))
    got = parse(text)
    assert [p.code for p in got.problems] == ["TOO_MANY_ARTICLES"]


def test_crlf_and_decomposed_text_are_normalised() -> None:
    got = parse("第一条 Cafe\u0301\r\n续行。\r\n")
    assert got.clauses[0].text == "Caf\u00e9\n续行。"


# --- textinput ------------------------------------------------------------------------------------


def test_prose_keeps_full_width_punctuation_and_layout() -> None:
    assert (
        textinput.prose("  甲，乙。\r\n（一）丙；\n", field="body", cap=100)
        == "甲，乙。\n（一）丙；"
    )


def test_category_keys_are_nfkc() -> None:
    assert textinput.key("  ＰＡＲＫＩＮＧ　停车 ", field="category", cap=20) == "PARKING 停车"


def test_search_key_folds_width_and_case() -> None:
    assert textinput.search_key("ＡＢc 停车") == "abc 停车"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "TEXT_EMPTY"),
        ("\u3000\u200b\ufeff \n\t", "TEXT_EMPTY"),
        ("a\u202eb", "TEXT_INVALID_CHARACTER"),
        ("a\u2066b", "TEXT_INVALID_CHARACTER"),
        ("a\u200fb", "TEXT_INVALID_CHARACTER"),  # the marks too (issue #12 item 14)
        ("a\u200eb", "TEXT_INVALID_CHARACTER"),
        ("a\u061cb", "TEXT_INVALID_CHARACTER"),
        ("a\x00b", "TEXT_INVALID_CHARACTER"),
        ("x" * 11, "TEXT_TOO_LONG"),
    ],
)
def test_prose_refusals(raw: str, code: str) -> None:
    with pytest.raises(AppError) as refused:
        textinput.prose(raw, field="body", cap=10)
    assert refused.value.code == code and refused.value.field == "body"
    assert refused.value.zh and refused.value.en


def test_optional_blank_text_is_empty() -> None:
    assert textinput.prose(" \u3000 ", field="changeNote", cap=10, required=False) == ""


def test_a_title_is_one_line() -> None:
    assert textinput.line("第一行\n第二行", field="title", cap=20) == "第一行 第二行"
