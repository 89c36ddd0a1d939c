// A compound's appointed running bodies (issue #13 item 2): the preparatory group (筹备组) and,
// where no committee can be formed, the 物业管理委员会 (物管会). The governance page lists them
// (kind, term, members, state, dissolution) and lets an official appoint one — owners picked
// from the roll, community and party representatives by name and phone, the term's last day and
// a reason, behind the confirmation dialog (confirm.js) — then shows the new representatives' activation letters to
// print. Owners see the members' names on their home card.

import { mutate, PROBLEM } from "./api.js";
import { h, newId, replace } from "./dom.js";
import { confirmAct } from "./confirm.js";
import { field, markInvalid } from "./forms.js";
import { formatDate, t } from "./i18n.js";
import { ownerPicker } from "./owners.js";
import { formatTime } from "./voting.js";
import { actionForm, reasonField } from "./govern.js";

export const BODY_FIELDS = `id kind state appointedAt appointedBy reason endsAt dissolvedAt dissolveReason
  members { id kind name role phone held revokedAt revokeReason }`;

const APPOINT = {
  preparatory: "appointPreparatoryGroup",
  stand_in: "appointStandInBody",
};
const mutation = (name) => `
mutation Appoint($input: AppointRunningBodyInput!) {
  ${name}(input: $input) {
    __typename
    ... on RunningBodyAppointed { body { ${BODY_FIELDS} } letters { name phone activationCode } }
    ...ProblemFields
  }
} ${PROBLEM}`;

const BODY_ROLES = ["preparatory", "stand_in"];
const REP_KINDS = ["COMMUNITY_REPRESENTATIVE", "PARTY_REPRESENTATIVE"];

function kindLabel(kind) {
  return t(kind === "stand_in" ? "bodies.kind.stand_in" : "bodies.kind.preparatory");
}

function stateLabel(state) {
  return t(`bodies.state.${["in_force", "ended", "dissolved", "revoked"].includes(state) ? state : "ended"}`);
}

/** The bodies as cards: kind, state, term, who appointed them and why, members and their grants. */
export function bodyList(bodies) {
  if (!bodies.length) return h("p", { class: "hint" }, t("bodies.none"));
  return h(
    "ul",
    { class: "plain bodies" },
    bodies.map((b) =>
      h(
        "li",
        { class: "card body", dataset: { body: b.id, kind: b.kind, state: b.state } },
        h("h3", {}, kindLabel(b.kind), " ", h("span", { class: `state state-${b.state}` }, stateLabel(b.state))),
        h("p", {}, t("bodies.term", { from: formatDate(b.appointedAt), until: formatTime(b.endsAt) })),
        h("p", { class: "hint" }, t("bodies.appointedBy", { name: b.appointedBy ?? "—", reason: b.reason })),
        b.dissolvedAt ? h("p", { class: "notice" }, t("bodies.dissolved", { at: formatTime(b.dissolvedAt), reason: b.dissolveReason ?? "" })) : null,
        h(
          "ul",
          { class: "members" },
          b.members.map((m) =>
            h(
              "li",
              { dataset: { held: String(m.held), kind: m.kind } },
              h("span", { class: "cand-name" }, m.name),
              " ",
              h("small", {}, t(`bodies.member.${m.kind}`)),
              m.phone ? h("small", { translate: "no" }, ` ${m.phone}`) : null,
              !m.held && m.revokedAt ? h("small", {}, ` ${t("bodies.memberRevoked", { at: formatTime(m.revokedAt), reason: m.revokeReason ?? "" })}`) : null,
            ),
          ),
        ),
      ),
    ),
  );
}

/** An in-force body's members by name, for owners (their home card): "筹备组：张三、李四". */
export function bodyNames(bodies) {
  const sitting = bodies.filter((b) => b.state === "in_force");
  if (!sitting.length) return null;
  return sitting.map((b) =>
    h(
      "p",
      { class: "body-names", dataset: { kind: b.kind } },
      h("strong", {}, t("bodies.namesLead", { kind: kindLabel(b.kind), until: formatDate(b.endsAt) })),
      " ",
      b.members.filter((m) => m.held).map((m) => m.name).join(t("list.separator")),
    ),
  );
}

/** One representative's row: what they stand for, name, phone, and a remove button. */
function repRow(onRemove) {
  const kindId = newId("rep-kind");
  const kind = h("select", { id: kindId }, REP_KINDS.map((k) => h("option", { value: k }, t(`bodies.member.${k}`))));
  const name = field({ name: "rep-name", label: t("bodies.repName"), maxlength: "100", required: true });
  const phone = field({ name: "rep-phone", label: t("bodies.repPhone"), type: "tel", inputmode: "numeric", maxlength: "20", required: true });
  const row = h(
    "fieldset",
    { class: "rep" },
    h("legend", {}, t("bodies.repLegend")),
    h("div", { class: "field" }, h("label", { for: kindId }, t("bodies.repKind")), kind),
    name.row,
    phone.row,
    h("button", { type: "button", class: "secondary small", on: { click: () => onRemove(row) } }, t("bodies.repRemove")),
  );
  return { row, kind, name: name.input, phone: phone.input };
}

function letter(community, kind, l) {
  return h(
    "article",
    { class: "letter", dataset: { phone: l.phone } },
    h("header", {}, h("p", { class: "from" }, community.name), h("h2", {}, t("bodies.letterTitle", { kind: kindLabel(kind) }))),
    h("p", { class: "to" }, t("officials.dear", { name: l.name })),
    h("p", {}, t("bodies.letterBody", { community: community.name, kind: kindLabel(kind), phone: l.phone })),
    h("div", { class: "code-box" }, h("p", {}, t("letters.codeLabel")), h("p", { class: "code", translate: "no" }, l.activationCode)),
    h("ol", { class: "steps" },
      h("li", {}, t("letters.step1"), " ", h("span", { class: "url" }, `${location.origin}/#/activate`)),
      h("li", {}, t("bodies.step2")),
      h("li", {}, t("letters.step3"))),
    h("p", { class: "warn" }, t("bodies.keepSafe")),
    h("footer", {}, h("p", {}, community.name, " · ", formatDate(new Date().toISOString()))),
  );
}

/** Why no appointment can be made now (a committee sits, or a body's grants are held), or null. */
export function appointBlocker(roles) {
  const held = roles.filter((r) => r.held);
  if (held.some((r) => r.role === "committee")) return t("bodies.blockedCommittee");
  const sitting = held.filter((r) => BODY_ROLES.includes(r.role));
  if (sitting.length) {
    return t("bodies.blockedBody", { names: [...new Set(sitting.map((r) => r.holder))].join(t("list.separator")) });
  }
  return null;
}

/** The date input's value `days` from today (local), for the term's default end. */
function dateIn(days) {
  const d = new Date(Date.now() + days * 86400e3);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The official's appointment form. `out` receives the letters after success; `onDone` reloads
 * the page. The submit asks first in the confirmation dialog (a summary and "确定任命…"); a
 * refusal of the service shows in the dialog and marks the input it names.
 */
export function appointForm({ community, out, onDone }) {
  const kindId = newId("body-kind");
  const kindHint = h("p", { class: "hint", id: `${kindId}-hint` }, t("bodies.appointHint.preparatory"));
  const kindSelect = h(
    "select",
    { id: kindId, name: "kind", "aria-describedby": kindHint.id },
    ["preparatory", "stand_in"].map((k) => h("option", { value: k }, t(`bodies.appoint.${k}`))),
  );
  kindSelect.addEventListener("change", () => replace(kindHint, t(`bodies.appointHint.${kindSelect.value}`)));
  const chosenKind = () => kindSelect.value;
  const owners = ownerPicker({ communityId: community.id, label: t("bodies.owners"), name: "owner-members", max: 99 });
  const reps = [];
  const repBox = h("div", { class: "reps" });
  const removeRep = (row) => {
    const i = reps.findIndex((r) => r.row === row);
    if (i >= 0) reps.splice(i, 1);
    row.remove();
  };
  const addRep = h("button", { type: "button", class: "secondary", on: { click: () => {
    const rep = repRow(removeRep);
    reps.push(rep);
    repBox.append(rep.row);
    rep.name.focus();
  } } }, t("bodies.repAdd"));
  const ends = field({ name: "termEndsOn", label: t("bodies.termEndsOn"), type: "date", required: true, value: dateIn(365), hint: t("bodies.termHint") });
  const reason = reasonField(t("bodies.reason"));

  function input() {
    const ownerMembers = owners.chosen().map((o) => ({ kind: "OWNER", personId: o.id }));
    reps.forEach((r, j) => {
      // name the inputs as the service's Problem.field does, so a refusal points at the input
      r.name.name = `members[${ownerMembers.length + j}].name`;
      r.phone.name = `members[${ownerMembers.length + j}].phone`;
    });
    return {
      communityId: community.id,
      members: [
        ...ownerMembers,
        ...reps.map((r) => ({ kind: r.kind.value, name: r.name.value.trim(), phone: r.phone.value.trim() })),
      ],
      termEndsOn: ends.input.value,
      reason: reason.input.value,
    };
  }

  const form = actionForm({
    rows: [
      h("div", { class: "field" }, h("label", { for: kindId }, t("bodies.kindLegend")), kindHint, kindSelect),
      owners.node,
      h("div", { class: "field" }, h("p", { class: "label" }, t("bodies.reps")), h("p", { class: "hint" }, t("bodies.repsHint")), repBox, addRep),
      ends.row,
      reason.row,
    ],
    submitLabel: t("bodies.check"),
    work: async () => {
      const spec = input();
      const kind = chosenKind();
      await confirmAct({
        title: t(`bodies.confirmTitle.${kind}`),
        text: t(`bodies.confirmText.${kind}`, {
          owners: spec.members.filter((m) => m.kind === "OWNER").length,
          reps: spec.members.filter((m) => m.kind !== "OWNER").length,
          until: spec.termEndsOn,
        }),
        yesLabel: t(`bodies.confirm.${kind}`),
        run: async () => {
          try {
            const done = await mutate(mutation(APPOINT[kind]), { input: spec }, APPOINT[kind]);
            showLetters(community, kind, done, out, onDone);
          } catch (err) {
            markInvalid(form, err.field);
            throw err;
          }
        },
      });
    },
  });
  return form;
}

function showLetters(community, kind, done, out, onDone) {
  const reload = h("button", { type: "button", class: "secondary", on: { click: () => onDone() } }, t("bodies.reload"));
  const saved = h("p", { class: "success", role: "status" }, t("bodies.appointed", { kind: kindLabel(kind), count: done.body.members.length }));
  if (!done.letters.length) {
    replace(out, saved, h("p", {}, t("bodies.noLetters")), reload);
  } else {
    replace(
      out,
      h("div", { class: "no-print" }, saved, h("p", {}, t("bodies.printHint")),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", on: { click: () => window.print() } }, t("letters.print")),
          reload)),
      h("div", { class: "sheets" }, done.letters.map((l) => letter(community, kind, l))),
    );
  }
  out.scrollIntoView();
}
