// One proposal: its text, support toward the 20 % / 20 % line, co-sign or withdraw the
// signature, comments with replies, and the committee's official answer (which the committee
// gives here too).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { t } from "../i18n.js";
import { formatTime } from "../voting.js";
import { commentThread, COMMENT_FIELDS, paragraphs, supportBars } from "../proposalbits.js";
import { followLive, PROPOSAL_LIVE } from "../livepage.js";
import { rerender } from "../router.js";
import { RUNNING_BODY, hasRole } from "../session.js";

const SUMMARY = `id title category matterType status authorName supportHeads supportArea
  supportAreaCenti signatureCount commentCount signedByMe mine createdAt submittedAt`;

const ONE = `
query Proposal($id: ID!) {
  proposal(id: $id) {
    summary { ${SUMMARY} }
    body
    answer { kind text byName at }
    decision { outcome text at }
    threshold { rollHeads rollArea rollAreaCenti headsNeeded areaNeeded areaNeededCenti }
  }
  proposalComments(proposalId: $id, first: 100) { totalCount nodes { ${COMMENT_FIELDS} } }
}`;

const SIGN = (op) => `
mutation Sign($input: ProposalActionInput!) {
  ${op}(input: $input) { __typename ... on ProposalSigned { electors } ...ProblemFields }
}${PROBLEM}`;

const SUBMIT = `
mutation Submit($input: ProposalActionInput!) {
  submitProposal(input: $input) { __typename ... on ProposalSaved { proposal { body } } ...ProblemFields }
}${PROBLEM}`;

const COMMENT = `
mutation Comment($input: AddCommentInput!) {
  addComment(input: $input) { __typename ... on CommentSaved { comment { id } } ...ProblemFields }
}${PROBLEM}`;

const REPLY = `
mutation Reply($input: ReplyInput!) {
  replyToComment(input: $input) { __typename ... on CommentSaved { comment { id } } ...ProblemFields }
}${PROBLEM}`;

const ANSWER = `
mutation Answer($input: AnswerProposalInput!) {
  answerProposal(input: $input) { __typename ... on ProposalSaved { proposal { body } } ...ProblemFields }
}${PROBLEM}`;

const DECIDE = `
mutation Decide($input: DecideProposalInput!) {
  decideProposal(input: $input) { __typename ... on ProposalSaved { proposal { body } } ...ProblemFields }
}${PROBLEM}`;

const COMMITTEE = RUNNING_BODY;
const OUTCOMES = ["PASSED", "REJECTED", "OTHER"];

/** The committee records what the owners decided on a proposal it put to the vote. */
function decideForm(id) {
  const outcome = field({ name: "outcome", label: t("proposal.decide.outcome"), tag: "select" });
  outcome.input.append(...OUTCOMES.map((o) => h("option", { value: o }, t(`proposal.outcome.${o}`))));
  const text = field({ name: "text", label: t("proposal.decide.text"), tag: "textarea", rows: 3, required: true });
  const election = field({ name: "electionId", label: t("proposal.decide.election"), hint: t("proposal.decide.electionHint"), inputmode: "numeric" });
  return h(
    "details",
    { class: "decide-proposal" },
    h("summary", {}, t("proposal.decide.give")),
    smallForm({
      cls: "decide-form panel",
      fields: [outcome, text, election],
      buttonLabel: t("proposal.decide.send"),
      send: () =>
        mutate(DECIDE, {
          input: {
            proposalId: id,
            outcome: outcome.input.value,
            text: text.input.value,
            electionId: election.input.value.trim() || null,
          },
        }, "decideProposal"),
    }),
  );
}

/** A small form: fields, a submit button, errors; `send(values)` runs the mutation. */
export function smallForm({ cls, fields, buttonLabel, send, ask = null }) {
  const err = errorBox();
  const button = h("button", { type: "submit", class: "primary" }, buttonLabel);
  const form = h("form", { class: cls, novalidate: true }, err.node, fields.map((f) => f.row), h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    // an irreversible act asks first (confirm.js); cancelling keeps what was typed
    if (ask && !(await ask())) return;
    try {
      await busy(button, () => send());
      rerender();
    } catch (ex) {
      err.show(ex.message);
      markInvalid(form, ex.field);
    }
  });
  return form;
}

export function actionButton(label, cls, run) {
  const err = errorBox();
  const button = h("button", { type: "button", class: cls }, label);
  button.addEventListener("click", async () => {
    err.clear();
    try {
      await busy(button, run);
      rerender();
    } catch (ex) {
      err.show(ex.message);
    }
  });
  return [button, err.node];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(ONE, { id });
  const p = data.proposal;
  const s = p.summary;
  const input = { proposalId: id };

  const signing = [];
  if (s.status === "DRAFT" && s.mine) {
    signing.push(actionButton(t("proposal.submit"), "primary", () => mutate(SUBMIT, { input }, "submitProposal")));
  } else if (s.status === "OPEN" || s.status === "QUALIFIED") {
    signing.push(
      s.signedByMe
        ? actionButton(t("proposal.unsign"), "secondary unsign", () => mutate(SIGN("unsignProposal"), { input }, "unsignProposal"))
        : actionButton(t("proposal.sign"), "primary sign", () => mutate(SIGN("signProposal"), { input }, "signProposal")),
    );
  }

  const commentBody = field({ name: "body", label: t("comment.new"), tag: "textarea", rows: 3, required: true });
  const commentForm = smallForm({
    cls: "comment-form",
    fields: [commentBody],
    buttonLabel: t("comment.send"),
    send: () => mutate(COMMENT, { input: { proposalId: id, body: commentBody.input.value } }, "addComment"),
  });

  const replyTo = (c) => {
    const body = field({ name: "body", label: t("comment.reply"), tag: "textarea", rows: 2, required: true });
    return h(
      "details",
      { class: "reply-box" },
      h("summary", {}, t("comment.reply")),
      smallForm({
        cls: "reply-form",
        fields: [body],
        buttonLabel: t("comment.send"),
        send: () => mutate(REPLY, { input: { commentId: c.id, body: body.input.value } }, "replyToComment"),
      }),
    );
  };

  const answerKind = field({ name: "kind", label: t("proposal.answer.kind"), tag: "select" });
  answerKind.input.append(
    h("option", { value: "RESPOND" }, t("proposal.answerKind.RESPOND")),
    h("option", { value: "SCHEDULE" }, t("proposal.answerKind.SCHEDULE")),
  );
  const answerText = field({ name: "text", label: t("proposal.answer.text"), tag: "textarea", rows: 4, required: true });
  // The summary names no compound: offer the form to committee members; the service checks.
  const staff = hasRole(COMMITTEE);

  // Co-signing moves the bars in place; new comments or answers raise a notice (livepage.js).
  let bars = supportBars(s, p.threshold);
  const notice = followLive(ctx, {
    query: PROPOSAL_LIVE,
    field: "proposalLive",
    id,
    onUpdate: (u) => {
      const fresh = supportBars({ ...s, ...u, status: s.status }, p.threshold);
      bars.replaceWith(fresh);
      bars = fresh;
    },
  });

  return h(
    "section",
    { class: "proposal", dataset: { status: s.status } },
    h("h1", { tabindex: "-1" }, s.title),
    h(
      "p",
      { class: "meta" },
      h("span", { class: `chip status-${s.status.toLowerCase()}` }, t(`proposal.status.${s.status}`)),
      h("span", { class: "chip" }, s.category),
      s.matterType ? h("span", { class: "chip" }, t(`matter.${s.matterType}`)) : null,
    ),
    h("p", { class: "hint" }, t("proposal.byAt", { name: s.authorName, at: formatTime(s.submittedAt ?? s.createdAt) })),
    paragraphs(p.body, "proposal-body panel"),
    notice,
    h("h2", {}, t("proposal.support.title")),
    bars,
    h("div", { class: "actions" }, signing),
    p.answer
      ? h(
          "section",
          { class: "official-answer panel" },
          h("h2", {}, t("proposal.answer.title")),
          h("p", { class: "meta" }, h("span", { class: "chip ok" }, t(`proposal.answerKind.${p.answer.kind}`))),
          paragraphs(p.answer.text),
          h("p", { class: "hint" }, t("comment.answeredBy", { name: p.answer.byName, at: formatTime(p.answer.at) })),
        )
      : null,
    p.decision
      ? h("section", { class: "decision panel" }, h("h2", {}, t("proposal.decision")), h("p", {}, t(`proposal.outcome.${p.decision.outcome}`)), paragraphs(p.decision.text))
      : null,
    h("h2", {}, t("comment.title", { n: data.proposalComments.totalCount })),
    data.proposalComments.nodes.length
      ? h("ul", { class: "comments" }, data.proposalComments.nodes.map((c) => commentThread(c, replyTo)))
      : h("p", { class: "hint" }, t("comment.none")),
    commentForm,
    staff && !p.answer && s.status !== "DRAFT" && s.status !== "WITHDRAWN"
      ? h(
          "details",
          { class: "answer-proposal" },
          h("summary", {}, t("proposal.answer.give")),
          smallForm({
            cls: "answer-form panel",
            fields: [answerKind, answerText],
            buttonLabel: t("proposal.answer.send"),
            send: () => mutate(ANSWER, { input: { proposalId: id, kind: answerKind.input.value, text: answerText.input.value } }, "answerProposal"),
          }),
        )
      : null,
    staff && s.status === "SCHEDULED" ? decideForm(id) : null,
  );
}
