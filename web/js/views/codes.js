// Committee, preparatory group, officials: issue one-time activation codes and open the letters
// to print. Codes exist only in this answer (the service keeps their hashes), so they are held
// in memory for the letters page and never written to storage.

import { mutate, PROBLEM, request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { confirmAct } from "../confirm.js";
import { busy, errorBox } from "../forms.js";
import { formatNumber, t } from "../i18n.js";

const COMMUNITY = `
query CodesCommunity($id: ID!) {
  community(id: $id) { id name address drill buildings { id name label } }
}`;

const UNITS = `
query BuildingUnits($id: ID!, $building: ID!, $after: String) {
  community(id: $id) {
    units(first: 100, after: $after, buildingId: $building) {
      pageInfo { hasNextPage endCursor }
      nodes { id label owners { id name } }
    }
  }
}`;

const ISSUE = `
mutation IssueCodes($input: IssueActivationCodesInput!) {
  issueActivationCodes(input: $input) {
    __typename
    ... on ActivationCodesIssued { letters { personId name units code qr } }
    ...ProblemFields
  }
} ${PROBLEM}`;

/** community id → { community, letters, issuedAt }: what the letters page prints. */
export const issued = new Map();

async function buildingUnits(id, building) {
  const units = [];
  let after = null;
  for (;;) {
    const data = await request(UNITS, { id, building, after });
    const page = data.community.units;
    units.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return units;
    after = page.pageInfo.endCursor;
  }
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { community } = await request(COMMUNITY, { id });
  const buildings = community.buildings; // in the server's natural order, with its labels
  const error = errorBox();
  const outcome = h("div", { "aria-live": "polite" });

  async function issue(personIds) {
    error.clear();
    replace(outcome);
    try {
      const result = await mutate(ISSUE, { input: { communityId: id, personIds } }, "issueActivationCodes");
      const letters = result.letters;
      issued.set(id, { community, letters, issuedAt: new Date() });
      replace(
        outcome,
        h(
          "div",
          { class: "success", role: "status" },
          h("p", {}, letters.length ? t("codes.issued", { n: formatNumber(letters.length) }) : t("codes.noneToIssue")),
          letters.length
            ? h("a", { class: "button primary", href: `#/community/${id}/letters` }, t("codes.openLetters"))
            : null,
        ),
      );
      outcome.querySelector("a")?.focus();
    } catch (err) {
      error.show(err.message);
    }
  }

  // All owners without an account: asked first (confirm.js), because it voids unused letters.
  const allButton = h("button", { type: "button", class: "primary" }, t("codes.all"));
  allButton.addEventListener("click", () =>
    confirmAct({ title: t("codes.allTitle"), text: t("codes.allConfirm"), yesLabel: t("codes.allConfirmYes"), danger: true, run: () => issue(null) }),
  );

  // Chosen owners: pick a building, tick owners, issue (a lost letter is replaced this way).
  const chosen = new Set();
  const ownerList = h("div", { class: "owners", "aria-live": "polite" });
  const issueChosen = h("button", { type: "button", class: "primary", disabled: true }, t("codes.chosen", { n: 0 }));
  const selectId = newId("building");
  const select = h(
    "select",
    { id: selectId, name: "building" },
    h("option", { value: "" }, t("codes.pickBuilding")),
    buildings.map((b) => h("option", { value: b.id }, b.label)),
  );
  function updateChosen() {
    replace(issueChosen, t("codes.chosen", { n: formatNumber(chosen.size) }));
    issueChosen.disabled = chosen.size === 0;
  }
  select.addEventListener("change", async () => {
    chosen.clear();
    updateChosen();
    if (!select.value) return replace(ownerList);
    replace(ownerList, h("p", {}, t("action.loading")));
    try {
      const units = await buildingUnits(id, select.value);
      replace(
        ownerList,
        h(
          "fieldset",
          {},
          h("legend", {}, t("codes.ownersOf", { name: select.selectedOptions[0].textContent })),
          units.flatMap((unit) =>
            unit.owners.map((owner) => {
              const boxId = newId("owner");
              const box = h("input", { type: "checkbox", id: boxId, value: owner.id });
              box.addEventListener("change", () => {
                if (box.checked) chosen.add(owner.id);
                else chosen.delete(owner.id);
                updateChosen();
              });
              return h("div", { class: "check" }, box, h("label", { for: boxId }, `${unit.label} ${owner.name}`));
            }),
          ),
        ),
      );
    } catch (err) {
      replace(ownerList, h("p", { role: "alert" }, err.message));
    }
  });
  issueChosen.addEventListener("click", () => busy(issueChosen, () => issue([...chosen])).then(updateChosen));

  return h(
    "section",
    { class: "codes" },
    h("h1", { tabindex: "-1" }, t("codes.heading", { name: community.name })),
    h("p", { class: "lead" }, t("codes.intro")),
    error.node,
    outcome,
    h("section", { class: "panel" }, h("h2", {}, t("codes.allTitle")), h("p", {}, t("codes.allBody")), allButton),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("codes.chosenTitle")),
      h("p", {}, t("codes.chosenBody")),
      h("div", { class: "field" }, h("label", { for: selectId }, t("codes.buildingLabel")), select),
      ownerList,
      issueChosen,
    ),
  );
}
