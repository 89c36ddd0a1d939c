// A compound's committee terms (业委会, 监委会), present and past: seats in the order elected,
// officers, ended seats with the reason, vacancies and the 90/30-day reminders. The committee
// (or officials for it) records the chair and vice-chairs; officials end a seat for resignation,
// recall or vacancy (the next alternate steps up); the running body starts the 换届 election.

import { request } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { RUNNING_BODY, districtsOf, isAdmin, rolesIn } from "../session.js";
import { formatTime } from "../voting.js";
import { endSeatControl, officersForm, reElectionForm } from "../termforms.js";

const LOAD = `
query Terms($id: ID!) {
  community(id: $id) { id name }
  committeeTerms(communityId: $id) {
    id committee electionId seatCount startsAt endsAt inOffice vacancies reminders
    seats { id personId name kind position office startedAt endedAt endReason recallElectionId steppedUpFrom }
  }
}`;

function seatRow(s, official) {
  const sitting = !s.endedAt;
  return h(
    "tr",
    { dataset: { seat: s.id, kind: s.kind, office: s.office ?? "", sitting: String(sitting) } },
    h("th", { scope: "row" }, s.name),
    h("td", { "data-label": t("terms.kind") }, t(`terms.kind.${s.kind}`), ` ${formatNumber(s.position)}`),
    h("td", { "data-label": t("terms.office") }, s.office ? t(`terms.office.${s.office}`) : "—"),
    h("td", { "data-label": t("terms.since") }, formatTime(s.startedAt)),
    h("td", { "data-label": t("terms.ended") }, s.endedAt ? `${formatTime(s.endedAt)} ${s.endReason ? t(`terms.end.${s.endReason}`) : ""}` : "—"),
    h("td", { class: "actions" }, official && sitting && s.kind === "member" ? endSeatControl(s) : null),
  );
}

function term(tm, can) {
  return h(
    "section",
    { class: "panel term", dataset: { term: tm.id, committee: tm.committee, inOffice: String(tm.inOffice) } },
    h("h2", {}, t(`terms.committee.${tm.committee}`), " ", h("span", { class: `chip ${tm.inOffice ? "ok" : ""}` }, t(tm.inOffice ? "terms.inOffice" : "terms.past"))),
    h("p", { class: "meta" }, t("terms.span", { from: formatTime(tm.startsAt), to: formatTime(tm.endsAt), seats: formatNumber(tm.seatCount) })),
    tm.vacancies ? h("p", { class: "chip bad" }, t("district.vacancies", { n: formatNumber(tm.vacancies) })) : null,
    tm.reminders.map((days) => h("p", { class: "notice", role: "status" }, t("terms.reminder", { days: formatNumber(days), at: formatTime(tm.endsAt) }))),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t(`terms.committee.${tm.committee}`) },
      h("table", { class: "stacked" },
        h("thead", {}, h("tr", {}, ["terms.name", "terms.kind", "terms.office", "terms.since", "terms.ended", "gov.actions"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, tm.seats.map((s) => seatRow(s, can.official && tm.inOffice))))),
    tm.inOffice && can.officers ? h("details", { class: "action" }, h("summary", {}, t("terms.officersTitle")), officersForm(tm)) : null,
    tm.inOffice && can.reElect ? h("details", { class: "action" }, h("summary", {}, t("terms.reElectTitle")), reElectionForm(tm)) : null,
  );
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LOAD, { id });
  const mine = rolesIn(id);
  const official = districtsOf().length > 0 || isAdmin();
  const can = {
    official,
    officers: official || mine.includes("committee"),
    reElect: mine.some((r) => RUNNING_BODY.includes(r)),
  };
  return h(
    "section",
    { class: "terms" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${id}/governance` }, t("gov.back"))),
    h("h1", { tabindex: "-1" }, t("terms.title", { name: data.community.name })),
    data.committeeTerms.length ? data.committeeTerms.map((tm) => term(tm, can)) : h("p", { class: "panel hint" }, t("terms.none")),
  );
}
