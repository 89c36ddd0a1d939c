"""What every screen of the web client must pass in the browser tests (tests/web): no sideways
scrolling, touch targets of at least 44 px, a label on every input, body type of 18 px or more;
and the two sizes they are checked at (a phone and a wall screen).
"""

from __future__ import annotations

from typing import Any

SIZES = [(360, 740), (1920, 1080)]

FITS = """() => document.documentElement.scrollWidth <= window.innerWidth"""
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "main button, main a.button, main summary, main input:not([type=checkbox]), main select, header button, nav a"
  )].filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
   .map((e) => `${e.tagName} ${e.textContent.trim()} ${e.getBoundingClientRect().height}`)"""
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
   .filter((e) => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute("aria-label"))
   .map((e) => e.outerHTML)"""


def check_layout(page: Any, width: int) -> None:
    assert page.evaluate(FITS), f"the page scrolls sideways at {width}px"
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(UNLABELLED) == []
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18, size
