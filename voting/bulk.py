"""Bulk forms of slot keys, tracking-code records and the roll fingerprint, for recounts.

Why: verifying or recounting a large election (1,000,000 ballots, docs/design.md §3.6) calls
these a million times each, and the canonical code re-checks the types of every value and
builds one JSON encoder per call. Each function here computes exactly what the canonical one
computes (:func:`voting.secrecy.slot_key`, :func:`voting.secrecy.ballot_record`,
:func:`voting.roll.fingerprint`) for values that come out of typed columns: :mod:`voting.codec`'s
encoding is ``json.dumps`` with sorted keys, ``,``/``:`` separators and ``ensure_ascii=False``,
whose strings are ``json.encoder.encode_basestring``, so the same text can be written directly.

Two guards keep them honest: :func:`fast_paths_agree` compares them with the canonical code once
per process (if they ever disagree, the canonical code is used throughout), and a Hypothesis
property test (tests/voting/test_bulk_properties.py) compares them on arbitrary input.
"""

from __future__ import annotations

import hashlib
import hmac
import json.encoder
from collections.abc import Callable, Iterable, Sequence
from itertools import islice, starmap
from operator import itemgetter
from typing import Any, NamedTuple, cast

from voting import roll as vroll
from voting import secrecy
from voting.codec import sha256_hex

_enc = json.encoder.encode_basestring
_SLOT_PREFIX = '["gongzhi.slot.v1",'
_fast_ok: bool | None = None

UnitRow = tuple[str, int, tuple[str, ...], bool]
"""(unit id, area, sorted owner ids, developer-unsold) of one frozen unit."""
RollRow = tuple[str, tuple[str, ...], int, int]
"""(elector key, sorted unit ids, heads, area) of one frozen elector."""


def fast_slot(secret: bytes, key: str) -> str:
    """:func:`voting.secrecy.slot_key`, without the secret check (see :func:`slot_map`)."""
    return hmac.digest(secret, (_SLOT_PREFIX + _enc(key) + "]").encode(), "sha256").hex()


def fast_record(election_id: str, choices: str, nonce: str) -> str:
    """:func:`voting.secrecy.ballot_record` for str values."""
    return (
        f'{{"choices":{_enc(choices)},"election":{_enc(election_id)},'
        f'"format":"gongzhi.ballot.v1","nonce":{_enc(nonce)}}}'
    )


def fast_fingerprint(units: Sequence[UnitRow], electors: Sequence[RollRow]) -> str:
    """voting.roll.fingerprint of (unit, area, sorted owners, developer) and (key, sorted
    units, heads, area) tuples: the same canonical text, written row by row."""
    enc = _enc
    unit_rows = ",".join(
        f'{{"area":{a},"developer":{"true" if d else "false"},'
        f'"owners":[{",".join(map(enc, o))}],"unit":{enc(u)}}}'
        for u, a, o, d in sorted(units, key=lambda x: x[0])
    )
    elector_rows = ",".join(
        f'{{"area":{a},"heads":{h},"key":{enc(k)},"units":[{",".join(map(enc, m))}]}}'
        for k, m, h, a in sorted(electors, key=lambda x: x[0])
    )
    text = f'{{"electors":[{elector_rows}],"format":"gongzhi.roll.v1","units":[{unit_rows}]}}'
    return sha256_hex(text)


def fast_paths_agree() -> bool:
    """Whether the fast forms give the canonical results on awkward input (computed once)."""
    global _fast_ok
    if _fast_ok is None:
        secret = bytes(range(32))
        odd = ["o:1,2", 'o:"张三"\\\n\u2028\x7f', "dev", "u:x/y"]
        units = [
            vroll.UnitRecord(unit_id="2", area=5_050, owner_ids=frozenset({"9", "10"})),
            vroll.UnitRecord(unit_id="10", area=1, developer_unsold=True),
            vroll.UnitRecord(unit_id='"\\ü', area=7, owner_ids=frozenset({"3"})),
        ]
        roll = [
            vroll.Elector(key="o:10,9", unit_ids=("2",), heads=1, area=5_050),
            vroll.Elector(key="dev", unit_ids=("10",), heads=1, area=1),
            vroll.Elector(key="o:3", unit_ids=('"\\ü',), heads=2, area=7),
        ]
        _fast_ok = (
            all(fast_slot(secret, k) == secrecy.slot_key(secret, k) for k in odd)
            and all(
                fast_record(e, c, n) == secrecy.ballot_record(election_id=e, choices=c, nonce=n)
                for e, c, n in [
                    ("7", '{"1":"yes","2":["3"]}', "ab" * 16),
                    *zip(odd, odd, odd, strict=True),
                ]
            )
            and fast_fingerprint(
                [
                    (u.unit_id, u.area, tuple(sorted(u.owner_ids)), u.developer_unsold)
                    for u in units
                ],
                [(e.key, e.unit_ids, e.heads, e.area) for e in roll],
            )
            == vroll.fingerprint(units, roll)
        )
    return _fast_ok


def slot_map(secret: bytes, keys: Sequence[str]) -> dict[str, str]:
    """slot key → elector key, for every elector."""
    if not keys:
        return {}
    first = secrecy.slot_key(secret, keys[0])  # also refuses a weak secret
    if fast_paths_agree() and fast_slot(secret, keys[0]) == first:
        return {fast_slot(secret, k): k for k in keys}
    return {secrecy.slot_key(secret, k): k for k in keys}


def slot_weights(
    secret: bytes, electors: Sequence[tuple[str, int, int]]
) -> dict[str, tuple[int, int]]:
    """slot key → (heads, area) of every (elector key, heads, area): the roll as the recount
    reads it, keyed by what the counted ballots carry (:meth:`voting.tally.Tally.of_weights`).
    Raises ValueError for a repeated elector key, as :class:`voting.tally.Tally` does."""
    if not electors:
        return {}
    first = secrecy.slot_key(secret, electors[0][0])  # also refuses a weak secret
    if fast_paths_agree() and fast_slot(secret, electors[0][0]) == first:
        # fast_slot inlined: one HMAC per elector, a million for a large election
        digest, enc, prefix = hmac.digest, _enc, _SLOT_PREFIX
        weights = {
            digest(secret, (prefix + enc(k) + "]").encode(), "sha256").hex(): (h, a)
            for k, h, a in electors
        }
    else:
        weights = {secrecy.slot_key(secret, k): (h, a) for k, h, a in electors}
    if len(weights) != len(electors):
        raise ValueError("elector keys must be unique")
    return weights


def roll_units(
    electors: Sequence[tuple[str, int, int]], units: Iterable[tuple[str, int, str, bool, str]]
) -> int:
    """The number of frozen units that belong to an elector of the roll: ``roll.units`` of the
    result, as :func:`voting.roll.totals` counts it from :func:`tally_roll`. ``units`` are the
    stored rows (unit id, area, owner ids, developer-unsold, elector key)."""
    keys = {k for k, _, _ in electors}
    return sum(1 for u in units if u[4] in keys)


def owners_of(text: str) -> tuple[str, ...]:
    """The sorted owner ids of a frozen unit's comma-separated ``owner_ids`` column."""
    if "," in text:
        return tuple(sorted({o for o in text.split(",") if o}))
    return (text,) if text else ()


def roll_fingerprint(units: Sequence[UnitRow], electors: Sequence[RollRow]) -> str:
    """:func:`voting.roll.fingerprint` of plain rows (the fast form when it agrees)."""
    if fast_paths_agree():
        return fast_fingerprint(units, electors)
    return vroll.fingerprint(
        [
            vroll.UnitRecord(unit_id=u, area=a, owner_ids=frozenset(o), developer_unsold=d)
            for u, a, o, d in units
        ],
        [vroll.Elector(key=k, unit_ids=m, heads=h, area=a) for k, m, h, a in electors],
    )


def stored_fingerprint(
    units: Sequence[tuple[str, int, str, bool, str]], electors: Sequence[tuple[str, int, int]]
) -> str:
    """:func:`voting.roll.fingerprint` of the stored rows as the verifier reads them: (unit id,
    area, comma-separated owner ids, developer-unsold, elector key) and (elector key, heads,
    area), written in one pass over each (a million of each in a large election, issue #17).

    The units are taken in unit order, so each elector's units are collected already sorted;
    the text goes to SHA-256 in chunks. The canonical code when the fast forms disagree."""
    if not fast_paths_agree():
        members: dict[str, list[str]] = {}
        for key, _, _, _, elector in units:
            members.setdefault(elector, []).append(key)
        return roll_fingerprint(
            [(k, a, owners_of(o), d) for k, a, o, d, _ in units],
            [(k, tuple(sorted(members.get(k, ()))), h, a) for k, h, a in electors],
        )
    enc = _enc
    digest = hashlib.sha256(b'{"electors":[')
    ordered = sorted(units, key=itemgetter(0))
    of: dict[str, list[str]] = {}
    unit_rows: list[str] = []
    for key, area, owners, unsold, elector in ordered:
        if elector in of:
            of[elector].append(key)
        else:
            of[elector] = [key]
        text = ",".join(map(enc, owners_of(owners))) if "," in owners or not owners else enc(owners)
        unit_rows.append(
            f'{{"area":{area},"developer":{"true" if unsold else "false"},'
            f'"owners":[{text}],"unit":{enc(key)}}}'
        )
    del ordered
    none: list[str] = []
    _chunks(
        digest,
        (
            f'{{"area":{a},"heads":{h},"key":{enc(k)},'
            f'"units":[{",".join(map(enc, of.get(k, none)))}]}}'
            for k, h, a in sorted(electors, key=itemgetter(0))
        ),
    )
    digest.update(b'],"format":"gongzhi.roll.v1","units":[')
    _chunks(digest, unit_rows)
    digest.update(b"]}")
    return digest.hexdigest()


def _chunks(digest: Any, rows: Iterable[str], size: int = 20_000) -> None:
    """Feed ``rows``, comma-separated, to ``digest`` as UTF-8, ``size`` rows at a time."""
    it = iter(rows)
    first = True
    while chunk := list(islice(it, size)):
        digest.update((("" if first else ",") + ",".join(chunk)).encode())
        first = False


class TallyElector(NamedTuple):
    """Reads as a :class:`voting.roll.Elector` (the tally reads key, heads, area, unit_ids) and
    is made ten times faster than that frozen dataclass: a million of them for a recount."""

    key: str
    heads: int
    area: int
    unit_ids: tuple[str, ...] = ()
    owner_ids: frozenset[str] = frozenset()


def tally_roll(
    electors: Sequence[tuple[str, int, int]],
    units: Iterable[tuple[str, str]] = (),
) -> list[vroll.Elector]:
    """The roll as the close counts it from (key, heads, area) rows and the frozen units'
    (unit id, elector key) pairs (:func:`api.services.ballots.core_electors`): the units make
    the result's ``roll.units`` (issue #12 item 6: it said 0 before)."""
    members: dict[str, list[str]] = {}
    for unit, elector in units:
        members.setdefault(elector, []).append(unit)
    if not members:
        return cast(list[vroll.Elector], list(starmap(TallyElector, electors)))
    return cast(
        list[vroll.Elector],
        [TallyElector(k, h, a, tuple(sorted(members.get(k, ())))) for k, h, a in electors],
    )


WeightLine = tuple[str, int, int, int]
"""(weight tag, heads, area, number of units) of one frozen elector, without its key."""
_TAG_PREFIX = '["gongzhi.weight.v1",'


def tagger(recount: bytes) -> Callable[[str], str]:
    """slot key → weight tag (:func:`voting.secrecy.weight_tag`) under ``recount``: the fast
    form when it agrees with the canonical one (also refuses a weak key)."""
    probe = "ab" * 32
    canonical = secrecy.weight_tag(recount, probe)

    def fast(slot: str) -> str:
        return hmac.digest(recount, (_TAG_PREFIX + _enc(slot) + "]").encode(), "sha256").hex()

    if fast(probe) == canonical:
        return fast
    return lambda slot: secrecy.weight_tag(recount, slot)


def weight_lines(
    secret: bytes,
    electors: Sequence[tuple[str, int, int]],
    units: Iterable[tuple[str, str]],
) -> list[WeightLine]:
    """The recount material of the export: each elector's weight under its tag (the recount
    key's HMAC of its slot key), sorted by tag so that nothing follows the roll's order."""
    count: dict[str, int] = {}
    for _, elector in units:
        count[elector] = count.get(elector, 0) + 1
    tag = tagger(secrecy.recount_key(secret))
    slots = slot_map(secret, [k for k, _, _ in electors])
    weight = {k: (h, a) for k, h, a in electors}
    return sorted((tag(s), *weight[k], count.get(k, 0)) for s, k in slots.items())


def weight_roll(weights: Sequence[WeightLine]) -> list[vroll.Elector]:
    """The roll as the recount key sees it: electors keyed by weight tag. Only the number of
    unit ids matters to the tally (``roll.units``); the units themselves are not in the tags'
    table, so they are placeholders."""
    return cast(list[vroll.Elector], [TallyElector(t, h, a, ("",) * n) for t, h, a, n in weights])
