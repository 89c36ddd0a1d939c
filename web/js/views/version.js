// One version of a rule document, clause by clause under its chapter headings. Owners comment
// on a clause with a stance (support / oppose / suggest a change with the proposed wording) and
// see the committee's answer under each comment; the committee answers the unanswered ones,
// and on a draft edits, adds and removes clauses one by one (or imports the whole text) and
// publishes it for consultation; while the consultation is open it may end it (once the
// shortest window has passed), and once it has closed it starts the next version's draft.
// The response register is its own screen (register.js). The changes from the previous
// version come from versionDiff: clause by clause, character by character inside.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox, field } from "../forms.js";
import { formatArticle, formatNumber, t } from "../i18n.js";
import { commentThread, COMMENT_FIELDS, paragraphs } from "../proposalbits.js";
import { RUNNING_BODY, hasRole } from "../session.js";
import { navigate, rerender } from "../router.js";
import { confirmAct, confirmingButton } from "../confirm.js";
import { formatTime, fromLocalInput, toLocalInput } from "../voting.js";
import { actionButton, smallForm } from "./proposal.js";
import { CONSULTATION_LIVE, followLive } from "../livepage.js";

const ONE = `
query Version($id: ID!) {
  documentVersion(id: $id) {
    id number status phase title opensAt closesAt publishedAt inForce preamble changeNote
    commentCount unansweredCount
    document { id title kind versions { id number status } }
    clauses { id number label chapterNumber chapterTitle heading text commentCount }
  }
  consultationComments(versionId: $id, first: 100) { totalCount nodes { versionId ${COMMENT_FIELDS} } }
}`;

const DIFF = `
query Diff($old: ID!, $new: ID!) {
  versionDiff(oldVersionId: $old, newVersionId: $new) {
    added removed changed moved unchanged
    clauses { change clauseId moved oldNumber newNumber oldChapter newChapter oldHeading newHeading
              headingDiff { op text } textDiff { op text } oldText newText }
  }
}`;

const COMMENT = `
mutation Comment($input: AddCommentInput!) {
  addComment(input: $input) { __typename ... on CommentSaved { comment { id } } ...ProblemFields }
}${PROBLEM}`;

const ANSWER = `
mutation Answer($input: AnswerCommentInput!) {
  answerComment(input: $input) { __typename ... on CommentSaved { comment { id } } ...ProblemFields }
}${PROBLEM}`;

const IMPORT = `
mutation Import($input: ImportDraftTextInput!) {
  importDraftText(input: $input) { __typename ... on DraftImported { kept added removed } ...ProblemFields }
}${PROBLEM}`;

const PUBLISH = `
mutation Publish($input: PublishVersionInput!) {
  publishVersion(input: $input) { __typename ... on VersionSaved { version { id } } ...ProblemFields }
}${PROBLEM}`;

const saved = (name, input) => `
mutation ${name[0].toUpperCase()}${name.slice(1)}($input: ${input}!) {
  ${name}(input: $input) { __typename ... on VersionSaved { version { id } } ...ProblemFields }
}${PROBLEM}`;
const EDIT = saved("editClause", "EditClauseInput");
const ADD = saved("addClause", "AddClauseInput");
const REMOVE = saved("removeClause", "RemoveClauseInput");
const CLOSE = saved("closeConsultation", "CloseConsultationInput");
const NEXT = saved("createDraftVersion", "CreateDraftInput");

const STANCES = ["SUPPORT", "OPPOSE", "AMEND"];
const OUTCOMES = ["ADOPTED", "PARTLY_ADOPTED", "NOT_ADOPTED"];

function commentForm(versionId, clauseId) {
  const stance = field({ name: "stance", label: t("comment.stanceLabel"), tag: "select" });
  stance.input.append(...STANCES.map((s) => h("option", { value: s }, t(`comment.stance.${s}`))));
  const body = field({ name: "body", label: t("comment.body"), tag: "textarea", rows: 3, required: true });
  const proposed = field({ name: "proposedText", label: t("comment.proposedText"), tag: "textarea", rows: 3 });
  const sync = () => { proposed.row.hidden = stance.input.value !== "AMEND"; };
  stance.input.addEventListener("change", sync);
  sync();
  return h(
    "details",
    { class: "comment-box" },
    h("summary", {}, t("comment.onClause")),
    smallForm({
      cls: "clause-comment-form",
      fields: [stance, body, proposed],
      buttonLabel: t("comment.send"),
      send: () =>
        mutate(COMMENT, {
          input: {
            versionId,
            clauseId,
            stance: stance.input.value,
            body: body.input.value,
            proposedText: stance.input.value === "AMEND" ? proposed.input.value : null,
          },
        }, "addComment"),
    }),
  );
}

function answerForm(c) {
  const outcome = field({ name: "outcome", label: t("comment.outcomeLabel"), tag: "select" });
  outcome.input.append(...OUTCOMES.map((o) => h("option", { value: o }, t(`comment.outcome.${o}`))));
  const reason = field({ name: "reason", label: t("comment.reason"), tag: "textarea", rows: 3, required: true });
  return smallForm({
    cls: "answer-comment-form panel",
    fields: [outcome, reason],
    buttonLabel: t("comment.answerSend"),
    send: () => mutate(ANSWER, { input: { commentId: c.id, outcome: outcome.input.value, reason: reason.input.value } }, "answerComment"),
  });
}

/** A draft's clause: change its heading and text, remove it, or add a clause after it. */
function clauseTools(versionId, cl) {
  const heading = field({ name: "heading", label: t("draft.clauseHeading") });
  heading.input.value = cl.heading;
  const text = field({ name: "text", label: t("draft.clauseText"), tag: "textarea", rows: 5, required: true });
  text.input.value = cl.text;
  const newHeading = field({ name: "heading", label: t("draft.clauseHeading") });
  const newText = field({ name: "text", label: t("draft.clauseText"), tag: "textarea", rows: 4, required: true });
  const remove = confirmingButton({
    label: t("draft.removeClause", { label: cl.label }),
    className: "secondary remove-clause",
    title: t("draft.removeClause", { label: cl.label }),
    text: t("draft.removeConfirm", { label: cl.label }),
    yesLabel: t("draft.removeDo"),
    danger: true,
    run: async () => {
      await mutate(REMOVE, { input: { versionId, clauseId: cl.id } }, "removeClause");
      rerender();
    },
  });
  return h(
    "div",
    { class: "clause-tools" },
    h(
      "details",
      { class: "edit-clause" },
      h("summary", {}, t("draft.editClause", { label: cl.label })),
      smallForm({
        cls: "panel edit-clause-form",
        fields: [heading, text],
        buttonLabel: t("draft.saveClause"),
        send: () => mutate(EDIT, { input: { versionId, clauseId: cl.id, heading: heading.input.value, text: text.input.value } }, "editClause"),
      }),
    ),
    h(
      "details",
      { class: "add-clause" },
      h("summary", {}, t("draft.addAfter", { label: cl.label })),
      smallForm({
        cls: "panel add-clause-form",
        fields: [newHeading, newText],
        buttonLabel: t("draft.addClause"),
        send: () => mutate(ADD, { input: { versionId, afterClauseId: cl.id, heading: newHeading.input.value, text: newText.input.value } }, "addClause"),
      }),
    ),
    remove,
  );
}

/** The committee's controls of a published version: end its consultation, start the next. */
function consultationTools(v) {
  if (v.phase === "OPEN") {
    const reason = field({ name: "reason", label: t("draft.closeReason"), tag: "textarea", rows: 2, required: true });
    return h(
      "section",
      { class: "consultation-tools panel" },
      h("h2", {}, t("draft.closeTitle")),
      h("p", { class: "hint" }, t("draft.closeHint")),
      smallForm({
        cls: "close-consultation-form",
        fields: [reason],
        buttonLabel: t("draft.closeSend"),
        send: () => mutate(CLOSE, { input: { versionId: v.id, reason: reason.input.value } }, "closeConsultation"),
      }),
    );
  }
  const latest = v.document.versions.every((x) => x.number <= v.number);
  if (v.phase === "CLOSED" && latest) {
    const [next, nextErr] = actionButton(t("documents.nextDraft"), "primary next-draft", async () => {
      const res = await mutate(NEXT, { input: { documentId: v.document.id } }, "createDraftVersion");
      navigate(`/version/${res.version.id}`);
    });
    return h(
      "section",
      { class: "consultation-tools panel" },
      h("h2", {}, t("draft.nextTitle")),
      h("p", { class: "hint" }, v.unansweredCount ? t("draft.nextBlocked", { n: formatNumber(v.unansweredCount) }) : t("draft.nextHint")),
      h("div", { class: "actions" }, next),
      nextErr,
    );
  }
  return null;
}

function segments(list) {
  return list.map((s) =>
    s.op === "INSERT" ? h("ins", {}, s.text) : s.op === "DELETE" ? h("del", {}, s.text) : h("span", {}, s.text),
  );
}

function diffView(diff) {
  return h(
    "div",
    { class: "diff" },
    h("p", { class: "lead" }, t("diff.summary", {
      added: formatNumber(diff.added),
      removed: formatNumber(diff.removed),
      changed: formatNumber(diff.changed),
      moved: formatNumber(diff.moved),
    })),
    h(
      "ol",
      { class: "diff-clauses" },
      diff.clauses
        .filter((c) => c.change !== "UNCHANGED")
        .map((c) =>
          h(
            "li",
            { class: `diff-clause diff-${c.change.toLowerCase()}`, dataset: { clause: c.clauseId } },
            h("p", { class: "meta" }, h("span", { class: "chip" }, t(`diff.change.${c.change}`)),
              h("span", {}, t("diff.numbers", { old: c.oldNumber ? formatArticle(c.oldNumber) : "—", new: c.newNumber ? formatArticle(c.newNumber) : "—" })),
              c.moved ? h("span", { class: "chip" }, t("diff.moved")) : null),
            c.headingDiff.length ? h("p", { class: "diff-heading" }, segments(c.headingDiff)) : null,
            h("p", { class: "diff-text" }, segments(c.textDiff)),
          ),
        ),
    ),
  );
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(ONE, { id });
  const v = data.documentVersion;
  const staff = hasRole(RUNNING_BODY);
  const drafting = staff && v.status === "DRAFT";
  const comments = data.consultationComments.nodes;
  const byClause = new Map();
  for (const c of comments) {
    const key = c.clauseId ?? "";
    if (!byClause.has(key)) byClause.set(key, []);
    byClause.get(key).push(c);
  }
  const open = v.phase === "OPEN";
  const answerable = (c) => staff && !c.answer && c.versionId === v.id ? answerForm(c) : null;
  const thread = (list) => h("ul", { class: "comments" }, list.map((c) => commentThread(c, answerable)));

  // Clauses under their chapter headings.
  const body = [];
  let chapter = null;
  for (const cl of v.clauses) {
    if (cl.chapterNumber && cl.chapterNumber !== chapter) {
      chapter = cl.chapterNumber;
      body.push(h("h2", { class: "chapter" }, t("version.chapter", { n: formatArticle(cl.chapterNumber), title: cl.chapterTitle })));
    }
    const list = byClause.get(cl.id) ?? [];
    body.push(
      h(
        "article",
        { class: "clause", id: `clause-${cl.id}`, dataset: { clause: cl.id } },
        h("h3", {}, cl.label, cl.heading ? ` ${cl.heading}` : ""),
        paragraphs(cl.text, "clause-text"),
        drafting ? clauseTools(v.id, cl) : null,
        list.length ? thread(list) : null,
        open ? commentForm(v.id, cl.id) : null,
      ),
    );
  }

  const unanswered = comments.filter((c) => !c.answer && c.versionId === v.id);
  const previous = v.document.versions.find((x) => x.number === v.number - 1 && x.status !== "DRAFT");
  const diffBox = h("div", { class: "diff-box" });
  const diffErr = errorBox();
  const diffButton = previous
    ? h("button", {
        type: "button",
        class: "secondary show-diff",
        on: {
          click: async () => {
            diffErr.clear();
            try {
              const d = await request(DIFF, { old: previous.id, new: v.id });
              replace(diffBox, h("h2", {}, t("diff.title", { n: previous.number })), diffView(d.versionDiff));
            } catch (ex) {
              diffErr.show(ex.message);
            }
          },
        },
      }, t("diff.show", { n: previous.number }))
    : null;

  let draftTools = null;
  if (drafting) {
    const text = field({ name: "text", label: t("draft.text"), hint: t("documents.field.textHint"), tag: "textarea", rows: 12, required: true });
    const closes = field({ name: "closesAt", label: t("draft.closesAt"), type: "datetime-local", required: true });
    closes.input.value = toLocalInput(new Date(Date.now() + 14 * 86400e3).toISOString());
    const note = field({ name: "changeNote", label: t("draft.changeNote"), tag: "textarea", rows: 3 });
    const importForm = smallForm({
      cls: "panel import-form",
      fields: [text],
      buttonLabel: t("draft.importSend"),
      send: () => mutate(IMPORT, { input: { versionId: v.id, text: text.input.value } }, "importDraftText"),
    });
    draftTools = h(
      "section",
      { class: "draft-tools" },
      // With clauses to edit one by one, re-importing the whole text is the rarer tool.
      v.clauses.length
        ? h("details", { class: "reimport" }, h("summary", {}, t("draft.reimport")), importForm)
        : [h("h2", {}, t("draft.import")), importForm],
      h("h2", {}, t("draft.publish")),
      smallForm({
        cls: "panel publish-form",
        fields: [closes, note],
        buttonLabel: t("draft.publishSend"),
        ask: () =>
          confirmAct({
            title: t("draft.publishAsk", { n: v.number }),
            text: t("draft.publishIrreversible", { n: v.number, closes: formatTime(fromLocalInput(closes.input.value)) }),
            yesLabel: t("draft.publishDo"),
          }),
        send: () => mutate(PUBLISH, { input: { versionId: v.id, closesAt: fromLocalInput(closes.input.value), changeNote: note.input.value } }, "publishVersion"),
      }),
    );
  }

  const notice = v.status === "DRAFT" ? null : followLive(ctx, { query: CONSULTATION_LIVE, field: "consultationLive", id: v.id });

  return h(
    "section",
    { class: "version", dataset: { phase: v.phase } },
    h("h1", { tabindex: "-1" }, v.title || v.document.title),
    notice,
    h(
      "p",
      { class: "meta" },
      h("span", { class: "chip" }, t("version.label", { n: v.number })),
      h("span", { class: `chip phase-${v.phase.toLowerCase()}` }, t(`version.phase.${v.phase}`)),
      v.inForce ? h("span", { class: "chip ok" }, t("version.inForce")) : null,
    ),
    v.closesAt ? h("p", {}, t("version.window", { opens: formatTime(v.opensAt), closes: formatTime(v.closesAt) })) : null,
    v.changeNote ? h("div", { class: "panel change-note" }, h("h2", {}, t("version.changeNote")), paragraphs(v.changeNote)) : null,
    h("p", { class: "hint" }, t("version.counts", { comments: formatNumber(v.commentCount), unanswered: formatNumber(v.unansweredCount) })),
    staff && unanswered.length
      ? h(
          "section",
          { class: "panel unanswered" },
          h("h2", {}, t("version.unanswered", { n: formatNumber(unanswered.length) })),
          h("ul", {}, unanswered.map((c) => {
            const cl = v.clauses.find((x) => x.id === c.clauseId);
            return h("li", {}, h("a", { href: `#/version/${v.id}?clause=${c.clauseId ?? ""}`, dataset: { target: `clause-${c.clauseId}` }, on: {
              click: (e) => {
                e.preventDefault();
                document.getElementById(`clause-${c.clauseId}`)?.scrollIntoView();
              },
            } }, cl ? cl.label : t("version.wholeDocument")), " ", c.authorName, ": ", (c.body ?? "").slice(0, 60));
          })),
        )
      : null,
    h(
      "div",
      { class: "actions" },
      diffButton,
      v.status !== "DRAFT" ? h("a", { class: "button secondary register-link", href: `#/version/${v.id}/register` }, t("register.open")) : null,
    ),
    staff && v.status !== "DRAFT" ? consultationTools(v) : null,
    diffErr.node,
    diffBox,
    v.preamble ? paragraphs(v.preamble, "preamble") : null,
    draftTools,
    h("div", { class: "clauses" }, body),
    byClause.get("")?.length ? h("section", {}, h("h2", {}, t("version.wholeDocument")), thread(byClause.get(""))) : null,
  );
}
