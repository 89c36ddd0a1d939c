// A compound's property survey and assessment (物业考核, issue #15 part 1). Owners answer the
// satisfaction survey for each of their electors (every item 1–5, changeable until the close,
// secret like a ballot: the page never shows one owner's answers, only whether this elector has
// answered); after the close everyone sees the means by heads and by area with participation.
// The compound's committee enters its assessment marks with evidence. Its contracts and
// rectification orders are listed; a contract flagged for replacement (末位 two periods running)
// links to a new election prefilled with an Art. 278 item 4 resolution (选聘和解聘物业服务企业).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { formatArea, formatNumber, t } from "../i18n.js";
import { rerender } from "../router.js";
import { RUNNING_BODY, isAdmin, districtsOf, rolesIn } from "../session.js";
import { formatTime } from "../voting.js";
import { actionForm } from "../govern.js";

const MARK_ITEMS = ["履约情况", "信息公开", "秩序管理"];
const LOAD = `
query Surveys($c: ID!) {
  community(id: $c) { id name districtId }
  surveys(communityId: $c) {
    id periodLabel state closesAt companyName contractId items rollHeads rollAreaCenti answeredHeads answeredAreaCenti
    itemScores { item byHeads byArea } marks { source item mark evidence at } mine { id label answered }
  }
  serviceContracts(communityId: $c) { id companyName companyId startsOn endsOn feeFen scope flaggedAt }
  rectifications(communityId: $c) { id contractId periodLabel requirement deadline followUp state }
}`;
const ANSWER = `
mutation Answer($s: ID!, $e: ID!, $x: [ItemScoreInput!]!) {
  answerSurvey(surveyId: $s, electorId: $e, scores: $x) { __typename ... on Survey { id } ...ProblemFields }
} ${PROBLEM}`;
const FOLLOW_UP = `
mutation FollowUp($id: ID!, $note: String!, $done: Boolean!) {
  followUpRectification(id: $id, note: $note, done: $done) { __typename ... on Rectification { id } ...ProblemFields }
} ${PROBLEM}`;
const MARKS = `
mutation Marks($s: ID!, $m: [ItemScoreInput!]!, $e: String!) {
  recordAssessmentMarks(surveyId: $s, source: COMMITTEE, marks: $m, evidence: $e) { __typename ... on Survey { id } ...ProblemFields }
} ${PROBLEM}`;

function scale(name, item) {
  const options = [1, 2, 3, 4, 5].map((n) => h("label", { class: "score" },
    h("input", { type: "radio", name, value: String(n), required: true }), " ", t(`survey.score.${n}`)));
  return h("fieldset", { class: "field scale" }, h("legend", {}, item), ...options);
}

function answerForm(survey, elector) {
  const groups = survey.items.map((item, i) => ({ item, node: scale(`s${survey.id}-e${elector.id}-${i}`, item) }));
  return actionForm({
    rows: [
      h("p", { class: "hint" }, t(elector.answered ? "survey.answeredChange" : "survey.secret")),
      ...groups.map((g) => g.node),
    ],
    submitLabel: t(elector.answered ? "survey.change" : "survey.submit"),
    work: async () => {
      const scores = groups.map((g) => ({ item: g.item, score: Number(g.node.querySelector("input:checked")?.value ?? 0) }));
      await mutate(ANSWER, { s: survey.id, e: elector.id, x: scores }, "answerSurvey");
      rerender();
    },
  });
}

function marksForm(survey) {
  const inputs = MARK_ITEMS.map((item) => field({ name: `marks.${item}`, label: item, type: "number", min: "0", max: "100", required: true, value: String(survey.marks.find((m) => m.source === "COMMITTEE" && m.item === item)?.mark ?? "") }));
  const evidence = field({ name: "evidence", label: t("assessment.evidence"), tag: "textarea", rows: "2", required: true });
  return h("details", {}, h("summary", {}, t("survey.committeeMarks")), actionForm({
    rows: [...inputs.map((i) => i.row), evidence.row],
    submitLabel: t("assessment.saveMarks"),
    work: async () => {
      await mutate(MARKS, { s: survey.id, m: MARK_ITEMS.map((item, i) => ({ item, score: Number(inputs[i].input.value) })), e: evidence.input.value }, "recordAssessmentMarks");
      rerender();
    },
  }));
}

function results(survey) {
  return h("table", { class: "data survey-results" },
    h("caption", {}, t("survey.resultsCaption", { heads: formatNumber(survey.answeredHeads), roll: formatNumber(survey.rollHeads), area: formatArea(survey.answeredAreaCenti / 100) })),
    h("thead", {}, h("tr", {}, [t("survey.item"), t("survey.byHeads"), t("survey.byArea")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, survey.itemScores.map((s) => h("tr", {}, h("th", { scope: "row" }, s.item), h("td", {}, s.byHeads ?? "—"), h("td", {}, s.byArea ?? "—")))));
}

function surveyPanel(survey, committee) {
  const open = survey.state === "open";
  return h("section", { class: "panel survey", dataset: { survey: survey.id, state: survey.state } },
    h("h2", {}, t("survey.heading", { label: survey.periodLabel, company: survey.companyName })),
    h("p", { class: "hint" }, t(open ? "survey.closesAt" : "survey.closed", { at: formatTime(survey.closesAt) })),
    open && survey.answeredHeads !== null ? h("p", { class: "participation" }, t("survey.participation", { heads: formatNumber(survey.answeredHeads), roll: formatNumber(survey.rollHeads) })) : null,
    open ? survey.mine.map((e) => h("div", { class: "elector", dataset: { elector: e.id, answered: String(e.answered) } },
      h("h3", {}, e.label, " ", e.answered ? h("span", { class: "chip" }, t("survey.answered")) : null), answerForm(survey, e))) : results(survey),
    open && committee ? marksForm(survey) : null,
  );
}

function contracts(list, communityId, official) {
  if (!list.length) return h("p", { class: "hint" }, t("survey.noContract"));
  return h("ul", { class: "contracts" }, list.map((c) => h("li", { dataset: { contract: c.id } },
    h("a", { href: `#/company/${c.companyId}` }, c.companyName), " · ",
    t("survey.contractLine", { start: c.startsOn, end: c.endsOn, fee: (c.feeFen / 100).toFixed(2) }),
    c.flaggedAt ? h("p", { class: "chip bad" }, t("survey.flagged", { at: formatTime(c.flaggedAt) })) : null,
    c.flaggedAt && official ? h("p", {}, h("a", { class: "button", href: `#/community/${communityId}/elections/new?matter=4&title=${encodeURIComponent(t("survey.renewalTitle", { company: c.companyName }))}` }, t("survey.putToOwners"))) : null)));
}

/** The district's follow-up of one order (整改跟进): a note, and whether the order is done. */
function followUpForm(r) {
  const note = field({ name: "note", label: t("survey.rect.note"), tag: "textarea", rows: "2", required: true });
  const doneId = `rect-done-${r.id}`;
  const done = h("input", { type: "checkbox", id: doneId, name: "done" });
  return h("details", {}, h("summary", {}, t("survey.rect.followUpAction")), actionForm({
    rows: [note.row, h("div", { class: "check" }, done, h("label", { for: doneId }, t("survey.rect.markDone")))],
    submitLabel: t("survey.rect.save"),
    work: async () => {
      await mutate(FOLLOW_UP, { id: r.id, note: note.input.value, done: done.checked }, "followUpRectification");
      rerender();
    },
  }));
}

function rectifications(list, districtStaff) {
  if (!list.length) return null;
  return h("table", { class: "data rectifications" },
    h("caption", {}, t("survey.rectificationsTitle")),
    h("thead", {}, h("tr", {}, ["requirement", "deadline", "state", "followUp"].map((k) => h("th", { scope: "col" }, t(`survey.rect.${k}`))))),
    h("tbody", {}, list.map((r) => h("tr", { dataset: { state: r.state, rectification: r.id } },
      h("td", {}, r.requirement), h("td", {}, r.deadline), h("td", {}, t(`survey.rect.state.${r.state}`)),
      h("td", { class: "prose" }, r.followUp, districtStaff && r.state !== "done" ? followUpForm(r) : null)))));
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LOAD, { c: id });
  const roles = rolesIn(id);
  const committee = roles.some((r) => RUNNING_BODY.includes(r));
  const districtStaff = isAdmin() || districtsOf().map(String).includes(String(data.community.districtId));
  const official = committee || districtStaff;
  return h("section", { class: "surveys" },
    h("h1", { tabindex: "-1" }, t("survey.title", { name: data.community.name })),
    data.surveys.length ? data.surveys.map((s) => surveyPanel(s, committee)) : h("p", { class: "hint" }, t("survey.none")),
    h("section", { class: "panel" }, h("h2", {}, t("survey.contractsTitle")), contracts(data.serviceContracts, id, official), rectifications(data.rectifications, districtStaff)),
    h("p", {}, h("a", { href: `#/district/${data.community.districtId}/assessment` }, t("survey.rankingLink"))),
  );
}
