// A compound's proposals (业主提案), newest first: support by heads and by area against the
// 20 % / 20 % line, status; and the form for a new one (draft or submitted at once).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { supportBars } from "../proposalbits.js";

const LIST = `
query Proposals($id: ID!) {
  community(id: $id) { id name }
  proposals(communityId: $id, first: 50) {
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

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LIST, { id });
  const { nodes, threshold } = data.proposals;
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
    nodes.length
      ? h(
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
        )
      : h("p", { class: "panel" }, t("proposals.none")),
  );
}
