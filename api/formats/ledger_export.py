"""The election export (``gongzhi verify ID --export FILE``): JSON Lines, written and read back.

Why a file: anyone holding it can run the very checks of ``gongzhi verify`` on another machine
(docs/design.md §3.6): :func:`read_lines` gives the :class:`voting.verify.ElectionRecord` that
the database gives. One JSON object per line, keys sorted, UTF-8 (``ensure_ascii=False``), in
this order: the ``election`` header (format :data:`EXPORT_FORMAT`, the claimed head, fingerprints,
result digest and the encoded questions), then ``unit`` lines (the frozen roll's units, by unit),
``elector`` lines, ``ballot`` lines (by ledger seq), ``ledger`` lines (by seq), ``weight``
lines (each elector's weight under an anonymous tag, by tag: what the recount key recounts from,
docs/design.md §3.6) and ``signoff`` lines (each supervisor's sign-off: what they certified).

Pure: plain rows in, lines out, and back; the database side is :mod:`api.services.verification`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from voting import ballot as vballot
from voting.bulk import WeightLine
from voting.replay import StoredBallot
from voting.verify import (
    Claims,
    ElectionRecord,
    ElectorLine,
    LedgerLine,
    LedgerRow,
    Signoff,
    UnitLine,
)

EXPORT_FORMAT = "gongzhi.election-export.v1"


def write_lines(
    header: Mapping[str, Any],
    units: Iterable[UnitLine],
    electors: Iterable[ElectorLine],
    ballots: Iterable[StoredBallot],
    entries: Iterable[LedgerLine],
    signoffs: Iterable[Signoff] = (),
    weights: Iterable[WeightLine] = (),
) -> Iterator[str]:
    """The export's lines (without newlines). ``header`` holds the election's fields; its
    ``type`` and ``format`` are set here."""
    yield _line({**header, "type": "election", "format": EXPORT_FORMAT})
    for key, area, owners, unsold, elector_key in units:
        yield _line(
            {
                "type": "unit",
                "unit": key,
                "area": area,
                "owners": owners,
                "developer": unsold,
                "elector": elector_key,
            }
        )
    for key, heads, area in electors:
        yield _line({"type": "elector", "key": key, "heads": heads, "area": area})
    for b in ballots:
        yield _line(
            {
                "type": "ballot",
                "id": b.id,
                "slot": b.slot,
                "channel": b.channel,
                "choices": b.choices,
                "nonce": b.nonce,
                "tracking": b.tracking,
                "status": b.status,
                "seq": b.seq,
            }
        )
    for seq, kind, payload, prev, h in entries:
        yield _line(
            {
                "type": "ledger",
                "seq": seq,
                "kind": kind,
                "payload": payload,
                "prev_hash": prev,
                "hash": h,
            }
        )
    for tag, heads, area, n in weights:
        yield _line({"type": "weight", "tag": tag, "heads": heads, "area": area, "units": n})
    for s in signoffs:
        yield _line(
            {
                "type": "signoff",
                "supervisor": s.supervisor_id,
                "result_digest": s.result_digest,
                "roll_fingerprint": s.roll_fingerprint,
                "ledger_head": s.ledger_head,
            }
        )


def _line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class NotAnExport(ValueError):
    """The file is not a Gongzhi election export (or is cut or corrupted): said plainly, in both
    languages, instead of a traceback."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"不是共治的表决导出文件 / not a Gongzhi election export: {detail}")


def read_lines(lines: Iterable[str]) -> ElectionRecord:
    """The election record an export holds; :class:`NotAnExport` if it is not one.

    A field the header lacks is read as missing (None), which the verifier reports as a failure
    where the election's state requires the value, never as a reason to skip a check."""
    rows = _Rows()
    try:
        for n, line in enumerate(lines, 1):
            if line.strip():
                rows.add(n, line)
    except UnicodeDecodeError as error:
        raise NotAnExport("not UTF-8 text") from error
    header = rows.header
    if header.get("format") != EXPORT_FORMAT:
        raise NotAnExport(f"no {EXPORT_FORMAT} header")
    questions = header.get("questions")
    if not isinstance(questions, str) or "id" not in header:
        raise NotAnExport("the header names no election or questions")
    claims = Claims(
        election_id=str(header["id"]),
        ledger_head=header.get("ledger_head") or None,
        roll_fingerprint=header.get("roll_fingerprint") or None,
        result_digest=header.get("result_digest") or None,
        non_voter_rule=bool(header.get("non_voter_rule")),
        state=str(header.get("state")),
        signoffs=tuple(rows.signoffs),
        # a drill's digest covers the mark: dropping it here makes the recount mismatch
        drill=bool(header.get("drill")),
    )
    return ElectionRecord(
        claims, lambda: decode_questions(questions), rows.entries, rows.ballots, rows.units,
        rows.electors, rows.weights,
    )  # fmt: skip


class _Rows:
    """The lines of an export, sorted by type as they are read."""

    def __init__(self) -> None:
        self.header: dict[str, Any] = {}
        self.units: list[UnitLine] = []
        self.electors: list[ElectorLine] = []
        self.ballots: dict[str, StoredBallot] = {}
        self.entries: list[LedgerRow] = []
        self.signoffs: list[Signoff] = []
        self.weights: list[WeightLine] = []

    def add(self, n: int, line: str) -> None:
        try:
            x = json.loads(line)
            self._add(x["type"], x)
        except (ValueError, KeyError, TypeError) as error:
            raise NotAnExport(f"line {n} is not an export line ({error!r})") from error

    def _add(self, t: str, x: dict[str, Any]) -> None:
        if t == "election":
            self.header = x
        elif t == "unit":
            self.units.append((x["unit"], x["area"], x["owners"], x["developer"], x["elector"]))
        elif t == "elector":
            self.electors.append((x["key"], x["heads"], x["area"]))
        elif t == "ballot":
            self.ballots[x["id"]] = StoredBallot(
                x["id"], x["slot"], x["choices"], x["nonce"], x["tracking"], x["seq"],
                x["channel"], x["status"],
            )  # fmt: skip
        elif t == "ledger":
            self.entries.append(
                LedgerRow(x["seq"], x["kind"], x["payload"], x["prev_hash"], x["hash"])
            )
        elif t == "weight":
            self.weights.append((x["tag"], x["heads"], x["area"], x["units"]))
        elif t == "signoff":
            digest, fingerprint, head = x["result_digest"], x["roll_fingerprint"], x["ledger_head"]
            self.signoffs.append(Signoff(str(x["supervisor"]), digest, fingerprint, head))


def decode_questions(text: str) -> list[vballot.Question]:
    """The questions of :func:`voting.ballot.encode_questions` text."""
    out: list[vballot.Question] = []
    for q in json.loads(text)["questions"]:
        if q["kind"] == "committee":
            out.append(
                vballot.CommitteeQuestion(
                    id=q["id"],
                    seats=q["seats"],
                    candidate_ids=tuple(q["candidates"]),
                    committee=q.get("committee", "owners_committee"),
                )
            )
        else:
            out.append(vballot.ResolutionQuestion(id=q["id"], matter=q["matter"]))
    return out
