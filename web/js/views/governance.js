// A compound's governance page (officials, the committee, the preparatory group): who holds
// which role, since and until when, and why (officials revoke with a reason); its preparatory
// groups and 物管会 (officials appoint one here: js/bodies.js); the way to the compound's
// settings, its forums, nominations and 两考, its committee terms, and each election's
// supervisors. Reached from the compound cards of the district and home screens.

import { request } from "../api.js";
import { h } from "../dom.js";
import { appointBlocker, appointForm, BODY_FIELDS, bodyList } from "../bodies.js";
import { t } from "../i18n.js";
import { rerender } from "../router.js";
import { RUNNING_BODY, districtsOf, isAdmin } from "../session.js";
import { stateBadge } from "../voting.js";
import { ROLE_FIELDS, roleTable } from "../govern.js";

const LOAD = `
query Governance($id: ID!) {
  community(id: $id) { id name address }
  communityRoles(communityId: $id, includeEnded: true) { ${ROLE_FIELDS} }
  elections(communityId: $id) { id title state }
  runningBodies(communityId: $id) { ${BODY_FIELDS} }
}`;

// Officials revoke a compound's committee, preparatory group, 物管会 and supervisor grants;
// admins any.
const REVOCABLE = [...RUNNING_BODY, "supervisor"];

function link(href, label, note) {
  return h("li", {}, h("a", { class: "button secondary", href }, t(label)), note ? h("p", { class: "hint" }, t(note)) : null);
}

/** The official's "appoint a preparatory group or 物管会" panel, or why it cannot be done now. */
function appointPanel(data) {
  const blocked = appointBlocker(data.communityRoles);
  const out = h("div", { class: "appointed", "aria-live": "polite" });
  return [
    h(
      "section",
      { class: "panel no-print", "aria-labelledby": "appoint-body-h" },
      h("h2", { id: "appoint-body-h" }, t("bodies.appointTitle")),
      blocked
        ? h("p", { class: "notice blocked" }, blocked)
        : appointForm({ community: data.community, out, onDone: async () => rerender() }),
    ),
    out,
  ];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LOAD, { id });
  const official = isAdmin() || districtsOf().length > 0;
  const before = data.elections.filter((e) => ["DRAFT", "ANNOUNCED"].includes(e.state));
  return h(
    "section",
    { class: "governance", dataset: { community: id } },
    h("p", { class: "crumbs no-print" }, h("a", { href: official ? "#/district" : "#/home" }, t(official ? "district.title" : "nav.home"))),
    h("h1", { tabindex: "-1", class: "no-print" }, t("gov.title", { name: data.community.name })),
    h(
      "ul",
      { class: "plain gov-links no-print" },
      official ? link(`#/community/${id}/settings`, "gov.toSettings", "gov.toSettingsNote") : null,
      link(`#/community/${id}/forums`, "gov.toForums", "gov.toForumsNote"),
      link(`#/community/${id}/terms`, "gov.toTerms", "gov.toTermsNote"),
    ),
    h(
      "section",
      { class: "panel no-print", "aria-labelledby": "roles-h" },
      h("h2", { id: "roles-h" }, t("gov.rolesTitle")),
      roleTable(data.communityRoles, {
        canRevoke: (r) => isAdmin() || (official && REVOCABLE.includes(r.role)),
        onChanged: async () => rerender(),
        caption: t("gov.rolesTitle"),
      }),
    ),
    h(
      "section",
      { class: "panel no-print", "aria-labelledby": "bodies-h" },
      h("h2", { id: "bodies-h" }, t("bodies.title")),
      bodyList(data.runningBodies),
    ),
    official ? appointPanel(data) : null,
    h(
      "section",
      { class: "panel no-print", "aria-labelledby": "sup-h" },
      h("h2", { id: "sup-h" }, t("gov.supervisorsTitle")),
      before.length
        ? h("ul", { class: "plain" }, before.map((e) =>
            h("li", { dataset: { election: e.id } }, h("a", { href: `#/election/${e.id}/supervisors` }, e.title), " ", stateBadge(e.state))))
        : h("p", { class: "hint" }, t("gov.noElectionsBefore")),
    ),
  );
}
