// The acts on a committee term: record its chair and vice-chairs (with the minutes as the
// reason), end a sitting member's seat (resigned, recalled by a published election, vacant;
// behind a confirmation, since the next alternate steps up at once), and start the 换届.

import { mutate, PROBLEM } from "./api.js";
import { h, newId, replace } from "./dom.js";
import { field } from "./forms.js";
import { t } from "./i18n.js";
import { navigate, rerender } from "./router.js";
import { fromLocalInput } from "./voting.js";
import { actionForm, reasonField } from "./govern.js";

const SAVED = `__typename ... on CommitteeTermSaved { term { id } } ...ProblemFields`;
const OFFICERS = `mutation Officers($input: CommitteeOfficersInput!) { recordCommitteeOfficers(input: $input) { ${SAVED} } } ${PROBLEM}`;
const END = `mutation EndSeat($input: EndCommitteeSeatInput!) { endCommitteeSeat(input: $input) { ${SAVED} } } ${PROBLEM}`;
const REELECT = `
mutation ReElect($input: ReElectionInput!) {
  startReElection(input: $input) { __typename ... on ElectionSaved { election { id } } ...ProblemFields }
} ${PROBLEM}`;

const sitting = (tm) => tm.seats.filter((s) => !s.endedAt && s.kind === "member");

export function officersForm(tm) {
  const chairId = newId("chair");
  const chair = h("select", { id: chairId, name: "chairSeatId" }, sitting(tm).map((s) => h("option", { value: s.id, selected: s.office === "chair" }, s.name)));
  const vices = sitting(tm).map((s) => {
    const box = h("input", { type: "checkbox", id: newId("vice"), value: s.id, checked: s.office === "vice_chair" });
    return h("div", { class: "field check" }, h("label", { for: box.id }, box, " ", s.name));
  });
  const reason = reasonField(t("terms.officersReason"));
  return actionForm({
    rows: [
      h("div", { class: "field" }, h("label", { for: chairId }, t("terms.chair")), chair),
      h("fieldset", { class: "choices" }, h("legend", {}, t("terms.vices")), vices),
      reason.row,
    ],
    submitLabel: t("terms.officersSave"),
    work: async () => {
      const viceSeatIds = vices.map((v) => v.querySelector("input")).filter((b) => b.checked).map((b) => b.value);
      await mutate(OFFICERS, { input: { termId: tm.id, chairSeatId: chair.value, viceSeatIds, reason: reason.input.value } }, "recordCommitteeOfficers");
      rerender();
    },
  });
}

export function endSeatControl(seat) {
  const wrap = h("div", { class: "end-seat" });
  const open = h("button", { type: "button", class: "secondary small" }, t("terms.endSeat"));
  open.addEventListener("click", () => {
    const whyId = newId("end-why");
    const why = h("select", { id: whyId, name: "reason" }, ["RESIGNED", "RECALLED", "VACANT"].map((r) => h("option", { value: r }, t(`terms.endWhy.${r}`))));
    const recall = field({ name: "recallElectionId", label: t("terms.recallElection"), hint: t("terms.recallHint"), inputmode: "numeric" });
    const form = actionForm({
      danger: true,
      rows: [h("p", { class: "confirm" }, t("terms.endConfirm", { name: seat.name })), h("div", { class: "field" }, h("label", { for: whyId }, t("terms.endReason")), why), recall.row],
      submitLabel: t("terms.endDo"),
      work: async () => {
        const input = { seatId: seat.id, reason: why.value, recallElectionId: why.value === "RECALLED" ? recall.input.value.trim() || null : null };
        await mutate(END, { input }, "endCommitteeSeat");
        rerender();
      },
    });
    replace(wrap, form, h("button", { type: "button", class: "secondary", on: { click: () => replace(wrap, open) } }, t("action.cancel")));
  });
  wrap.append(open);
  return wrap;
}

export function reElectionForm(tm) {
  const opens = field({ name: "opensAt", label: t("terms.opensAt"), type: "datetime-local", required: true, hint: t("forums.timeHint") });
  const closes = field({ name: "closesAt", label: t("terms.closesAt"), type: "datetime-local", required: true });
  return actionForm({
    rows: [h("p", { class: "hint" }, t("terms.reElectHint")), opens.row, closes.row],
    submitLabel: t("terms.reElect"),
    work: async () => {
      const input = { termId: tm.id, opensAt: fromLocalInput(opens.input.value), closesAt: fromLocalInput(closes.input.value) };
      const saved = await mutate(REELECT, { input }, "startReElection");
      navigate(`/election/${saved.election.id}/edit`);
    },
  });
}
