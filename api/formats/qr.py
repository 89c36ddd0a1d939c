"""QR codes on printed letters and notices (issue #14 item 11; docs/design.md §3.4 and §3.9).

An activation or reset letter's QR code opens ``{origin}/#/activate?code=…`` and a voting
notice's opens ``{origin}/#/election/{id}?elector={id}&code=…``: the code rides in the URL
fragment, which a browser never sends to a server (so no access log, proxy or referrer sees it),
and the page that reads it clears it from the address bar and the history at once. The QR code
thus exposes exactly what the code printed beside it exposes.

Made here with segno (pinned), offline, as a PNG data URL (the web client's CSP allows
``img-src 'self' data:``): one image pixel per module, quiet zone included, scaled up by the
page (``image-rendering: pixelated``), so a notice of 1,000 electors stays small.

The mask is fixed. ISO/IEC 18004 lets the encoder pick one of eight; choosing by the standard's
penalty score, as segno does by default, costs about 9 ms of CPU a code against under 3 ms
fixed, and printing a compound's thousand notices at once must stay well inside the operation
timeout (GONGZHI_OPERATION_TIMEOUT_SECONDS). Any mask decodes; the choice only tunes contrast.

Pure: text in, text out.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import quote, urlencode

import segno

ERROR_LEVEL = "m"  # 15 % of the symbol may be lost (segno raises it when the size allows)
MASK = 2  # fixed: see the module's docstring
BORDER = 4  # the quiet zone the standard asks for, in modules


def symbol(text: str) -> segno.QRCode:
    """The QR code of ``text`` as printed (never a Micro QR: phones' cameras do not read them)."""
    return segno.make_qr(text, error=ERROR_LEVEL, mask=MASK)


def png_data_url(text: str) -> str:
    """``data:image/png;base64,…`` of ``text``'s QR code, one pixel per module."""
    out = io.BytesIO()
    symbol(text).save(out, kind="png", scale=1, border=BORDER)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def activation_link(origin: str, code: str) -> str:
    """The activation page with a letter's code filled in (web/js/views/activate.js)."""
    return f"{origin}/#/activate?{urlencode({'code': code}, quote_via=quote)}"


def ballot_link(origin: str, election_id: int, elector_id: int, code: str) -> str:
    """The election's voting page with the notice's elector chosen and its code filled in
    (web/js/views/election.js); login first when needed, the code kept in memory meanwhile."""
    query = urlencode({"elector": elector_id, "code": code}, quote_via=quote)
    return f"{origin}/#/election/{election_id}?{query}"
