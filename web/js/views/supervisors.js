// An election's supervisors (监票人): the running body proposes at least two owners who are not
// candidates in it, with a reason; an official of the district who did not propose them confirms
// each before voting opens. The role lasts for that election only.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { rerender } from "../router.js";
import { RUNNING_BODY, districtsOf, isAdmin, rolesIn } from "../session.js";
import { formatTime, stateBadge } from "../voting.js";
import { ownerPicker } from "../owners.js";
import { actionForm, confirmButton, reasonField } from "../govern.js";

const SUP = `id personId name reason proposedBy proposedAt confirmedBy confirmedAt`;
const LOAD = `
query Supervisors($id: ID!) {
  election(id: $id) { id communityId title state }
  electionSupervisors(electionId: $id) { ${SUP} }
}`;
const PROPOSE = `
mutation Propose($input: ProposeSupervisorsInput!) {
  proposeSupervisors(input: $input) { __typename ... on SupervisorsProposed { supervisors { id } } ...ProblemFields }
} ${PROBLEM}`;
const CONFIRM = `
mutation Confirm($id: ID!) {
  confirmSupervisor(proposalId: $id) { __typename ... on SupervisorConfirmed { supervisor { id } } ...ProblemFields }
} ${PROBLEM}`;

function row(s, official) {
  return h(
    "li",
    { class: "card", dataset: { supervisor: s.id, confirmed: String(Boolean(s.confirmedAt)) } },
    h("h3", {}, s.name, " ", s.confirmedAt ? h("span", { class: "chip ok" }, t("sup.confirmed")) : h("span", { class: "chip" }, t("sup.proposed"))),
    h("p", { class: "meta" }, t("sup.proposedBy", { name: s.proposedBy, at: formatTime(s.proposedAt) })),
    h("p", {}, s.reason),
    s.confirmedAt ? h("p", { class: "hint" }, t("sup.confirmedBy", { name: s.confirmedBy ?? "—", at: formatTime(s.confirmedAt) })) : null,
    !s.confirmedAt && official
      ? confirmButton({
          label: t("sup.confirm"),
          text: t("sup.confirmText", { name: s.name }),
          yesLabel: t("sup.confirmDo"),
          run: async () => {
            await mutate(CONFIRM, { id: s.id }, "confirmSupervisor");
            rerender();
          },
        })
      : null,
  );
}

function proposeForm(election) {
  const picker = ownerPicker({ communityId: election.communityId, label: t("sup.who"), name: "personIds", max: 10 });
  const reason = reasonField();
  return actionForm({
    rows: [picker.node, reason.row],
    submitLabel: t("sup.propose"),
    work: async () => {
      const people = picker.chosen();
      if (!people.length) throw new Error(t("sup.pickFirst"));
      const input = { electionId: election.id, personIds: people.map((p) => p.id), reason: reason.input.value };
      await mutate(PROPOSE, { input }, "proposeSupervisors");
      rerender();
    },
  });
}

export default async function render(ctx) {
  const data = await request(LOAD, { id: ctx.params.id });
  const e = data.election;
  const official = districtsOf().length > 0 && !isAdmin();
  const body = rolesIn(e.communityId).some((r) => RUNNING_BODY.includes(r));
  const before = ["DRAFT", "ANNOUNCED"].includes(e.state);
  return h(
    "section",
    { class: "supervisors", dataset: { election: e.id } },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${e.communityId}/governance` }, t("gov.back"))),
    h("h1", { tabindex: "-1" }, t("sup.title")),
    h("p", { class: "lead" }, e.title, " ", stateBadge(e.state)),
    h("p", { class: "hint" }, t("sup.rule")),
    h("section", { class: "panel", "aria-labelledby": "sup-list-h" },
      h("h2", { id: "sup-list-h" }, t("sup.listTitle")),
      data.electionSupervisors.length
        ? h("ul", { class: "plain sup-list" }, data.electionSupervisors.map((s) => row(s, official && before)))
        : h("p", { class: "hint" }, t("sup.none"))),
    body && before
      ? h("section", { class: "panel", "aria-labelledby": "sup-new-h" }, h("h2", { id: "sup-new-h" }, t("sup.proposeTitle")), proposeForm(e))
      : null,
  );
}
