// Shared pieces of the proposal and consultation screens: the 20 % support line by heads and
// by area, and a comment thread (body, proposed wording, replies, the committee's answer).

import { bar } from "./bars.js";
import { h } from "./dom.js";
import { formatArea, formatNumber, t } from "./i18n.js";
import { formatTime } from "./voting.js";

/** Support by heads and area against the threshold (headsNeeded / areaNeeded, 20 % each). */
export function supportBars(p, th) {
  const headsMet = p.supportHeads >= th.headsNeeded;
  const areaMet = p.supportAreaCenti >= th.areaNeededCenti;
  return h(
    "div",
    { class: "support", dataset: { heads: String(p.supportHeads) } },
    bar({
      label: t("proposal.support.heads"),
      part: p.supportHeads,
      whole: th.rollHeads,
      text: t("proposal.support.headsText", {
        n: formatNumber(p.supportHeads),
        need: formatNumber(th.headsNeeded),
      }),
      mark: th.rollHeads ? th.headsNeeded / th.rollHeads : null,
      markLabel: t("proposal.support.line"),
      kind: "heads",
      met: headsMet,
    }),
    bar({
      label: t("proposal.support.area"),
      part: p.supportAreaCenti,
      whole: th.rollAreaCenti,
      text: t("proposal.support.areaText", {
        n: formatArea(p.supportArea),
        need: formatArea(th.areaNeeded),
      }),
      mark: th.rollAreaCenti ? th.areaNeededCenti / th.rollAreaCenti : null,
      markLabel: t("proposal.support.line"),
      kind: "area",
      met: areaMet,
    }),
    h("p", { class: "support-count" }, t("proposal.support.summary", {
      signatures: formatNumber(p.signatureCount),
    })),
  );
}

export const COMMENT_FIELDS = `
  id clauseId authorName authorRole stance body proposedText hidden hiddenReason createdAt mine
  answer { outcome reason byName at }
  replies { id authorName authorRole body hidden hiddenReason createdAt }`;

/** Text with \n paragraphs, as text nodes only. */
export function paragraphs(text, cls = "text") {
  return h("div", { class: cls }, String(text ?? "").split("\n").map((line) => h("p", {}, line)));
}

function shownBody(c) {
  if (c.hidden && c.body === null) return h("p", { class: "hint" }, t("comment.hidden", { reason: c.hiddenReason ?? "" }));
  return paragraphs(c.body, "comment-body");
}

/** One comment thread; `extra(c)` may add controls (e.g. the committee's answer form). */
export function commentThread(c, extra = () => null) {
  return h(
    "li",
    { class: "comment", dataset: { comment: c.id } },
    h(
      "p",
      { class: "meta" },
      h("strong", {}, c.authorName),
      c.authorRole !== "owner" ? h("span", { class: "chip" }, t(`role.${c.authorRole}`)) : null,
      c.stance ? h("span", { class: `chip stance-${c.stance.toLowerCase()}` }, t(`comment.stance.${c.stance}`)) : null,
      h("span", { class: "hint" }, formatTime(c.createdAt)),
    ),
    shownBody(c),
    c.proposedText
      ? h("div", { class: "proposed" }, h("p", { class: "hint" }, t("comment.proposedText")), paragraphs(c.proposedText))
      : null,
    c.answer
      ? h(
          "div",
          { class: "answer panel", dataset: { outcome: c.answer.outcome } },
          h("p", { class: "meta" }, h("strong", {}, t("comment.answer")), h("span", { class: "chip ok" }, t(`comment.outcome.${c.answer.outcome}`))),
          paragraphs(c.answer.reason, "answer-reason"),
          h("p", { class: "hint" }, t("comment.answeredBy", { name: c.answer.byName, at: formatTime(c.answer.at) })),
        )
      : null,
    c.replies?.length
      ? h(
          "ul",
          { class: "replies" },
          c.replies.map((r) =>
            h(
              "li",
              { class: "reply", dataset: { comment: r.id } },
              h("p", { class: "meta" }, h("strong", {}, r.authorName), h("span", { class: "hint" }, formatTime(r.createdAt))),
              shownBody(r),
            ),
          ),
        )
      : null,
    extra(c),
  );
}
