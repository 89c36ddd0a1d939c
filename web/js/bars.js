// Turnout and counts as bars: plain CSS, the widths set through the CSSOM (which the
// Content-Security-Policy allows, unlike style attributes), the numbers always written beside.

import { h } from "./dom.js";
import { formatArea, formatNumber, formatPercent, t } from "./i18n.js";
import { centi, ratioOf, thresholdText } from "./voting.js";

function pct(part, whole) {
  return whole > 0 ? Math.max(0, Math.min(100, (100 * part) / whole)) : 0;
}

/**
 * One horizontal bar: `part` of `whole`, a line at `mark` (a ratio), and the numbers in text
 * (the bar is only a picture of them). kind: "heads" | "area" picks the colour.
 */
export function bar({ label, part, whole, text, mark = null, markLabel = "", kind = "heads", met = null }) {
  const fill = h("span", { class: "meter-fill" });
  fill.style.width = `${pct(part, whole)}%`;
  const markNode = mark === null ? null : h("span", { class: "meter-mark" }, h("span", {}, markLabel));
  if (markNode) markNode.style.left = `${100 * mark}%`;
  return h(
    "div",
    { class: `meter meter-${kind}${met === true ? " met" : ""}` },
    h(
      "div",
      { class: "meter-head" },
      h("span", { class: "meter-label" }, label),
      h("span", { class: "meter-value" }, text),
    ),
    h("div", { class: "meter-track", "aria-hidden": "true" }, fill, markNode),
  );
}

/** Turnout toward the 2/3 participation line, by heads and by area (Art. 278 §2). */
export function turnoutBars(tally) {
  const heads = tally.participatingHeads;
  const area = centi(tally.participatingArea);
  const totalArea = centi(tally.totalArea);
  const headsMet = 3 * heads >= 2 * tally.totalHeads && tally.totalHeads > 0;
  const areaMet = 3 * area >= 2 * totalArea && totalArea > 0;
  return h(
    "div",
    { class: "turnout" },
    bar({
      label: t("turnout.heads"),
      part: heads,
      whole: tally.totalHeads,
      text: t("turnout.headsValue", {
        n: formatNumber(heads),
        total: formatNumber(tally.totalHeads),
        percent: formatPercent(tally.totalHeads ? heads / tally.totalHeads : 0),
      }),
      mark: 2 / 3,
      markLabel: "2/3",
      kind: "heads",
      met: headsMet,
    }),
    bar({
      label: t("turnout.area"),
      part: area,
      whole: totalArea,
      text: t("turnout.areaValue", {
        area: formatArea(tally.participatingArea),
        total: formatArea(tally.totalArea),
        percent: formatPercent(totalArea ? area / totalArea : 0),
      }),
      mark: 2 / 3,
      markLabel: "2/3",
      kind: "area",
      met: areaMet,
    }),
    h(
      "p",
      { class: `turnout-verdict ${tally.participationMet ? "met" : "unmet"}` },
      tally.participationMet ? t("turnout.met") : t("turnout.unmet"),
    ),
  );
}

function countLabel(key, question) {
  if (key.startsWith("candidate:")) {
    const id = key.slice("candidate:".length);
    const c = question.candidates.find((x) => x.id === id);
    return c ? c.name : t("count.candidate", { id });
  }
  return t(`count.${key}`);
}

const RESOLUTION_ORDER = ["yes", "no", "abstain", "invalid"];

/**
 * Candidates in order of their counts: heads, then area (where shown), then the ballot's order;
 * each with its rank (equal counts share a rank).
 */
export function rankCandidates(keys, byKey, areaShown) {
  const heads = (k) => byKey.get(k)?.heads ?? 0;
  const area = (k) => (areaShown ? centi(byKey.get(k)?.area ?? "0") : 0);
  const sorted = keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => heads(b.k) - heads(a.k) || area(b.k) - area(a.k) || a.i - b.i);
  const ranks = new Map();
  sorted.forEach(({ k }, n) => {
    const prev = sorted[n - 1]?.k;
    ranks.set(k, prev !== undefined && heads(prev) === heads(k) && area(prev) === area(k) ? ranks.get(prev) : n + 1);
  });
  return { keys: sorted.map(({ k }) => k), ranks };
}

/**
 * Counts of one question as pairs of bars (heads, area) against participating heads/area.
 * ranked: candidates in order of their counts, with their rank and a dashed line under the
 * last seat (the supervisors' dashboard).
 */
export function questionCounts(question, count, tally, { ranked = false } = {}) {
  const heads = tally.participatingHeads;
  const area = centi(tally.participatingArea);
  let keys;
  let mark;
  if (question.kind === "RESOLUTION") {
    keys = RESOLUTION_ORDER.filter((k) => count.counts.some((c) => c.key === k));
    mark = ratioOf(question.threshold);
  } else {
    keys = [
      ...question.candidates.map((c) => `candidate:${c.id}`),
      ...["blank", "invalid"].filter((k) => count.counts.some((c) => c.key === k)),
    ];
    mark = 0.5;
  }
  const byKey = new Map(count.counts.map((c) => [c.key, c]));
  const areaShown = count.counts.every((c) => c.area !== null && c.area !== undefined);
  let ranks = null;
  if (ranked && question.kind !== "RESOLUTION") {
    const candidates = keys.filter((k) => k.startsWith("candidate:"));
    const order = rankCandidates(candidates, byKey, areaShown);
    keys = [...order.keys, ...keys.filter((k) => !k.startsWith("candidate:"))];
    ranks = order.ranks;
  }
  const rows = keys.map((key, n) => {
    // area per option is null while voting is open below the supervisors (docs/design.md §3.7)
    const c = byKey.get(key) ?? { key, heads: 0, area: areaShown ? "0.00" : null };
    const cArea = areaShown ? centi(c.area) : 0;
    const candidate = key.startsWith("candidate:");
    const over = areaShown && candidate && heads > 0 && 2 * c.heads > heads && 2 * cArea > area;
    const rank = ranks?.get(key);
    const cut = ranks && candidate && n === question.seats - 1 && n < ranks.size - 1;
    return h(
      "li",
      { class: `count count-${key.split(":")[0]}${cut ? " seats-cut" : ""}`, dataset: rank ? { key, rank: String(rank) } : { key } },
      h(
        "p",
        { class: "count-name" },
        rank ? h("span", { class: "rank" }, h("span", { class: "sr-only" }, t("count.rank")), formatNumber(rank)) : null,
        countLabel(key, question),
        over ? h("span", { class: "chip ok" }, t("count.overHalf")) : null,
      ),
      bar({
        label: t("count.heads"),
        part: c.heads,
        whole: heads,
        text: t("count.headsValue", {
          n: formatNumber(c.heads),
          percent: formatPercent(heads ? c.heads / heads : 0),
        }),
        mark,
        kind: "heads",
      }),
      !areaShown ? null : bar({
        label: t("count.area"),
        part: cArea,
        whole: area,
        text: t("count.areaValue", {
          area: formatArea(c.area),
          percent: formatPercent(area ? cArea / area : 0),
        }),
        mark,
        kind: "area",
      }),
    );
  });
  const verdict =
    question.kind === "RESOLUTION" && count.passing !== null && count.passing !== undefined
      ? h(
          "p",
          { class: `chip ${count.passing ? "ok" : "bad"}` },
          count.passing ? t("count.passing") : tally.participationMet ? t("count.failing") : t("count.failingTurnout"),
        )
      : null;
  return h(
    "section",
    { class: "question-counts", dataset: { question: question.id } },
    h("h3", {}, question.title),
    h(
      "p",
      { class: "note" },
      question.kind === "RESOLUTION"
        ? t("count.resolutionBase", { threshold: thresholdText(question.threshold) })
        : t(ranks ? "count.committeeRanked" : "count.committeeBase", { seats: formatNumber(question.seats) }),
    ),
    verdict,
    areaShown ? null : h("p", { class: "note", dataset: { areaHidden: "" } }, t("count.areaHidden")),
    h("ul", { class: "counts-list" }, rows),
  );
}
