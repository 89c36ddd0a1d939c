// What the organisation and governance screens share (issue #13): role records as a table with
// "revoke with a reason" behind a confirmation, a reason field, a button that confirms
// irreversible acts (confirm.js), and a small form runner that shows a refusal where it belongs.

import { mutate, PROBLEM } from "./api.js";
import { h, replace } from "./dom.js";
import { confirmAct } from "./confirm.js";
import { busy, errorBox, field, markInvalid } from "./forms.js";
import { has, t } from "./i18n.js";
import { formatTime } from "./voting.js";

export const ROLE_FIELDS = `id role holder communityId districtId grantedAt grantedBy reason endsAt
  revokedAt revokedBy revokeReason held`;

const REVOKE = `
mutation RevokeRole($input: RevokeRoleInput!) {
  revokeRole(input: $input) {
    __typename
    ... on RoleRevoked { grant { id held } }
    ...ProblemFields
  }
} ${PROBLEM}`;

/** A role's name in the chosen language (a role the catalogue does not know shows as sent). */
export function roleLabel(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : role;
}

/** A required reason (every grant, revocation and setting change carries one). */
export function reasonField(label = t("gov.reason"), name = "reason") {
  return field({ name, label, tag: "textarea", rows: "2", maxlength: "2000", required: true });
}

/**
 * A form whose submit runs `work()` (returning what mutate returned) with the button busy; a
 * refusal is shown in the form's alert box and marks the input it names. Returns the form.
 */
export function actionForm({ rows, submitLabel, work, danger = false, className = "stack" }) {
  const error = errorBox();
  const submit = h("button", { type: "submit", class: danger ? "danger" : "primary" }, submitLabel);
  const form = h("form", { class: className, novalidate: true }, rows, error.node, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    markInvalid(form, null);
    busy(submit, async () => {
      try {
        await work();
      } catch (err) {
        error.show(err.message);
        markInvalid(form, err.field);
      }
    });
  });
  return form;
}

/**
 * A button that first asks (the shared confirmation dialog, confirm.js): `text` says what cannot
 * be undone, with a confirming button and a cancel. `run` does the act; a refusal shows in the
 * dialog. Returns the node (the button in its wrapper).
 */
export function confirmButton({ label, text, yesLabel, run, danger = false, dataset = null, title = null }) {
  const wrap = h("div", { class: "confirm-step" });
  const open = h("button", { type: "button", class: danger ? "secondary" : "primary", dataset }, label);
  open.addEventListener("click", () => confirmAct({ title: title ?? label, text, yesLabel, run, danger }));
  wrap.append(open);
  return wrap;
}

/** The revoke control of one held grant: a reason, then a confirmation. */
function revokeControl(record, onDone) {
  const wrap = h("div", { class: "revoke" });
  const openButton = h("button", { type: "button", class: "secondary small", dataset: { revoke: record.id } }, t("gov.revoke"));
  openButton.addEventListener("click", () => {
    const reason = reasonField(t("gov.revokeReason"));
    const form = actionForm({
      rows: [h("p", { class: "confirm" }, t("gov.revokeConfirm", { who: record.holder, role: roleLabel(record.role) })), reason.row],
      submitLabel: t("gov.revokeDo"),
      danger: true,
      work: async () => {
        await mutate(REVOKE, { input: { grantId: record.id, reason: reason.input.value } }, "revokeRole");
        await onDone();
      },
    });
    replace(wrap, form, h("button", { type: "button", class: "secondary", on: { click: () => replace(wrap, openButton) } }, t("action.cancel")));
    reason.input.focus();
  });
  wrap.append(openButton);
  return wrap;
}

/**
 * Role records as a table: who, what, since, until, why, and (held ones, where `canRevoke`)
 * a revoke control. Ended and revoked grants show who ended them and why.
 */
export function roleTable(records, { canRevoke = () => false, onChanged = async () => {}, caption }) {
  if (!records.length) return h("p", { class: "hint" }, t("gov.noRoles"));
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "stacked roles" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {},
        ["gov.who", "gov.what", "gov.since", "gov.until", "gov.why", "gov.actions"].map((k) => h("th", { scope: "col" }, t(k))))),
      h(
        "tbody",
        {},
        records.map((r) =>
          h(
            "tr",
            { dataset: { grant: r.id, role: r.role, held: String(r.held) } },
            h("th", { scope: "row" }, r.holder),
            h("td", { "data-label": t("gov.what") }, roleLabel(r.role)),
            h("td", { "data-label": t("gov.since") }, formatTime(r.grantedAt), r.grantedBy ? h("small", {}, ` ${t("gov.by", { name: r.grantedBy })}`) : null),
            h("td", { "data-label": t("gov.until") }, r.revokedAt
              ? [t("gov.revokedAt", { at: formatTime(r.revokedAt) }), h("small", {}, ` ${t("gov.by", { name: r.revokedBy ?? "—" })}：${r.revokeReason ?? ""}`)]
              : r.endsAt ? formatTime(r.endsAt) : t("gov.noEnd")),
            h("td", { "data-label": t("gov.why") }, r.reason),
            h("td", { class: "actions" }, r.held && canRevoke(r) ? revokeControl(r, onChanged) : null),
          ),
        ),
      ),
    ),
  );
}
