// Committee, preparatory group, officials: define an election, or change a draft. Times are
// entered in the compound's local time (Beijing) and sent with their +08:00 offset; the
// questions are resolutions on an Art. 278 matter or one committee selection whose candidates
// are owners on the roll, found by name.

import { mutate, PROBLEM, request } from "../api.js";
import { append, h, newId, replace } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { searchOwners } from "../owners.js";
import { navigate } from "../router.js";
import { ELECTION_FIELDS, formatTime, fromLocalInput, MATTERS, QUESTION_FIELDS, toLocalInput } from "../voting.js";

const DRAFT = `
query DraftElection($id: ID!) {
  election(id: $id) { ${ELECTION_FIELDS} questions { ${QUESTION_FIELDS} } }
}`;
const COMMUNITY = `query FormCommunity($id: ID!) { community(id: $id) { id name drill settings { meetingNoticeDays extraordinaryNoticeDays } } }`;
// The compound's rule documents: a resolution on matter 1 or 2 may attach a published version
// (issue #14 item 2; the service accepts one whose consultation has closed, docs/design.md §2).
const DOCUMENTS = `query FormDocuments($id: ID!) { ruleDocuments(communityId: $id) { id kind title versions { id number status phase inForce closesAt } } }`;
const KIND_OF_MATTER = { 1: "RULES_OF_PROCEDURE", 2: "MANAGEMENT_STATUTE" };
const SAVED = `
  __typename
  ... on ElectionSaved { election { id } }
  ...ProblemFields`;
const CREATE = `
mutation CreateElection($c: ID!, $input: ElectionInput!) {
  createElection(communityId: $c, input: $input) { ${SAVED} }
} ${PROBLEM}`;
const UPDATE = `
mutation UpdateElection($e: ID!, $input: ElectionInput!) {
  updateElection(electionId: $e, input: $input) { ${SAVED} }
} ${PROBLEM}`;

function blankQuestion(kind) {
  return kind === "COMMITTEE"
    ? { kind, title: "", body: "", committee: "OWNERS_COMMITTEE", seats: 5, candidates: [] }
    : { kind, title: "", body: "", matter: "", documentVersionId: "" };
}

// Opened from a compound's property record (views/surveys.js): a contract flagged for
// replacement is put to the owners as a resolution of Art. 278 item 4 (选聘和解聘物业服务企业).
function prefilled(ctx) {
  if (ctx.query.get("matter") !== "4") return [];
  return [{ ...blankQuestion("RESOLUTION"), matter: "4", title: (ctx.query.get("title") ?? "").slice(0, 300) }];
}

export default async function render(ctx) {
  const editing = Boolean(ctx.params.electionId);
  let communityId = ctx.params.id;
  let existing = null;
  if (editing) {
    existing = (await request(DRAFT, { id: ctx.params.electionId })).election;
    communityId = existing.communityId;
  }
  const [{ community }, { ruleDocuments }] = await Promise.all([
    request(COMMUNITY, { id: communityId }),
    request(DOCUMENTS, { id: communityId }),
  ]);
  const model = existing
    ? existing.questions.map((q) => ({
        kind: q.kind,
        title: q.title,
        body: q.body,
        matter: q.kind === "RESOLUTION" ? String(q.matter) : "",
        documentVersionId: q.documentVersionId ?? "",
        committee: q.committee ?? "OWNERS_COMMITTEE",
        seats: q.seats ?? 5,
        candidates: q.candidates.map((c) => ({ id: c.personId, name: c.name, units: [] })),
      }))
    : prefilled(ctx);

  const error = errorBox();
  const title = field({ name: "title", label: t("form.title"), value: existing?.title ?? "", maxlength: 200 });
  const description = field({ name: "description", label: t("form.description"), tag: "textarea", hint: t("form.descriptionHint") });
  description.input.classList.add("prose");
  description.input.value = existing?.description ?? "";
  const opens = field({ name: "opensAt", label: t("form.opensAt"), type: "datetime-local", hint: community.drill ? t("drill.timeHint") : t("form.timeHint", { days: formatNumber(community.settings.meetingNoticeDays) }), value: toLocalInput(existing?.opensAt) });
  const closes = field({ name: "closesAt", label: t("form.closesAt"), type: "datetime-local", value: toLocalInput(existing?.closesAt) });
  const extraordinaryId = newId("extra");
  const extraordinary = h("input", { type: "checkbox", id: extraordinaryId, name: "extraordinary", checked: Boolean(existing?.extraordinary) });
  const visibility = field({ name: "visibility", label: t("form.visibility"), tag: "select" });
  for (const v of ["SUPERVISORS", "ALL", "SEALED"]) {
    append(visibility.input, h("option", { value: v, selected: (existing?.visibility ?? "SUPERVISORS") === v }, t(`visibility.${v}`)));
  }

  const questionsNode = h("div", { class: "q-editors" });
  function drawQuestions() {
    replace(questionsNode, model.length ? model.map((q, i) => questionEditor(q, i)) : h("p", { class: "note" }, t("form.noQuestions")));
  }
  function move(i, by) {
    const j = i + by;
    if (j < 0 || j >= model.length) return;
    [model[i], model[j]] = [model[j], model[i]];
    drawQuestions();
  }

  function questionEditor(q, i) {
    const prefix = `questions[${i}]`;
    const qt = field({ name: `${prefix}.title`, label: t("form.qTitle"), value: q.title, maxlength: 300 });
    qt.input.addEventListener("input", () => { q.title = qt.input.value; });
    const qb = field({ name: `${prefix}.body`, label: t("form.qBody"), tag: "textarea" });
    qb.input.classList.add("prose", "short");
    qb.input.value = q.body;
    qb.input.addEventListener("input", () => { q.body = qb.input.value; });
    const tools = h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "secondary", disabled: i === 0, on: { click: () => move(i, -1) } }, t("form.up")),
      h("button", { type: "button", class: "secondary", disabled: i === model.length - 1, on: { click: () => move(i, 1) } }, t("form.down")),
      h("button", { type: "button", class: "secondary", on: { click: () => { model.splice(i, 1); drawQuestions(); } } }, t("form.removeQuestion")),
    );
    if (q.kind === "RESOLUTION") {
      const matter = field({ name: `${prefix}.matter`, label: t("form.matter"), tag: "select" });
      append(matter.input, [
        h("option", { value: "" }, t("form.pickMatter")),
        MATTERS.map((m) => h("option", { value: String(m), selected: q.matter === String(m) }, t("form.matterOption", { n: m, label: t(`matter.${m}`), threshold: t(`matter.threshold.${m}`) }))),
      ]);
      const versionBox = h("div", { class: "rule-version" });
      const drawVersions = () => replace(versionBox, versionPicker(q, prefix));
      matter.input.addEventListener("change", () => {
        q.matter = matter.input.value;
        drawVersions();
      });
      drawVersions();
      return h(
        "fieldset",
        { class: "q-editor", dataset: { kind: "resolution" } },
        h("legend", {}, t("form.resolutionN", { n: i + 1 })),
        qt.row, matter.row, versionBox, qb.row, tools,
      );
    }
    const committee = field({ name: `${prefix}.committee`, label: t("form.committee"), tag: "select" });
    append(committee.input,
      ["OWNERS_COMMITTEE", "SUPERVISORY_COMMITTEE"].map((c) => h("option", { value: c, selected: q.committee === c }, t(`committee.${c}`))),
    );
    committee.input.addEventListener("change", () => { q.committee = committee.input.value; });
    const seats = field({ name: `${prefix}.seats`, label: t("form.seats"), type: "number", min: 3, max: 11, step: 2, value: String(q.seats), hint: t("form.seatsHint"), inputmode: "numeric" });
    seats.input.addEventListener("input", () => { q.seats = Number(seats.input.value); });
    return h(
      "fieldset",
      { class: "q-editor", dataset: { kind: "committee" } },
      h("legend", {}, t("form.committeeN", { n: i + 1 })),
      qt.row, committee.row, seats.row, qb.row,
      candidatePicker(q, prefix),
      tools,
    );
  }

  /** Matters 1 and 2: which published version of the compound's document the owners adopt. */
  function versionPicker(q, prefix) {
    const kind = KIND_OF_MATTER[q.matter];
    if (!kind) {
      q.documentVersionId = "";
      return null;
    }
    const docs = ruleDocuments.filter((d) => d.kind === kind);
    const published = docs.flatMap((d) => d.versions.filter((v) => v.status === "PUBLISHED").map((v) => ({ d, v })));
    if (!published.some(({ v }) => v.id === q.documentVersionId)) q.documentVersionId = "";
    if (!published.length) return h("p", { class: "hint" }, t("form.noRuleVersion"));
    const pick = field({ name: `${prefix}.documentVersionId`, label: t("form.ruleVersion"), tag: "select", hint: t("form.ruleVersionHint") });
    append(pick.input, [
      h("option", { value: "" }, t("form.ruleVersionNone")),
      published.map(({ d, v }) => {
        const ready = v.phase === "CLOSED" && !v.inForce;
        const state = v.inForce ? t("form.ruleInForce") : ready ? t("form.ruleReady") : t("form.ruleConsulting", { closes: formatTime(v.closesAt) });
        return h("option", { value: v.id, disabled: !ready, selected: q.documentVersionId === v.id }, t("form.ruleOption", { title: d.title, n: formatNumber(v.number), state }));
      }),
    ]);
    pick.input.addEventListener("change", () => { q.documentVersionId = pick.input.value; });
    return pick.row;
  }

  function candidatePicker(q, prefix) {
    const chosen = h("ol", { class: "chosen", "aria-live": "polite" });
    const searchId = newId("cand-search");
    const search = h("input", { id: searchId, type: "search", autocomplete: "off", name: `${prefix}.candidates`, "aria-describedby": `${searchId}-hint` });
    const results = h("ul", { class: "search-results" });
    function drawChosen() {
      replace(
        chosen,
        q.candidates.length
          ? q.candidates.map((c, k) =>
              h(
                "li",
                {},
                h("span", { class: "cand-name" }, c.name),
                c.units.length ? h("small", {}, ` ${c.units.join(t("list.separator"))}`) : null,
                h("button", { type: "button", class: "secondary small", "aria-label": t("form.removeCandidateNamed", { name: c.name }), on: { click: () => { q.candidates.splice(k, 1); drawChosen(); } } }, t("form.removeCandidate")),
              ),
            )
          : h("li", { class: "note" }, t("form.noCandidates")),
      );
    }
    searchOwners({
      communityId,
      search,
      results,
      taken: (o) => q.candidates.some((c) => c.id === o.id),
      pick: (o) => {
        q.candidates.push(o);
        drawChosen();
      },
      chooseLabel: (o) => t("form.addCandidate", { name: o.name }),
      noMatch: t("form.noMatch"),
    });
    drawChosen();
    return h(
      "div",
      { class: "candidate-picker" },
      h("h3", {}, t("form.candidates")),
      chosen,
      h("div", { class: "field" }, h("label", { for: searchId }, t("form.searchOwner")), h("p", { class: "hint", id: `${searchId}-hint` }, t("form.searchHint")), search),
      results,
    );
  }

  const addResolution = h("button", { type: "button", class: "secondary", on: { click: () => { model.push(blankQuestion("RESOLUTION")); drawQuestions(); } } }, t("form.addResolution"));
  const addCommittee = h("button", { type: "button", class: "secondary", on: { click: () => { model.push(blankQuestion("COMMITTEE")); drawQuestions(); } } }, t("form.addCommittee"));
  drawQuestions();

  const submit = h("button", { type: "submit", class: "primary" }, editing ? t("form.saveDraft") : t("form.create"));
  const form = h(
    "form",
    { class: "panel election-form", novalidate: true },
    title.row,
    description.row,
    h("div", { class: "two" }, opens.row, closes.row),
    h("div", { class: "check" }, extraordinary, h("label", { for: extraordinaryId }, t("form.extraordinary", { days: formatNumber(community.settings.extraordinaryNoticeDays) }))),
    visibility.row,
    h("p", { class: "hint" }, t("form.visibilityHint")),
    h("h2", {}, t("form.questions")),
    questionsNode,
    h("div", { class: "actions" }, addResolution, addCommittee),
    error.node,
    submit,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    markInvalid(form, null);
    const opensAt = fromLocalInput(opens.input.value);
    const closesAt = fromLocalInput(closes.input.value);
    if (!opensAt || !closesAt) {
      error.show(t("form.timesMissing"));
      markInvalid(form, opensAt ? "closesAt" : "opensAt");
      return;
    }
    const input = {
      title: title.input.value,
      description: description.input.value,
      opensAt,
      closesAt,
      extraordinary: extraordinary.checked,
      visibility: visibility.input.value,
      questions: model.map((q) =>
        q.kind === "RESOLUTION"
          ? { kind: "RESOLUTION", title: q.title, body: q.body, matter: q.matter ? Number(q.matter) : null, documentVersionId: q.documentVersionId || null }
          : { kind: "COMMITTEE", title: q.title, body: q.body, committee: q.committee, seats: Number(q.seats) || null, candidatePersonIds: q.candidates.map((c) => c.id) },
      ),
    };
    busy(submit, async () => {
      try {
        const result = editing
          ? await mutate(UPDATE, { e: existing.id, input }, "updateElection")
          : await mutate(CREATE, { c: communityId, input }, "createElection");
        navigate(`/election/${result.election.id}/manage?saved=1`);
      } catch (err) {
        error.show(err.message);
        markInvalid(form, err.field);
      }
    });
  });

  return h(
    "section",
    { class: "election-edit" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${communityId}/elections` }, t("election.back"))),
    h("h1", { tabindex: "-1" }, editing ? t("form.editHeading", { title: existing.title }) : t("form.newHeading", { name: community.name })),
    editing && existing.state !== "DRAFT" ? h("p", { class: "notice" }, t("form.notDraft")) : null,
    h("p", { class: "lead" }, t("form.intro")),
    form,
  );
}
