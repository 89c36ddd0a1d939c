// Log in with phone and password. New owners are pointed to activation with their letter.

import { mutate, PROBLEM } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { t } from "../i18n.js";
import { reset as resetLive } from "../live.js";
import { navigate } from "../router.js";
import { landing, ME_FIELDS, setViewer } from "../session.js";

const LOGIN = `
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { me { ${ME_FIELDS} } }
    ...ProblemFields
  }
} ${PROBLEM}`;

/** Where to go after logging in: only our own hash paths, never an outside address. */
export function safeNext(next) {
  return next && /^\/[\w/-]*$/.test(next) && !next.startsWith("/login") ? next : landing();
}

export default function render(ctx) {
  const phone = field({
    name: "phone",
    label: t("login.phone"),
    type: "tel",
    inputmode: "numeric",
    autocomplete: "username",
    required: true,
    maxlength: "20",
  });
  const password = field({
    name: "password",
    label: t("login.password"),
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const error = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, t("login.submit"));
  const form = h(
    "form",
    { class: "stack", novalidate: true, on: { submit: onSubmit } },
    phone.row,
    password.row,
    error.node,
    submit,
    h("p", {}, h("a", { href: "#/reset" }, t("login.forgot"))),
  );

  async function onSubmit(event) {
    event.preventDefault();
    error.clear();
    markInvalid(form, null);
    if (!phone.input.value.trim() || !password.input.value) {
      error.show(t("login.missing"));
      markInvalid(form, phone.input.value.trim() ? "password" : "phone");
      return;
    }
    try {
      const result = await busy(submit, () =>
        mutate(LOGIN, { input: { phone: phone.input.value.trim(), password: password.input.value } }, "login"),
      );
      setViewer(result.me);
      await resetLive();
      navigate(safeNext(ctx.query.get("next")));
    } catch (err) {
      password.input.value = "";
      error.show(err.message);
      markInvalid(form, err.field ?? "password");
    }
  }

  return h(
    "section",
    { class: "panel narrow" },
    h("h1", { tabindex: "-1" }, t("login.title")),
    h("p", { class: "lead" }, t("login.intro")),
    form,
    h(
      "div",
      { class: "aside" },
      h("h2", {}, t("login.firstTime")),
      h("p", {}, t("login.firstTimeBody")),
      h("a", { class: "button secondary", href: "#/activate" }, t("login.toActivate")),
    ),
  );
}
