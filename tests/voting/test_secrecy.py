from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.errors import CodeError, ErrorCode
from voting.secrecy import (
    CODE_ALPHABET,
    ballot_record,
    check_code,
    code_mac,
    format_code,
    new_election_secret,
    new_nonce,
    new_voting_code,
    normalize_code,
    short_tracking_code,
    slot_key,
    tracking_code,
)

SECRET = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_slot_key_is_a_keyed_hmac_of_the_elector() -> None:
    key = slot_key(SECRET, "o:li,wang")
    message = json.dumps(["gongzhi.slot.v1", "o:li,wang"], separators=(",", ":")).encode()
    assert key == hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    assert slot_key(SECRET, "o:li,wang") == key
    assert slot_key(OTHER, "o:li,wang") != key
    assert slot_key(SECRET, "o:wang") != key


def test_short_or_missing_secrets_are_refused() -> None:
    with pytest.raises(CodeError) as info:
        slot_key(b"short", "dev")
    assert info.value.code is ErrorCode.WEAK_SECRET
    with pytest.raises(CodeError):
        code_mac(b"", "e1", "2345-6789-ABCD")
    assert len(new_election_secret()) == 32
    assert new_election_secret() != new_election_secret()


def test_new_codes_are_printable_groups_from_the_unambiguous_alphabet() -> None:
    codes = {new_voting_code() for _ in range(2000)}
    assert len(codes) == 2000
    pattern = re.compile(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}")
    assert all(pattern.fullmatch(c) for c in codes)
    assert set("".join(codes).replace("-", "")) == set(CODE_ALPHABET)
    assert not set("01IOL") & set(CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JK23",
        "abcd-efgh-jk23",
        "ABCD EFGH JK23",
        "  abcdefghjk23 ",
        "ＡＢＣＤ－ＥＦＧＨ－ＪＫ２３",  # full-width, as a Chinese IME types it
        "ABCD—EFGH–JK23",  # em and en dashes
    ],
)
def test_typed_codes_are_forgiving(typed: str) -> None:
    assert normalize_code(typed) == "ABCDEFGHJK23"
    assert code_mac(SECRET, "e1", typed) == code_mac(SECRET, "e1", "ABCD-EFGH-JK23")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("ABCD-EFGH-JK2", "length"),
        ("ABCD-EFGH-JK234", "length"),
        ("ABCD-EFGH-JK20", "alphabet"),  # zero is not in the alphabet
        ("ABCD-EFGH-JKO2", "alphabet"),
        ("ABCD-EFGH-JK1I", "alphabet"),
        ("ABCD.EFGH.JK23", "length"),
    ],
)
def test_malformed_codes(typed: str, reason: str) -> None:
    with pytest.raises(CodeError) as info:
        normalize_code(typed)
    assert info.value.code is ErrorCode.MALFORMED_CODE
    assert info.value.detail["reason"] == reason


def test_code_mac_binds_the_election_and_check_is_constant_time_compare() -> None:
    code = new_voting_code()
    stored = code_mac(SECRET, "e1", code)
    assert code_mac(SECRET, "e2", code) != stored
    assert code_mac(OTHER, "e1", code) != stored
    assert check_code(SECRET, "e1", code.lower().replace("-", " "), stored)
    assert not check_code(SECRET, "e2", code, stored)
    assert not check_code(SECRET, "e1", "not a code", stored)
    assert not check_code(SECRET, "e1", code, "")
    with pytest.raises(CodeError):
        check_code(b"weak", "e1", code, stored)


@given(st.text(alphabet=CODE_ALPHABET, min_size=12, max_size=12))
def test_format_and_normalize_round_trip(raw: str) -> None:
    printed = format_code(raw)
    assert len(printed) == 14
    assert normalize_code(printed) == raw
    assert normalize_code(printed.lower()) == raw


def test_tracking_code_hashes_a_record_with_a_nonce() -> None:
    choices = '{"q1":"yes"}'
    a = ballot_record(election_id="e1", choices=choices, nonce=new_nonce())
    b = ballot_record(election_id="e1", choices=choices, nonce=new_nonce())
    assert tracking_code(a) != tracking_code(b)  # same choices, different tracker
    assert tracking_code(a) == hashlib.sha256(a.encode()).hexdigest()
    assert json.loads(a).keys() == {"format", "election", "choices", "nonce"}  # nothing personal


def test_record_and_short_code_golden() -> None:
    record = ballot_record(election_id="e1", choices='{"q1":"yes"}', nonce="00" * 16)
    assert record == (
        '{"choices":"{\\"q1\\":\\"yes\\"}","election":"e1",'
        '"format":"gongzhi.ballot.v1","nonce":"00000000000000000000000000000000"}'
    )
    full = tracking_code(record)
    assert short_tracking_code(full) == "-".join(
        full[:16].upper()[i : i + 4] for i in range(0, 16, 4)
    )
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", short_tracking_code(full))


def test_nonces_are_128_bit_hex() -> None:
    nonces = {new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", n) for n in nonces)


def test_derived_voting_codes_are_stable_distinct_and_well_formed() -> None:
    from voting.secrecy import check_code, code_mac, derive_voting_code, normalize_code

    secret = b"s" * 32
    a1 = derive_voting_code(secret, "7", "o:1", 1)
    assert a1 == derive_voting_code(secret, "7", "o:1", 1)
    assert len(normalize_code(a1)) == 12 and a1.count("-") == 2
    others = {
        derive_voting_code(secret, "7", "o:1", 2),
        derive_voting_code(secret, "8", "o:1", 1),
        derive_voting_code(secret, "7", "o:2", 1),
        derive_voting_code(b"t" * 32, "7", "o:1", 1),
    }
    assert a1 not in others and len(others) == 4
    assert check_code(secret, "7", a1.lower(), code_mac(secret, "7", a1))
