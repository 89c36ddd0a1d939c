// An election's result as counted at the close (published to owners; staff see it before):
// heads and area side by side, strict and inclusive tallies, winners, alternates, vacancies
// and any lot drawn. The figures are the certified integers (areas in hundredths of m²).

import { h } from "./dom.js";
import { drillMark } from "./drill.js";
import { formatArea, formatNumber, t } from "./i18n.js";
import { thresholdText } from "./voting.js";

function cell(tag, text, props = {}) {
  return h(tag, props, text);
}

function headsArea(heads, areaCenti) {
  return [
    cell("td", formatNumber(heads), { class: "num", "data-label": t("result.heads") }),
    cell("td", formatArea((areaCenti / 100).toFixed(2)), { class: "num", "data-label": t("result.area") }),
  ];
}

function resolutionResult(question, r, caption) {
  const rows = [
    ["yes", r.yes_heads, r.yes_area],
    ["no", r.no_heads, r.no_area],
    ["abstain", r.abstain_heads, r.abstain_area],
    ["invalid", r.invalid_heads, r.invalid_area],
  ];
  if (r.mode === "inclusive" && (r.added_heads || r.added_area)) {
    rows.push(["added", r.added_heads, r.added_area]);
  }
  return h(
    "div",
    { class: "result-block" },
    h("p", { class: `verdict ${r.passed ? "ok" : "bad"}` }, r.passed ? t("result.passed") : t("result.notPassed")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "stacked" },
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, h("th", {}, t("result.option")), h("th", { class: "num" }, t("result.heads")), h("th", { class: "num" }, t("result.area")))),
        h(
          "tbody",
          {},
          rows.map(([key, heads, area]) => h("tr", {}, h("th", { scope: "row" }, t(`count.${key}`)), headsArea(heads, area))),
          h("tr", { class: "total" }, h("th", { scope: "row" }, t("result.participating")), headsArea(r.participating_heads, r.participating_area)),
          h("tr", { class: "total" }, h("th", { scope: "row" }, t("result.roll")), headsArea(r.total_heads, r.total_area)),
        ),
      ),
    ),
    h("p", { class: "note" }, t("result.threshold", { threshold: thresholdText(question.threshold) })),
  );
}

function committeeResult(question, r) {
  const name = (personId) => question.candidates.find((c) => c.personId === String(personId))?.name ?? `#${personId}`;
  const role = (personId) => {
    if (r.winners.includes(personId)) return t("result.winner");
    if (r.alternates.includes(personId)) return t("result.alternate", { n: formatNumber(r.alternates.indexOf(personId) + 1) });
    return "";
  };
  const ranked = [...r.candidates].sort((a, b) => a.rank - b.rank);
  return h(
    "div",
    { class: "result-block" },
    h(
      "ul",
      { class: "result-summary" },
      h("li", {}, h("strong", {}, t("result.winners")), " ", r.winners.length ? r.winners.map(name).join(t("list.separator")) : t("result.none")),
      h("li", {}, h("strong", {}, t("result.alternates")), " ", r.alternates.length ? r.alternates.map(name).join(t("list.separator")) : t("result.none")),
      h("li", { class: r.vacancies ? "warn" : "" }, h("strong", {}, t("result.vacancies")), " ", formatNumber(r.vacancies)),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "stacked" },
        h("caption", {}, t("result.candidatesCaption")),
        h(
          "thead",
          {},
          h("tr", {}, h("th", { class: "num" }, t("result.rank")), h("th", {}, t("result.candidate")), h("th", { class: "num" }, t("result.heads")), h("th", { class: "num" }, t("result.area")), h("th", {}, t("result.outcome"))),
        ),
        h(
          "tbody",
          {},
          ranked.map((c) =>
            h(
              "tr",
              { class: r.winners.includes(c.candidate_id) ? "winner" : "" },
              cell("td", formatNumber(c.rank), { class: "num", "data-label": t("result.rank") }),
              cell("th", name(c.candidate_id), { scope: "row" }),
              headsArea(c.heads, c.area),
              cell("td", [role(c.candidate_id), c.qualified ? "" : t("result.notQualified")].filter(Boolean).join(" · ") || "—", { "data-label": t("result.outcome") }),
            ),
          ),
          h("tr", { class: "total" }, cell("td", "", { class: "num" }), h("th", { scope: "row" }, t("count.blank")), headsArea(r.blank_heads, r.blank_area), cell("td", "")),
          h("tr", { class: "total" }, cell("td", "", { class: "num" }), h("th", { scope: "row" }, t("result.participating")), headsArea(r.participating_heads, r.participating_area), cell("td", "")),
        ),
      ),
    ),
    r.lots.map((lot) =>
      h(
        "div",
        { class: "lot" },
        h("p", {}, h("strong", {}, t("result.lotTitle")), " ", t("result.lotBody", { names: lot.candidate_ids.map(name).join(" › ") })),
        h("p", { class: "hash" }, t("result.lotSeed"), " ", h("code", {}, lot.seed)),
      ),
    ),
    h("p", { class: "note" }, t("result.committeeRule")),
  );
}

/** The result as published (or, for staff, as counted at the close). */
export function resultView(election, questions, data) {
  const inclusive = new Map((data.inclusive ?? []).map((r) => [String(r.question_id), r]));
  return h(
    "section",
    { class: "panel results", "aria-labelledby": "results-h" },
    h("h2", { id: "results-h" }, t("result.title")),
    drillMark(election.drill),
    h(
      "p",
      { class: `verdict ${data.participation_met ? "ok" : "bad"}` },
      data.participation_met ? t("result.participationMet") : t("result.participationUnmet"),
    ),
    h(
      "p",
      {},
      t("result.turnout", {
        ballots: formatNumber(data.ballots),
        heads: formatNumber(data.participating_heads),
        totalHeads: formatNumber(data.roll.heads),
        area: formatArea((data.participating_area / 100).toFixed(2)),
        totalArea: formatArea((data.roll.area / 100).toFixed(2)),
      }),
    ),
    questions.map((q) => {
      const r = data.questions.find((x) => String(x.question_id) === q.id);
      if (!r) return null;
      const extra = inclusive.get(q.id);
      return h(
        "article",
        { class: "result-question" },
        h("h3", {}, q.title),
        q.kind === "RESOLUTION"
          ? h(
              "div",
              { class: extra ? "side-by-side" : "" },
              resolutionResult(q, r, t("result.strictCaption")),
              extra ? resolutionResult(q, extra, t("result.inclusiveCaption")) : null,
            )
          : committeeResult(q, r),
      );
    }),
    h("p", { class: "hash" }, t("result.digest"), " ", h("code", {}, election.resultDigest ?? "—")),
    h("p", { class: "hash" }, t("result.ledgerHead"), " ", h("code", {}, election.ledgerHead ?? "—")),
    h(
      "p",
      { class: "hash verify-hint" },
      t("result.verifyHint"),
      " ",
      h(
        "code",
        {},
        `gongzhi verify --from FILE --expect-head ${election.ledgerHead ?? "—"} --expect-digest ${election.resultDigest ?? "—"}`,
      ),
    ),
  );
}
