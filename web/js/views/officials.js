// One district (街道): its officials (who, since, until, why; admins revoke with a reason), the
// admins' "appoint an official by phone" form with the new account's activation letter to print,
// and the district's 两考 settings (which steps its compounds' candidates must pass; a forum
// keeps the steps in force when it was recorded).

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { field } from "../forms.js";
import { formatDate, t } from "../i18n.js";
import { rerender } from "../router.js";
import { isAdmin } from "../session.js";
import { formatTime, fromLocalInput } from "../voting.js";
import { actionForm, reasonField, ROLE_FIELDS, roleTable } from "../govern.js";

const VETTING_FIELDS = "examRequired reviewRequired reason updatedAt updatedBy";
const LOAD = `
query DistrictOfficials($id: ID!) {
  districts { id name code vetting { ${VETTING_FIELDS} } }
  districtRoles(districtId: $id, includeEnded: true) { ${ROLE_FIELDS} }
}`;
const APPOINT = `
mutation AppointOfficial($input: AppointOfficialInput!) {
  appointOfficial(input: $input) {
    __typename
    ... on OfficialAppointed { activationCode grant { id holder } }
    ...ProblemFields
  }
} ${PROBLEM}`;
const VETTING_NOW = `
query DistrictVetting($id: ID!) { districtVetting(districtId: $id) { ${VETTING_FIELDS} } }`;
const VETTING = `
mutation SetDistrictVetting($input: DistrictVettingInput!) {
  setDistrictVetting(input: $input) {
    __typename
    ... on DistrictVettingSaved { examRequired reviewRequired }
    ...ProblemFields
  }
} ${PROBLEM}`;

function letter(district, name, phone, code) {
  return h(
    "article",
    { class: "letter" },
    h("header", {}, h("p", { class: "from" }, district.name), h("h2", {}, t("officials.letterTitle"))),
    h("p", { class: "to" }, t("officials.dear", { name })),
    h("p", {}, t("officials.letterBody", { district: district.name, phone })),
    h("div", { class: "code-box" }, h("p", {}, t("letters.codeLabel")), h("p", { class: "code", translate: "no" }, code)),
    h("ol", { class: "steps" },
      h("li", {}, t("letters.step1"), " ", h("span", { class: "url" }, `${location.origin}/#/activate`)),
      h("li", {}, t("letters.step2")),
      h("li", {}, t("letters.step3"))),
    h("p", { class: "warn" }, t("officials.keepSafe")),
    h("footer", {}, h("p", {}, district.name, " · ", formatDate(new Date().toISOString()))),
  );
}

function appointForm(district, out) {
  const phone = field({ name: "phone", label: t("officials.phone"), type: "tel", required: true, autocomplete: "off" });
  const name = field({ name: "name", label: t("officials.name"), hint: t("officials.nameHint"), required: true, maxlength: "100" });
  const ends = field({ name: "endsAt", label: t("officials.endsAt"), type: "datetime-local", hint: t("officials.endsAtHint") });
  const reason = reasonField();
  return actionForm({
    rows: [phone.row, name.row, ends.row, reason.row],
    submitLabel: t("officials.appoint"),
    work: async () => {
      const input = {
        districtId: district.id,
        phone: phone.input.value.trim(),
        name: name.input.value.trim(),
        reason: reason.input.value,
        endsAt: fromLocalInput(ends.input.value) || null,
      };
      const result = await mutate(APPOINT, { input }, "appointOfficial");
      const done = h("p", { class: "success", role: "status" }, t("officials.appointed", { name: result.grant.holder }));
      if (!result.activationCode) {
        replace(out, done, h("p", {}, t("officials.hasAccount")), h("button", { type: "button", class: "secondary", on: { click: () => rerender() } }, t("officials.reload")));
        return;
      }
      replace(
        out,
        h("div", { class: "no-print" }, done, h("p", {}, t("officials.printHint")),
          h("div", { class: "actions" },
            h("button", { type: "button", class: "primary", on: { click: () => window.print() } }, t("letters.print")),
            h("button", { type: "button", class: "secondary", on: { click: () => rerender() } }, t("officials.reload")))),
        h("div", { class: "sheets" }, letter(district, input.name, input.phone, result.activationCode)),
      );
      out.scrollIntoView();
    },
  });
}

function stepWord(on) {
  return t(on ? "officials.on" : "officials.off");
}

/** What the district requires now, and who chose it, when and why (or that it is the default). */
function vettingNow(v) {
  return [
    h("p", { class: "vetting-now", dataset: { exam: String(v.examRequired), review: String(v.reviewRequired) } },
      t("officials.vettingNow", { exam: stepWord(v.examRequired), review: stepWord(v.reviewRequired) })),
    v.updatedAt
      ? h("p", { class: "hint" }, t("officials.vettingBy", { name: v.updatedBy ?? "—", at: formatTime(v.updatedAt), reason: v.reason ?? "" }))
      : h("p", { class: "hint" }, t("officials.vettingDefault")),
  ];
}

function vettingForm(district) {
  const now = district.vetting ?? { examRequired: true, reviewRequired: true };
  const exam = h("input", { type: "checkbox", id: "vet-exam", name: "examRequired", checked: now.examRequired });
  const review = h("input", { type: "checkbox", id: "vet-review", name: "reviewRequired", checked: now.reviewRequired });
  const reason = reasonField();
  const current = h("div", { class: "current" }, vettingNow(now));
  const done = h("div", { "aria-live": "polite" });
  const form = actionForm({
    rows: [
      h("div", { class: "field check" }, h("label", { for: "vet-exam" }, exam, " ", t("officials.examRequired"))),
      h("div", { class: "field check" }, h("label", { for: "vet-review" }, review, " ", t("officials.reviewRequired"))),
      reason.row,
    ],
    submitLabel: t("officials.saveVetting"),
    work: async () => {
      const input = { districtId: district.id, examRequired: exam.checked, reviewRequired: review.checked, reason: reason.input.value };
      const saved = await mutate(VETTING, { input }, "setDistrictVetting");
      replace(done, h("p", { class: "success", role: "status" }, t("officials.vettingSaved", {
        exam: stepWord(saved.examRequired),
        review: stepWord(saved.reviewRequired),
      })));
      reason.input.value = "";
      const fresh = await request(VETTING_NOW, { id: district.id });
      replace(current, vettingNow(fresh.districtVetting));
    },
  });
  return h("div", {}, h("p", { class: "hint" }, t("officials.vettingHint")), current, form, done);
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LOAD, { id });
  const district = data.districts.find((d) => d.id === id) ?? { id, name: t("officials.district"), code: "" };
  const admin = isAdmin();
  const out = h("div", { class: "appointed", "aria-live": "polite" });
  return h(
    "section",
    { class: "officials" },
    h("p", { class: "crumbs no-print" }, h("a", { href: admin ? "#/admin" : "#/district" }, t(admin ? "admin.title" : "district.title"))),
    h("h1", { tabindex: "-1", class: "no-print" }, t("officials.title", { name: district.name })),
    ctx.query.get("created") ? h("p", { class: "success no-print", role: "status" }, t("officials.created", { name: district.name })) : null,
    h("section", { class: "panel no-print", "aria-labelledby": "officials-h" },
      h("h2", { id: "officials-h" }, t("officials.listTitle")),
      roleTable(data.districtRoles, { canRevoke: () => admin, onChanged: async () => rerender(), caption: t("officials.listTitle") })),
    admin
      ? h("section", { class: "panel no-print", "aria-labelledby": "appoint-h" }, h("h2", { id: "appoint-h" }, t("officials.appointTitle")), appointForm(district, out))
      : null,
    out,
    h("section", { class: "panel no-print", "aria-labelledby": "vetting-h" }, h("h2", { id: "vetting-h" }, t("officials.vettingTitle")), vettingForm(district)),
  );
}
