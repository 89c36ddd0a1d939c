// Paper ballots, four eyes (docs/design.md §2): one supervisor enters a paper against its elector
// and writes the entry number on it; a second supervisor re-enters the same paper under that
// number, and only a matching re-entry counts. A mismatch is shown plainly and nothing counts.

import { mutate, PROBLEM, request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { busy, errorBox, markInvalid } from "../forms.js";
import { t } from "../i18n.js";
import { answerForm, electorPicker } from "../ballotform.js";
import { ELECTION_FIELDS, QUESTION_FIELDS, stateBadge } from "../voting.js";

const HEAD = `
query PaperElection($id: ID!) {
  election(id: $id) { ${ELECTION_FIELDS} questions { ${QUESTION_FIELDS} } }
}`;
const BUILDINGS = `query PaperBuildings($id: ID!) { community(id: $id) { id buildings { name label } } }`;
const ENTER = `
mutation EnterPaper($input: PaperBallotInput!) {
  enterPaperBallot(input: $input) {
    __typename
    ... on PaperEntered { entryId }
    ...ProblemFields
  }
} ${PROBLEM}`;
const CONFIRM = `
mutation ConfirmPaper($input: ConfirmPaperInput!) {
  confirmPaperBallot(input: $input) {
    __typename
    ... on BallotCast { receipt { trackingCode ledgerSeq ledgerHead counted } }
    ...ProblemFields
  }
} ${PROBLEM}`;

function enterPanel(election, buildings) {
  const error = errorBox();
  const done = h("div", { "aria-live": "polite" });
  const picker = electorPicker(election.id, buildings, { name: "electorId" });
  let answers = answerForm(election.questions, { paper: true, onChange: () => error.clear() });
  const answersBox = h("div", {}, answers.node);
  const submit = h("button", { type: "submit", class: "primary" }, t("paper.enter"));
  const form = h(
    "form",
    { class: "panel paper-enter", novalidate: true, "aria-labelledby": "enter-h" },
    h("h2", { id: "enter-h" }, t("paper.enterTitle")),
    h("p", {}, t("paper.enterBody")),
    picker.node,
    answersBox,
    error.node,
    submit,
    done,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    markInvalid(form, null);
    const elector = picker.selected();
    if (!elector) return error.show(t("manage.pickElectorFirst"));
    const missing = answers.missing();
    if (missing) return error.show(t("ballot.answerAll", { title: missing.title }));
    return busy(submit, async () => {
      try {
        const result = await mutate(ENTER, { input: { electionId: election.id, electorId: elector.id, answers: answers.answers() } }, "enterPaperBallot");
        replace(
          done,
          h(
            "div",
            { class: "success entry-done", role: "status" },
            h("p", {}, t("paper.entered", { label: elector.label })),
            h("p", { class: "entry-number", dataset: { entry: result.entryId } }, t("paper.entryNumber", { n: result.entryId })),
            h("p", {}, t("paper.writeNumber")),
          ),
        );
        // a fresh sheet for the next paper
        answers = answerForm(election.questions, { paper: true, onChange: () => error.clear() });
        replace(answersBox, answers.node);
        picker.reset();
      } catch (err) {
        error.show(err.message);
        markInvalid(form, err.field);
      }
    });
  });
  return form;
}

function confirmPanel(election) {
  const error = errorBox();
  const done = h("div", { "aria-live": "polite" });
  const entryId = newId("entry");
  const entry = h("input", { id: entryId, name: "entryId", type: "text", inputmode: "numeric", autocomplete: "off", "aria-describedby": `${entryId}-hint` });
  let answers = answerForm(election.questions, { paper: true, onChange: () => error.clear() });
  const answersBox = h("div", {}, answers.node);
  const submit = h("button", { type: "submit", class: "primary" }, t("paper.confirm"));
  const form = h(
    "form",
    { class: "panel paper-confirm", novalidate: true, "aria-labelledby": "confirm-paper-h" },
    h("h2", { id: "confirm-paper-h" }, t("paper.confirmTitle")),
    h("p", {}, t("paper.confirmBody")),
    h("div", { class: "field" }, h("label", { for: entryId }, t("paper.entryLabel")), h("p", { class: "hint", id: `${entryId}-hint` }, t("paper.entryHint")), entry),
    answersBox,
    error.node,
    submit,
    done,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    replace(done);
    markInvalid(form, null);
    const number = entry.value.trim().replace(/^#/, "");
    if (!/^\d+$/.test(number)) {
      error.show(t("paper.entryMissing"));
      markInvalid(form, "entryId");
      return undefined;
    }
    const missing = answers.missing();
    if (missing) return error.show(t("ballot.answerAll", { title: missing.title }));
    return busy(submit, async () => {
      try {
        const result = await mutate(CONFIRM, { input: { entryId: number, answers: answers.answers() } }, "confirmPaperBallot");
        replace(
          done,
          h(
            "div",
            { class: "success", role: "status" },
            h("p", {}, result.receipt.counted ? t("paper.counted", { n: number }) : t("paper.notCounted", { n: number })),
            h("p", {}, t("receipt.trackingLabel"), " ", h("strong", { class: "mono" }, result.receipt.trackingCode)),
          ),
        );
        entry.value = "";
        answers = answerForm(election.questions, { paper: true, onChange: () => error.clear() });
        replace(answersBox, answers.node);
      } catch (err) {
        if (err.code === "PAPER_MISMATCH") {
          error.show(t("paper.mismatchTitle"), h("p", {}, err.message));
          form.querySelector(".error")?.classList.add("mismatch");
        } else {
          error.show(err.message);
          markInvalid(form, err.field);
        }
      }
    });
  });
  return form;
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const { community } = await request(BUILDINGS, { id: election.communityId });
  const buildings = community.buildings; // in the server's natural order, with its labels
  return h(
    "section",
    { class: "paper" },
    h("p", { class: "crumbs" }, h("a", { href: `#/election/${id}/live` }, t("paper.back"))),
    h("h1", { tabindex: "-1" }, t("paper.heading", { title: election.title })),
    h("p", { class: "meta" }, stateBadge(election.state)),
    h("p", { class: "lead" }, t("paper.intro")),
    election.state === "OPEN"
      ? h("div", { class: "paper-grid" }, enterPanel(election, buildings), confirmPanel(election))
      : h("p", { class: "notice" }, t("paper.notOpen")),
  );
}
