"""api.formats.textdiff against hand-made expectations: character-level diffs of Chinese and English
clauses, clause-by-clause comparison by identity, and identities found again in pasted text."""

from __future__ import annotations

import pytest

from api.formats.textdiff import (
    Candidate,
    Change,
    ClauseSnapshot,
    Op,
    Segment,
    char_diff,
    diff_versions,
    match_clauses,
    similarity,
)

EQ, INS, DEL = Op.EQUAL, Op.INSERT, Op.DELETE


def segs(*pairs: tuple[Op, str]) -> list[Segment]:
    return [Segment(op, text) for op, text in pairs]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "业主大会应当于会议召开十五日以前通知全体业主。",
            "业主大会应当于会议召开七日以前通知全体业主和物业使用人。",
            segs(
                (EQ, "业主大会应当于会议召开"),
                (DEL, "十五"),
                (INS, "七"),
                (EQ, "日以前通知全体业主"),
                (INS, "和物业使用人"),
                (EQ, "。"),
            ),
        ),
        (  # one character changed inside a run of Chinese: no spaces needed
            "业委会委员由业主大会选举产生。",
            "业委会委员由业主大会差额选举产生。",
            segs((EQ, "业委会委员由业主大会"), (INS, "差额"), (EQ, "选举产生。")),
        ),
        (  # a lone shared character between two edits is folded into one replacement
            "甲乙丙",
            "丁乙戊",
            segs((DEL, "甲乙丙"), (INS, "丁乙戊")),
        ),
        (  # numbers and words are whole tokens: 15 → 7 is one replacement
            "Notice must be given 15 days before the meeting.",
            "Notice must be given 7 days before any meeting.",
            segs(
                (EQ, "Notice must be given "),
                (DEL, "15"),
                (INS, "7"),
                (EQ, " days before "),
                (DEL, "the"),
                (INS, "any"),
                (EQ, " meeting."),
            ),
        ),
        (  # mixed Chinese and Latin
            "会议由 Committee 召集。",
            "会议由 Supervisory Committee 召集。",
            segs((EQ, "会议由 "), (INS, "Supervisory "), (EQ, "Committee 召集。")),
        ),
        ("相同", "相同", segs((EQ, "相同"))),
        ("", "新增条文", segs((INS, "新增条文"))),
        ("删除条文", "", segs((DEL, "删除条文"))),
        ("", "", []),
    ],
)
def test_char_diff(old: str, new: str, expected: list[Segment]) -> None:
    got = char_diff(old, new)
    assert got == expected
    assert "".join(s.text for s in got if s.op is not Op.INSERT) == old
    assert "".join(s.text for s in got if s.op is not Op.DELETE) == new


def test_frequent_characters_are_not_junk_in_long_texts() -> None:
    # difflib's autojunk would treat 的 as noise past 200 tokens and mark everything changed
    old = "业主的权利的保障的" * 40 + "十五日"
    new = "业主的权利的保障的" * 40 + "七日"
    assert char_diff(old, new) == segs(
        (EQ, "业主的权利的保障的" * 40), (DEL, "十五"), (INS, "七"), (EQ, "日")
    )


def snap(
    cid: int, number: int, text: str, chapter: tuple[int, str] = (1, "总则")
) -> ClauseSnapshot:
    return ClauseSnapshot(cid, number, chapter[0], chapter[1], "", text)


def test_clause_diff_added_removed_changed_moved_unchanged() -> None:
    old = [snap(i, i, t) for i, t in enumerate("甲乙丙丁戊己", start=1)]
    new = [
        snap(1, 1, "甲"),
        snap(7, 2, "新"),  # added
        snap(5, 3, "戊"),  # moved up, before 3 and 4
        snap(3, 4, "丙改"),  # changed in place
        snap(4, 5, "丁"),
        snap(6, 6, "己"),
    ]  # 2 removed
    got = [(c.change, c.clause_id, c.moved) for c in diff_versions(old, new)]
    assert got == [
        (Change.UNCHANGED, 1, False),
        (Change.REMOVED, 2, False),
        (Change.ADDED, 7, False),
        (Change.MOVED, 5, True),
        (Change.CHANGED, 3, False),
        (Change.UNCHANGED, 4, False),
        (Change.UNCHANGED, 6, False),
    ]
    changed = diff_versions(old, new)[4]
    assert changed.text == (Segment(EQ, "丙"), Segment(INS, "改"))
    assert (changed.old.number, changed.new.number) == (3, 4)  # type: ignore[union-attr]


def test_renumbering_alone_is_not_a_change() -> None:
    old = [snap(1, 1, "甲"), snap(2, 2, "乙")]
    new = [snap(9, 1, "新"), snap(1, 2, "甲"), snap(2, 3, "乙")]
    assert [c.change for c in diff_versions(old, new)] == [
        Change.ADDED,
        Change.UNCHANGED,
        Change.UNCHANGED,
    ]


def test_moving_to_another_chapter_is_a_move() -> None:
    old = [snap(1, 1, "甲", (1, "总则")), snap(2, 2, "乙", (2, "会议"))]
    new = [snap(1, 1, "甲", (2, "会议")), snap(2, 2, "乙", (2, "会议"))]
    changes = diff_versions(old, new)
    assert (changes[0].change, changes[0].moved) == (Change.MOVED, True)
    # a renamed chapter (same number) is not a move of its clauses
    renamed = [snap(1, 1, "甲", (1, "一般规定")), snap(2, 2, "乙", (2, "会议"))]
    assert diff_versions(old, renamed)[0].change is Change.UNCHANGED


def test_a_changed_and_moved_clause_is_both() -> None:
    old = [snap(1, 1, "甲"), snap(2, 2, "乙"), snap(3, 3, "丙")]
    new = [snap(3, 1, "丙丙"), snap(1, 2, "甲"), snap(2, 3, "乙")]
    first = diff_versions(old, new)[0]
    assert (first.change, first.moved) == (Change.CHANGED, True)
    assert first.text == (Segment(EQ, "丙"), Segment(INS, "丙"))


def test_identities_survive_renumbering_rewording_and_moves() -> None:
    previous = [
        snap(11, 1, "为了规范业主大会的活动，制定本规则。"),
        snap(12, 2, "本规则适用于本小区全体业主。"),
        snap(13, 3, "业主大会会议分为定期会议和临时会议。"),
        snap(14, 4, "召开业主大会会议，应当于会议召开十五日以前通知全体业主。"),
    ]
    incoming = [
        Candidate("", "为了规范业主大会的活动，制定本规则。"),  # same
        Candidate("", "业主大会会议分为定期会议和临时会议。"),  # moved up
        Candidate("", "召开业主大会会议，应当于会议召开七日以前通知全体业主。"),  # reworded
        Candidate("", "定期会议每年召开一次。"),  # new
        Candidate("", "本规则适用于本小区全体业主。"),  # moved down
    ]
    assert match_clauses(previous, incoming) == [11, 13, 14, None, 12]


def test_each_identity_is_used_once_even_for_duplicate_texts() -> None:
    previous = [snap(1, 1, "同上。"), snap(2, 2, "同上。")]
    incoming = [Candidate("", "同上。"), Candidate("", "同上。"), Candidate("", "同上。")]
    assert match_clauses(previous, incoming) == [1, 2, None]


def test_dissimilar_text_gets_a_new_identity() -> None:
    previous = [snap(1, 1, "业主大会由全体业主组成。")]
    assert match_clauses(previous, [Candidate("", "物业服务费按月收取。")]) == [None]
    assert similarity("业主大会由全体业主组成。", "业主大会由全体业主组成。") == 1.0


def test_a_500_clause_rewording_matches_in_place() -> None:
    """Every clause reworded: each keeps its identity (the time: bench/clause_matching.py)."""
    previous = [snap(i, i, f"第{i}条的内容，关于业主的第{i}项权利和义务。" * 3) for i in range(500)]
    incoming = [Candidate("", f"修改后的第{i}条，关于业主的第{i}项权利。" * 3) for i in range(500)]
    assert match_clauses(previous, incoming) == list(range(500))
