// Drill compounds (演练小区, docs/design.md §2 "Drill compounds"): every page of one carries a
// banner "演练，不具法律效力", and its printed notices, letters and results carry the words too.
// The shell asks which compound the current page belongs to (from its route), once per page
// address, and shows the banner when that compound is a drill.

import { request } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const COMMUNITY = `query DrillCommunity($id: ID!) { community(id: $id) { id drill } }`;
const ELECTION = `query DrillElection($id: ID!) { election(id: $id) { id drill } }`;
const PROPOSAL = `query DrillProposal($id: ID!) { proposal(id: $id) { summary { id communityId } } }`;
const VERSION = `query DrillVersion($id: ID!) { documentVersion(id: $id) { id document { id communityId } } }`;

const known = new Map(); // "community:3" → Promise<boolean>

function once(key, load) {
  if (!known.has(key)) {
    known.set(
      key,
      load().catch(() => {
        known.delete(key); // not found, forbidden or offline: ask again next time
        return false;
      }),
    );
  }
  return known.get(key);
}

function communityDrill(id) {
  return once(`community:${id}`, async () => Boolean((await request(COMMUNITY, { id })).community.drill));
}

// Route patterns → whether that page belongs to a drill compound.
const PAGES = [
  [/^\/community\/([^/]+)/, (id) => communityDrill(id)],
  [/^\/election\/([^/]+)/, (id) => once(`election:${id}`, async () => Boolean((await request(ELECTION, { id })).election.drill))],
  [/^\/proposal\/([^/]+)/, (id) => once(`proposal:${id}`, async () => communityDrill((await request(PROPOSAL, { id })).proposal.summary.communityId))],
  [/^\/version\/([^/]+)/, (id) => once(`version:${id}`, async () => communityDrill((await request(VERSION, { id })).documentVersion.document.communityId))],
];

/** Whether the page at `path` ("/election/7/manage") belongs to a drill compound. */
export async function isDrillPage(path) {
  for (const [pattern, lookup] of PAGES) {
    const m = pattern.exec(path);
    if (m) return lookup(decodeURIComponent(m[1]));
  }
  return false;
}

/** The banner at the top of every page of a drill compound. */
export function drillBanner() {
  return h("div", { class: "drill-banner", role: "note" }, h("strong", {}, t("drill.banner")), " ", t("drill.explain"));
}

/** The words on a printed notice, letter or result of a drill compound (null otherwise). */
export function drillMark(drill) {
  return drill ? h("p", { class: "drill-mark" }, t("drill.mark")) : null;
}

/** Forget what is known (after logging out: another viewer may see other compounds). */
export function forgetDrills() {
  known.clear();
}
