// A compound's proposals (业主提案), newest first: support by heads and by area against the
// 20 % / 20 % line, status; a search box (the API's `search`, Chinese or not: the list updates
// as one types and says so when nothing matches); and the form for a new one (draft or
// submitted at once).

import { mutate, PROBLEM, request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { navigate } from "../router.js";
import { supportBars } from "../proposalbits.js";

const LIST = `
query Proposals($id: ID!, $search: String) {
  community(id: $id) { id name }
  proposals(communityId: $id, first: 50, search: $search) {
    totalCount
    threshold { rollHeads rollArea rollAreaCenti headsNeeded areaNeeded areaNeededCenti }
    nodes { id title excerpt category matterType status authorName supportHeads supportArea
            supportAreaCenti signatureCount commentCount signedByMe mine }
  }
}`;

const CREATE = `
mutation Create($input: CreateProposalInput!) {
  createProposal(input: $input) {
    __typename
    ... on ProposalSaved { proposal { summary { id } } }
    ...ProblemFields
  }
}${PROBLEM}`;

function newForm(communityId) {
  const err = errorBox();
  const title = field({ name: "title", label: t("proposals.field.title"), maxlength: 100, required: true });
  const body = field({ name: "body", label: t("proposals.field.body"), tag: "textarea", rows: 8, required: true });
  const category = field({ name: "category", label: t("proposals.field.category"), hint: t("proposals.field.categoryHint"), maxlength: 20, required: true });
  const matter = field({
    name: "matterType",
    label: t("proposals.field.matter"),
    tag: "select",
  });
  matter.input.append(
    h("option", { value: "" }, t("proposals.field.noMatter")),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => h("option", { value: String(n) }, t(`matter.${n}`))),
  );
  const submitBox = h("input", { type: "checkbox", name: "submit", id: "proposal-submit", checked: true });
  const button = h("button", { type: "submit", class: "primary" }, t("proposals.create"));
  const form = h(
    "form",
    { class: "panel proposal-form", novalidate: true },
    err.node,
    title.row,
    body.row,
    category.row,
    matter.row,
    h("div", { class: "field check" }, h("label", { for: "proposal-submit" }, submitBox, " ", t("proposals.field.submitNow"))),
    h("div", { class: "actions" }, button),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    const input = {
      communityId,
      title: title.input.value.trim(),
      body: body.input.value,
      category: category.input.value.trim(),
      matterType: matter.input.value ? Number(matter.input.value) : null,
      submit: submitBox.checked,
    };
    try {
      const res = await busy(button, () => mutate(CREATE, { input }, "createProposal"));
      navigate(`/proposal/${res.proposal.summary.id}`);
    } catch (ex) {
      err.show(ex.message);
      markInvalid(form, ex.field);
    }
  });
  return form;
}

function proposalList(nodes, threshold, query) {
  if (!nodes.length) {
    return h("p", { class: "panel empty" }, query ? t("proposals.noMatch", { q: query }) : t("proposals.none"));
  }
  return h(
    "ul",
    { class: "proposal-list" },
    nodes.map((p) =>
      h(
        "li",
        { class: "card proposal-item", dataset: { proposal: p.id } },
        h("h2", {}, h("a", { href: `#/proposal/${p.id}` }, p.title)),
        h(
          "p",
          { class: "meta" },
          h("span", { class: `chip status-${p.status.toLowerCase()}` }, t(`proposal.status.${p.status}`)),
          h("span", { class: "chip" }, p.category),
          p.matterType ? h("span", { class: "chip" }, t(`matter.${p.matterType}`)) : null,
          p.signedByMe ? h("span", { class: "chip ok" }, t("proposal.signedByMe")) : null,
        ),
        h("p", { class: "excerpt" }, p.excerpt),
        h("p", { class: "hint" }, t("proposal.by", { name: p.authorName })),
        supportBars(p, threshold),
      ),
    ),
  );
}

/** The search box: asks the API again a moment after each keystroke (or at once on Enter). */
function searchForm(id, initial, show) {
  const inputId = newId("search");
  const input = h("input", { id: inputId, type: "search", name: "search", autocomplete: "off", value: initial, "aria-describedby": `${inputId}-hint` });
  const form = h(
    "form",
    { class: "search-proposals", role: "search" },
    h("label", { for: inputId }, t("proposals.search")),
    h("div", { class: "search-row" }, input, h("button", { type: "submit", class: "secondary" }, t("proposals.searchButton"))),
    h("p", { class: "hint", id: `${inputId}-hint` }, t("proposals.searchHint")),
  );
  let timer = null;
  let asked = initial;
  let latest = 0;
  async function run() {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === asked) return;
    asked = q;
    const mine = ++latest;
    try {
      const data = await request(LIST, { id, search: q || null });
      if (mine === latest) show(data.proposals, q);
    } catch (err) {
      if (mine === latest) show(null, q, err.message);
    }
  }
  // composition (pinyin input) ends with an input event too; wait for it before searching
  input.addEventListener("input", (e) => {
    if (e.isComposing) return;
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  return form;
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const initial = (ctx.query.get("q") ?? "").trim();
  const data = await request(LIST, { id, search: initial || null });
  const listNode = h("div", { class: "proposal-results" });
  const status = h("p", { class: "hint search-status", role: "status", "aria-live": "polite" });
  function show(page, query, error = null) {
    if (error) {
      replace(status, error);
      return;
    }
    replace(listNode, proposalList(page.nodes, page.threshold, query));
    replace(status, query ? t("proposals.found", { n: formatNumber(page.totalCount), q: query }) : "");
  }
  show(data.proposals, initial);
  return h(
    "section",
    { class: "proposals" },
    h("h1", { tabindex: "-1" }, t("proposals.heading", { name: data.community.name })),
    h("p", { class: "lead" }, t("proposals.intro")),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button secondary", href: `#/community/${id}/documents` }, t("documents.action")),
    ),
    h("details", { class: "new-proposal" }, h("summary", {}, t("proposals.new")), newForm(id)),
    searchForm(id, initial, show),
    status,
    listNode,
  );
}
