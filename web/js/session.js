// Who is logged in, and what their roles let them see. Roles decide which screens the nav
// offers; the service still checks every field, so this is about showing, never about trust.

import { request } from "./api.js";

export const ME_FIELDS = `id displayName phone roles { role communityId districtId departmentId }`;

let me = null;

export function viewer() {
  return me;
}

export function setViewer(next) {
  me = next;
}

/** Ask the service who we are (null when the cookie is missing or expired). */
export async function loadViewer() {
  const data = await request(`query Me { me { ${ME_FIELDS} } }`);
  me = data.me;
  return me;
}

/** The running side of a compound: the committee, the preparatory group or the 物管会
 * (api/services/authz.py RUNNING_BODY_ROLES; issue #13 item 2). */
export const RUNNING_BODY = ["committee", "preparatory", "stand_in"];

export function isAdmin(v = me) {
  return Boolean(v?.roles.some((g) => g.role === "admin"));
}

/** Does the viewer hold any of `roles` (anywhere)? Admins hold every role. */
export function hasRole(roles, v = me) {
  if (!v) return false;
  return isAdmin(v) || v.roles.some((g) => roles.includes(g.role));
}

/** Compound ids where the viewer holds one of `roles` (in role-grant order, no repeats). */
export function communitiesWith(roles, v = me) {
  if (!v) return [];
  const ids = v.roles.filter((g) => roles.includes(g.role) && g.communityId).map((g) => g.communityId);
  return [...new Set(ids)];
}

/** Districts the viewer oversees as an official. */
export function districtsOf(v = me) {
  if (!v) return [];
  return [...new Set(v.roles.filter((g) => g.role === "official" && g.districtId).map((g) => g.districtId))];
}

/** Where a viewer lands after logging in (and at "#/"): an official who holds no role in a
 *  compound of their own goes to the district's page, where their work is (issue #14 item 8);
 *  everyone else to the home page. */
export function landing(v = me) {
  if (!v) return "/login";
  const own = v.roles.some((g) => g.communityId);
  if (!own && !isAdmin(v) && districtsOf(v).length > 0) return "/district";
  // a department's staff (吹哨报到, issue #16): their work is what is dispatched to them
  if (!own && !isAdmin(v) && v.roles.some((g) => g.role === "department")) return "/complaints";
  return "/home";
}

/** Roles the viewer holds in one compound (officials hold theirs district-wide). */
export function rolesIn(communityId, v = me) {
  if (!v) return [];
  return [...new Set(v.roles.filter((g) => g.communityId === communityId).map((g) => g.role))];
}
