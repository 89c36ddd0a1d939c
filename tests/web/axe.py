"""The accessibility check of every screen the browser tests visit (issue #14): axe-core,
vendored in web/vendor/ by web/vendor/refresh.sh and loaded only here, never by the client.

`watch_accessibility(page, report)` injects axe into every document the page loads (an init
script runs outside the page's Content-Security-Policy) together with a small watcher: after the
DOM has been quiet for a moment (or at least every few seconds while it keeps changing) and no
screen is loading (main[aria-busy], shown dimmed) it runs axe and reports each serious or critical violation once, through a binding, to `report`. So each
screen is checked as the test sees it, with its forms open, its errors shown and its results in,
not only the last one. `check_accessibility(page)` runs axe once more, now, and returns the
violations of the screen on show (tests/web/conftest.py calls it when a page is checked at the
end of a test; a test may call it after any step it wants checked on the spot).

Only the client's documents are checked (those that load web/js/main.js): not a blank page, nor
the demo's GraphiQL page, a vendored developer tool. Only `serious` and `critical` impacts count (issue #14: "no serious or critical violation");
moderate and minor findings are left to review.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parents[2] / "web" / "vendor"


def axe_source() -> str:
    found = sorted(VENDOR.glob("axe-core-*.min.js"))
    assert len(found) == 1, f"expected one vendored axe-core in {VENDOR}, found {found}"
    return found[0].read_text(encoding="utf-8")


# Runs in the page after axe: `window.__axeCheck()` → the serious or critical violations now,
# one line each; the watcher reports new ones through `window.__axeReport(line)`.
WATCHER = """
(() => {
  if (window.top !== window || !window.axe) return;
  // the web client's documents only (index.html loads js/main.js): not about:blank, nor the
  // demo's GraphiQL page (a vendored developer tool, web/graphiql/)
  const client = () => document.querySelector('script[src$="js/main.js"]') !== null;
  const QUIET_MS = 300, MAX_WAIT_MS = 2000;
  const seen = new Set();
  let timer = null, first = 0, running = null;

  // A screen loading the next one (main[aria-busy], dimmed) is not checked until it has loaded.
  const busy = () => document.querySelector('[aria-busy="true"]') !== null;
  const settled = async () => {
    for (let i = 0; i < 100 && busy(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  async function violations() {
    if (!client()) return [];
    await settled();
    while (running) await running;  // axe refuses to run twice at once
    let done;
    running = new Promise((r) => { done = r; });
    try {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      const lines = [];
      for (const v of result.violations) {
        if (v.impact !== "serious" && v.impact !== "critical") continue;
        for (const n of v.nodes) {
          lines.push(`axe ${v.impact} ${v.id} on ${location.hash || "/"}: ${n.target.join(" ")}`
            + ` (${v.help}) ${n.failureSummary ? n.failureSummary.replace(/\\s+/g, " ") : ""}`);
        }
      }
      return lines;
    } finally {
      running = null;
      done();
    }
  }

  async function watch() {
    timer = null; first = 0;
    if (!document.body || !client()) return;
    if (busy()) { schedule(); return; }
    let lines;
    try { lines = await violations(); } catch (e) { return; }  // the page is going away
    for (const line of lines) {
      const key = line.split(" (")[0];
      if (seen.has(key)) continue;
      seen.add(key);
      if (window.__axeReport) window.__axeReport(line);
    }
  }

  function schedule() {
    const now = Date.now();
    if (!first) first = now;
    clearTimeout(timer);
    timer = setTimeout(watch, now - first > MAX_WAIT_MS ? 0 : QUIET_MS);
  }

  window.__axeCheck = violations;
  new MutationObserver(schedule).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  document.addEventListener("toggle", schedule, true);  // <details> opened or closed
})();
"""


def watch_accessibility(page: Any, report: Callable[[str], None]) -> None:
    """Inject axe and the watcher into every document `page` loads; `report` gets each new
    serious or critical violation (one line: impact, rule, route, element, what to fix)."""
    # no transitions: a button caught half-way through its hover colour is not a finding
    page.emulate_media(reduced_motion="reduce")
    page.expose_function("__axeReport", report)
    page.add_init_script(script=axe_source() + "\n" + WATCHER)


def check_accessibility(page: Any) -> list[str]:
    """The serious or critical violations of the screen on show now (axe run once more)."""
    lines = page.evaluate("() => window.__axeCheck ? window.__axeCheck() : []")
    return [str(line) for line in lines]


def assert_accessible(page: Any) -> None:
    """Fail with axe's findings if the screen on show has a serious or critical violation."""
    found = check_accessibility(page)
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
