"""A candidate's photo is identified by its bytes, re-encoded without any metadata (EXIF GPS
included), turned upright and bounded (api/formats/photo.py)."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import ExifTags, Image

from api.formats import photo
from schema.contract.errors import AppError
from tests.support.nominations import jpeg_with_gps


def png(size: tuple[int, int] = (50, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def test_exif_gps_and_camera_are_removed_and_the_picture_turned_upright() -> None:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    cleaned = photo.clean(data)
    assert cleaned.media_type == "image/jpeg"
    assert b"Exif" not in cleaned.data and b"PhoneCo" not in cleaned.data
    stored = Image.open(io.BytesIO(cleaned.data))
    assert dict(stored.getexif()) == {}
    assert stored.size == (600, 800)  # upright (orientation 6) and at most 800 px a side


def test_a_png_stays_a_png_with_its_transparency() -> None:
    cleaned = photo.clean(png())
    assert cleaned.media_type == "image/png"
    assert Image.open(io.BytesIO(cleaned.data)).mode == "RGBA"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 not a picture", b"<script>alert(1)</script>", b"", b"GIF89a" + b"\0" * 20],
)
def test_what_is_not_a_jpeg_png_or_webp_image_is_refused(data: bytes) -> None:
    with pytest.raises(AppError) as refused:
        photo.clean(data)
    assert refused.value.code == "BAD_PHOTO"


def test_a_gif_is_refused_even_when_readable() -> None:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    with pytest.raises(AppError) as refused:
        photo.clean(out.getvalue())
    assert refused.value.code == "BAD_PHOTO"


def test_uploads_are_base64_and_bounded() -> None:
    raw = png()
    assert photo.decode_upload(base64.b64encode(raw).decode()) == raw
    assert photo.decode_upload("data:image/png;base64," + base64.b64encode(raw).decode()) == raw
    with pytest.raises(AppError) as bad:
        photo.decode_upload("not base64 at all!")
    assert bad.value.code == "BAD_PHOTO"
    big = base64.b64encode(b"\0" * (photo.MAX_UPLOAD_BYTES + 1)).decode()
    with pytest.raises(AppError) as large:
        photo.decode_upload(big)
    assert large.value.code == "PHOTO_TOO_LARGE"


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 Mpx in a few kB
    with pytest.raises(AppError) as refused:
        photo.clean(out.getvalue())
    assert refused.value.code == "BAD_PHOTO"


def test_several_photos_each_checked_and_named_by_their_place() -> None:
    """A complaint's photos (issue #16): at most ``limit``; each cleaned as one photo is; a bad
    one is refused naming its place (counted from 1), its facts kept."""
    good = base64.b64encode(jpeg_with_gps()).decode()
    cleaned = photo.clean_many([good, base64.b64encode(png()).decode()], limit=6)
    assert [p.media_type for p in cleaned] == ["image/jpeg", "image/png"]
    assert all(b"PhoneCo" not in p.data for p in cleaned)
    assert Image.open(io.BytesIO(cleaned[0].data)).size == (960, 1280)  # upright, 1,280 a side
    with pytest.raises(AppError) as many:
        photo.clean_many([good] * 7, limit=6)
    assert (many.value.code, many.value.field, many.value.extra) == (
        "TOO_MANY_PHOTOS",
        "photos",
        {"max": "6", "count": "7"},
    )
    with pytest.raises(AppError) as bad:
        photo.clean_many([good, good, base64.b64encode(b"<script>").decode()], limit=6)
    assert (bad.value.code, bad.value.field, bad.value.extra["photo"]) == (
        "BAD_PHOTO",
        "photos.3",
        "3",
    )
    assert bad.value.zh.startswith("第 3 张照片：") and bad.value.en.startswith("photo 3: ")
    big = base64.b64encode(b"\0" * (photo.MAX_UPLOAD_BYTES + 1)).decode()
    with pytest.raises(AppError) as large:
        photo.clean_many([big], limit=6)
    assert (large.value.code, large.value.field) == ("PHOTO_TOO_LARGE", "photos.1")
