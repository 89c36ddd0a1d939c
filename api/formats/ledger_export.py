"""The election export (``gongzhi verify ID --export FILE``): JSON Lines, written and read back.

Why a file: anyone holding it can run the very checks of ``gongzhi verify`` on another machine
(docs/design.md §3.6): :func:`read_lines` gives the :class:`voting.verify.ElectionRecord` that
the database gives. One JSON object per line, keys sorted, UTF-8 (``ensure_ascii=False``), in
this order: the ``election`` header (format :data:`EXPORT_FORMAT`, the claimed head, fingerprints,
result digest and the encoded questions), then ``unit`` lines (the frozen roll's units, by unit),
``elector`` lines, ``ballot`` lines (by ledger seq) and ``ledger`` lines (by seq).

Pure: plain rows in, lines out, and back; the database side is :mod:`api.services.verification`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from voting import ballot as vballot
from voting.replay import StoredBallot
from voting.verify import Claims, ElectionRecord, ElectorLine, LedgerRow, UnitLine

EXPORT_FORMAT = "gongzhi.election-export.v1"


def write_lines(
    header: Mapping[str, Any],
    units: Iterable[UnitLine],
    electors: Iterable[ElectorLine],
    ballots: Iterable[StoredBallot],
    entries: Iterable[LedgerRow],
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


def _line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def read_lines(lines: Iterable[str]) -> ElectionRecord:
    """The election record an export holds; ``ValueError`` if it is not an export."""
    header: dict[str, Any] = {}
    units: list[UnitLine] = []
    electors: list[ElectorLine] = []
    ballots: dict[str, StoredBallot] = {}
    entries: list[LedgerRow] = []
    for line in lines:
        if not line.strip():
            continue
        x = json.loads(line)
        t = x["type"]
        if t == "election":
            header = x
        elif t == "unit":
            units.append((x["unit"], x["area"], x["owners"], x["developer"], x["elector"]))
        elif t == "elector":
            electors.append((x["key"], x["heads"], x["area"]))
        elif t == "ballot":
            ballots[x["id"]] = StoredBallot(
                x["id"], x["slot"], x["choices"], x["nonce"], x["tracking"], x["seq"],
                x["channel"], x["status"],
            )  # fmt: skip
        elif t == "ledger":
            entries.append(LedgerRow(x["seq"], x["kind"], x["payload"], x["prev_hash"], x["hash"]))
    if header.get("format") != EXPORT_FORMAT:
        raise ValueError("not a Gongzhi election export")
    claims = Claims(
        election_id=str(header["id"]),
        ledger_head=header["ledger_head"],
        roll_fingerprint=header["roll_fingerprint"],
        result_digest=header["result_digest"] or None,
        non_voter_rule=header["non_voter_rule"],
    )
    questions = header["questions"]
    return ElectionRecord(
        claims, lambda: decode_questions(questions), entries, ballots, units, electors
    )


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
