"""The district dashboard's charts as SVG made on the server (issue #16 part 2): horizontal bars,
one panel per figure group, from integers and fixed labels only.

Why SVG from the server and shown as an image: no chart library to vendor, and an SVG that the
page shows through ``<img src="data:image/svg+xml;base64,…">`` can run no script even if a label
were hostile (images never execute; the page's CSP allows ``img-src data:``). Labels are escaped
all the same, and every number is formatted from an ``int``, so nothing a caller passes reaches
the markup unescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 560
LABEL_W = 190
BAR_W = 300
ROW_H = 22
COLOURS = ("#b03a2e", "#d68910", "#2e86c1", "#1e8449", "#7d3c98")


@dataclass(frozen=True)
class Panel:
    title: str
    bars: Sequence[tuple[str, int]]  # (label, value)
    total: int  # the full length of a bar (the district's compounds)


def _text(x: int, y: int, value: str, *, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-weight="{weight}" '
        f'font-size="13" font-family="sans-serif" fill="#222">{escape(value)}</text>'
    )


def svg(panels: Sequence[Panel], *, title: str) -> str:
    """One SVG document with the panels stacked; bars scaled to each panel's total."""
    parts: list[str] = []
    y = 8
    for p in panels:
        y += 18
        parts.append(_text(0, y, p.title, weight="bold"))
        y += 8
        total = max(int(p.total), 1)
        for i, (label, value) in enumerate(p.bars):
            n = max(int(value), 0)
            width = round(BAR_W * min(n, total) / total)
            parts.append(_text(0, y + 15, label))
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + 3}" width="{BAR_W}" height="{ROW_H - 6}" '
                f'fill="#eee"/>'
                f'<rect x="{LABEL_W}" y="{y + 3}" width="{width}" height="{ROW_H - 6}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
            )
            pct = round(100 * n / total)
            parts.append(_text(LABEL_W + BAR_W + 8, y + 15, f"{n} ({pct}%)"))
            y += ROW_H
        y += 6
    height = y + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
