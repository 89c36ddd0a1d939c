"""QR codes for printed letters and notices (api/formats/qr.py, issue #14 item 11): the PNG read
back with Pillow shows, module for module, segno's symbol of the expected link."""

from __future__ import annotations

import time

from api.formats import qr
from tests.support.qr import encodes, image_modules

ORIGIN = "https://gongzhi.example.org"


def test_an_activation_letters_code_rides_in_the_fragment() -> None:
    link = qr.activation_link(ORIGIN, "AB2C-D3EF-GH4J")
    assert link == "https://gongzhi.example.org/#/activate?code=AB2C-D3EF-GH4J"
    assert encodes(qr.png_data_url(link), link)


def test_a_voting_notice_opens_the_ballot_for_its_elector() -> None:
    link = qr.ballot_link(ORIGIN, 12, 3456, "ABCD-EFGH-JKMN")
    assert link == "https://gongzhi.example.org/#/election/12?elector=3456&code=ABCD-EFGH-JKMN"
    assert "?" not in link.split("#", 1)[0]  # nothing before the fragment reaches a server
    assert encodes(qr.png_data_url(link), link)
    assert not encodes(qr.png_data_url(link), link.replace("JKMN", "JKMP"))


def test_odd_characters_are_escaped_and_the_image_has_its_quiet_zone() -> None:
    link = qr.activation_link(ORIGIN, "a b&c#d")
    assert link.endswith("?code=a%20b%26c%23d")
    modules = image_modules(qr.png_data_url(link))
    for row in (*modules[: qr.BORDER], *modules[-qr.BORDER :]):
        assert not any(row)
    assert not any(row[i] for row in modules for i in (0, 1, 2, 3, -1, -2, -3, -4))


def test_a_thousand_notices_stay_well_inside_the_operation_timeout() -> None:
    """The mask is fixed so that printing a compound's notices at once costs seconds at most
    (api/formats/qr.py); CPU time, so that other work on the machine does not count."""
    link = qr.ballot_link(ORIGIN, 12, 3456, "ABCD-EFGH-JKMN")
    started = time.process_time()
    for _ in range(50):
        qr.png_data_url(link)
    per_code = (time.process_time() - started) / 50
    assert per_code * 1000 < 8.0, f"{per_code * 1000:.1f} ms a code"
