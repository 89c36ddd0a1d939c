// Officials: the compounds of their district with head and area totals and their state — the
// committee in office (its latest certified selection), the elections under way with turnout
// toward the 2/3 lines by heads and by area, open proposals and consultations — links to each
// compound's roll import, activation letters and elections, and a form to create a compound.
// The state column refreshes itself over HTTP every REFRESH_MS (one query per loaded page):
// turnout is released in steps of the election's tally step, so a faster pace would show
// nothing more.

import { mutate, PROBLEM, request } from "../api.js";
import { turnoutBars } from "../bars.js";
import { h, replace } from "../dom.js";
import { drillMark } from "../drill.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatArea, formatNumber, t } from "../i18n.js";
import { navigate } from "../router.js";
import { districtsOf, viewer } from "../session.js";
import { formatTime, stateBadge } from "../voting.js";
import { communityActions } from "./home.js";

const PAGE = 50;
const REFRESH_MS = 10000;
const STATE_FIELDS = `
  committees { committee electionId electionTitle state decidedAt seats members vacancies participationMet }
  elections { id title state opensAt closesAt
    turnout { step releasedBallots participatingHeads participatingArea totalHeads totalArea participationMet } }
  proposalsOpen proposalsQualified proposalsScheduled consultationsOpen`;
const LIST = `
query District($first: Int!, $after: String) {
  districtOverview(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { community { id name address drill rollVersion totals { heads area units } } ${STATE_FIELDS} }
  }
}`;
const REFRESH = `
query DistrictState($first: Int!, $after: String) {
  districtOverview(first: $first, after: $after) { nodes { community { id } ${STATE_FIELDS} } }
}`;

const CREATE = `
mutation CreateCommunity($input: CreateCommunityInput!) {
  createCommunity(input: $input) {
    __typename
    ... on CommunityCreated { community { id name } }
    ...ProblemFields
  }
} ${PROBLEM}`;

function committees(list) {
  if (!list.length) return [h("p", { class: "hint no-committee" }, t("district.noCommittee"))];
  return list.map((c) =>
    h(
      "div",
      { class: "committee", dataset: { committee: c.committee, election: c.electionId } },
      h("p", { class: "meta" }, h("strong", {}, t(`district.committee.${c.committee}`)),
        h("span", { class: "hint" }, t("district.since", { date: formatTime(c.decidedAt) }))),
      h("p", { class: "members" }, c.members.length ? c.members.join("、") : t("district.noMembers")),
      c.vacancies ? h("p", { class: "chip bad" }, t("district.vacancies", { n: formatNumber(c.vacancies) })) : null,
    ),
  );
}

function election(e) {
  const tallied = e.turnout !== null;
  return h(
    "div",
    {
      class: "under-way",
      dataset: {
        election: e.id,
        state: e.state,
        heads: tallied ? String(e.turnout.participatingHeads) : "",
        area: tallied ? e.turnout.participatingArea : "",
      },
    },
    h("p", { class: "meta" }, h("a", { href: tallied ? `#/election/${e.id}/live` : `#/election/${e.id}` }, e.title), stateBadge(e.state)),
    h("p", { class: "hint" }, tallied
      ? t("district.closesAt", { at: formatTime(e.closesAt) })
      : t("district.opensAt", { at: formatTime(e.opensAt) })),
    tallied ? turnoutBars(e.turnout) : null,
    tallied && e.state === "OPEN" && e.turnout.step > 1
      ? h("p", { class: "hint" }, t("district.step", { n: formatNumber(e.turnout.step) }))
      : null,
  );
}

/** The state column of one compound: committee, elections under way, proposals. */
function stateOf(s) {
  const id = s.community.id;
  return [
    h("h3", { class: "sub" }, t("district.committeeTitle")),
    ...committees(s.committees),
    h("h3", { class: "sub" }, t("district.electionsTitle")),
    s.elections.length ? h("div", { class: "elections" }, s.elections.map(election)) : h("p", { class: "hint" }, t("district.noElections")),
    h("h3", { class: "sub" }, t("district.askingTitle")),
    h(
      "div",
      { class: "asking", dataset: { open: String(s.proposalsOpen), qualified: String(s.proposalsQualified) } },
      h("p", {}, h("a", { href: `#/community/${id}/proposals` }, t("district.proposals", {
        open: formatNumber(s.proposalsOpen),
        qualified: formatNumber(s.proposalsQualified),
        scheduled: formatNumber(s.proposalsScheduled),
      }))),
      h("p", {}, h("a", { href: `#/community/${id}/documents` }, t("district.consultations", { n: formatNumber(s.consultationsOpen) }))),
    ),
  ];
}

function row(s, cells) {
  const c = s.community;
  const state = h("td", { class: "state-cell", "data-label": t("district.state") }, stateOf(s));
  cells.set(c.id, state);
  return h(
    "tr",
    { dataset: { community: c.id } },
    h("th", { scope: "row" }, h("span", { class: "name" }, c.name), drillMark(c.drill), c.address ? h("small", {}, c.address) : null),
    h("td", { class: "num", "data-label": t("totals.units") }, formatNumber(c.totals.units)),
    h("td", { class: "num", "data-label": t("totals.heads") }, formatNumber(c.totals.heads)),
    h("td", { class: "num", "data-label": t("totals.area") }, formatArea(c.totals.area)),
    state,
    h("td", { class: "actions" }, communityActions(c)),
  );
}

function createForm() {
  const districts = districtsOf();
  if (!districts.length) return null; // admins without a district grant use the API directly
  const name = field({ name: "name", label: t("district.newName"), required: true, maxlength: "100" });
  const address = field({ name: "address", label: t("district.newAddress"), maxlength: "200" });
  const error = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, t("district.create"));
  const drill = h("input", { type: "checkbox", id: "new-drill", name: "drill" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, on: { submit: onSubmit } },
    name.row,
    address.row,
    h("div", { class: "check" }, drill, h("label", { for: "new-drill" }, t("drill.create"))),
    error.node,
    submit,
  );
  async function onSubmit(event) {
    event.preventDefault();
    error.clear();
    if (!name.input.value.trim()) {
      error.show(t("district.nameMissing"));
      markInvalid(form, "name");
      return;
    }
    const input = { districtId: districts[0], name: name.input.value.trim(), address: address.input.value.trim(), drill: drill.checked };
    try {
      const result = await busy(submit, () => mutate(CREATE, { input }, "createCommunity"));
      navigate(`/community/${result.community.id}/roll?created=1`);
    } catch (err) {
      error.show(err.message);
      markInvalid(form, err.field);
    }
  }
  return h("details", { class: "panel" }, h("summary", {}, t("district.createTitle")), form);
}

export default async function render(ctx) {
  const me = viewer();
  const body = h("tbody");
  const count = h("p", { class: "lead", role: "status" });
  const updated = h("p", { class: "hint updated" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("district.more"));
  const cells = new Map();
  const pages = []; // the `after` of every page loaded, to refresh them
  let cursor = null;
  let shown = 0;

  const stamp = () => replace(updated, t("district.updated", { time: formatTime(new Date().toISOString()) }));

  async function load() {
    const data = await request(LIST, { first: PAGE, after: cursor });
    const page = data.districtOverview;
    pages.push(cursor);
    body.append(...page.nodes.map((s) => row(s, cells)));
    shown += page.nodes.length;
    cursor = page.pageInfo.endCursor;
    more.hidden = !page.pageInfo.hasNextPage;
    replace(count, t("district.count", { shown: formatNumber(shown), total: formatNumber(page.totalCount) }));
    stamp();
  }

  let busyRefresh = false;
  async function refresh() {
    if (busyRefresh || document.hidden) return;
    busyRefresh = true;
    try {
      for (const after of [...pages]) {
        const data = await request(REFRESH, { first: PAGE, after });
        for (const s of data.districtOverview.nodes) {
          const cell = cells.get(s.community.id);
          if (cell) replace(cell, ...stateOf(s));
        }
      }
      stamp();
    } catch (err) {
      replace(updated, t("district.refreshFailed", { message: err.message }));
    } finally {
      busyRefresh = false;
    }
  }
  const timer = setInterval(refresh, REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));

  more.addEventListener("click", () => busy(more, load).catch((err) => replace(count, err.message)));
  await load();

  return h(
    "section",
    { class: "district" },
    h("h1", { tabindex: "-1" }, t("district.title")),
    h("p", { class: "actions" }, districtsOf().map((d) => [
      h("a", { class: "button primary", href: `#/districts/${d}/dashboard` }, t("district.boardLink")),
      " ",
      h("a", { class: "button secondary", href: `#/districts/${d}` }, t("district.officialsLink")),
    ])),
    count,
    updated,
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("district.title") },
      h(
        "table",
        { class: "stacked" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("district.name")),
            h("th", { scope: "col", class: "num" }, t("totals.units")),
            h("th", { scope: "col", class: "num" }, t("totals.heads")),
            h("th", { scope: "col", class: "num" }, t("totals.area")),
            h("th", { scope: "col" }, t("district.state")),
            h("th", { scope: "col" }, t("district.actions")),
          ),
        ),
        body,
      ),
    ),
    more,
    me ? createForm() : null,
  );
}
