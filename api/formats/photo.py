"""A candidate's photo as the service accepts it: checked by its bytes, re-encoded, bounded.

Why: a photo on a candidate list is shown to every owner of the compound. What a client
uploads may not be an image at all (a script, a PDF named ``.jpg``), may be a decompression
bomb, and a phone's JPEG usually carries EXIF with the GPS position of the candidate's home
and the camera's serial number. So the declared type is never trusted: Pillow identifies the
bytes (JPEG, PNG or WebP only), the pixel count is bounded, the picture is turned upright by
its EXIF orientation and then re-encoded from its pixels alone, which drops EXIF, XMP, ICC and
text chunks together. What is stored and served is that re-encoding, never the upload.

Pure: bytes in, bytes out; the caller passes the decoded upload.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from schema.contract.errors import AppError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # the decoded upload
MAX_PIXELS = 40_000_000  # a larger picture is refused before decoding (decompression bombs)
MAX_SIDE = 800  # the stored picture's longest side, in pixels
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# what Pillow raises for bytes that are not a readable image (a bomb's warning made an error)
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Warning,
    Image.DecompressionBombError,
)


@dataclass(frozen=True)
class Photo:
    data: bytes
    media_type: str


def _bad(zh: str, en: str) -> AppError:
    return AppError("BAD_PHOTO", zh, en, field="photo")


def decode_upload(raw: str) -> bytes:
    """The bytes of a base64 upload (a ``data:`` URL prefix is allowed), size-checked."""
    text = raw.split(",", 1)[1] if raw.startswith("data:") else raw
    if len(text) > (MAX_UPLOAD_BYTES * 4) // 3 + 4:
        raise too_large()
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _bad("照片须为 base64 编码的图片", "the photo must be base64-encoded") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large()
    return data


def too_large() -> AppError:
    return AppError.of(
        "PHOTO_TOO_LARGE",
        "照片不能超过 {maxBytes} 字节",
        "the photo may be at most {maxBytes} bytes",
        field="photo",
        maxBytes=MAX_UPLOAD_BYTES,
    )


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise _bad("照片须为 JPEG、PNG 或 WebP 图片", "the photo must be JPEG, PNG or WebP")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _bad("照片像素过多", "the photo has too many pixels")
            image.load()
    except AppError:
        raise
    except DECODE_ERRORS:
        raise _bad("上传的内容不是可读的图片", "the upload is not a readable image") from None
    return image


def clean(data: bytes, *, side: int = MAX_SIDE) -> Photo:
    """The stored form of an uploaded photo: upright, at most ``side`` pixels a side,
    re-encoded from its pixels (no metadata of any kind), in the format it came in (WebP and
    pictures with transparency as PNG)."""
    image = _open(data)
    fmt = image.format or ""
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((side, side))
    return Photo(*pixels_only(upright, fmt, quality=88))


def pixels_only(image: Image.Image, fmt: str, *, quality: int) -> tuple[bytes, str]:
    """(bytes, media type) of ``image`` encoded from its pixels alone: a JPEG as JPEG, anything
    else as PNG (transparency kept). Shared with notice attachments (api/formats/attachment.py)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=quality)
        return out.getvalue(), FORMATS["JPEG"]
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    image.convert(mode).save(out, format="PNG")
    return out.getvalue(), FORMATS["PNG"]


def data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


COMPLAINT_SIDE = 1280  # a complaint's photo shows the problem; a little more detail than a face


def clean_many(uploads: Sequence[str], *, limit: int, side: int = COMPLAINT_SIDE) -> list[Photo]:
    """Several base64 uploads (a complaint's, issue #16): at most ``limit``, each checked and
    re-encoded by :func:`clean`; a refusal names the photo (``photos.<n>``, counted from 1)."""
    if len(uploads) > limit:
        raise AppError.of(
            "TOO_MANY_PHOTOS",
            "最多上传 {max} 张照片（收到 {count} 张）",
            "at most {max} photos (got {count})",
            field="photos",
            max=limit,
            count=len(uploads),
        )
    cleaned = []
    for n, raw in enumerate(uploads, 1):
        try:
            cleaned.append(clean(decode_upload(raw), side=side))
        except AppError as error:
            raise AppError(
                error.code,
                f"第 {n} 张照片：{error.zh}",
                f"photo {n}: {error.en}",
                field=f"photos.{n}",
                extra={**error.extra, "photo": str(n)},
            ) from None
    return cleaned
