// Objections to publicised candidates and their answers: staff see every objection, an owner
// their own; an official of the district answers each once (the answer is final).

import { mutate, PROBLEM } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { formatTime } from "./voting.js";
import { actionForm, reasonField } from "./govern.js";

const ANSWER = `
mutation AnswerObjection($input: AnswerObjectionInput!) {
  answerObjection(input: $input) { __typename ... on ObjectionSaved { objection { id } } ...ProblemFields }
} ${PROBLEM}`;

function answerForm(o, onDone) {
  const text = reasonField(t("obj.answerLabel"), "answer");
  return actionForm({
    className: "stack answer-form",
    rows: [text.row],
    submitLabel: t("obj.answer"),
    work: async () => {
      await mutate(ANSWER, { input: { objectionId: o.id, answer: text.input.value } }, "answerObjection");
      await onDone();
    },
  });
}

export function objectionList(forum, { answer, onDone }) {
  if (!forum.objections.length) return h("p", { class: "hint" }, t("obj.none"));
  const names = new Map(forum.nominations.map((n) => [n.id, n.name]));
  return h(
    "ul",
    { class: "plain objections" },
    forum.objections.map((o) =>
      h(
        "li",
        { class: "comment", dataset: { objection: o.id, answered: String(Boolean(o.answer)) } },
        h("p", { class: "meta" }, t("obj.about", { name: names.get(o.nominationId) ?? "—", at: formatTime(o.filedAt) })),
        h("p", { class: "prose" }, o.body),
        o.answer
          ? h("div", { class: "answer" }, h("p", { class: "meta" }, t("obj.answeredAt", { at: formatTime(o.answeredAt) })), h("p", { class: "prose" }, o.answer))
          : answer
            ? answerForm(o, onDone)
            : h("p", { class: "hint" }, t("obj.awaiting")),
      ),
    ),
  );
}
