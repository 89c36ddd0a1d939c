"""Slot keys, voting codes and receipts: the cryptographic glue of ballot secrecy (docs/design.md
§3).

* The **slot key** HMAC(election secret, elector key) is the only link from an elector to a
  ballot row. The secret lives outside the database, so a dump alone cannot link them, yet the
  database can still enforce "one counted ballot per slot" with a unique constraint.
* The **voting code** is a second factor delivered on paper or by SMS. Elderly owners type it on
  a phone, so it uses an alphabet without look-alikes (no 0/O, 1/I/L) and is printed in groups;
  input is forgiving (full-width characters from a Chinese IME, spaces, any dash, lower case).
  Only an HMAC of it is stored.
* The **recount key** is derived one-way from the election secret: with the export's
  weight tags it recounts, yet cannot link a slot to an elector key or derive a voting code.
* The **tracking code** is SHA-256 over the stored ballot record, which includes a random nonce
  so that it cannot be guessed from the choices. Owners see the list of counted tracking codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from voting.codec import canonical_json
from voting.errors import CodeError, ErrorCode

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 is about 2**59: beyond reach of rate-limited online guessing
CODE_GROUP = 4
MIN_SECRET_BYTES = 32
_ALPHABET_SET = frozenset(CODE_ALPHABET)
# The digits and letters a code never holds (look-alikes): named when an owner types one.
NEVER_IN_CODES = "".join(
    ch for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if ch not in _ALPHABET_SET
)
_SHOWN_STRAYS = 5


def _strays(code: str) -> str:
    """The characters of ``code`` no voting code holds, each once, in order of appearance (at
    most a few; one that cannot be shown as text is named by its code point)."""
    seen: list[str] = []
    for ch in code:
        shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
        if ch not in _ALPHABET_SET and shown not in seen:
            seen.append(shown)
    return ",".join(seen[:_SHOWN_STRAYS])


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise CodeError(ErrorCode.WEAK_SECRET, min_bytes=MIN_SECRET_BYTES)


def _mac(secret: bytes, label: str, *parts: str) -> str:
    message = canonical_json([label, *parts]).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def slot_key(election_secret: bytes, elector_key: str) -> str:
    """HMAC-SHA256 hex of the elector key under the per-election secret."""
    _check_secret(election_secret)
    return _mac(election_secret, "gongzhi.slot.v1", elector_key)


def recount_key(election_secret: bytes) -> bytes:
    """The election's recount key, HMAC(election secret, ``gongzhi.recount.v1``): what an
    auditor is given to recount (docs/design.md §3.6) instead of the secret.

    One-way: it cannot give the election secret back, so it cannot compute any elector's slot
    key (link a ballot to an elector by name), and it is unrelated to the ``voting-code`` key,
    so it derives no voting code. It reads only :func:`weight_tag` tags: which weight a counted
    ballot carries, not whose it is.
    """
    _check_secret(election_secret)
    label = canonical_json(["gongzhi.recount.v1"]).encode("utf-8")
    return hmac.new(election_secret, label, hashlib.sha256).digest()


def weight_tag(recount: bytes, slot: str) -> str:
    """HMAC(recount key, slot key): the anonymous tag under which the export lists a slot's
    weight (heads, area, units), sorted by tag, never beside an elector key."""
    _check_secret(recount)
    return _mac(recount, "gongzhi.weight.v1", slot)


def new_election_secret() -> bytes:
    """32 random bytes; to be stored outside the database (key file, KMS, env)."""
    return secrets.token_bytes(MIN_SECRET_BYTES)


def new_voting_code() -> str:
    """A fresh code, formatted for printing as ``XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def derive_voting_code(secret: bytes, election_id: str, elector_key: str, generation: int) -> str:
    """The elector's voting code, derived from a secret kept outside the database.

    Deriving rather than storing lets the preparatory group print (and reprint) the notices
    at any time while the database holds only :func:`code_mac`; ``generation`` changes the
    code when a lost notice is replaced. Rejection sampling keeps the alphabet uniform.
    """
    _check_secret(secret)
    out: list[str] = []
    counter = 0
    n = len(CODE_ALPHABET)
    limit = 256 - 256 % n
    while len(out) < CODE_LENGTH:
        block = hmac.new(
            secret,
            canonical_json(
                ["gongzhi.votecode.v1", election_id, elector_key, generation, counter]
            ).encode("utf-8"),
            hashlib.sha256,
        ).digest()
        out.extend(CODE_ALPHABET[b % n] for b in block if b < limit)
        counter += 1
    return format_code("".join(out[:CODE_LENGTH]))


def format_code(code: str) -> str:
    """Group a normalised code in fours for printing."""
    code = normalize_code(code)
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(text: str) -> str:
    """The 12 code characters of what an owner typed, or ``MALFORMED_CODE``.

    NFKC folds full-width letters and digits; whitespace and every dash (Unicode Pd) are
    dropped; letters are upper-cased.
    """
    if not isinstance(text, str):
        raise CodeError(ErrorCode.MALFORMED_CODE, reason="not_text")
    folded = unicodedata.normalize("NFKC", text)
    kept = [ch.upper() for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Pd"]
    code = "".join(kept)
    if len(code) != CODE_LENGTH:
        raise CodeError(
            ErrorCode.MALFORMED_CODE, reason="length", length=len(code), expected=CODE_LENGTH
        )
    if not _ALPHABET_SET.issuperset(code):
        # Naming the typed characters that no code holds reveals nothing of the code itself.
        raise CodeError(
            ErrorCode.MALFORMED_CODE,
            reason="alphabet",
            found=_strays(code),
            never=",".join(NEVER_IN_CODES),
        )
    return code


def code_mac(secret: bytes, election_id: str, code: str) -> str:
    """What is stored for a voting code: HMAC(secret, election id, normalised code)."""
    _check_secret(secret)
    return _mac(secret, "gongzhi.code.v1", election_id, normalize_code(code))


def check_code(secret: bytes, election_id: str, code: str, stored_mac: str) -> bool:
    """Constant-time comparison of a typed code against its stored MAC.

    A malformed code is simply wrong here (False); call :func:`normalize_code` first if the UI
    wants to say "check the format".
    """
    try:
        candidate = code_mac(secret, election_id, code)
    except CodeError as error:
        if error.code is ErrorCode.WEAK_SECRET:
            raise
        candidate = "0" * 64
    return hmac.compare_digest(candidate, stored_mac)


def new_nonce() -> str:
    """128 random bits, hex, stored in the ballot record."""
    return secrets.token_hex(16)


def ballot_record(*, election_id: str, choices: str, nonce: str) -> str:
    """The canonical ballot record whose hash is the tracking code.

    ``choices`` is :func:`voting.ballot.encode_choices` output. The record holds no elector
    key, slot key, account or time: the tracking code must not help link a ballot to anyone.
    """
    return canonical_json(
        {"format": "gongzhi.ballot.v1", "election": election_id, "choices": choices, "nonce": nonce}
    )


def tracking_code(record: str) -> str:
    """SHA-256 hex of the ballot record (the full tracker, kept and published)."""
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def short_tracking_code(full: str) -> str:
    """First 16 hex digits, upper case, in groups of four: ``3F2A-9B1C-77DE-0A41``.

    64 bits: collisions among one election's ballots are out of the question, and owners
    can read it aloud. Matching a short code against the published list compares prefixes.
    """
    head = full[:16].upper()
    return "-".join(head[i : i + 4] for i in range(0, 16, 4))
