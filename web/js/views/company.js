// One property company's record across assessment periods (issue #15 part 1): its standing on
// the register with every admission, warning and exit (准入/退出) and why, its combined score
// and rank in each closed period, and the server's chart of them. The chart is an SVG the API
// makes from numbers and escaped labels; it is parsed as XML, never set as HTML, and kept only
// if its root is an <svg> with no script.

import { request } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { formatTime } from "../voting.js";

const LOAD = `
query Company($c: ID!) {
  companyHistory(companyId: $c) {
    company { id name creditCode contact qualification status districtId events { status reason at bySystem periodLabel } }
    points { periodLabel communityName combined rank ranked bottom }
    chartSvg
  }
}`;

function chart(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg" || doc.getElementsByTagName("script").length || doc.getElementsByTagName("parsererror").length) return null;
  const node = document.importNode(root, true);
  node.setAttribute("aria-label", t("company.chartLabel"));
  return h("figure", { class: "history-chart" }, node, h("figcaption", {}, t("company.chartCaption")));
}

export default async function render(ctx) {
  const { companyHistory: history } = await request(LOAD, { c: ctx.params.id });
  const c = history.company;
  return h("section", { class: "company" },
    h("p", { class: "crumbs" }, h("a", { href: `#/district/${c.districtId}/assessment` }, t("company.back"))),
    h("h1", { tabindex: "-1" }, c.name),
    h("p", {}, t("company.facts", { code: c.creditCode, status: t(`assessment.status.${c.status}`) })),
    c.contact ? h("p", { class: "hint" }, c.contact) : null,
    history.points.length ? chart(history.chartSvg) : h("p", { class: "hint" }, t("company.noHistory")),
    history.points.length ? h("table", { class: "data history" },
      h("caption", {}, t("company.historyCaption")),
      h("thead", {}, h("tr", {}, ["period", "compound", "combined", "rank"].map((k) => h("th", { scope: "col" }, t(`company.col.${k}`))))),
      h("tbody", {}, history.points.map((p) => h("tr", { class: p.bottom ? "bottom" : "" },
        h("th", { scope: "row" }, p.periodLabel), h("td", {}, p.communityName), h("td", {}, p.combined ?? "—"),
        h("td", {}, p.rank ? t("company.rankOf", { rank: p.rank, n: p.ranked }) : "—"))))) : null,
    h("h2", {}, t("company.eventsTitle")),
    h("ol", { class: "events" }, c.events.map((e) => h("li", { dataset: { status: e.status } },
      formatTime(e.at), " · ", t(`assessment.status.${e.status}`), " · ", e.reason,
      e.bySystem ? h("span", { class: "chip" }, t("company.bySystem")) : null))),
  );
}
