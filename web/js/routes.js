// The route table: every screen is one entry here, and this is the only place a new screen
// (proposals, drafts, voting, the supervisor dashboard) needs to be registered.
//
//   path     "/community/:id/roll" (params arrive in ctx.params)
//   load     () => import("./views/…js"), loaded on first visit
//   title    catalogue key of the page title
//   auth     true: logged-in viewers only (others go to #/login?next=…)
//   guestOnly  true: logged-in viewers go to #/home instead (login, activation)
//   roles    the roles that may open it (admins always may); the service checks again
//   nav      (viewer) => [{ href, label }]: links for the top navigation, built from roles
//   action   (community, viewer) => { href, label } | null: a button on the compound cards
//            of the home and district screens

import { RUNNING_BODY, communitiesWith, districtsOf, hasRole, isAdmin, landing, rolesIn } from "./session.js";

const CODE_ISSUERS = [...RUNNING_BODY, "official"];
const ELECTION_RUNNERS = [...RUNNING_BODY, "official"];

// An official or admin acts on every compound of their district; others only on their own.
function mayIssueCodes(community, viewer) {
  return isAdmin(viewer) || districtsOf(viewer).length > 0 ||
    rolesIn(community.id, viewer).some((r) => CODE_ISSUERS.includes(r));
}

export const ROUTES = [
  { path: "/", redirect: (viewer) => landing(viewer) },
  {
    path: "/login",
    load: () => import("./views/login.js"),
    title: "login.title",
    guestOnly: true,
  },
  {
    path: "/activate",
    load: () => import("./views/activate.js"),
    title: "activate.title",
    guestOnly: true,
  },
  {
    path: "/reset",
    load: () => import("./views/reset.js"),
    title: "reset.title",
    guestOnly: true,
  },
  {
    path: "/home",
    load: () => import("./views/home.js"),
    title: "home.title",
    auth: true,
    nav: () => [{ href: "#/home", label: "nav.home" }],
  },
  {
    path: "/district/:id/assessment",
    load: () => import("./views/assessment.js"),
    title: "assessment.pageTitle",
    auth: true,
    nav: (viewer) =>
      districtsOf(viewer).map((id) => ({ href: `#/district/${id}/assessment`, label: "nav.assessment" })),
  },
  {
    path: "/company/:id",
    load: () => import("./views/company.js"),
    title: "company.pageTitle",
    auth: true,
  },
  {
    path: "/community/:id/surveys",
    load: () => import("./views/surveys.js"),
    title: "survey.pageTitle",
    auth: true,
    action: (community, viewer) =>
      isAdmin(viewer) || districtsOf(viewer).length > 0 || rolesIn(community.id, viewer).length
        ? { href: `#/community/${community.id}/surveys`, label: "survey.action" }
        : null,
  },
  {
    path: "/district",
    load: () => import("./views/district.js"),
    title: "district.title",
    auth: true,
    roles: ["official"],
    nav: (viewer) =>
      hasRole(["official"], viewer) ? [{ href: "#/district", label: "nav.district" }] : [],
  },
  {
    path: "/community/:id/roll",
    load: () => import("./views/roll.js"),
    title: "roll.title",
    auth: true,
    roles: ["official"],
    action: (community, viewer) =>
      hasRole(["official"], viewer)
        ? { href: `#/community/${community.id}/roll`, label: "roll.action" }
        : null,
  },
  {
    path: "/community/:id/codes",
    load: () => import("./views/codes.js"),
    title: "codes.title",
    auth: true,
    roles: CODE_ISSUERS,
    nav: (viewer) =>
      communitiesWith(RUNNING_BODY, viewer).map((id) => ({
        href: `#/community/${id}/codes`,
        label: "nav.codes",
      })),
    action: (community, viewer) =>
      mayIssueCodes(community, viewer)
        ? { href: `#/community/${community.id}/codes`, label: "codes.action" }
        : null,
  },
  {
    path: "/community/:id/letters",
    load: () => import("./views/letters.js"),
    title: "letters.title",
    auth: true,
    roles: CODE_ISSUERS,
  },

  // Elections: owners vote and check receipts; the committee, preparatory group and
  // officials run them; supervisors watch live, enter paper ballots and certify.
  {
    path: "/community/:id/elections",
    load: () => import("./views/elections.js"),
    title: "elections.title",
    auth: true,
    nav: (viewer) =>
      communitiesWith(["supervisor", ...RUNNING_BODY], viewer).map((id) => ({
        href: `#/community/${id}/elections`,
        label: "nav.elections",
      })),
    action: (community, viewer) =>
      isAdmin(viewer) || districtsOf(viewer).length > 0 || rolesIn(community.id, viewer).length
        ? { href: `#/community/${community.id}/elections`, label: "elections.action" }
        : null,
  },
  {
    path: "/community/:id/elections/new",
    load: () => import("./views/electionform.js"),
    title: "form.newTitle",
    auth: true,
    roles: ELECTION_RUNNERS,
  },
  {
    path: "/election/:id",
    load: () => import("./views/election.js"),
    title: "election.title",
    auth: true,
    carries: ["elector", "code"], // a voting notice's QR code (router.js keeps them in memory)
  },
  {
    path: "/election/:id/check",
    load: () => import("./views/check.js"),
    title: "check.title",
    auth: true,
  },
  {
    path: "/election/:electionId/edit",
    load: () => import("./views/electionform.js"),
    title: "form.editTitle",
    auth: true,
    roles: ELECTION_RUNNERS,
  },
  {
    path: "/election/:id/manage",
    load: () => import("./views/manage.js"),
    title: "manage.title",
    auth: true,
    roles: ELECTION_RUNNERS,
  },
  {
    // voting codes: the supervisors, never the roles that issue activation letters (§3.4)
    path: "/election/:id/voting-codes",
    load: () => import("./views/votingcodes.js"),
    title: "votingCodes.title",
    auth: true,
    roles: ["supervisor"],
  },
  {
    path: "/election/:id/notices",
    load: () => import("./views/notices.js"),
    title: "notices.title",
    auth: true,
    roles: ["supervisor"],
  },
  {
    path: "/election/:id/live",
    load: () => import("./views/dashboard.js"),
    title: "dash.title",
    auth: true,
    roles: ["supervisor", ...ELECTION_RUNNERS],
  },
  {
    path: "/election/:id/paper",
    load: () => import("./views/paper.js"),
    title: "paper.title",
    auth: true,
    roles: ["supervisor"],
  },
  {
    path: "/election/:id/certify",
    load: () => import("./views/certify.js"),
    title: "certify.title",
    auth: true,
    roles: ["supervisor", "official"],
  },

  // Proposals (业主提案) and rule documents in consultation (议事规则, 管理规约).
  {
    path: "/community/:id/proposals",
    load: () => import("./views/proposals.js"),
    title: "proposals.title",
    auth: true,
    action: (community, viewer) =>
      rolesIn(community.id, viewer).length
        ? { href: `#/community/${community.id}/proposals`, label: "proposals.action" }
        : null,
  },
  {
    path: "/proposal/:id",
    load: () => import("./views/proposal.js"),
    title: "proposal.title",
    auth: true,
  },
  {
    path: "/community/:id/documents",
    load: () => import("./views/documents.js"),
    title: "documents.title",
    auth: true,
    action: (community, viewer) =>
      rolesIn(community.id, viewer).length
        ? { href: `#/community/${community.id}/documents`, label: "documents.action" }
        : null,
  },
  {
    path: "/version/:id",
    load: () => import("./views/version.js"),
    title: "version.title",
    auth: true,
  },
  {
    path: "/version/:id/register",
    load: () => import("./views/register.js"),
    title: "register.title",
    auth: true,
  },

  // Organisation and governance (issue #13): districts and their officials (admins), a
  // compound's governance page (roles, settings, forums and 两考, terms, supervisors).
  {
    path: "/admin",
    load: () => import("./views/admin.js"),
    title: "admin.title",
    auth: true,
    roles: ["admin"],
    nav: (viewer) => (isAdmin(viewer) ? [{ href: "#/admin", label: "nav.admin" }] : []),
  },
  // The district dashboard (issue #16 part 2): the district's officials (and admins)
  {
    path: "/districts/:id/dashboard",
    load: () => import("./views/districtboard.js"),
    title: "dboard.title",
    auth: true,
    roles: ["official"],
    nav: (viewer) =>
      districtsOf(viewer).map((d) => ({ href: `#/districts/${d}/dashboard`, label: "nav.dboard" })),
  },
  {
    path: "/districts/:id",
    load: () => import("./views/officials.js"),
    title: "officials.pageTitle",
    auth: true,
    roles: ["official"],
  },
  {
    path: "/community/:id/governance",
    load: () => import("./views/governance.js"),
    title: "gov.pageTitle",
    auth: true,
    roles: ELECTION_RUNNERS,
    nav: (viewer) =>
      communitiesWith(RUNNING_BODY, viewer).map((id) => ({
        href: `#/community/${id}/governance`,
        label: "nav.governance",
      })),
    action: (community, viewer) =>
      isAdmin(viewer) || districtsOf(viewer).length > 0 ||
      rolesIn(community.id, viewer).some((r) => ELECTION_RUNNERS.includes(r))
        ? { href: `#/community/${community.id}/governance`, label: "gov.action" }
        : null,
  },
  {
    path: "/community/:id/settings",
    load: () => import("./views/settings.js"),
    title: "settings.pageTitle",
    auth: true,
    roles: ["official"],
  },
  {
    path: "/community/:id/forums",
    load: () => import("./views/forums.js"),
    title: "forums.pageTitle",
    auth: true,
    action: (community, viewer) =>
      rolesIn(community.id, viewer).includes("owner")
        ? { href: `#/community/${community.id}/forums`, label: "forums.action" }
        : null,
  },
  {
    path: "/community/:id/forums/:forumId",
    load: () => import("./views/forum.js"),
    title: "forum.pageTitle",
    auth: true,
  },
  {
    path: "/community/:id/terms",
    load: () => import("./views/terms.js"),
    title: "terms.pageTitle",
    auth: true,
  },
  // The notice board (信息公开) and the maintenance fund (issue #15 part 2).
  {
    path: "/community/:id/board",
    load: () => import("./views/board.js"),
    title: "board.pageTitle",
    auth: true,
    action: (community, viewer) =>
      rolesIn(community.id, viewer).length || isAdmin(viewer) || districtsOf(viewer).length
        ? { href: `#/community/${community.id}/board`, label: "board.action" }
        : null,
  },
  {
    path: "/notice/:id",
    load: () => import("./views/notice.js"),
    title: "bnotice.pageTitle",
    auth: true,
  },
  {
    path: "/community/:id/fund",
    load: () => import("./views/fund.js"),
    title: "fund.pageTitle",
    auth: true,
  },
  {
    path: "/inbox",
    load: () => import("./views/inbox.js"),
    title: "inbox.title",
    auth: true,
  },
  {
    path: "/election/:id/supervisors",
    load: () => import("./views/supervisors.js"),
    title: "sup.title",
    auth: true,
    roles: ELECTION_RUNNERS,
  },

  // 吹哨报到 (issue #16): reports, the compound's handling, dispatch to departments.
  {
    path: "/complaints",
    load: () => import("./views/complaints.js"),
    title: "complaints.pageTitle",
    auth: true,
    nav: (viewer) =>
      viewer && viewer.roles.length ? [{ href: "#/complaints", label: "nav.complaints" }] : [],
  },
  {
    path: "/community/:id/complaints",
    load: () => import("./views/complaints.js"),
    title: "complaints.pageTitle",
    auth: true,
    action: (community, viewer) =>
      rolesIn(community.id, viewer).length || districtsOf(viewer).length > 0 || isAdmin(viewer)
        ? { href: `#/community/${community.id}/complaints`, label: "complaints.action" }
        : null,
  },
  {
    path: "/complaint/:id",
    load: () => import("./views/complaint.js"),
    title: "complaint.pageTitle",
    auth: true,
  },

  // Screens to come, as their API lands. Each is one entry like those above, e.g.
  //
  // { path: "/community/:id/proposals", load: () => import("./views/proposals.js"),
  //   title: "proposals.title", auth: true,
  //   action: (c, v) => (rolesIn(c.id, v).length ? { href: `#/community/${c.id}/proposals`,
  //   label: "proposals.action" } : null) },
  // { path: "/community/:id/drafts/:draftId", …views/draft.js, roles: MEMBERS },
  //
  // Live screens subscribe with live.js `subscribe(...)` and pass the returned function to
  // ctx.onLeave, so leaving the screen closes the subscription.
];
