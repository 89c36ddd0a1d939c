// Officials: import a compound's owner roll. Paste the CSV or pick the file; a dry run checks
// the whole roll first and shows either every bad row (line, column, reason) or what would
// change; only then can the same text be applied.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { busy, errorBox, field } from "../forms.js";
import { formatNumber, has, t } from "../i18n.js";
import { readText } from "../textfile.js";
import { totalsList } from "./home.js";

const COMMUNITY = `
query RollCommunity($id: ID!) {
  community(id: $id) { id name address rollVersion totals { heads area areaCenti units headRule } }
}`;

const IMPORT = `
mutation ImportRoll($input: ImportRollInput!) {
  importRoll(input: $input) {
    __typename
    ... on RollImported {
      applied units added removed summary
      changed { label field old new }
    }
    ...ProblemFields
  }
} ${PROBLEM}`;

const SHOW_CHANGES = 200; // a long diff is summarised; the counts above it are complete

// What the user pasted, per compound, so a language switch (which re-renders) keeps it.
const drafts = new Map();

function columnName(column) {
  if (!column) return "";
  return has(`roll.column.${column}`) ? t(`roll.column.${column}`) : column;
}

function table(caption, headers, rows) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "stacked" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h(
        "tbody",
        {},
        rows.map((cells) => h("tr", {}, cells.map((x, i) => h("td", { "data-label": headers[i] }, x)))),
      ),
    ),
  );
}

export function errorTable(details) {
  return table(
    t("roll.errorsCaption", { count: formatNumber(details.length) }),
    [t("roll.line"), t("roll.column"), t("roll.reason"), t("roll.value")],
    details.map((d) => [d.line ?? "", columnName(d.column), d.message, d.value ?? ""]),
  );
}

function changeTable(changed) {
  const shown = changed.slice(0, SHOW_CHANGES);
  return [
    table(
      t("roll.changesCaption", { count: formatNumber(changed.length) }),
      [t("roll.unit"), t("roll.field"), t("roll.old"), t("roll.new")],
      shown.map((c) => [c.label, columnName(c.field), c.old, c.new]),
    ),
    changed.length > shown.length
      ? h("p", {}, t("roll.moreChanges", { count: formatNumber(changed.length - shown.length) }))
      : null,
  ];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { community } = await request(COMMUNITY, { id });
  const totalsBox = h("div", { class: "panel" }, totalsList(community.totals));

  const csv = field({
    name: "csv",
    label: t("roll.paste"),
    hint: t("roll.pasteHint"),
    tag: "textarea",
    rows: "10",
    spellcheck: "false",
    autocomplete: "off",
  });
  csv.input.value = drafts.get(id) ?? "";
  const file = field({ name: "file", label: t("roll.file"), type: "file", accept: ".csv,text/csv,text/plain" });
  const error = errorBox();
  const result = h("div", { class: "result", "aria-live": "polite" });
  const check = h("button", { type: "button", class: "primary" }, t("roll.check"));
  const apply = h("button", { type: "button", class: "danger", disabled: true }, t("roll.apply"));
  let checked = null; // the exact text the last successful dry run accepted

  csv.input.addEventListener("input", () => {
    drafts.set(id, csv.input.value);
    if (checked !== null && csv.input.value !== checked) {
      checked = null;
      apply.disabled = true;
      replace(result, h("p", { class: "notice" }, t("roll.changedSinceCheck")));
    }
  });
  file.input.addEventListener("change", async () => {
    const picked = file.input.files?.[0];
    if (!picked) return;
    csv.input.value = await readText(picked);
    csv.input.dispatchEvent(new Event("input"));
  });

  async function run(dryRun) {
    error.clear();
    const text = csv.input.value;
    if (!text.trim()) {
      error.show(t("roll.empty"));
      csv.input.focus();
      return;
    }
    try {
      const report = await mutate(IMPORT, { input: { communityId: id, csv: text, dryRun } }, "importRoll");
      showReport(report, dryRun, text);
    } catch (err) {
      checked = null;
      apply.disabled = true;
      replace(
        result,
        h("p", { class: "error-title" }, err.message),
        err.details?.length ? [h("p", {}, t("roll.nothingImported")), errorTable(err.details)] : null,
      );
      result.querySelector(".error-title")?.setAttribute("role", "alert");
    }
  }

  function showReport(report, dryRun, text) {
    const nothing = report.added === 0 && report.removed === 0 && report.changed.length === 0;
    checked = dryRun && !nothing ? text : null;
    apply.disabled = checked === null;
    replace(
      result,
      h("p", { class: dryRun ? "notice" : "success", role: "status" }, report.summary),
      h(
        "ul",
        { class: "counts" },
        h("li", {}, t("roll.countUnits", { n: formatNumber(report.units) })),
        h("li", {}, t("roll.countAdded", { n: formatNumber(report.added) })),
        h("li", {}, t("roll.countRemoved", { n: formatNumber(report.removed) })),
        h("li", {}, t("roll.countChanged", { n: formatNumber(report.changed.length) })),
      ),
      report.changed.length ? changeTable(report.changed) : null,
      dryRun
        ? h("p", {}, nothing ? t("roll.nothingToApply") : t("roll.readyToApply"))
        : h("p", {}, t(report.applied ? "roll.applied" : "roll.unchanged")),
    );
  }

  check.addEventListener("click", () => busy(check, () => run(true)));
  apply.addEventListener("click", async () => {
    await busy(apply, () => run(false));
    apply.disabled = true;
    checked = null;
    const fresh = await request(COMMUNITY, { id });
    replace(totalsBox, totalsList(fresh.community.totals));
  });

  return h(
    "section",
    { class: "roll" },
    h("h1", { tabindex: "-1" }, t("roll.heading", { name: community.name })),
    ctx.query.get("created") ? h("p", { class: "success", role: "status" }, t("roll.created")) : null,
    h("h2", {}, t("roll.current")),
    totalsBox,
    h("h2", {}, t("roll.newRoll")),
    h("p", {}, t("roll.explain")),
    h("div", { class: "stack" }, file.row, csv.row, error.node, h("div", { class: "actions" }, check, apply)),
    result,
  );
}
