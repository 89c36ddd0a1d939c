// The response register (意见答复台账) of a published version: every comment made on it, its
// clause, the committee's answer and where an adopted comment landed in the next version. The
// unanswered ones come first (the committee answers them inline, here); then the rest in the
// order they were made. All pages are read (100 at a time) so that the order holds across them.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { formatArticle, formatNumber, t } from "../i18n.js";
import { commentThread, COMMENT_FIELDS } from "../proposalbits.js";
import { RUNNING_BODY, hasRole } from "../session.js";
import { smallForm } from "./proposal.js";

const PAGE = 100;
const REGISTER = `
query Register($id: ID!, $first: Int!, $after: String) {
  responseRegister(versionId: $id, first: $first, after: $after) {
    version { id documentId number title phase }
    entries { clauseNumber clauseHeading adoptedInVersion adoptedInClauseNumber comment { ${COMMENT_FIELDS} } }
    totalCount pageInfo { hasNextPage endCursor }
    answered unanswered adopted partlyAdopted notAdopted hidden
  }
}`;

const ANSWER = `
mutation Answer($input: AnswerCommentInput!) {
  answerComment(input: $input) { __typename ... on CommentSaved { comment { id } } ...ProblemFields }
}${PROBLEM}`;

const OUTCOMES = ["ADOPTED", "PARTLY_ADOPTED", "NOT_ADOPTED"];

function answerForm(comment) {
  const outcome = field({ name: "outcome", label: t("comment.outcomeLabel"), tag: "select" });
  outcome.input.append(...OUTCOMES.map((o) => h("option", { value: o }, t(`comment.outcome.${o}`))));
  const reason = field({ name: "reason", label: t("comment.reason"), tag: "textarea", rows: 3, required: true });
  return smallForm({
    cls: "answer-comment-form panel",
    fields: [outcome, reason],
    buttonLabel: t("comment.answerSend"),
    send: () =>
      mutate(ANSWER, { input: { commentId: comment.id, outcome: outcome.input.value, reason: reason.input.value } }, "answerComment"),
  });
}

function where(e) {
  if (e.clauseNumber === null) return t("version.wholeDocument");
  const label = t("register.clause", { n: formatArticle(e.clauseNumber) });
  return e.clauseHeading ? `${label} ${e.clauseHeading}` : label;
}

function entry(e, staff) {
  const c = e.comment;
  const waiting = !c.answer;
  return h(
    "li",
    { class: `register-entry ${waiting ? "unanswered" : "answered"}`, dataset: { comment: c.id } },
    h(
      "p",
      { class: "meta" },
      h("strong", { class: "where" }, where(e)),
      waiting ? h("span", { class: "chip bad" }, t("register.waiting")) : null,
      e.adoptedInVersion
        ? h("span", { class: "chip ok" }, e.adoptedInClauseNumber
          ? t("register.landed", { v: formatNumber(e.adoptedInVersion), n: formatArticle(e.adoptedInClauseNumber) })
          : t("register.landedVersion", { v: formatNumber(e.adoptedInVersion) }))
        : null,
    ),
    h("ul", { class: "comments" }, commentThread(c, () => (staff && waiting ? answerForm(c) : null))),
  );
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const entries = [];
  let after = null;
  let reg;
  do {
    reg = (await request(REGISTER, { id, first: PAGE, after })).responseRegister;
    entries.push(...reg.entries);
    after = reg.pageInfo.endCursor;
  } while (reg.pageInfo.hasNextPage);
  const staff = hasRole(RUNNING_BODY);
  const waiting = entries.filter((e) => !e.comment.answer);
  const done = entries.filter((e) => e.comment.answer);
  const v = reg.version;
  const stat = (cls, text) => h("span", { class: `chip ${cls}` }, text);
  return h(
    "section",
    { class: "register", dataset: { unanswered: String(reg.unanswered) } },
    h("h1", { tabindex: "-1" }, t("register.heading", { title: v.title, n: formatNumber(v.number) })),
    h(
      "p",
      { class: "register-stats" },
      stat("", t("register.total", { n: formatNumber(reg.totalCount) })),
      stat(reg.unanswered ? "bad" : "ok", t("register.unanswered", { n: formatNumber(reg.unanswered) })),
      stat("", t("register.adopted", { n: formatNumber(reg.adopted) })),
      stat("", t("register.partly", { n: formatNumber(reg.partlyAdopted) })),
      stat("", t("register.notAdopted", { n: formatNumber(reg.notAdopted) })),
      reg.hidden ? stat("", t("register.hidden", { n: formatNumber(reg.hidden) })) : null,
    ),
    h("p", {}, h("a", { href: `#/version/${v.id}` }, t("register.back", { n: formatNumber(v.number) }))),
    h("h2", {}, t("register.waitingTitle", { n: formatNumber(waiting.length) })),
    waiting.length
      ? h("ol", { class: "register-list waiting" }, waiting.map((e) => entry(e, staff)))
      : h("p", { class: "hint all-answered" }, t("register.allAnswered")),
    h("h2", {}, t("register.answeredTitle", { n: formatNumber(done.length) })),
    done.length
      ? h("ol", { class: "register-list done" }, done.map((e) => entry(e, staff)))
      : h("p", { class: "hint" }, t("register.noneAnswered")),
  );
}
