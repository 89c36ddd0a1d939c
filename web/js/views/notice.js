// One notice (issue #15 part 2): opening it counts the viewer as a reader (once per account);
// its text (plain, never HTML), attachments (downloaded, never shown inline), its publicity
// period, its objections and answers. Owners object while the period runs; the running body
// and officials answer, extend the period, and withdraw once the kind's minimum has passed.

import { mutate, PROBLEM } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { rerender } from "../router.js";
import { actionForm, reasonField } from "../govern.js";
import { formatTime, fromLocalInput, toLocalInput } from "../voting.js";
import { NOTICE_FIELDS, kindChip, stateChip } from "../noticebits.js";

const result = () => `__typename ... on Notice { ${NOTICE_FIELDS} } ...ProblemFields`;
const READ = `mutation ReadNotice($input: NoticeIdInput!) { markNoticeRead(input: $input) { ${result()} } } ${PROBLEM}`;
const OBJECT = `mutation ObjectToNotice($input: ObjectToNoticeInput!) { objectToNotice(input: $input) { ${result()} } } ${PROBLEM}`;
const ANSWER = `mutation AnswerNoticeObjection($input: AnswerNoticeObjectionInput!) { answerNoticeObjection(input: $input) { ${result()} } } ${PROBLEM}`;
const WITHDRAW = `mutation WithdrawNotice($input: WithdrawNoticeInput!) { withdrawNotice(input: $input) { ${result()} } } ${PROBLEM}`;
const PUBLICITY = `mutation NoticePublicity($input: NoticePublicityInput!) { setNoticePublicity(input: $input) { ${result()} } } ${PROBLEM}`;

function sizeText(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function attachments(n) {
  if (!n.attachments.length) return null;
  return h("section", { class: "panel", "aria-labelledby": "files-h" },
    h("h2", { id: "files-h" }, t("bnotice.files")),
    h("ul", { class: "plain files" }, n.attachments.map((a) =>
      h("li", { dataset: { attachment: a.id } },
        h("a", { href: a.url, download: a.name, rel: "noopener" }, a.name),
        ` (${a.mediaType === "application/pdf" ? "PDF" : a.mediaType.split("/")[1].toUpperCase()}, ${sizeText(a.size)})`))));
}

function objections(n) {
  const items = n.objections.map((o) => h("li", { class: "comment", dataset: { objection: o.id, answered: String(Boolean(o.answer)) } },
    h("p", { class: "meta" }, t("bnotice.objectedBy", { name: o.name, at: formatTime(o.filedAt) })),
    h("p", { class: "prose" }, o.body),
    o.answer
      ? h("div", { class: "answer" }, h("p", { class: "meta" }, t("obj.answeredAt", { at: formatTime(o.answeredAt) })), h("p", { class: "prose" }, o.answer))
      : n.canManage ? answerForm(o) : h("p", { class: "hint" }, t("obj.awaiting"))));
  const form = n.canObject ? objectForm(n) : null;
  if (!items.length && !form) return null;
  return h("section", { class: "panel", "aria-labelledby": "obj-h" },
    h("h2", { id: "obj-h" }, t("bnotice.objections")),
    items.length ? h("ul", { class: "plain objections" }, items) : h("p", { class: "hint" }, t("obj.none")),
    form ? h("details", { class: "action" }, h("summary", {}, t("bnotice.objectTitle")), form) : null);
}

function objectForm(n) {
  const body = reasonField(t("bnotice.objectLabel"), "body");
  return actionForm({ rows: [h("p", { class: "hint" }, t("bnotice.objectHint", { until: formatTime(n.publicityEndsAt) })), body.row], submitLabel: t("bnotice.object"),
    work: async () => { await mutate(OBJECT, { input: { noticeId: n.id, body: body.input.value } }, "objectToNotice"); rerender(); } });
}

function answerForm(o) {
  const text = reasonField(t("obj.answerLabel"), "answer");
  return actionForm({ className: "stack answer-form", rows: [text.row], submitLabel: t("obj.answer"),
    work: async () => { await mutate(ANSWER, { input: { objectionId: o.id, answer: text.input.value } }, "answerNoticeObjection"); rerender(); } });
}

function manage(n) {
  if (!n.canManage || n.state === "WITHDRAWN") return null;
  const ends = field({ name: "endsAt", label: t("bnotice.endsAt"), type: "datetime-local", required: true, value: toLocalInput(n.publicityEndsAt), hint: t("bnotice.endsHint", { min: formatTime(n.minEndsAt) }) });
  const extend = actionForm({ rows: [ends.row], submitLabel: t("bnotice.setEnd"),
    work: async () => { await mutate(PUBLICITY, { input: { noticeId: n.id, endsAt: fromLocalInput(ends.input.value) } }, "setNoticePublicity"); rerender(); } });
  const why = reasonField(t("bnotice.withdrawReason"));
  const withdraw = actionForm({ danger: true, rows: [h("p", { class: "hint" }, t("bnotice.withdrawHint", { min: formatTime(n.minEndsAt) })), why.row], submitLabel: t("bnotice.withdraw"),
    work: async () => { await mutate(WITHDRAW, { input: { noticeId: n.id, reason: why.input.value } }, "withdrawNotice"); rerender(); } });
  return h("section", { class: "panel", "aria-labelledby": "manage-h" }, h("h2", { id: "manage-h" }, t("bnotice.manage")),
    h("details", { class: "action" }, h("summary", {}, t("bnotice.periodTitle")), extend),
    h("details", { class: "action" }, h("summary", {}, t("bnotice.withdrawTitle")), withdraw));
}

export default async function render(ctx) {
  const n = await mutate(READ, { input: { noticeId: ctx.params.id } }, "markNoticeRead");
  return h(
    "section",
    { class: "notice-page", dataset: { notice: n.id, kind: n.kind, state: n.state } },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${n.communityId}/board` }, t("bnotice.back"))),
    h("h1", { tabindex: "-1" }, n.title),
    h("p", { class: "meta" }, kindChip(n.kind), " ", stateChip(n.state), " ",
      t("board.period", { from: formatTime(n.postedAt), to: formatTime(n.publicityEndsAt) })),
    h("p", { class: "meta" }, n.postedBy ? t("bnotice.postedBy", { name: n.postedBy }) : t("bnotice.automatic"), " · ",
      t("board.reads", { n: formatNumber(n.readCount) })),
    n.withdrawnAt ? h("p", { class: "chip bad", role: "status" }, t("bnotice.withdrawnAt", { at: formatTime(n.withdrawnAt), reason: n.withdrawReason ?? "" })) : null,
    h("div", { class: "panel prose notice-body" }, n.body || t("bnotice.noBody")),
    attachments(n),
    objections(n),
    manage(n),
  );
}
