// Officials: the compounds of their district with head and area totals, links to each compound's
// roll import and activation letters, and a form to create a compound.
// (Committee in office, elections under way and turnout join each row as the voting API lands.)

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatArea, formatNumber, t } from "../i18n.js";
import { navigate } from "../router.js";
import { districtsOf, viewer } from "../session.js";
import { communityActions } from "./home.js";

const PAGE = 50;
const LIST = `
query District($first: Int!, $after: String) {
  communities(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name address rollVersion totals { heads area units } }
  }
}`;

const CREATE = `
mutation CreateCommunity($input: CreateCommunityInput!) {
  createCommunity(input: $input) {
    __typename
    ... on CommunityCreated { community { id name } }
    ...ProblemFields
  }
} ${PROBLEM}`;

function row(c) {
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, h("span", { class: "name" }, c.name), c.address ? h("small", {}, c.address) : null),
    h("td", { class: "num", "data-label": t("totals.units") }, formatNumber(c.totals.units)),
    h("td", { class: "num", "data-label": t("totals.heads") }, formatNumber(c.totals.heads)),
    h("td", { class: "num", "data-label": t("totals.area") }, formatArea(c.totals.area)),
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
  const form = h(
    "form",
    { class: "stack", novalidate: true, on: { submit: onSubmit } },
    name.row,
    address.row,
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
    const input = { districtId: districts[0], name: name.input.value.trim(), address: address.input.value.trim() };
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

export default async function render() {
  const me = viewer();
  const body = h("tbody");
  const count = h("p", { class: "lead", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("district.more"));
  let cursor = null;
  let shown = 0;

  async function load() {
    const data = await request(LIST, { first: PAGE, after: cursor });
    const page = data.communities;
    body.append(...page.nodes.map(row));
    shown += page.nodes.length;
    cursor = page.pageInfo.endCursor;
    more.hidden = !page.pageInfo.hasNextPage;
    replace(count, t("district.count", { shown: formatNumber(shown), total: formatNumber(page.totalCount) }));
  }
  more.addEventListener("click", () => busy(more, load).catch((err) => replace(count, err.message)));
  await load();

  return h(
    "section",
    { class: "district" },
    h("h1", { tabindex: "-1" }, t("district.title")),
    count,
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
