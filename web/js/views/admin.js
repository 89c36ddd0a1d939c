// Admins: the districts (街道), each linking to its officials and 两考 settings, and a form to
// create one (name, short code, reason; docs/design.md §3.10 for who may).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { actionForm, reasonField } from "../govern.js";

const DISTRICTS = `query Districts { districts { id name code } }`;
const CREATE = `
mutation CreateDistrict($input: CreateDistrictInput!) {
  createDistrict(input: $input) {
    __typename
    ... on DistrictCreated { district { id name code } }
    ...ProblemFields
  }
} ${PROBLEM}`;

function createForm() {
  const name = field({ name: "name", label: t("admin.districtName"), required: true, maxlength: "100" });
  const code = field({ name: "code", label: t("admin.districtCode"), hint: t("admin.districtCodeHint"), required: true, maxlength: "64", autocomplete: "off" });
  const reason = reasonField();
  return actionForm({
    rows: [name.row, code.row, reason.row],
    submitLabel: t("admin.createDistrict"),
    work: async () => {
      const input = { name: name.input.value.trim(), code: code.input.value.trim(), reason: reason.input.value };
      const result = await mutate(CREATE, { input }, "createDistrict");
      navigate(`/districts/${result.district.id}?created=1`);
    },
  });
}

export default async function render() {
  const { districts } = await request(DISTRICTS);
  return h(
    "section",
    { class: "admin" },
    h("h1", { tabindex: "-1" }, t("admin.title")),
    h("p", { class: "lead" }, t("admin.lead")),
    h(
      "section",
      { class: "panel", "aria-labelledby": "districts-h" },
      h("h2", { id: "districts-h" }, t("admin.districts")),
      districts.length
        ? h("ul", { class: "plain district-list" }, districts.map((d) =>
            h("li", { dataset: { district: d.id } },
              h("a", { class: "button secondary", href: `#/districts/${d.id}` }, d.name),
              h("small", {}, ` ${d.code}`))))
        : h("p", { class: "hint" }, t("admin.noDistricts")),
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "new-district-h" },
      h("h2", { id: "new-district-h" }, t("admin.newDistrict")),
      createForm(),
    ),
  );
}
