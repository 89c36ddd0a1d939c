"""A notice attachment as the service accepts it: PDF, JPEG or PNG, told by its bytes alone
(issue #15 part 2, docs/design.md §3.11).

Why: a notice is opened by every owner of the compound. What a client uploads may be an HTML
page or an SVG with a script named ``决议.pdf``; a file that is two formats at once (a polyglot:
a PDF that is also an HTML page, a PNG with a page appended) is read by whichever program opens
it. So the file name and the declared type are never trusted, and:

* **the type comes from the content**: a PDF starts with ``%PDF-1.`` or ``%PDF-2.`` at byte 0
  and ends with ``%%EOF`` in its last kilobyte; a JPEG or PNG must be identified *and verified*
  by Pillow (the format's own signature and structure), then is decoded (pixels bounded) and
  re-encoded from its pixels alone, which drops EXIF (a phone photo's GPS position), text chunks
  and anything appended after the image. What is stored is that re-encoding;
* **no markup anywhere**: an upload whose bytes hold an HTML, SVG, XML or script marker
  (``<html``, ``<script``, ``<svg``, ``<?xml``, ``<!doctype``, ``<iframe``, ``javascript:``) is
  refused as a polyglot, whatever its first bytes; a PDF with active content (``/JavaScript``,
  ``/JS``, ``/Launch``, ``/EmbeddedFile``, ``/OpenAction``, ``/AA``, ``/RichMedia``) is refused;
* **the name is display text only**: it is refused if it could be read as a path or hides
  characters (a slash or backslash, also after NFKC folding such as the fullwidth ／, ``..``, a
  leading dot, NUL or any control or hidden character, api/formats/hidden.py), and its extension
  must name the type the content has. The stored file gets a random name (the service's);
* **the size is capped** (``GONGZHI_NOTICE_ATTACHMENT_MAX_BYTES``), before decoding base64 too.

Pure: bytes in, bytes out; every refusal is a specific ``AppError`` naming the attachment.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from api.formats.hidden import first_hidden
from api.formats.photo import DECODE_ERRORS, pixels_only
from schema.contract.errors import AppError

MAX_PIXELS = 40_000_000
MAX_NAME = 120
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
_MARKUP = re.compile(
    rb"<\s*(?:html|script|svg|iframe|object|embed|body|meta|!doctype|\?xml)|javascript:", re.I
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia)\b")


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the display name, checked
    data: bytes  # what is stored: the PDF as sent, an image re-encoded
    media_type: str


def _refuse(code: str, zh: str, en: str, index: int, **facts: object) -> AppError:
    return AppError.of(code, zh, en, field=f"attachments[{index}]", index=index + 1, **facts)


def decode(raw: str, *, index: int, max_bytes: int) -> bytes:
    """The bytes of a base64 upload (a ``data:`` URL prefix is allowed), size-checked first."""
    text = raw.split(",", 1)[1] if raw.startswith("data:") else raw
    if len(text) > (max_bytes * 4) // 3 + 4:
        raise too_large(index, max_bytes)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(
            "BAD_ATTACHMENT_ENCODING",
            "第 {index} 个附件须为 base64 编码",
            "attachment {index} must be base64-encoded",
            index,
        ) from None
    if len(data) > max_bytes:
        raise too_large(index, max_bytes)
    if not data:
        raise _refuse(
            "EMPTY_ATTACHMENT", "第 {index} 个附件是空的", "attachment {index} is empty", index
        )
    return data


def too_large(index: int, max_bytes: int) -> AppError:
    return _refuse(
        "ATTACHMENT_TOO_LARGE",
        "第 {index} 个附件超过 {maxBytes} 字节",
        "attachment {index} is larger than {maxBytes} bytes",
        index,
        maxBytes=max_bytes,
    )


def check_name(name: str, index: int) -> str:
    """The display name, or a refusal naming why it could be read as a path or hides text."""
    bad = None
    folded = unicodedata.normalize("NFKC", name)
    if not name.strip() or len(name) > MAX_NAME:
        bad = ("文件名须为 1 到 120 个字符", "the file name must be 1 to 120 characters")
    elif "\x00" in name or first_hidden(name) is not None:
        bad = (
            "文件名含有控制字符或不可见字符",
            "the file name holds a control or hidden character",
        )
    elif any(c in folded for c in "/\\:") or ".." in folded or folded.startswith((".", "~")):
        bad = (
            "文件名不能含路径（/、\\、:、..、开头的点）",
            "the file name may not hold a path (/, \\, :, .., a leading dot)",
        )
    if bad:
        raise _refuse(
            "BAD_ATTACHMENT_NAME",
            "第 {index} 个附件的文件名无效：" + bad[0].replace("{", "{{").replace("}", "}}"),
            "attachment {index} has an invalid file name: " + bad[1],
            index,
        )
    return name


def _pdf(data: bytes, index: int) -> bytes:
    if not re.match(rb"%PDF-[12]\.\d", data[:8]) or b"%%EOF" not in data[-1024:]:
        raise wrong_type(index)
    if _PDF_ACTIVE.search(data):
        raise _refuse(
            "ATTACHMENT_ACTIVE_CONTENT",
            "第 {index} 个附件是含脚本、自动操作或内嵌文件的 PDF，不予接收",
            "attachment {index} is a PDF with scripts, automatic actions or embedded files",
            index,
        )
    return data


def wrong_type(index: int) -> AppError:
    return _refuse(
        "ATTACHMENT_TYPE",
        "第 {index} 个附件的内容不是 PDF、JPEG 或 PNG（按文件内容判断，不看扩展名）",
        "attachment {index} is not a PDF, JPEG or PNG by its content (the extension is not "
        "trusted)",
        index,
    )


def _image(data: bytes, index: int) -> tuple[bytes, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format or ""
            if fmt not in IMAGE_TYPES:
                raise wrong_type(index)
            probe.verify()  # the structure (chunks, CRCs, markers), before decoding pixels
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    "ATTACHMENT_TOO_LARGE",
                    "第 {index} 个附件像素过多",
                    "attachment {index} has too many pixels",
                    index,
                    maxBytes=len(data),
                )
            image.load()
    except AppError:
        raise
    except DECODE_ERRORS:
        raise wrong_type(index) from None
    return pixels_only(ImageOps.exif_transpose(image), fmt, quality=90)


def check(name: str, data: bytes, *, index: int) -> CheckedFile:
    """``data`` as stored, or a refusal saying which attachment and why (see the module doc).
    In order: the name; the type by content (a PDF header at byte 0, else Pillow must
    identify a JPEG or PNG); markup anywhere (a polyglot); then the PDF's trailer and active
    content, or the image's verification and re-encoding; last the name's extension."""
    name = check_name(name, index)
    is_pdf = data.startswith(b"%PDF-")
    if not is_pdf and _identify(data) not in IMAGE_TYPES:
        raise wrong_type(index)
    if _MARKUP.search(data):
        raise _refuse(
            "ATTACHMENT_POLYGLOT",
            "第 {index} 个附件除 PDF 或图片外还含有网页、SVG 或脚本标记（多重格式文件），不予接收",
            "attachment {index} also holds HTML, SVG or script markup (a polyglot) and is refused",
            index,
        )
    if is_pdf:
        stored, media_type = _pdf(data, index), "application/pdf"
    else:
        stored, media_type = _image(data, index)
    if not name.lower().endswith(EXTENSIONS[media_type]):
        raise _refuse(
            "ATTACHMENT_EXTENSION",
            "第 {index} 个附件的内容是 {kind}，文件名的扩展名须为 {extensions:list}",
            "attachment {index} is a {kind} by its content; its name must end in {extensions:list}",
            index,
            kind=media_type.split("/")[1].upper(),
            extensions=EXTENSIONS[media_type],
        )
    return CheckedFile(name=name, data=stored, media_type=media_type)


def _identify(data: bytes) -> str | None:
    """The image format Pillow finds by the bytes' signature, without decoding, or None."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return probe.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
