// Voting-code notices, for the supervisors (监票人) of the compound: print them per building once
// voting opens, and replace a lost one. Not the committee, the preparatory group or officials:
// they issue activation letters, and whoever can create an owner's login must never also hold
// that owner's voting code (separation of duties, docs/design.md §3.4). The service refuses
// anyone else, including a supervisor who also holds one of those roles.

import { mutate, PROBLEM, request } from "../api.js";
import { append, h } from "../dom.js";
import { confirmAct } from "../confirm.js";
import { busy, errorBox, field } from "../forms.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { electorPicker } from "../ballotform.js";
import { ELECTION_FIELDS, stateBadge } from "../voting.js";

const HEAD = `query CodesElection($id: ID!) { election(id: $id) { ${ELECTION_FIELDS} } }`;
const COMMUNITY = `query CodesCommunity($id: ID!) { community(id: $id) { id name drill buildings { id name label } } }`;
const NOTICE_FIELDS = `
  __typename
  ... on VotingNotices { notices { electorId label building buildingLabel owners code qr } }
  ...ProblemFields`;
const PRINT = `
mutation PrintNotices($id: ID!, $building: String) {
  printVotingNotices(electionId: $id, building: $building) { ${NOTICE_FIELDS} }
} ${PROBLEM}`;
const REISSUE = `
mutation Reissue($id: ID!, $elector: ID!) {
  reissueVotingCode(electionId: $id, electorId: $elector) { ${NOTICE_FIELDS} }
} ${PROBLEM}`;

/** election id → the notices just printed (codes live in memory only, like activation letters). */
export const noticeBatches = new Map();

function noticesPanel(id, election, community, buildings) {
  const error = errorBox();
  const building = field({ name: "building", label: t("manage.noticesBuilding"), tag: "select" });
  append(building.input, [
    h("option", { value: "" }, t("manage.allBuildings")),
    buildings.map((b) => h("option", { value: b.name }, b.label)),
  ]);
  const go = h("button", { type: "button", class: "primary" }, t("manage.printNotices"));
  go.addEventListener("click", () =>
    busy(go, async () => {
      error.clear();
      try {
        const result = await mutate(PRINT, { id, building: building.input.value || null }, "printVotingNotices");
        noticeBatches.set(id, { election, community, notices: result.notices, at: new Date(), reissue: false });
        navigate(`/election/${id}/notices`);
      } catch (err) {
        error.show(err.message);
      }
    }),
  );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "notices-h" },
    h("h2", { id: "notices-h" }, t("manage.noticesTitle")),
    h("p", {}, t("manage.noticesBody")),
    building.row,
    error.node,
    h("div", { class: "actions" }, go),
  );
}

function reissuePanel(id, election, community, buildings) {
  const error = errorBox();
  const picker = electorPicker(id, buildings, { name: "reissueElector" });
  const go = h("button", { type: "button", class: "secondary" }, t("manage.reissue"));
  go.addEventListener("click", () => {
    error.clear();
    const chosen = picker.selected();
    if (!chosen) return error.show(t("manage.pickElectorFirst"));
    // the owner's code stops working at once: the shared confirmation first (confirm.js)
    return confirmAct({
      title: t("manage.reissueTitle"),
      text: t("manage.reissueConfirm", { label: chosen.label }),
      yesLabel: t("manage.reissueYes"),
      danger: true,
      run: async () => {
        const result = await mutate(REISSUE, { id, elector: chosen.id }, "reissueVotingCode");
        noticeBatches.set(id, { election, community, notices: result.notices, at: new Date(), reissue: true });
        navigate(`/election/${id}/notices`);
      },
    });
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "reissue-h" },
    h("h2", { id: "reissue-h" }, t("manage.reissueTitle")),
    h("p", {}, t("manage.reissueBody")),
    picker.node,
    error.node,
    h("div", { class: "actions" }, go),
  );
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const { community } = await request(COMMUNITY, { id: election.communityId });
  const buildings = community.buildings; // in the server's natural order, with its labels
  return h(
    "section",
    { class: "voting-codes" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${election.communityId}/elections` }, t("election.back"))),
    h("h1", { tabindex: "-1" }, t("votingCodes.heading", { title: election.title })),
    h("p", { class: "meta" }, stateBadge(election.state)),
    h("p", { class: "lead" }, t("votingCodes.intro")),
    election.state === "OPEN"
      ? [noticesPanel(id, election, community, buildings), reissuePanel(id, election, community, buildings)]
      : h("p", { class: "notice" }, t("votingCodes.notOpen")),
  );
}
