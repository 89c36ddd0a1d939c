"""Notice attachments are told by their bytes, never their names (issue #15 part 2): each bad
input is refused with its own code, naming the attachment."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from api.formats import attachment
from schema.contract.errors import AppError
from tests.support.notices import PDF, jpeg, png

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>fetch('/graphql')</script></svg>"
)


def refusal(name: str, data: bytes) -> AppError:
    with pytest.raises(AppError) as info:
        attachment.check(name, data, index=0)
    assert info.value.field == "attachments[0]"
    return info.value


def test_a_pdf_a_jpeg_and_a_png_are_accepted_by_content() -> None:
    assert attachment.check("决议.pdf", PDF, index=0).media_type == "application/pdf"
    assert attachment.check("现场.JPG", jpeg(), index=0).media_type == "image/jpeg"
    assert attachment.check("公示照片.png", png(), index=0).media_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("决议.pdf", HTML, "ATTACHMENT_TYPE"),  # HTML behind a right extension
        ("照片.png", SVG, "ATTACHMENT_TYPE"),  # SVG with a script behind .png
        ("照片.svg", SVG, "ATTACHMENT_TYPE"),
        ("a.png", png()[:40], "ATTACHMENT_TYPE"),  # a PNG's signature, then garbage
        ("a.pdf", b"%PDF-1.4\n1 0 obj\n", "ATTACHMENT_TYPE"),  # no trailer
        ("a.pdf", PDF + b"<html><script>alert(1)</script></html>\n%%EOF", "ATTACHMENT_POLYGLOT"),
        ("a.png", png() + b"<script>alert(1)</script>", "ATTACHMENT_POLYGLOT"),
        (
            "a.pdf",
            PDF.replace(b"/Type /Catalog", b"/OpenAction << /S /JavaScript /JS (x) >>"),
            "ATTACHMENT_ACTIVE_CONTENT",
        ),
        ("a.pdf", png(), "ATTACHMENT_EXTENSION"),  # a real PNG named .pdf
        ("a.png", PDF, "ATTACHMENT_EXTENSION"),
    ],
)
def test_wrong_content_is_refused_with_a_specific_code(name: str, data: bytes, code: str) -> None:
    assert refusal(name, data).code == code


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "/etc/cron.d/x.pdf",
        "C:\\Windows\\x.pdf",
        "a\x00.pdf",
        "..／..／x.pdf",  # a fullwidth solidus, a slash once NFKC-folded
        "a∕b.pdf",  # U+2215 DIVISION SLASH is not folded: allowed? it is no separator
        "\u202efdp.png",  # right-to-left override: shows as "png.pdf"
        ".htaccess.pdf",
        "",
        "x" * 200 + ".pdf",
    ],
)
def test_path_tricks_in_the_name_are_refused(name: str) -> None:
    if name == "a∕b.pdf":  # no path separator on any system: a plain, if odd, name
        assert attachment.check(name, PDF, index=0).name == name
        return
    assert refusal(name, PDF).code == "BAD_ATTACHMENT_NAME"


def test_an_image_is_re_encoded_without_its_metadata_or_trailing_bytes() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker-Serial-123"
    Image.new("RGB", (10, 10), (1, 2, 3)).save(out, format="JPEG", exif=exif.tobytes())
    sent = out.getvalue() + b"TRAILING-DATA"
    stored = attachment.check("a.jpg", sent, index=0).data
    assert b"CameraMaker-Serial-123" not in stored and b"TRAILING-DATA" not in stored
    assert Image.open(io.BytesIO(stored)).size == (10, 10)


def test_the_size_is_capped_before_decoding() -> None:
    with pytest.raises(AppError) as info:
        attachment.decode(base64.b64encode(b"x" * 101).decode(), index=2, max_bytes=100)
    assert info.value.code == "ATTACHMENT_TOO_LARGE" and info.value.extra["index"] == "3"
    with pytest.raises(AppError) as info:
        attachment.decode("A" * 1000, index=0, max_bytes=100)  # refused before decoding
    assert info.value.code == "ATTACHMENT_TOO_LARGE"
    with pytest.raises(AppError) as info:
        attachment.decode("not base64!", index=0, max_bytes=100)
    assert info.value.code == "BAD_ATTACHMENT_ENCODING"
    assert (
        attachment.decode(
            "data:application/pdf;base64," + base64.b64encode(PDF).decode(),
            index=0,
            max_bytes=10_000,
        )
        == PDF
    )
