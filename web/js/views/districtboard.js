// The district dashboard (issue #16 part 2), for the district's officials and admins: every
// compound's state on one table — governing body, term end, elections under way with turnout as
// owners see it, qualified proposals waiting for a meeting, open consultations, the five
// coverages (五个全覆盖), complaints (open, overdue, resolved this month with hours and rating) —
// sorted and filtered by the server, 50 rows a page; the district's
// figures with the server's SVG chart (shown as an image, never parsed as markup), the alerts,
// drill-down to each compound's governance page, the CSV / .xlsx export of the filtered view,
// and a form per row to record the four recorded coverages.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { drillMark } from "../drill.js";
import { busy, errorBox } from "../forms.js";
import { formatArea, formatDate, formatNumber, t } from "../i18n.js";
import { stateBadge } from "../voting.js";

const PAGE = 50;
const SORTS = ["NAME", "BODY", "TERM_ENDS_AT", "ELECTIONS", "PROPOSALS_QUALIFIED", "CONSULTATIONS_OPEN", "COVERAGE", "SERVICE_RANK", "COMPLAINTS_OPEN", "COMPLAINTS_OVERDUE", "COMPLAINTS_RESOLVED", "COMPLAINTS_RESOLVE_HOURS", "COMPLAINTS_RATING"];
const BODIES = ["NONE", "PREPARATORY", "STAND_IN", "COMMITTEE"];
const FLAGS = ["termEnding", "electionsUnderWay", "proposalsWaiting", "consultationsOpen", "coverageIncomplete", "complaintsOverdue", "alertsOnly"];
const COVERAGES = ["partyOrg", "partyMembers", "governingBody", "propertyService", "partyVenue"];
const RECORDED = ["partyOrg", "partyMembers", "propertyService", "partyVenue"];

const ROWS = `
query Board($d: ID!, $first: Int, $after: String, $sort: DashboardSort, $desc: Boolean, $f: DashboardFilterInput) {
  districtDashboard(districtId: $d, first: $first, after: $after, sort: $sort, descending: $desc, filter: $f) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { communityId compound drill body termEndsAt termEnding electionsUnderWay
      elections { id title state turnout { step releasedBallots participatingHeads participatingArea totalHeads totalArea } }
      proposalsQualified consultationsOpen alerts serviceRank serviceBottom
      complaints { open overdue resolved resolveHours rating }
      coverage { partyOrg partyMembers governingBody propertyService partyVenue count note recordedAt recordedBy } }
  }
}`;
const SUMMARY = `
query BoardSummary($d: ID!) {
  districtDashboard(districtId: $d, first: 1) { summary {
    compounds committee standIn preparatory noBody termEnding electionsUnderWay proposalsQualified
    consultationsOpen alerts chartSvg
    coverage { partyOrg partyMembers governingBody propertyService partyVenue complete } } }
  districtAlerts(districtId: $d, first: 100) { compounds alerts { communityId communityName kind dueAt count } }
}`;
const EXPORT = `
query BoardExport($d: ID!, $fmt: ExportFormat!, $sort: DashboardSort, $desc: Boolean, $f: DashboardFilterInput) {
  districtDashboardExport(districtId: $d, format: $fmt, sort: $sort, descending: $desc, filter: $f) {
    filename contentType base64 rowCount }
}`;
const RECORD = `
mutation RecordCoverage($input: RecordCoverageInput!) {
  recordCoverage(input: $input) {
    __typename
    ... on CoverageRecorded { coverage { count } }
    ...ProblemFields
  }
} ${PROBLEM}`;

/** The SVG the server made from numbers, as an image: an <img> never runs what it shows. */
function chartImage(svg) {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return h("img", { class: "dboard-chart", src: `data:image/svg+xml;base64,${btoa(binary)}`, alt: t("dboard.chartAlt") });
}

function download(file) {
  const raw = atob(file.base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: file.contentType }));
  const a = h("a", { href: url, download: file.filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function figures(s) {
  const chip = (key, n, cls = "") => h("li", { class: `chip ${cls}`, dataset: { figure: key } }, t(`dboard.fig.${key}`, { n: formatNumber(n) }));
  return h(
    "ul",
    { class: "figures" },
    chip("compounds", s.compounds),
    chip("committee", s.committee),
    chip("standIn", s.standIn),
    chip("preparatory", s.preparatory),
    chip("noBody", s.noBody, s.noBody ? "bad" : ""),
    chip("termEnding", s.termEnding, s.termEnding ? "bad" : ""),
    chip("electionsUnderWay", s.electionsUnderWay),
    chip("proposalsQualified", s.proposalsQualified),
    chip("consultationsOpen", s.consultationsOpen),
    chip("complete", s.coverage.complete),
  );
}

function alertList(a) {
  if (!a.alerts.length) return h("p", { class: "hint" }, t("dboard.noAlerts"));
  return h(
    "ul",
    { class: "alerts" },
    a.alerts.map((x) =>
      h(
        "li",
        { dataset: { alert: x.kind, community: x.communityId } },
        h("a", { href: `#/community/${x.communityId}/governance` }, x.communityName),
        " — ",
        t(`dboard.alert.${x.kind}`),
        x.dueAt ? ` (${formatDate(x.dueAt)})` : "",
        x.count ? ` (${t("dboard.overdueCount", { n: formatNumber(x.count) })})` : "",
      ),
    ),
  );
}

function turnout(e) {
  if (!e.turnout) return h("p", { class: "hint" }, e.title, " ", stateBadge(e.state));
  const tt = e.turnout;
  return h(
    "p",
    { class: "turnout", dataset: { election: e.id, heads: String(tt.participatingHeads), area: tt.participatingArea } },
    h("a", { href: `#/election/${e.id}` }, e.title),
    " · ",
    t("dboard.turnout", {
      heads: formatNumber(tt.participatingHeads),
      totalHeads: formatNumber(tt.totalHeads),
      area: formatArea(tt.participatingArea),
      totalArea: formatArea(tt.totalArea),
    }),
    tt.step > 1 ? h("small", { class: "hint" }, " ", t("dboard.step", { n: formatNumber(tt.step) })) : null,
  );
}

function coverageForm(r, reload) {
  const boxes = Object.fromEntries(RECORDED.map((k) => [k, h("input", { type: "checkbox", name: k, checked: r.coverage[k] })]));
  const note = h("input", { type: "text", name: "note", maxlength: "500", value: r.coverage.note, "aria-label": t("dboard.note") });
  const error = errorBox();
  const save = h("button", { type: "submit", class: "secondary" }, t("dboard.save"));
  const form = h(
    "form",
    {
      class: "coverage-form",
      on: {
        submit: async (event) => {
          event.preventDefault();
          error.clear();
          const input = { communityId: r.communityId, note: note.value };
          for (const k of RECORDED) input[k] = boxes[k].checked;
          try {
            await busy(save, () => mutate(RECORD, { input }, "recordCoverage"));
            await reload();
          } catch (err) {
            error.show(err.message);
          }
        },
      },
    },
    RECORDED.map((k) => h("label", { class: "check" }, boxes[k], " ", t(`dboard.cov.${k}`))),
    note,
    error.node,
    save,
  );
  return h("details", {}, h("summary", {}, t("dboard.record")), form);
}

function coverageCell(r, reload) {
  const c = r.coverage;
  return [
    h("strong", { dataset: { coverage: String(c.count) } }, t("dboard.coverageCount", { n: formatNumber(c.count) })),
    h("ul", { class: "coverage" }, COVERAGES.map((k) => h("li", { class: c[k] ? "ok" : "missing" }, c[k] ? "✓ " : "✗ ", t(`dboard.cov.${k}`)))),
    c.recordedAt ? h("small", { class: "hint" }, t("dboard.recordedBy", { who: c.recordedBy ?? "", date: formatDate(c.recordedAt) })) : null,
    coverageForm(r, reload),
  ];
}

function complaintsCell(r) {
  const c = r.complaints;
  return h(
    "ul",
    { class: "complaints", dataset: { open: String(c.open), overdue: String(c.overdue), resolved: String(c.resolved) } },
    h("li", {}, h("a", { href: `#/community/${r.communityId}/complaints` }, t("dboard.cmp.open", { n: formatNumber(c.open) }))),
    h("li", { class: c.overdue ? "chip bad" : "" }, t("dboard.cmp.overdue", { n: formatNumber(c.overdue) })),
    h("li", {}, t("dboard.cmp.resolved", { n: formatNumber(c.resolved) })),
    c.resolveHours === null ? null : h("li", {}, t("dboard.cmp.hours", { n: formatNumber(c.resolveHours) })),
    c.rating === null ? null : h("li", {}, t("dboard.cmp.rating", { n: formatNumber(c.rating) })),
  );
}

function row(r, reload) {
  const cell = (key, ...children) => h("td", { "data-label": t(`dboard.col.${key}`), class: key }, children);
  return h(
    "tr",
    { dataset: { community: r.communityId, body: r.body, alerts: r.alerts.join(" ") } },
    h("th", { scope: "row" }, h("a", { href: `#/community/${r.communityId}/governance` }, r.compound), drillMark(r.drill)),
    cell("body", h("span", { class: `chip body-${r.body.toLowerCase()}` }, t(`dboard.body.${r.body}`))),
    cell("term", r.termEndsAt ? h("span", { class: r.termEnding ? "chip bad" : "" }, formatDate(r.termEndsAt)) : "—"),
    cell("elections", r.elections.length ? r.elections.map(turnout) : "—"),
    cell("proposals", h("a", { href: `#/community/${r.communityId}/proposals` }, formatNumber(r.proposalsQualified))),
    cell("consultations", h("a", { href: `#/community/${r.communityId}/documents` }, formatNumber(r.consultationsOpen))),
    cell("service", r.serviceRank === null ? "—" : h("span", { class: r.serviceBottom ? "chip bad" : "" }, t("dboard.rank", { n: formatNumber(r.serviceRank) }))),
    cell("complaints", complaintsCell(r)),
    cell("coverage", coverageCell(r, reload)),
    cell("alerts", r.alerts.map((a) => h("span", { class: "chip bad" }, t(`dboard.alert.${a}`)))),
  );
}

export default async function render(ctx) {
  const district = ctx.params.id;
  const state = { sort: "NAME", desc: false, filter: {}, cursors: [null] };
  const body = h("tbody");
  const count = h("p", { class: "lead", role: "status" });
  const summary = h("div", { class: "dboard-summary" });
  const alerts = h("div", { class: "dboard-alerts" });
  const prev = h("button", { type: "button", class: "secondary", disabled: true }, t("dboard.prev"));
  const next = h("button", { type: "button", class: "secondary", disabled: true }, t("dboard.next"));
  const error = errorBox();

  const name = h("input", { type: "search", name: "name", maxlength: "100", "aria-label": t("dboard.filterName"), placeholder: t("dboard.filterName") });
  const body_ = h("select", { name: "body", "aria-label": t("dboard.filterBody") },
    h("option", { value: "" }, t("dboard.anyBody")), BODIES.map((b) => h("option", { value: b }, t(`dboard.body.${b}`))));
  const flags = Object.fromEntries(FLAGS.map((f) => [f, h("input", { type: "checkbox", name: f })]));
  const sort = h("select", { name: "sort", "aria-label": t("dboard.sortBy") }, SORTS.map((s) => h("option", { value: s }, t(`dboard.sort.${s}`))));
  const desc = h("input", { type: "checkbox", name: "desc" });

  function variables() {
    return { d: district, sort: state.sort, desc: state.desc, f: state.filter };
  }

  async function loadRows() {
    const after = state.cursors[state.cursors.length - 1];
    const data = await request(ROWS, { ...variables(), first: PAGE, after });
    const page = data.districtDashboard;
    replace(body, page.nodes.map((r) => row(r, reloadAll)));
    const from = (state.cursors.length - 1) * PAGE;
    replace(count, t("dboard.count", {
      from: formatNumber(page.nodes.length ? from + 1 : 0),
      to: formatNumber(from + page.nodes.length),
      total: formatNumber(page.totalCount),
    }));
    prev.disabled = state.cursors.length <= 1;
    next.disabled = !page.pageInfo.hasNextPage;
    next.dataset.cursor = page.pageInfo.endCursor ?? "";
  }

  async function loadSummary() {
    const data = await request(SUMMARY, { d: district });
    const s = data.districtDashboard.summary;
    replace(summary, figures(s), chartImage(s.chartSvg));
    replace(alerts, h("h2", {}, t("dboard.alertsTitle", { n: formatNumber(data.districtAlerts.compounds) })), alertList(data.districtAlerts));
  }

  async function reloadAll() {
    await Promise.all([loadRows(), loadSummary()]);
  }

  async function apply(event) {
    event?.preventDefault();
    const f = {};
    if (name.value.trim()) f.name = name.value.trim();
    if (body_.value) f.bodies = [body_.value];
    for (const k of FLAGS) if (flags[k].checked) f[k] = true;
    state.filter = f;
    state.sort = sort.value;
    state.desc = desc.checked;
    state.cursors = [null];
    error.clear();
    try {
      await loadRows();
    } catch (err) {
      error.show(err.message);
    }
  }

  async function exportAs(fmt, button) {
    error.clear();
    try {
      const data = await busy(button, () => request(EXPORT, { ...variables(), fmt }));
      download(data.districtDashboardExport);
    } catch (err) {
      error.show(err.message);
    }
  }

  prev.addEventListener("click", () => {
    state.cursors.pop();
    busy(prev, loadRows).catch((err) => error.show(err.message));
  });
  next.addEventListener("click", () => {
    state.cursors.push(next.dataset.cursor);
    busy(next, loadRows).catch((err) => error.show(err.message));
  });
  const csv = h("button", { type: "button", class: "secondary", name: "export-csv" }, t("dboard.exportCsv"));
  const xlsx = h("button", { type: "button", class: "secondary", name: "export-xlsx" }, t("dboard.exportXlsx"));
  csv.addEventListener("click", () => exportAs("CSV", csv));
  xlsx.addEventListener("click", () => exportAs("XLSX", xlsx));

  await reloadAll();

  const controls = h(
    "form",
    { class: "dboard-controls", on: { submit: apply } },
    name,
    body_,
    h("div", { class: "flags" }, FLAGS.map((k) => h("label", { class: "check" }, flags[k], " ", t(`dboard.flag.${k}`)))),
    h("label", { class: "check" }, t("dboard.sortBy"), " ", sort),
    h("label", { class: "check" }, desc, " ", t("dboard.descending")),
    h("button", { type: "submit", class: "primary" }, t("dboard.apply")),
    csv,
    xlsx,
  );

  return h(
    "section",
    { class: "dboard" },
    h("h1", { tabindex: "-1" }, t("dboard.title")),
    h("div", { class: "dboard-top" }, summary, alerts),
    controls,
    error.node,
    count,
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("dboard.title") },
      h(
        "table",
        { class: "stacked dboard-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("dboard.col.name")),
          ["body", "term", "elections", "proposals", "consultations", "service", "complaints", "coverage", "alerts"].map((k) => h("th", { scope: "col" }, t(`dboard.col.${k}`))),
        )),
        body,
      ),
    ),
    h("p", { class: "pager" }, prev, next),
  );
}
