// A compound's settings (officials of its district): head rule, proxy cap, tally step, notice
// days, term length and committee size bounds, changed with a reason (audited with the old and
// new values). Only the fields changed are sent; elections already announced keep theirs.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";
import { actionForm, reasonField } from "../govern.js";

const FIELDS = `headRule proxyCap tallyStep meetingNoticeDays extraordinaryNoticeDays termYears
  committeeMinSeats committeeMaxSeats supervisoryMinSeats supervisoryMaxSeats`;
const LOAD = `query Settings($id: ID!) { community(id: $id) { id name settings { ${FIELDS} } } }`;
const SAVE = `
mutation UpdateSettings($input: UpdateCommunitySettingsInput!) {
  updateCommunitySettings(input: $input) {
    __typename
    ... on CommunitySettingsUpdated { community { id settings { ${FIELDS} } } }
    ...ProblemFields
  }
} ${PROBLEM}`;

const NUMBERS = [
  "proxyCap", "tallyStep", "meetingNoticeDays", "extraordinaryNoticeDays", "termYears",
  "committeeMinSeats", "committeeMaxSeats", "supervisoryMinSeats", "supervisoryMaxSeats",
];

export default async function render(ctx) {
  const id = ctx.params.id;
  const { community } = await request(LOAD, { id });
  let current = community.settings;
  const headId = "set-headRule";
  const head = h("select", { id: headId, name: "headRule" },
    ["per_owner", "per_unit"].map((v) => h("option", { value: v, selected: current.headRule.toLowerCase() === v }, t(`headRule.${v}`))));
  const inputs = Object.fromEntries(NUMBERS.map((name) => [name, field({
    name, label: t(`settings.${name}`), type: "number", inputmode: "numeric", min: "0", step: "1", value: String(current[name]),
  })]));
  const reason = reasonField();
  const done = h("div", { "aria-live": "polite" });
  const form = actionForm({
    rows: [
      h("div", { class: "field" }, h("label", { for: headId }, t("settings.headRule")), head),
      NUMBERS.map((n) => inputs[n].row),
      reason.row,
    ],
    submitLabel: t("settings.save"),
    work: async () => {
      replace(done);
      const input = { communityId: id, reason: reason.input.value };
      if (head.value !== current.headRule.toLowerCase()) input.headRule = head.value.toUpperCase();
      for (const n of NUMBERS) {
        const value = Number(inputs[n].input.value);
        if (inputs[n].input.value !== "" && value !== current[n]) input[n] = value;
      }
      const saved = await mutate(SAVE, { input }, "updateCommunitySettings");
      current = saved.community.settings;
      reason.input.value = "";
      replace(done, h("p", { class: "success", role: "status" }, t("settings.saved")));
    },
  });
  return h(
    "section",
    { class: "settings" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${id}/governance` }, t("gov.back"))),
    h("h1", { tabindex: "-1" }, t("settings.title", { name: community.name })),
    h("p", { class: "lead" }, t("settings.lead")),
    h("section", { class: "panel" }, form, done),
  );
}
