// The one confirmation for acts that cannot be undone (issue #14 item 6): publishing a rule
// version, announcing, opening, closing, cancelling and publishing a vote, signing off a result,
// publicising a vetted list, revoking. A modal <dialog>: its title says what is about to happen,
// its text what cannot be undone afterwards (Chinese first, as every string); focus moves into
// it on the cancel button (Enter alone never does the act), Tab stays inside, Escape cancels,
// and focus returns to the button that opened it. A refusal from the service is shown inside
// the dialog, which stays open so the person can read it or cancel.

import { h, newId } from "./dom.js";
import { busy, errorBox } from "./forms.js";
import { t } from "./i18n.js";

/**
 * Ask, then act. `run` (async) does the act when the person confirms; if it throws, its message
 * is shown in the dialog. Resolves true once `run` succeeded (or, without `run`, on confirming),
 * false on cancel. `warnings` are shown above the text, each as its own line (e.g. a committee
 * selection with fewer candidates than seats). `host` is where the dialog element is put
 * (default: <body>, outside the screen's own alerts; it is shown in the top layer either way)
 * and it is removed again when it closes.
 */
export function confirmAct({ title, text, yesLabel, run = null, danger = false, warnings = [], host = null }) {
  const opener = document.activeElement;
  const titleId = newId("confirm-title");
  const textId = newId("confirm-text");
  const error = errorBox();
  const yes = h("button", { type: "button", class: danger ? "danger" : "primary", dataset: { confirm: "yes" } }, yesLabel);
  const no = h("button", { type: "button", class: "secondary", autofocus: true, dataset: { confirm: "no" } }, t("action.cancel"));
  const dialog = h(
    "dialog",
    { class: "confirm-dialog", "aria-labelledby": titleId, "aria-describedby": textId },
    h("h2", { id: titleId }, title),
    warnings.length ? h("div", { class: "notice warnings", role: "note" }, warnings.map((w) => h("p", {}, w))) : null,
    h("p", { id: textId, class: "irreversible" }, text),
    error.node,
    h("div", { class: "actions" }, yes, no),
  );
  (host ?? document.body).append(dialog);

  return new Promise((resolve) => {
    let done = false;
    function finish(ok) {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(ok);
    }
    no.addEventListener("click", () => finish(false));
    // Escape (the dialog's own "cancel" event) and any other close count as "no"
    dialog.addEventListener("close", () => finish(false));
    yes.addEventListener("click", () => {
      error.clear();
      if (!run) return finish(true);
      return busy(yes, async () => {
        try {
          await run();
          finish(true);
        } catch (err) {
          error.show(err.message);
          no.focus();
        }
      });
    });
    dialog.showModal();
    no.focus();
  });
}

/** A button that asks with confirmAct before `run`; returns the button. */
export function confirmingButton({ label, className = "primary", dataset = null, ...ask }) {
  const button = h("button", { type: "button", class: className, dataset }, label);
  button.addEventListener("click", () => confirmAct(ask));
  return button;
}
