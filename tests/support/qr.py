"""Read a QR code the service drew (a PNG data URL) back into its modules with Pillow, and
compare them with the modules segno computes for the text it should encode (issue #14 item 11).

No QR decoder is installed, so a code is checked the other way round: the expected text is
encoded independently here (segno's matrix, at every mask, since the choice of mask does not
change what a code says) and the image must show exactly one of those symbols, module for
module, quiet zone included.
"""

from __future__ import annotations

import base64
import io

import segno
from PIL import Image

PREFIX = "data:image/png;base64,"


def image_modules(data_url: str) -> list[list[bool]]:
    """The image's pixels as dark (True) or light, one pixel per module as the service draws."""
    assert data_url.startswith(PREFIX), data_url[:40]
    image = Image.open(io.BytesIO(base64.b64decode(data_url.removeprefix(PREFIX))))
    assert image.format == "PNG"
    grey = image.convert("L")
    width, height = grey.size
    assert width == height, grey.size
    pixels = grey.tobytes()  # mode L: one byte a pixel, row by row
    return [[pixels[y * width + x] < 128 for x in range(width)] for y in range(height)]


def symbols(text: str, border: int = 4) -> list[list[list[bool]]]:
    """Every QR symbol of ``text`` a reader would decode to ``text`` (one per mask)."""
    out = []
    for mask in range(8):
        code = segno.make_qr(text, error="m", mask=mask)
        out.append([[bool(m) for m in row] for row in code.matrix_iter(border=border)])
    return out


def encodes(data_url: str, text: str) -> bool:
    """Does the image show a QR code of ``text``?"""
    return image_modules(data_url) in symbols(text)
