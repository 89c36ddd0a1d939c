// A compound's rule documents (议事规则, 管理规约, …) and their versions; the committee starts a
// document or the next draft, imports its text (第X章 / 第X条 headings) and publishes it.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";
import { smallForm } from "./proposal.js";
import { navigate } from "../router.js";
import { RUNNING_BODY, isAdmin, rolesIn } from "../session.js";
import { formatTime } from "../voting.js";

const LIST = `
query Documents($id: ID!) {
  community(id: $id) { id name }
  ruleDocuments(communityId: $id) {
    id kind title latestVersionId inForceVersionId
    versions { id number status phase title opensAt closesAt publishedAt inForce }
  }
}`;

const CREATE = `
mutation Create($input: CreateDocumentInput!) {
  createDocument(input: $input) { __typename ... on VersionSaved { version { id } } ...ProblemFields }
}${PROBLEM}`;

const NEXT = `
mutation Next($input: CreateDraftInput!) {
  createDraftVersion(input: $input) { __typename ... on VersionSaved { version { id } } ...ProblemFields }
}${PROBLEM}`;

export const KINDS = ["RULES_OF_PROCEDURE", "MANAGEMENT_STATUTE", "OTHER"];

function createForm(communityId) {
  const kind = field({ name: "kind", label: t("documents.field.kind"), tag: "select" });
  kind.input.append(...KINDS.map((k) => h("option", { value: k }, t(`documents.kind.${k}`))));
  const title = field({ name: "title", label: t("documents.field.title"), required: true });
  const text = field({ name: "text", label: t("documents.field.text"), hint: t("documents.field.textHint"), tag: "textarea", rows: 10 });
  return smallForm({
    cls: "panel document-form",
    fields: [kind, title, text],
    buttonLabel: t("documents.create"),
    send: async () => {
      const res = await mutate(CREATE, {
        input: { communityId, kind: kind.input.value, title: title.input.value.trim(), text: text.input.value || null },
      }, "createDocument");
      navigate(`/version/${res.version.id}`);
    },
  });
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LIST, { id });
  const staff = isAdmin() || rolesIn(id).some((r) => RUNNING_BODY.includes(r));
  return h(
    "section",
    { class: "documents" },
    h("h1", { tabindex: "-1" }, t("documents.heading", { name: data.community.name })),
    h("p", { class: "lead" }, t("documents.intro")),
    data.ruleDocuments.length
      ? h(
          "ul",
          { class: "document-list" },
          data.ruleDocuments.map((d) =>
            h(
              "li",
              { class: "card document-item", dataset: { document: d.id } },
              h("h2", {}, d.title),
              h("p", { class: "meta" }, h("span", { class: "chip" }, t(`documents.kind.${d.kind}`))),
              h(
                "ul",
                { class: "version-list" },
                [...d.versions].reverse().map((v) =>
                  h(
                    "li",
                    { dataset: { version: v.id } },
                    h("a", { href: `#/version/${v.id}` }, t("version.label", { n: v.number })),
                    " ",
                    h("span", { class: `chip phase-${v.phase.toLowerCase()}` }, t(`version.phase.${v.phase}`)),
                    v.inForce ? h("span", { class: "chip ok" }, t("version.inForce")) : null,
                    v.closesAt ? h("span", { class: "hint" }, " ", t("version.closes", { at: formatTime(v.closesAt) })) : null,
                  ),
                ),
              ),
              staff && d.versions.every((v) => v.status !== "DRAFT")
                ? h(
                    "div",
                    { class: "actions" },
                    smallForm({
                      cls: "next-draft",
                      fields: [],
                      buttonLabel: t("documents.nextDraft"),
                      send: async () => {
                        const res = await mutate(NEXT, { input: { documentId: d.id } }, "createDraftVersion");
                        navigate(`/version/${res.version.id}`);
                      },
                    }),
                  )
                : null,
            ),
          ),
        )
      : h("p", { class: "panel" }, t("documents.none")),
    staff ? h("details", { class: "new-document" }, h("summary", {}, t("documents.new")), createForm(id)) : null,
  );
}
