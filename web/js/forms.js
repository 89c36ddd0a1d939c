// Form building blocks: every input has a visible label, errors are announced (role="alert")
// and tied to their input (aria-describedby, aria-invalid), and a busy button cannot be pressed
// twice.

import { h, newId, replace } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A labelled input. Returns { row, input }. `name` is also the Problem.field the service uses,
 * so a refusal can point at the right input.
 */
export function field({ name, label, type = "text", hint = null, tag = "input", ...attrs }) {
  const id = newId(name);
  const hintId = hint ? `${id}-hint` : null;
  const input = h(tag, { id, name, type: tag === "input" ? type : null, "aria-describedby": hintId, ...attrs });
  const row = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    input,
  );
  return { row, input };
}

/** An alert region for a form's error; show(err) / clear(). */
export function errorBox() {
  const box = h("div", { class: "error", role: "alert", hidden: true });
  return {
    node: box,
    show(message, extra = null) {
      replace(box, h("p", {}, message), extra);
      box.hidden = false;
    },
    clear() {
      replace(box);
      box.hidden = true;
    },
  };
}

/** Mark the input a Problem points at (its `field`), and move focus there. */
export function markInvalid(form, fieldName) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  if (!fieldName) return;
  const input = form.querySelector(`[name="${CSS.escape(fieldName)}"]`);
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

/** Run `work` with the button disabled and showing a busy label. */
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = t("action.working");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

/**
 * A new password and the same typed again, with the strength advice under the first: one
 * place for the activation and the reset screens, so both ask alike. Returns
 * { password, again, rows }.
 */
export function newPasswordFields(label) {
  const password = field({
    name: "password",
    label,
    hint: t("password.advice"),
    type: "password",
    autocomplete: "new-password",
    required: true,
  });
  const again = field({
    name: "again",
    label: t("activate.again"),
    type: "password",
    autocomplete: "new-password",
    required: true,
  });
  return { password, again, rows: [password.row, again.row] };
}

/**
 * Before sending a form with a new password: every field filled and the password typed the
 * same twice. Otherwise says which and marks it, so the owner is not sent to the server and
 * back for a slip; true when it may be sent.
 */
export function readyWithPassword(form, error, fields, { password, again }) {
  for (const f of fields) {
    if (!f.input.value.trim()) {
      error.show(t("activate.missing"));
      markInvalid(form, f.input.name);
      return false;
    }
  }
  if (password.input.value !== again.input.value) {
    error.show(t("activate.mismatch"));
    again.input.value = "";
    markInvalid(form, "again");
    return false;
  }
  return true;
}
