// A district's property assessment (物业考核, issue #15 part 1): the register of property
// companies with admission and exit (准入/退出), each compound's contract, the settings
// (weights, bottom share, survey items), the periods with their ranking (末位 warned, two
// periods running flagged), the officials' inspection marks and rectification orders. Officials
// of the district act here; the compounds' members read the register and the ranking.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";
import { rerender } from "../router.js";
import { districtsOf, isAdmin } from "../session.js";
import { formatTime, fromLocalInput } from "../voting.js";
import { actionForm, reasonField } from "../govern.js";

const MARK_ITEMS = ["履约情况", "信息公开", "秩序管理"];
const RESULT = "contractId companyId companyName communityName owners inspection committee combined rank bottom flagged";
const LOAD = `
query Assessment($d: ID!) {
  districts { id name }
  assessmentSettings(districtId: $d) { periodKind ownersWeight inspectionWeight committeeWeight bottomShareBp items }
  propertyCompanies(districtId: $d) { id name creditCode contact qualification status events { status reason at bySystem periodLabel } }
  assessmentPeriods(districtId: $d) {
    id label state closesAt closedAt
    surveys { id communityId communityName companyName contractId rollHeads answeredHeads marks { source item mark } }
    results { ${RESULT} }
  }
}`;
const REGISTER = `
mutation Register($i: RegisterCompanyInput!) {
  registerPropertyCompany(input: $i) { __typename ... on PropertyCompany { id } ...ProblemFields }
} ${PROBLEM}`;
const STATUS = `
mutation Status($c: ID!, $s: CompanyStatus!, $r: String!) {
  setCompanyStatus(companyId: $c, status: $s, reason: $r) { __typename ... on PropertyCompany { id } ...ProblemFields }
} ${PROBLEM}`;
const CONTRACT = `
mutation Contract($i: ServiceContractInput!) {
  addServiceContract(input: $i) { __typename ... on ServiceContract { id } ...ProblemFields }
} ${PROBLEM}`;
const SETTINGS = `
mutation Settings($i: AssessmentSettingsInput!) {
  setAssessmentSettings(input: $i) { __typename ... on AssessmentSettings { items } ...ProblemFields }
} ${PROBLEM}`;
const OPEN = `
mutation Open($d: ID!, $y: Int!, $n: Int!, $c: DateTime!) {
  openAssessmentPeriod(districtId: $d, year: $y, number: $n, closesAt: $c) { __typename ... on AssessmentPeriod { id } ...ProblemFields }
} ${PROBLEM}`;
const CLOSE = `
mutation Close($p: ID!) {
  closeAssessmentPeriod(id: $p) { __typename ... on AssessmentPeriod { id } ...ProblemFields }
} ${PROBLEM}`;
const MARKS = `
mutation Marks($s: ID!, $m: [ItemScoreInput!]!, $e: String!) {
  recordAssessmentMarks(surveyId: $s, source: INSPECTION, marks: $m, evidence: $e) { __typename ... on Survey { id } ...ProblemFields }
} ${PROBLEM}`;
const ORDER = `
mutation Order($c: ID!, $r: String!, $d: Date!, $p: ID) {
  orderRectification(contractId: $c, requirement: $r, deadline: $d, periodId: $p) { __typename ... on Rectification { id } ...ProblemFields }
} ${PROBLEM}`;

function statusChip(status) {
  const bad = status === "WARNED" || status === "SUSPENDED" || status === "EXITED";
  return h("span", { class: `chip${bad ? " bad" : ""}`, dataset: { status } }, t(`assessment.status.${status}`));
}

function companyTable(companies, official) {
  if (!companies.length) return h("p", { class: "hint" }, t("assessment.noCompanies"));
  return h("table", { class: "data companies" },
    h("caption", {}, t("assessment.registerTitle")),
    h("thead", {}, h("tr", {}, [t("assessment.company"), t("assessment.creditCode"), t("assessment.statusHead"), t("assessment.lastEvent"), ""].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, companies.map((c) => {
      const last = c.events[c.events.length - 1];
      return h("tr", { dataset: { company: c.id } },
        h("th", { scope: "row" }, h("a", { href: `#/company/${c.id}` }, c.name)),
        h("td", { translate: "no" }, c.creditCode),
        h("td", {}, statusChip(c.status)),
        h("td", {}, last ? `${formatTime(last.at)} ${last.reason}` : ""),
        h("td", {}, official && c.status !== "EXITED" ? statusForm(c) : null));
    })));
}

function statusForm(company) {
  const select = field({ name: "status", label: t("assessment.newStatus"), tag: "select" });
  for (const s of ["ADMITTED", "WARNED", "SUSPENDED", "EXITED"]) {
    select.input.append(h("option", { value: s, selected: s === company.status }, t(`assessment.status.${s}`)));
  }
  const reason = reasonField();
  return h("details", {}, h("summary", {}, t("assessment.changeStatus")), actionForm({
    rows: [select.row, reason.row],
    submitLabel: t("assessment.saveStatus"),
    work: async () => {
      await mutate(STATUS, { c: company.id, s: select.input.value, r: reason.input.value }, "setCompanyStatus");
      rerender();
    },
  }));
}

function registerForm(districtId) {
  const name = field({ name: "name", label: t("assessment.company"), required: true, maxlength: "200" });
  const code = field({ name: "creditCode", label: t("assessment.creditCode"), hint: t("assessment.creditCodeHint"), required: true, maxlength: "18", autocomplete: "off" });
  const contact = field({ name: "contact", label: t("assessment.contact"), maxlength: "200" });
  const qual = field({ name: "qualification", label: t("assessment.qualification"), maxlength: "200" });
  const reason = reasonField(t("assessment.admitReason"));
  return actionForm({
    rows: [name.row, code.row, contact.row, qual.row, reason.row],
    submitLabel: t("assessment.admit"),
    work: async () => {
      await mutate(REGISTER, { i: { districtId, name: name.input.value, creditCode: code.input.value, contact: contact.input.value, qualification: qual.input.value, reason: reason.input.value } }, "registerPropertyCompany");
      rerender();
    },
  });
}

function contractForm(companies) {
  const community = field({ name: "communityId", label: t("assessment.communityId"), required: true, inputmode: "numeric" });
  const company = field({ name: "companyId", label: t("assessment.company"), tag: "select" });
  for (const c of companies.filter((x) => x.status === "ADMITTED" || x.status === "WARNED")) company.input.append(h("option", { value: c.id }, c.name));
  const starts = field({ name: "startsOn", label: t("assessment.startsOn"), type: "date", required: true });
  const ends = field({ name: "endsOn", label: t("assessment.endsOn"), type: "date", required: true });
  const fee = field({ name: "feePerSquareMetre", label: t("assessment.fee"), hint: t("assessment.feeHint"), required: true, inputmode: "decimal" });
  const scope = field({ name: "scope", label: t("assessment.scope"), tag: "textarea", rows: "2" });
  return actionForm({
    rows: [community.row, company.row, starts.row, ends.row, fee.row, scope.row],
    submitLabel: t("assessment.addContract"),
    work: async () => {
      await mutate(CONTRACT, { i: { communityId: community.input.value.trim(), companyId: company.input.value, startsOn: starts.input.value, endsOn: ends.input.value, feePerSquareMetre: fee.input.value, scope: scope.input.value } }, "addServiceContract");
      rerender();
    },
  });
}

function settingsForm(districtId, s) {
  const kind = field({ name: "periodKind", label: t("assessment.periodKind"), tag: "select" });
  for (const k of ["QUARTER", "HALF"]) kind.input.append(h("option", { value: k, selected: s.periodKind === k }, t(`assessment.kind.${k}`)));
  const num = (name, value) => field({ name, label: t(`assessment.${name}`), type: "number", value: String(value), min: "0", max: "100" });
  const owners = num("ownersWeight", s.ownersWeight);
  const inspection = num("inspectionWeight", s.inspectionWeight);
  const committee = num("committeeWeight", s.committeeWeight);
  const bottom = field({ name: "bottomShareBp", label: t("assessment.bottomShare"), hint: t("assessment.bottomHint"), type: "number", value: String(s.bottomShareBp / 100), min: "0", max: "50", step: "0.01" });
  const items = field({ name: "items", label: t("assessment.items"), hint: t("assessment.itemsHint"), value: s.items.join("、") });
  return actionForm({
    rows: [kind.row, owners.row, inspection.row, committee.row, bottom.row, items.row],
    submitLabel: t("assessment.saveSettings"),
    work: async () => {
      await mutate(SETTINGS, { i: {
        districtId, periodKind: kind.input.value, ownersWeight: Number(owners.input.value), inspectionWeight: Number(inspection.input.value),
        committeeWeight: Number(committee.input.value), bottomShareBp: Math.round(Number(bottom.input.value) * 100),
        items: items.input.value.split(/[、,，]/).map((x) => x.trim()).filter(Boolean),
      } }, "setAssessmentSettings");
      rerender();
    },
  });
}

function openForm(districtId) {
  const year = field({ name: "year", label: t("assessment.year"), type: "number", value: String(new Date().getFullYear()), required: true });
  const number = field({ name: "number", label: t("assessment.number"), hint: t("assessment.numberHint"), type: "number", value: "1", min: "1", max: "4", required: true });
  const closes = field({ name: "closesAt", label: t("assessment.closesAt"), type: "datetime-local", required: true });
  return actionForm({
    rows: [year.row, number.row, closes.row],
    submitLabel: t("assessment.open"),
    work: async () => {
      await mutate(OPEN, { d: districtId, y: Number(year.input.value), n: Number(number.input.value), c: fromLocalInput(closes.input.value) }, "openAssessmentPeriod");
      rerender();
    },
  });
}

function rankingTable(period) {
  if (!period.results.length) return h("p", { class: "hint" }, t("assessment.notRanked"));
  return h("table", { class: "data ranking", dataset: { period: period.label } },
    h("caption", {}, t("assessment.rankingCaption", { label: period.label })),
    h("thead", {}, h("tr", {}, ["rank", "company", "compound", "owners", "inspection", "committee", "combined", "flag"].map((k) => h("th", { scope: "col" }, t(`assessment.col.${k}`))))),
    h("tbody", {}, period.results.map((r) => h("tr", { class: r.bottom ? "bottom" : "", dataset: { contract: r.contractId, bottom: String(r.bottom) } },
      h("td", {}, r.rank ?? "—"),
      h("th", { scope: "row" }, h("a", { href: `#/company/${r.companyId}` }, r.companyName)),
      h("td", {}, r.communityName),
      h("td", {}, r.owners ?? "—"), h("td", {}, r.inspection ?? "—"), h("td", {}, r.committee ?? "—"),
      h("td", {}, h("strong", {}, r.combined ?? "—")),
      h("td", {}, r.flagged ? h("span", { class: "chip bad" }, t("assessment.flagged")) : r.bottom ? h("span", { class: "chip bad" }, t("assessment.bottom")) : "")))));
}

function inspectionForm(survey) {
  const inputs = MARK_ITEMS.map((item) => field({ name: `marks.${item}`, label: item, type: "number", min: "0", max: "100", required: true, value: String(survey.marks.find((m) => m.source === "INSPECTION" && m.item === item)?.mark ?? "") }));
  const evidence = field({ name: "evidence", label: t("assessment.evidence"), tag: "textarea", rows: "2", required: true });
  return h("details", {}, h("summary", {}, t("assessment.inspect", { name: survey.communityName })), actionForm({
    rows: [...inputs.map((i) => i.row), evidence.row],
    submitLabel: t("assessment.saveMarks"),
    work: async () => {
      const marks = MARK_ITEMS.map((item, i) => ({ item, score: Number(inputs[i].input.value) }));
      await mutate(MARKS, { s: survey.id, m: marks, e: evidence.input.value }, "recordAssessmentMarks");
      rerender();
    },
  }));
}

function orderForm(result, periodId) {
  const requirement = field({ name: "requirement", label: t("assessment.requirement"), tag: "textarea", rows: "2", required: true });
  const deadline = field({ name: "deadline", label: t("assessment.deadline"), type: "date", required: true });
  return h("details", {}, h("summary", {}, t("assessment.order", { name: result.communityName })), actionForm({
    rows: [requirement.row, deadline.row],
    submitLabel: t("assessment.orderSubmit"),
    work: async () => {
      await mutate(ORDER, { c: result.contractId, r: requirement.input.value, d: deadline.input.value, p: periodId }, "orderRectification");
      rerender();
    },
  }));
}

function periodPanel(period, official) {
  const open = period.state === "open";
  return h("section", { class: "panel period", dataset: { period: period.label, state: period.state } },
    h("h3", {}, t(open ? "assessment.periodOpen" : "assessment.periodClosed", { label: period.label, at: formatTime(open ? period.closesAt : period.closedAt) })),
    open ? h("ul", { class: "surveys" }, period.surveys.map((s) => h("li", {}, t("assessment.surveyLine", { name: s.communityName, company: s.companyName, heads: s.rollHeads, answered: s.answeredHeads ?? "—" }), official ? inspectionForm(s) : null))) : rankingTable(period),
    official && open ? actionForm({ rows: [h("p", { class: "hint" }, t("assessment.closeHint"))], submitLabel: t("assessment.close"), work: async () => { await mutate(CLOSE, { p: period.id }, "closeAssessmentPeriod"); rerender(); } }) : null,
    official && !open ? period.results.filter((r) => r.bottom).map((r) => orderForm(r, period.id)) : null,
  );
}

export default async function render(ctx) {
  const districtId = ctx.params.id;
  const data = await request(LOAD, { d: districtId });
  const district = data.districts.find((d) => d.id === districtId);
  const official = isAdmin() || districtsOf().map(String).includes(String(districtId));
  const panel = (id, title, ...body) => h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...body);
  return h("section", { class: "assessment" },
    h("h1", { tabindex: "-1" }, t("assessment.title", { name: district?.name ?? "" })),
    h("p", { class: "hint" }, t("assessment.intro", data.assessmentSettings)),
    panel("periods-h", t("assessment.periodsTitle"),
      data.assessmentPeriods.length ? data.assessmentPeriods.map((p) => periodPanel(p, official)) : h("p", { class: "hint" }, t("assessment.noPeriods")),
      official ? h("details", {}, h("summary", {}, t("assessment.openTitle")), openForm(districtId)) : null),
    panel("register-h", t("assessment.registerTitle"), companyTable(data.propertyCompanies, official),
      official ? h("details", {}, h("summary", {}, t("assessment.admitTitle")), registerForm(districtId)) : null),
    official ? panel("contract-h", t("assessment.contractTitle"), contractForm(data.propertyCompanies)) : null,
    official ? panel("settings-h", t("assessment.settingsTitle"), settingsForm(districtId, data.assessmentSettings)) : null,
  );
}
