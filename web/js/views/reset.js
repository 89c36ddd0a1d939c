// "忘记密码": ask for a code sent by text to the phone on the roll, then set a new password with
// it (docs/design.md §3.9). The server answers alike whether or not the phone has an account, so
// this screen does too. Owners who cannot get a text are pointed to a reset letter.

import { mutate, PROBLEM } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid, newPasswordFields, readyWithPassword } from "../forms.js";
import { t } from "../i18n.js";
import { reset as resetLive } from "../live.js";
import { navigate } from "../router.js";
import { ME_FIELDS, setViewer } from "../session.js";

const REQUEST = `
mutation RequestReset($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) {
    __typename
    ... on PasswordResetRequested { minutes }
    ...ProblemFields
  }
} ${PROBLEM}`;

const RESET = `
mutation ResetPassword($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    __typename
    ... on LoginSuccess { me { ${ME_FIELDS} } }
    ...ProblemFields
  }
} ${PROBLEM}`;

export default function render() {
  const phone = field({
    name: "phone",
    label: t("reset.phone"),
    hint: t("reset.phoneHint"),
    type: "tel",
    inputmode: "numeric",
    autocomplete: "username",
    required: true,
    maxlength: "20",
  });
  const code = field({
    name: "code",
    label: t("reset.code"),
    inputmode: "numeric",
    autocomplete: "one-time-code",
    required: true,
    maxlength: "8",
  });
  const newPassword = newPasswordFields(t("reset.password"));
  const { password, again } = newPassword;
  const sent = h("p", { class: "notice", role: "status", hidden: true });
  const askError = errorBox();
  const ask = h("button", { type: "submit", class: "secondary" }, t("reset.send"));
  const askForm = h(
    "form",
    { class: "stack", novalidate: true, on: { submit: onAsk } },
    phone.row,
    askError.node,
    ask,
    sent,
  );
  const error = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, t("reset.submit"));
  const resetForm = h(
    "form",
    { class: "stack", novalidate: true, hidden: true, on: { submit: onReset } },
    code.row,
    ...newPassword.rows,
    error.node,
    submit,
  );

  async function onAsk(event) {
    event.preventDefault();
    askError.clear();
    markInvalid(askForm, null);
    if (!phone.input.value.trim()) {
      askError.show(t("reset.missingPhone"));
      markInvalid(askForm, "phone");
      return;
    }
    try {
      const result = await busy(ask, () =>
        mutate(REQUEST, { input: { phone: phone.input.value.trim() } }, "requestPasswordReset"),
      );
      sent.textContent = t("reset.sent", { minutes: result.minutes });
      sent.hidden = false;
      resetForm.hidden = false;
      code.input.focus();
    } catch (err) {
      askError.show(err.message);
      markInvalid(askForm, err.field ?? "phone");
    }
  }

  async function onReset(event) {
    event.preventDefault();
    error.clear();
    markInvalid(resetForm, null);
    if (!readyWithPassword(resetForm, error, [code, password, again], newPassword)) return;
    const input = {
      phone: phone.input.value.trim(),
      code: code.input.value.trim(),
      password: password.input.value,
    };
    try {
      const result = await busy(submit, () => mutate(RESET, { input }, "resetPassword"));
      setViewer(result.me);
      await resetLive();
      navigate("/home");
    } catch (err) {
      error.show(err.message);
      markInvalid(resetForm, err.field);
    }
  }

  return h(
    "section",
    { class: "panel narrow" },
    h("h1", { tabindex: "-1" }, t("reset.title")),
    h("p", { class: "lead" }, t("reset.intro")),
    askForm,
    resetForm,
    h("div", { class: "aside" }, h("h2", {}, t("reset.noPhone")), h("p", {}, t("reset.noPhoneBody"))),
    h("p", { class: "aside" }, h("a", { href: "#/login" }, t("reset.toLogin"))),
  );
}
