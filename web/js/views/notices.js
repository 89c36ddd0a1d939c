// Voting-code notices to print: one A4 page per elector (print rules in css/app.css, as for
// the activation letters). The codes live only in memory; printing again is logged anew.

import { h } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { drillMark } from "../drill.js";
import { formatTime } from "../voting.js";
import { qrFigure } from "./letters.js";
import { noticeBatches } from "./votingcodes.js";

function notice(batch, n) {
  const { election, community } = batch;
  const url = `${location.origin}/#/election/${election.id}`;
  return h(
    "article",
    { class: "letter notice-sheet", dataset: { elector: n.electorId } },
    h("header", {}, h("p", { class: "from" }, community.name), h("h2", {}, t("notice.title"))),
    drillMark(election.drill),
    h("p", { class: "election-title" }, election.title),
    h("p", { class: "to" }, t("notice.dear", { names: n.owners.length ? n.owners.join(t("list.separator")) : t("notice.owner") })),
    h("p", {}, t("notice.units", { units: n.label })),
    h("p", {}, t("notice.schedule", { opens: formatTime(election.opensAt), closes: formatTime(election.closesAt) })),
    h(
      "div",
      { class: "code-box" },
      h("div", {}, h("p", {}, t("notice.codeLabel")), h("p", { class: "code", translate: "no" }, n.code)),
      qrFigure(n.qr, t("notice.qrCaption"), t("notice.qrAlt")),
    ),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, t("notice.step1"), " ", h("span", { class: "url" }, url)),
      h("li", {}, t("notice.step2")),
      h("li", {}, t("notice.step3")),
      h("li", {}, t("notice.step4")),
    ),
    h("p", {}, t("notice.revote")),
    h("p", { class: "warn" }, t("notice.keepSafe")),
    batch.reissue ? h("p", { class: "warn" }, t("notice.reissued")) : null,
    h("footer", {}, h("p", {}, community.name, " · ", formatDate(batch.at), " · ", n.buildingLabel)),
  );
}

export default function render(ctx) {
  const id = ctx.params.id;
  const batch = noticeBatches.get(id);
  if (!batch) {
    return h(
      "section",
      { class: "panel" },
      h("h1", { tabindex: "-1" }, t("notices.title")),
      h("p", {}, t("notices.none")),
      h("a", { class: "button primary", href: `#/election/${id}/voting-codes` }, t("notices.toManage")),
    );
  }
  return h(
    "section",
    { class: "letters" },
    h(
      "div",
      { class: "no-print" },
      h("h1", { tabindex: "-1" }, t("notices.heading", { n: formatNumber(batch.notices.length), title: batch.election.title })),
      h("p", {}, t("notices.printHint")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", on: { click: () => window.print() } }, t("letters.print")),
        h("a", { class: "button secondary", href: `#/election/${id}/voting-codes` }, t("letters.back")),
      ),
    ),
    h("div", { class: "sheets" }, batch.notices.map((n) => notice(batch, n))),
  );
}
