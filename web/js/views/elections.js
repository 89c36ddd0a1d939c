// A compound's elections, newest first: owners open one to vote or see its result; the
// committee and preparatory group create and run them; supervisors reach the live dashboard,
// paper-ballot entry and certification from here.

import { request } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { hasRole, isAdmin, rolesIn, viewer } from "../session.js";
import { formatTime, OVERSEERS, STAFF, stateBadge } from "../voting.js";

const LIST = `
query Elections($id: ID!) {
  community(id: $id) { id name }
  elections(communityId: $id) { id title state opensAt closesAt extraordinary }
}`;

/** What the viewer may do with elections in this compound (the service checks again). */
export function powers(communityId, v = viewer()) {
  const roles = rolesIn(communityId, v);
  const admin = isAdmin(v);
  const official = hasRole(["official"], v);
  return {
    run: admin || official || roles.some((r) => STAFF.includes(r)),
    watch: admin || official || roles.some((r) => ["supervisor", ...STAFF].includes(r)),
    // the supervisor role itself: an admin cannot stand in for one (docs/design.md §3.8)
    supervise: roles.includes("supervisor"),
    verify: admin || official || roles.some((r) => OVERSEERS.includes(r)),
  };
}

export function staffLinks(election, p) {
  const id = election.id;
  const links = [];
  if (p.run) links.push([`#/election/${id}/manage`, "elections.manage"]);
  if (p.watch && election.state !== "DRAFT") links.push([`#/election/${id}/live`, "elections.live"]);
  if (p.supervise && election.state === "OPEN") links.push([`#/election/${id}/paper`, "elections.paper"]);
  if (p.supervise && election.state === "OPEN") links.push([`#/election/${id}/voting-codes`, "elections.votingCodes"]);
  if (p.verify && election.state !== "DRAFT") links.push([`#/election/${id}/certify`, "elections.certify"]);
  return links.map(([href, key]) => h("a", { class: "button secondary", href }, t(key)));
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LIST, { id });
  const p = powers(id);
  const list = data.elections;
  return h(
    "section",
    { class: "elections" },
    h("h1", { tabindex: "-1" }, t("elections.heading", { name: data.community.name })),
    h("p", { class: "lead" }, t("elections.intro")),
    p.run
      ? h("div", { class: "actions" }, h("a", { class: "button primary", href: `#/community/${id}/elections/new` }, t("elections.new")))
      : null,
    list.length
      ? h(
          "ul",
          { class: "election-list" },
          list.map((e) =>
            h(
              "li",
              { class: "card election-item", dataset: { election: e.id } },
              h("h2", {}, h("a", { href: `#/election/${e.id}` }, e.title)),
              h(
                "p",
                { class: "meta" },
                stateBadge(e.state),
                e.extraordinary ? h("span", { class: "chip" }, t("election.extraordinary")) : null,
              ),
              h(
                "p",
                {},
                t("election.schedule", { opens: formatTime(e.opensAt), closes: formatTime(e.closesAt) }),
              ),
              h(
                "div",
                { class: "actions" },
                h("a", { class: "button primary", href: `#/election/${e.id}` }, e.state === "OPEN" ? t("elections.vote") : t("elections.open")),
                staffLinks(e, p),
              ),
            ),
          ),
        )
      : h("p", { class: "panel" }, t("elections.none")),
  );
}
