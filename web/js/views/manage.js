// Running an election (committee, preparatory group, officials): edit the draft, announce,
// open, close, publish; record and revoke written proxies. Every step is checked again by the
// service against its clock and the compound's notice periods, and its refusal is shown as it
// comes. Voting notices are not here: the supervisors print them (votingcodes.js), because the
// roles that run the vote also issue activation letters (docs/design.md §3.4).

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { confirmAct } from "../confirm.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatArea, formatNumber, t } from "../i18n.js";
import { rerender } from "../router.js";
import { electorPicker } from "../ballotform.js";
import { ELECTION_FIELDS, formatTime, QUESTION_FIELDS, stateBadge } from "../voting.js";
import { powers, staffLinks } from "./elections.js";

const MANAGE = `
query ManageElection($id: ID!) {
  election(id: $id) { ${ELECTION_FIELDS} questions { ${QUESTION_FIELDS} } signoffs { supervisorId signedAt } }
}`;
const COMMUNITY = `query ManageCommunity($id: ID!) { community(id: $id) { id name buildings { id name label } } }`;
const PROXIES = `query Proxies($id: ID!) { proxies(electionId: $id) { id electorId electorLabel owners holderName paperRef revoked } }`;

const TRANSITION = (field) => `
mutation Transition($id: ID!) {
  ${field}(electionId: $id) {
    __typename
    ... on ElectionSaved { election { id state } }
    ...ProblemFields
  }
} ${PROBLEM}`;

const RECORD_PROXY = `
mutation RecordProxy($input: ProxyInput!) {
  recordProxy(input: $input) {
    __typename
    ... on ProxySaved { proxy { id electorId holderName paperRef revoked } }
    ...ProblemFields
  }
} ${PROBLEM}`;
const REVOKE_PROXY = `
mutation RevokeProxy($id: ID!) {
  revokeProxy(proxyId: $id) {
    __typename
    ... on ProxySaved { proxy { id revoked } }
    ...ProblemFields
  }
} ${PROBLEM}`;

const ACTIONS = {
  DRAFT: ["announce", "cancel"],
  ANNOUNCED: ["open", "cancel"],
  OPEN: ["close"],
  CLOSED: [],
  CERTIFIED: ["publish"],
  PUBLISHED: [],
  CANCELLED: [],
};
const FIELDS = {
  announce: "announceElection",
  open: "openElection",
  close: "closeElection",
  publish: "publishElection",
  cancel: "cancelElection",
};

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(MANAGE, { id });
  const { community } = await request(COMMUNITY, { id: election.communityId });
  const p = powers(election.communityId);
  const error = errorBox();
  const buildings = community.buildings; // in the server's natural order, with its labels

  // ---- lifecycle: each step asks first in the shared dialog (confirm.js), saying what cannot
  // be undone; announcing warns of a committee selection with fewer candidates than seats ----
  function ask(action) {
    error.clear();
    const when = { opens: formatTime(election.opensAt), closes: formatTime(election.closesAt) };
    return confirmAct({
      title: t(`manage.ask.${action}`, { title: election.title }),
      text: t(`manage.confirm.${action}`, when),
      yesLabel: t(`manage.do.${action}`),
      danger: action === "cancel",
      warnings: action === "announce" ? shortLists(election.questions) : [],
      // a refusal (too early, still open...) closes the dialog and shows on the page, where
      // it stays readable beside the state it is about
      run: async () => {
        try {
          await mutate(TRANSITION(FIELDS[action]), { id }, FIELDS[action]);
        } catch (err) {
          error.show(err.message);
          return;
        }
        rerender();
      },
    });
  }
  const stepButtons = ACTIONS[election.state].map((action) =>
    h("button", { type: "button", class: action === "cancel" ? "secondary" : "primary", dataset: { action }, on: { click: () => ask(action) } }, t(`manage.action.${action}`)),
  );

  const lifecycle = h(
    "section",
    { class: "panel", "aria-labelledby": "life-h" },
    h("h2", { id: "life-h" }, t("manage.lifecycle")),
    h("p", { class: "meta" }, stateBadge(election.state)),
    h(
      "dl",
      { class: "summary" },
      h("dt", {}, t("manage.opensAt")), h("dd", {}, formatTime(election.opensAt)),
      h("dt", {}, t("manage.closesAt")), h("dd", {}, formatTime(election.closesAt)),
      h("dt", {}, t("manage.announcedAt")), h("dd", {}, formatTime(election.announcedAt)),
      h("dt", {}, t("manage.visibility")), h("dd", {}, t(`visibility.${election.visibility}`)),
      election.rollFingerprint ? [h("dt", {}, t("manage.roll")), h("dd", {}, t("manage.rollValue", { heads: formatNumber(election.rollHeads), area: formatArea(election.rollArea) }))] : null,
      election.rollFingerprint ? [h("dt", {}, t("manage.rollFingerprint")), h("dd", { class: "hash" }, h("code", {}, election.rollFingerprint))] : null,
      election.state === "CLOSED" ? [h("dt", {}, t("manage.signoffs")), h("dd", {}, t("manage.signoffsValue", { n: formatNumber(election.signoffs.length) }))] : null,
    ),
    h("p", { class: "hint" }, t(`manage.next.${election.state}`, { opens: formatTime(election.opensAt), closes: formatTime(election.closesAt) })),
    h(
      "div",
      { class: "actions" },
      election.state === "DRAFT" ? h("a", { class: "button secondary", href: `#/election/${id}/edit` }, t("manage.edit")) : null,
      stepButtons,
    ),
  );

  return h(
    "section",
    { class: "manage" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${election.communityId}/elections` }, t("election.back"))),
    h("h1", { tabindex: "-1" }, t("manage.heading", { title: election.title })),
    ctx.query.get("saved") ? h("p", { class: "success", role: "status" }, t("manage.saved")) : null,
    h("div", { class: "actions" }, h("a", { class: "button secondary", href: `#/election/${id}` }, t("manage.ownerView")), staffLinks(election, { ...p, run: false })),
    error.node,
    lifecycle,
    election.state === "OPEN" ? h("p", { class: "notice" }, t("manage.noticesBySupervisors")) : null,
    election.state === "OPEN" ? await proxiesPanel(id, buildings) : null,
    election.state === "ANNOUNCED" ? h("p", { class: "notice" }, t("manage.proxiesAfterOpen")) : null,
  );
}

/** A warning per committee selection with fewer candidates than seats (seats stay vacant). */
export function shortLists(questions) {
  return questions
    .filter((q) => q.kind === "COMMITTEE" && q.candidates.length < q.seats)
    .map((q) => t("manage.fewerCandidates", { title: q.title, n: formatNumber(q.candidates.length), seats: formatNumber(q.seats) }));
}

async function proxiesPanel(id, buildings) {
  const error = errorBox();
  const listNode = h("div", {});
  async function drawList() {
    const { proxies } = await request(PROXIES, { id });
    replace(
      listNode,
      proxies.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "stacked" },
              h("caption", {}, t("proxy.listCaption", { n: formatNumber(proxies.filter((x) => !x.revoked).length) })),
              h("thead", {}, h("tr", {}, h("th", {}, t("proxy.elector")), h("th", {}, t("proxy.holder")), h("th", {}, t("proxy.paperRef")), h("th", {}, t("proxy.status")), h("th", {}, t("district.actions")))),
              h(
                "tbody",
                {},
                proxies.map((x) =>
                  h(
                    "tr",
                    { dataset: { proxy: x.id } },
                    h("td", { "data-label": t("proxy.elector") }, x.electorLabel, h("br"), h("small", { class: "owners" }, t("proxy.owners", { names: x.owners.join(t("list.separator")) }))),
                    h("td", { "data-label": t("proxy.holder") }, x.holderName),
                    h("td", { "data-label": t("proxy.paperRef") }, x.paperRef),
                    h("td", { "data-label": t("proxy.status") }, x.revoked ? t("proxy.revoked") : t("proxy.active")),
                    h(
                      "td",
                      { class: "actions" },
                      x.revoked
                        ? null
                        : h("button", { type: "button", class: "secondary", on: { click: (e) => revoke(e.currentTarget, x) } }, t("proxy.revoke")),
                    ),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "note" }, t("proxy.none")),
    );
  }
  async function revoke(button, proxy) {
    await busy(button, async () => {
      try {
        await mutate(REVOKE_PROXY, { id: proxy.id }, "revokeProxy");
        await drawList();
      } catch (err) {
        error.show(err.message);
      }
    });
  }

  const picker = electorPicker(id, buildings, { name: "electorId" });
  const phone = field({ name: "holderPhone", label: t("proxy.holderPhone"), type: "tel", inputmode: "tel", autocomplete: "off" });
  const name = field({ name: "holderName", label: t("proxy.holderName"), autocomplete: "off" });
  const ref = field({ name: "paperRef", label: t("proxy.paperRefLabel"), hint: t("proxy.paperRefHint"), autocomplete: "off" });
  const submit = h("button", { type: "submit", class: "primary" }, t("proxy.record"));
  const done = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "proxy-form", novalidate: true }, picker.node, phone.row, name.row, ref.row, error.node, submit, done);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    replace(done);
    markInvalid(form, null);
    const chosen = picker.selected();
    if (!chosen) {
      error.show(t("manage.pickElectorFirst"));
      return;
    }
    busy(submit, async () => {
      try {
        await mutate(
          RECORD_PROXY,
          { input: { electionId: id, electorId: chosen.id, holderPhone: phone.input.value, holderName: name.input.value, paperRef: ref.input.value } },
          "recordProxy",
        );
        replace(done, h("p", { class: "success", role: "status" }, t("proxy.recorded", { label: chosen.label, name: name.input.value.trim() })));
        phone.input.value = "";
        name.input.value = "";
        ref.input.value = "";
        await drawList();
      } catch (err) {
        error.show(err.message);
        markInvalid(form, err.field);
      }
    });
  });
  await drawList();
  return h(
    "section",
    { class: "panel", "aria-labelledby": "proxy-h" },
    h("h2", { id: "proxy-h" }, t("proxy.title")),
    h("p", {}, t("proxy.body")),
    listNode,
    h("h3", {}, t("proxy.formTitle")),
    form,
  );
}
