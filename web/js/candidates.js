// One candidate of a forum's round, as each role sees it: the photo, name, committee, route and
// statement for everyone; the 两考 steps with result, reason and reviewer for staff, and for an
// official of the district a pass/fail form with a reason per step until the list is
// publicised; for owners a co-sign button on a joint nomination that still needs signatures,
// and an objection form while the publicised list is in its objection window.

import { mutate, PROBLEM } from "./api.js";
import { h, newId, replace } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { formatTime } from "./voting.js";
import { actionForm, confirmButton, reasonField } from "./govern.js";

const NOMINATION = `__typename ... on NominationSaved { nomination { id } } ...ProblemFields`;
const VET = `mutation RecordVetting($input: RecordVettingInput!) { recordVetting(input: $input) { ${NOMINATION} } } ${PROBLEM}`;
const COSIGN = `mutation Cosign($input: NominationActionInput!) { cosignNomination(input: $input) { ${NOMINATION} } } ${PROBLEM}`;
const OBJECT = `
mutation Object($input: ObjectInput!) {
  objectToCandidate(input: $input) { __typename ... on ObjectionSaved { objection { id } } ...ProblemFields }
} ${PROBLEM}`;

export const NOMINATION_FIELDS = `id personId name committee route statement photo signatures standing
  passed signedByMe vetting { step result reason reviewer recordedAt }`;

function verdict(n) {
  if (n.passed === true) return h("span", { class: "chip ok" }, t("cand.passed"));
  if (n.passed === false) return h("span", { class: "chip bad" }, t("cand.notPassed"));
  return null;
}

function stepRow(n, s) {
  return h(
    "li",
    { dataset: { step: s.step, result: s.result ?? "" } },
    h("strong", {}, t(`cand.step.${s.step}`)), "：",
    s.result ? h("span", { class: `chip ${s.result === "pass" ? "ok" : "bad"}` }, t(`cand.result.${s.result}`)) : t("cand.pending"),
    s.result ? h("small", {}, ` ${s.reason ?? ""}（${t("cand.reviewer", { name: s.reviewer ?? "—", at: formatTime(s.recordedAt) })}）`) : null,
  );
}

function vetForm(n, s, onDone) {
  const id = newId(`vet-${n.id}-${s.step}`);
  const result = h("select", { id, name: "passed" },
    h("option", { value: "" }, t("cand.vetChoose")),
    ["pass", "fail"].map((r) => h("option", { value: r, selected: s.result === r }, t(`cand.result.${r}`))));
  const reason = reasonField(t("cand.vetReason", { step: t(`cand.step.${s.step}`) }));
  return actionForm({
    className: "stack vet-form",
    rows: [
      h("div", { class: "field", dataset: { step: s.step } },
        h("label", { for: id }, t("cand.vetLegend", { step: t(`cand.step.${s.step}`), name: n.name })), result),
      reason.row,
    ],
    submitLabel: t("cand.vetRecord", { step: t(`cand.step.${s.step}`) }),
    work: async () => {
      if (!result.value) throw new Error(t("cand.vetPick"));
      const input = { nominationId: n.id, step: s.step, passed: result.value === "pass", reason: reason.input.value };
      await mutate(VET, { input }, "recordVetting");
      await onDone();
    },
  });
}

function objectForm(n, onDone) {
  const body = reasonField(t("cand.objectBody"), "body");
  return actionForm({
    className: "stack object-form",
    rows: [body.row],
    submitLabel: t("cand.object"),
    work: async () => {
      await mutate(OBJECT, { input: { nominationId: n.id, body: body.input.value } }, "objectToCandidate");
      await onDone();
    },
  });
}

/**
 * The card. `can`: { vet, cosign, object } as this viewer may, given the forum's phase;
 * `onDone` redraws the page after an act.
 */
export function candidateCard(n, can, onDone) {
  const details = h("details", { class: "action vetting" });
  const steps = n.vetting.length
    ? h("ul", { class: "plain steps" }, n.vetting.map((s) => stepRow(n, s)))
    : null;
  if (can.vet && n.standing) {
    replace(details, h("summary", {}, t("cand.vetOpen", { name: n.name })), n.vetting.map((s) => vetForm(n, s, onDone)));
  }
  return h(
    "article",
    { class: "card candidate-card", dataset: { nomination: n.id, committee: n.committee, passed: String(n.passed) } },
    n.photo ? h("img", { class: "photo", src: n.photo, alt: t("cand.photoOf", { name: n.name }), width: "120", height: "160" }) : null,
    h("div", { class: "cand-body" },
      h("h3", {}, n.name, " ", verdict(n)),
      h("p", { class: "meta" }, t(`committee.${n.committee}`), " · ", t(`cand.route.${n.route}`),
        n.route === "JOINT" ? ` · ${t("cand.signatures", { n: formatNumber(n.signatures) })}` : null),
      !n.standing ? h("p", { class: "chip bad" }, t("cand.notStanding")) : null,
      h("p", { class: "statement" }, n.statement),
      steps,
      can.vet && n.standing ? details : null,
      can.cosign && n.route === "JOINT" && !n.signedByMe
        ? confirmButton({
            label: t("cand.cosign"),
            text: t("cand.cosignConfirm", { name: n.name }),
            yesLabel: t("cand.cosignDo"),
            run: async () => {
              await mutate(COSIGN, { input: { nominationId: n.id } }, "cosignNomination");
              await onDone();
            },
          })
        : null,
      n.signedByMe ? h("p", { class: "chip ok" }, t("cand.signedByMe")) : null,
      can.object && n.passed ? h("details", { class: "action object" }, h("summary", {}, t("cand.objectOpen")), objectForm(n, onDone)) : null),
  );
}
