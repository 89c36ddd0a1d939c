// First login of an owner: the phone on the roll, the code from the printed letter, and a new
// password typed twice. Success logs the owner in.

import { mutate, PROBLEM } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid, newPasswordFields, readyWithPassword } from "../forms.js";
import { t } from "../i18n.js";
import { reset as resetLive } from "../live.js";
import { navigate } from "../router.js";
import { ME_FIELDS, setViewer } from "../session.js";

const ACTIVATE = `
mutation Activate($input: ActivateInput!) {
  activateAccount(input: $input) {
    __typename
    ... on LoginSuccess { me { ${ME_FIELDS} } }
    ...ProblemFields
  }
} ${PROBLEM}`;

export default function render(ctx) {
  const phone = field({
    name: "phone",
    label: t("activate.phone"),
    hint: t("activate.phoneHint"),
    type: "tel",
    inputmode: "numeric",
    autocomplete: "username",
    required: true,
    maxlength: "20",
  });
  const code = field({
    name: "code",
    label: t("activate.code"),
    hint: t("activate.codeHint"),
    autocomplete: "one-time-code",
    autocapitalize: "characters",
    spellcheck: "false",
    required: true,
    maxlength: "32",
  });
  const newPassword = newPasswordFields(t("activate.password"));
  const { password, again } = newPassword;
  // The QR code on a printed letter opens #/activate?code=…: fill the code in, then take it
  // out of the address bar and the history so that it is not left behind on a shared phone.
  const fromLetter = ctx?.query?.get("code");
  if (fromLetter) {
    code.input.value = fromLetter.slice(0, 32);
    history.replaceState(history.state, "", "#/activate");
  }
  const error = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, t("activate.submit"));
  const form = h(
    "form",
    { class: "stack", novalidate: true, on: { submit: onSubmit } },
    phone.row,
    code.row,
    ...newPassword.rows,
    error.node,
    submit,
  );

  async function onSubmit(event) {
    event.preventDefault();
    error.clear();
    markInvalid(form, null);
    if (!readyWithPassword(form, error, [phone, code, password, again], newPassword)) return;
    const input = {
      phone: phone.input.value.trim(),
      code: code.input.value.trim(),
      password: password.input.value,
    };
    try {
      const result = await busy(submit, () => mutate(ACTIVATE, { input }, "activateAccount"));
      setViewer(result.me);
      await resetLive();
      navigate("/home?welcome=1");
    } catch (err) {
      error.show(err.message);
      markInvalid(form, err.field);
    }
  }

  return h(
    "section",
    { class: "panel narrow" },
    h("h1", { tabindex: "-1" }, t("activate.title")),
    h("p", { class: "lead" }, t("activate.intro")),
    form,
    h("p", { class: "aside" }, t("activate.haveAccount"), " ", h("a", { href: "#/login" }, t("activate.toLogin"))),
  );
}
