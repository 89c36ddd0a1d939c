// The activation letters to print: one A4 page per owner (print rules in css/app.css). They
// live only in memory: after a reload the codes are gone, and issuing again replaces them.

import { h } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { drillMark } from "../drill.js";
import { issued } from "./codes.js";

/** The QR code the server drew for a letter or notice (a PNG data URL), with what it does. */
export function qrFigure(src, caption, alt) {
  if (!src) return null;
  return h("figure", { class: "qr" }, h("img", { src, alt, width: "140", height: "140" }), h("figcaption", {}, caption));
}

function letter(community, entry, issuedAt) {
  const url = `${location.origin}/#/activate`;
  return h(
    "article",
    { class: "letter" },
    h("header", {}, h("p", { class: "from" }, community.name), h("h2", {}, t("letters.letterTitle"))),
    drillMark(community.drill),
    h("p", { class: "to" }, t("letters.dear", { name: entry.name })),
    h("p", {}, t("letters.units", { units: entry.units })),
    h("p", {}, t("letters.body")),
    h(
      "div",
      { class: "code-box" },
      h("div", {}, h("p", {}, t("letters.codeLabel")), h("p", { class: "code", translate: "no" }, entry.code)),
      qrFigure(entry.qr, t("letters.qrCaption"), t("letters.qrAlt")),
    ),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, t("letters.step1"), " ", h("span", { class: "url" }, url)),
      h("li", {}, t("letters.step2")),
      h("li", {}, t("letters.step3")),
    ),
    h("p", { class: "warn" }, t("letters.keepSafe")),
    h("footer", {}, h("p", {}, community.name, " · ", formatDate(issuedAt))),
  );
}

export default function render(ctx) {
  const id = ctx.params.id;
  const batch = issued.get(id);
  if (!batch) {
    return h(
      "section",
      { class: "panel" },
      h("h1", { tabindex: "-1" }, t("letters.title")),
      h("p", {}, t("letters.none")),
      h("a", { class: "button primary", href: `#/community/${id}/codes` }, t("letters.toCodes")),
    );
  }
  const { community, letters, issuedAt } = batch;
  return h(
    "section",
    { class: "letters" },
    h(
      "div",
      { class: "no-print" },
      h("h1", { tabindex: "-1" }, t("letters.heading", { n: formatNumber(letters.length), name: community.name })),
      h("p", {}, t("letters.printHint")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", on: { click: () => window.print() } }, t("letters.print")),
        h("a", { class: "button secondary", href: `#/community/${id}/codes` }, t("letters.back")),
      ),
    ),
    h("div", { class: "sheets" }, letters.map((entry) => letter(community, entry, issuedAt))),
  );
}
