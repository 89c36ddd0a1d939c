// A compound's maintenance fund (维修资金, issue #15 part 2): the ledger with its running
// balance for a date range, and for the running body and officials the forms to record income
// or spending (a spending above the threshold cites the passed resolution's ballot question)
// and to post the statement for a range as a 维修资金 notice.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";
import { navigate, rerender } from "../router.js";
import { actionForm } from "../govern.js";
import { toFen, yuan } from "../noticebits.js";

const FIELDS = `openingFen incomeFen spendingFen closingFen thresholdFen canRecord
  entries { id direction project amountFen occurredOn questionId reference balanceFen }`;
const LOAD = `query Fund($id: ID!, $from: Date, $to: Date) {
  community(id: $id) { id name }
  fundLedger(communityId: $id, fromOn: $from, toOn: $to) { ${FIELDS} }
}`;
const RECORD = `mutation RecordFund($input: RecordFundEntryInput!) {
  recordFundEntry(input: $input) { __typename ... on FundLedger { closingFen } ...ProblemFields }
} ${PROBLEM}`;
const STATEMENT = `mutation FundStatement($input: FundStatementInput!) {
  publishFundStatement(input: $input) { __typename ... on Notice { id } ...ProblemFields }
} ${PROBLEM}`;

function table(ledger) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("fund.ledger") },
    h("table", { class: "stacked fund-ledger" },
      h("thead", {}, h("tr", {}, ["fund.date", "fund.project", "fund.income", "fund.spending", "fund.approval", "fund.balance"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, ledger.entries.map((e) => h("tr", { dataset: { entry: e.id, direction: e.direction } },
        h("td", { "data-label": t("fund.date") }, e.occurredOn),
        h("th", { scope: "row" }, e.project),
        h("td", { "data-label": t("fund.income"), class: "num" }, e.direction === "INCOME" ? yuan(e.amountFen) : ""),
        h("td", { "data-label": t("fund.spending"), class: "num" }, e.direction === "SPENDING" ? yuan(e.amountFen) : ""),
        h("td", { "data-label": t("fund.approval") }, [e.reference, e.questionId ? t("fund.question", { id: e.questionId }) : ""].filter(Boolean).join(" ") || "—"),
        h("td", { "data-label": t("fund.balance"), class: "num" }, yuan(e.balanceFen)))))));
}

function recordForm(id, ledger) {
  const direction = h("select", { id: "fund-direction", name: "direction" }, ["INCOME", "SPENDING"].map((d) => h("option", { value: d }, t(`fund.dir.${d}`))));
  const project = field({ name: "project", label: t("fund.project"), required: true, maxlength: "200" });
  const amount = field({ name: "amountFen", label: t("fund.amount"), required: true, inputmode: "decimal", hint: t("fund.amountHint", { threshold: yuan(ledger.thresholdFen) }) });
  const on = field({ name: "occurredOn", label: t("fund.date"), type: "date", required: true });
  const question = field({ name: "questionId", label: t("fund.questionId"), inputmode: "numeric", hint: t("fund.questionHint") });
  const reference = field({ name: "reference", label: t("fund.reference"), maxlength: "300" });
  return actionForm({
    rows: [h("div", { class: "field" }, h("label", { for: "fund-direction" }, t("fund.direction")), direction), project.row, amount.row, on.row, question.row, reference.row],
    submitLabel: t("fund.record"),
    work: async () => {
      const fen = toFen(amount.input.value);
      if (fen === null) throw Object.assign(new Error(t("fund.badAmount")), { field: "amountFen" });
      const input = { communityId: id, direction: direction.value, project: project.input.value, amountFen: fen, occurredOn: on.input.value, reference: reference.input.value };
      if (question.input.value.trim()) input.questionId = question.input.value.trim();
      await mutate(RECORD, { input }, "recordFundEntry");
      rerender();
    },
  });
}

function statementForm(id) {
  const from = field({ name: "fromOn", label: t("fund.from"), type: "date", required: true });
  const to = field({ name: "toOn", label: t("fund.to"), type: "date", required: true });
  return actionForm({
    rows: [from.row, to.row],
    submitLabel: t("fund.publish"),
    work: async () => {
      const saved = await mutate(STATEMENT, { input: { communityId: id, fromOn: from.input.value, toOn: to.input.value } }, "publishFundStatement");
      navigate(`/notice/${saved.id}`);
    },
  });
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const from = ctx.query.get("from") || null;
  const to = ctx.query.get("to") || null;
  const data = await request(LOAD, { id, from, to });
  const l = data.fundLedger;
  return h(
    "section",
    { class: "fund" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${id}/board` }, t("bnotice.back"))),
    h("h1", { tabindex: "-1" }, t("fund.title", { name: data.community.name })),
    h("dl", { class: "panel facts fund-totals" },
      h("dt", {}, t("fund.opening")), h("dd", {}, yuan(l.openingFen)),
      h("dt", {}, t("fund.income")), h("dd", {}, yuan(l.incomeFen)),
      h("dt", {}, t("fund.spending")), h("dd", {}, yuan(l.spendingFen)),
      h("dt", {}, t("fund.closing")), h("dd", { class: "closing" }, yuan(l.closingFen))),
    l.entries.length ? table(l) : h("p", { class: "panel hint" }, t("fund.none")),
    l.canRecord ? h("details", { class: "panel action" }, h("summary", {}, t("fund.recordTitle")), recordForm(id, l)) : null,
    l.canRecord ? h("details", { class: "panel action" }, h("summary", {}, t("fund.publishTitle")), statementForm(id)) : null,
  );
}
