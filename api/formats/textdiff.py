"""Compare two versions of a rule document clause by clause, and two texts character by character.

Why not a line diff: a clause is one paragraph, and Chinese has no spaces, so a line or word
diff would mark a whole article as replaced when one word (十五日 → 七日) changed. Texts are cut
into tokens — one token per Chinese character or punctuation mark, one per run of Latin letters or
digits, one per run of whitespace — and diffed with :class:`difflib.SequenceMatcher` with its
"junk" heuristic off (it would otherwise treat frequent characters such as 的 as noise in long
texts). A change of "15" to "7" is one replaced token, never "1" deleted and "5" changed.

Clauses are compared by their stable identity (the clause id that carries comments across
versions), not by their number: inserting an article renumbers everything after it, which is not
a change of those articles. A clause is *moved* when its order relative to the other surviving
clauses changed (it is outside the longest run that kept its order) or it went to another
chapter. :func:`match_clauses` gives imported text those identities back.

Pure: no I/O; the callers build :class:`ClauseSnapshot` values from the database.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

_TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+|\s+|.", re.S)


class Op(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def char_diff(old: str, new: str) -> list[Segment]:
    """The edit from ``old`` to ``new`` as equal / delete / insert runs (delete before insert).

    Joining the equal and delete runs gives ``old``; joining equal and insert runs gives ``new``.
    """
    if old == new:
        return [Segment(Op.EQUAL, old)] if old else []
    a, b = tokens(old), tokens(new)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(Segment(Op.EQUAL, "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            raw.append(Segment(Op.DELETE, "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            raw.append(Segment(Op.INSERT, "".join(b[j1:j2])))
    return _slide_to_words(_merge(_absorb_slivers(raw)))


def _absorb_slivers(segments: list[Segment]) -> list[Segment]:
    """Fold a one-character equal run that sits between two edits into them.

    "甲乙丙" → "丁乙戊" reads better as one replacement than as 甲→丁, 乙, 丙→戊: a lone shared
    character between changes is a coincidence, not context a reader needs.
    """
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        if (
            seg.op is Op.EQUAL
            and len(seg.text) == 1
            and not seg.text.isspace()
            and 0 < i < len(segments) - 1
            and segments[i - 1].op is not Op.EQUAL
            and segments[i + 1].op is not Op.EQUAL
        ):
            out.append(Segment(Op.DELETE, seg.text))
            out.append(Segment(Op.INSERT, seg.text))
        else:
            out.append(seg)
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    """Collapse each run between equal segments into at most one delete then one insert."""
    out: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(Segment(Op.DELETE, "".join(deleted)))
        if inserted:
            out.append(Segment(Op.INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for seg in segments:
        if seg.op is Op.DELETE:
            deleted.append(seg.text)
        elif seg.op is Op.INSERT:
            inserted.append(seg.text)
        else:
            flush()
            if out and out[-1].op is Op.EQUAL:
                out[-1] = Segment(Op.EQUAL, out[-1].text + seg.text)
            elif seg.text:
                out.append(seg)
    flush()
    return out


def _slide_to_words(segments: list[Segment]) -> list[Segment]:
    """Start a lone insertion or deletion at a word rather than at the space before it:
    "会议由 [+Supervisory ]Committee" rather than "会议由[+ Supervisory] Committee"."""
    out = list(segments)
    for k in range(1, len(out) - 1):
        a, x, b = out[k - 1], out[k], out[k + 1]
        if a.op is not Op.EQUAL or b.op is not Op.EQUAL or x.op is Op.EQUAL:
            continue
        ta, tx, tb = a.text, x.text, b.text
        while tx and tb and tx[0].isspace() and tx[0] == tb[0]:
            ta, tx, tb = ta + tx[0], tx[1:] + tb[0], tb[1:]
        out[k - 1], out[k], out[k + 1] = (
            Segment(Op.EQUAL, ta),
            Segment(x.op, tx),
            Segment(Op.EQUAL, tb),
        )
    return [s for s in out if s.text]


def similarity(old: str, new: str) -> float:
    """0..1, how much of two texts is shared, on the same tokens as :func:`char_diff`."""
    if old == new:
        return 1.0
    return SequenceMatcher(None, tokens(old), tokens(new), autojunk=False).ratio()


# --- clauses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseSnapshot:
    """One clause as it stands in one version."""

    clause_id: int
    number: int
    chapter_number: int
    chapter_title: str
    heading: str
    text: str


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ClauseChange:
    change: Change
    clause_id: int
    old: ClauseSnapshot | None
    new: ClauseSnapshot | None
    moved: bool
    heading: tuple[Segment, ...]
    text: tuple[Segment, ...]


def _kept_in_order(positions: Sequence[int]) -> set[int]:
    """Indexes of one longest increasing subsequence of ``positions`` (O(n log n))."""
    tails: list[int] = []  # position value ending the best run of each length
    tail_index: list[int] = []
    parent = [-1] * len(positions)
    for i, p in enumerate(positions):
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
            tail_index.append(i)
        else:
            tails[k] = p
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k else -1
    kept: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i != -1:
        kept.add(i)
        i = parent[i]
    return kept


def diff_versions(
    old: Sequence[ClauseSnapshot], new: Sequence[ClauseSnapshot]
) -> list[ClauseChange]:
    """Every clause of either version once, in the new version's order, with each removed
    clause placed after the clause that preceded it in the old version."""
    new_pos = {c.clause_id: i for i, c in enumerate(new)}
    old_by_id = {c.clause_id: c for c in old}
    common = [c for c in old if c.clause_id in new_pos]
    kept = _kept_in_order([new_pos[c.clause_id] for c in common])
    moved_ids = {c.clause_id for i, c in enumerate(common) if i not in kept}

    removed_after: dict[int | None, list[ClauseSnapshot]] = {}
    anchor: int | None = None
    for c in old:
        if c.clause_id in new_pos:
            anchor = c.clause_id
        else:
            removed_after.setdefault(anchor, []).append(c)

    def removed(c: ClauseSnapshot) -> ClauseChange:
        return ClauseChange(
            Change.REMOVED,
            c.clause_id,
            c,
            None,
            False,
            tuple(char_diff(c.heading, "")),
            tuple(char_diff(c.text, "")),
        )

    out: list[ClauseChange] = [removed(c) for c in removed_after.get(None, [])]
    for c in new:
        before = old_by_id.get(c.clause_id)
        if before is None:
            out.append(
                ClauseChange(
                    Change.ADDED,
                    c.clause_id,
                    None,
                    c,
                    False,
                    tuple(char_diff("", c.heading)),
                    tuple(char_diff("", c.text)),
                )
            )
            continue
        moved = c.clause_id in moved_ids or (
            before.chapter_number != c.chapter_number and before.chapter_title != c.chapter_title
        )
        edited = before.heading != c.heading or before.text != c.text
        kind = Change.CHANGED if edited else Change.MOVED if moved else Change.UNCHANGED
        out.append(
            ClauseChange(
                kind,
                c.clause_id,
                before,
                c,
                moved,
                tuple(char_diff(before.heading, c.heading)),
                tuple(char_diff(before.text, c.text)),
            )
        )
        out.extend(removed(r) for r in removed_after.get(c.clause_id, []))
    return out


# --- identities for imported text --------------------------------------------------------------

MATCH_THRESHOLD = 0.5
DIAGONAL_THRESHOLD = 0.6
_ALL_PAIRS_LIMIT = 20_000
_WINDOW = 20


@dataclass(frozen=True)
class Candidate:
    """A clause of the text being imported: its heading and text, without identity yet."""

    heading: str
    text: str


def match_clauses(
    previous: Sequence[ClauseSnapshot], incoming: Sequence[Candidate]
) -> list[int | None]:
    """The identity each incoming clause keeps from ``previous``, or None for a new clause.

    Why: when a committee pastes a revised text, comments must stay on "the same" article even
    if it was renumbered, moved or reworded. Identical texts match first (nearest position
    first); then each clause is compared with the next one or two unused clauses in order and
    taken at 0.6 similarity or more (most clauses keep their place); the rest match greedily by
    similarity (at least 0.5, a shared heading helping), each previous clause used at most once.
    Past 20,000 candidate pairs only clauses within 20 places of each other are compared, so a
    500-article import stays fast; a clause both moved far and reworded then counts as removed
    and added.
    """
    result: list[int | None] = [None] * len(incoming)
    free = set(range(len(previous)))
    _match_identical(previous, incoming, result, free)
    scorer = _Scorer(previous, incoming)
    _match_in_place(previous, scorer, result, free)
    _match_by_similarity(previous, scorer, result, free)
    return result


def _match_identical(
    previous: Sequence[ClauseSnapshot],
    incoming: Sequence[Candidate],
    result: list[int | None],
    free: set[int],
) -> None:
    """Identical texts match first, the nearest position first."""
    by_text: dict[str, list[int]] = {}
    for j, p in enumerate(previous):
        by_text.setdefault(p.text, []).append(j)
    for i, c in enumerate(incoming):
        options = [j for j in by_text.get(c.text, []) if j in free]
        if options:
            j = min(options, key=lambda j: abs(j - i))
            result[i] = previous[j].clause_id
            free.discard(j)


class _Scorer:
    """Similarity of an incoming clause to a previous one, on tokens, a shared heading adding 0.1.

    :meth:`start` sets the incoming clause: SequenceMatcher indexes its second sequence, so the
    expensive index is built once per incoming clause and reused against every previous one.
    """

    def __init__(self, previous: Sequence[ClauseSnapshot], incoming: Sequence[Candidate]) -> None:
        self.previous = previous
        self.incoming = incoming
        self.old_tokens = [tokens(p.text) for p in previous]
        self.new_tokens = [tokens(c.text) for c in incoming]
        self.matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)

    def start(self, i: int) -> None:
        self.matcher.set_seq2(self.new_tokens[i])

    def score(self, i: int, j: int, floor: float) -> float:
        """Score of incoming ``i`` (the one started) against previous ``j``; 0 below ``floor``."""
        matcher = self.matcher
        matcher.set_seq1(self.old_tokens[j])
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            return 0.0
        heading = self.incoming[i].heading
        same_heading = heading and heading == self.previous[j].heading
        return matcher.ratio() + (0.1 if same_heading else 0.0)


def _match_in_place(
    previous: Sequence[ClauseSnapshot], scorer: _Scorer, result: list[int | None], free: set[int]
) -> None:
    """In place: most clauses keep their order, so each is compared with the next one or two
    unused clauses after the last match; a close match there is taken at once."""
    previous_index = {p.clause_id: j for j, p in enumerate(previous)}
    last = -1
    for i, known in enumerate(result):
        if known is not None:
            last = previous_index[known]
            continue
        scorer.start(i)
        ahead = [j for j in range(last + 1, len(previous)) if j in free][:2]
        for j in ahead:
            if scorer.score(i, j, DIAGONAL_THRESHOLD) >= DIAGONAL_THRESHOLD:
                result[i] = previous[j].clause_id
                free.discard(j)
                last = j
                break


def _match_by_similarity(
    previous: Sequence[ClauseSnapshot], scorer: _Scorer, result: list[int | None], free: set[int]
) -> None:
    """The rest greedily, best score first (at least MATCH_THRESHOLD); past _ALL_PAIRS_LIMIT
    pairs only clauses within _WINDOW places of each other are compared."""
    left = [i for i, r in enumerate(result) if r is None]
    if not left or not free:
        return
    everything = len(left) * len(free) <= _ALL_PAIRS_LIMIT
    scored: list[tuple[float, int, int]] = []
    for i in left:
        scorer.start(i)  # the expensive index is built once per clause
        for j in free:
            if not everything and abs(i - j) > _WINDOW:
                continue
            value = scorer.score(i, j, MATCH_THRESHOLD - 0.1)  # a shared heading adds 0.1
            if value >= MATCH_THRESHOLD:
                scored.append((value, -abs(i - j), i * len(previous) + j))
    taken_new: set[int] = set()
    for _, _, pair in sorted(scored, reverse=True):
        i, j = divmod(pair, len(previous))
        if i in taken_new or j not in free:
            continue
        result[i] = previous[j].clause_id
        taken_new.add(i)
        free.discard(j)
