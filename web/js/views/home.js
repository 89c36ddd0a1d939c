// Home: the viewer's compounds with their head and area totals, each open vote with its deadline
// and a big "去投票" (openvotes.js), the viewer's own units, who sits on the compound's preparatory
// group or 物管会 (names only), and the actions their roles allow in each compound (from the
// route table's `action` entries).

import { request } from "../api.js";
import { bodyNames } from "../bodies.js";
import { h } from "../dom.js";
import { drillMark } from "../drill.js";
import { formatArea, formatNumber, formatPercent, t } from "../i18n.js";
import { openVotes, openVotesPanel } from "../openvotes.js";
import { routes } from "../router.js";
import { hasRole, rolesIn, viewer } from "../session.js";

const HOME = `
query Home {
  myCommunities {
    id name address drill
    totals { heads area areaCenti units headRule }
    myUnits { id label floor area areaCenti developerUnsold owners { id name } }
  }
}`;

const BODIES = `
query HomeBodies($id: ID!) {
  runningBodies(communityId: $id) { id kind state endsAt members { name held } }
}`;

/** The compound's bodies for an owner's card (none for a compound the viewer does not own in). */
async function bodiesOf(community, me) {
  if (!rolesIn(community.id, me).includes("owner")) return [];
  try {
    return (await request(BODIES, { id: community.id })).runningBodies;
  } catch {
    return []; // the card shows without them rather than not at all
  }
}

/** Buttons for a compound, from every route's `action` (the extension point for new screens). */
export function communityActions(community, v = viewer()) {
  return routes()
    .map((route) => route.action?.(community, v))
    .filter(Boolean)
    .map((a) => h("a", { class: "button secondary", href: a.href }, t(a.label)));
}

export function totalsList(totals) {
  return h(
    "dl",
    { class: "stats" },
    stat(t("totals.heads"), formatNumber(totals.heads), t(`headRule.${totals.headRule}`)),
    stat(t("totals.units"), formatNumber(totals.units)),
    stat(t("totals.area"), formatArea(totals.area)),
  );
}

function stat(label, value, note = null) {
  return h(
    "div",
    { class: "stat" },
    h("dt", {}, label),
    h("dd", {}, value, note ? h("small", {}, note) : null),
  );
}

// Owners are listed only for co-owned units: there the names say who else may cast the ballot.
function unitCard(unit) {
  return h(
    "li",
    { class: "unit" },
    h("p", { class: "unit-number" }, unit.label),
    h(
      "dl",
      {},
      h("dt", {}, t("unit.area")),
      h("dd", { class: "area" }, formatArea(unit.area)),
      unit.floor !== null ? [h("dt", {}, t("unit.floor")), h("dd", {}, t("unit.floorValue", { floor: unit.floor }))] : null,
      unit.owners.length > 1
        ? [h("dt", {}, t("unit.coOwners")), h("dd", {}, unit.owners.map((o) => o.name).join(t("list.separator")))]
        : null,
    ),
  );
}

function myShare(community) {
  const units = community.myUnits;
  const mine = units.reduce((sum, u) => sum + u.areaCenti, 0);
  const share = community.totals.areaCenti ? mine / community.totals.areaCenti : 0;
  return [
    h(
      "p",
      { class: "share" },
      t("home.myShare", {
        count: formatNumber(units.length),
        area: formatArea((mine / 100).toFixed(2)),
        percent: formatPercent(share),
      }),
    ),
    units.length > 1 ? h("p", { class: "note" }, t("home.oneHead")) : null,
  ];
}

function communityCard(community, me, votes, bodies) {
  const roles = rolesIn(community.id, me);
  const actions = communityActions(community, me);
  const units = community.myUnits;
  return h(
    "article",
    { class: "card community", "aria-labelledby": `c-${community.id}` },
    h("h2", { id: `c-${community.id}` }, community.name),
    drillMark(community.drill),
    community.address ? h("p", { class: "address" }, community.address) : null,
    openVotesPanel(votes.get(community.id)),
    roles.length
      ? h("ul", { class: "badges", "aria-label": t("home.myRoles") }, roles.map((r) => h("li", {}, t(`role.${r}`))))
      : null,
    totalsList(community.totals),
    bodyNames(bodies),
    units.length
      ? h(
          "section",
          { class: "my-units" },
          h("h3", {}, t("home.myUnits")),
          myShare(community),
          h("ul", { class: "units" }, units.map(unitCard)),
        )
      : roles.includes("owner")
        ? h("p", {}, t("home.noUnits"))
        : null,
    actions.length ? h("div", { class: "actions" }, actions) : null,
  );
}

export default async function render(ctx) {
  const me = viewer();
  const data = await request(HOME);
  const communities = data.myCommunities;
  const bodies = await Promise.all(communities.map((c) => bodiesOf(c, me)));
  const official = hasRole(["official"], me);
  // open votes only where the viewer owns a unit (a district's officials oversee many compounds)
  const votes = await openVotes(communities.filter((c) => c.myUnits.length || rolesIn(c.id, me).includes("owner")));
  return h(
    "section",
    { class: "home" },
    h("h1", { tabindex: "-1" }, t("home.greeting", { name: me.displayName })),
    ctx.query.get("welcome") ? h("p", { class: "notice", role: "status" }, t("home.welcome")) : null,
    official
      ? h(
          "div",
          { class: "panel" },
          h("p", {}, t("home.officialLead")),
          h("a", { class: "button primary", href: "#/district" }, t("home.toDistrict")),
        )
      : null,
    communities.map((c, i) => communityCard(c, me, votes, bodies[i])),
    !communities.length && !official ? h("p", { class: "panel" }, t("home.none")) : null,
  );
}
