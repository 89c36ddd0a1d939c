// The roll's owners of one compound (read a page of units at a time, once per compound and page
// load) and a search-by-name picker over them: the election form's candidates, the running
// body's and joint nominations, and an election's supervisors all choose owners this way.

import { request } from "./api.js";
import { h, newId, replace } from "./dom.js";
import { t } from "./i18n.js";

const UNITS = `
query RollOwners($id: ID!, $after: String) {
  community(id: $id) {
    units(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { label developerUnsold owners { id name } }
    }
  }
}`;

/** community id → [{ id, name, units: [flat labels] }]: the roll's owners, loaded once. */
const ownerCache = new Map();

export async function rollOwners(communityId) {
  if (ownerCache.has(communityId)) return ownerCache.get(communityId);
  const people = new Map();
  let after = null;
  for (;;) {
    const data = await request(UNITS, { id: communityId, after });
    const page = data.community.units;
    for (const unit of page.nodes) {
      if (unit.developerUnsold) continue;
      for (const o of unit.owners) {
        const p = people.get(o.id) ?? { id: o.id, name: o.name, units: [] };
        p.units.push(unit.label);
        people.set(o.id, p);
      }
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const list = [...people.values()];
  ownerCache.set(communityId, list);
  return list;
}

/**
 * What every owner search box does: as one types, up to 20 of the roll's owners whose name
 * holds the text, each a button (disabled when `taken`) that hands the owner to `pick` and
 * empties the box. One place, so the election form's candidates and the pickers below behave
 * alike; a slower answer to an earlier keystroke never overwrites a later one.
 */
export function searchOwners({ communityId, search, results, taken, pick, chooseLabel, noMatch }) {
  let generation = 0;
  search.addEventListener("input", async () => {
    const mine = ++generation;
    const text = search.value.trim();
    if (!text) return replace(results);
    replace(results, h("li", {}, t("action.loading")));
    try {
      const owners = await rollOwners(communityId);
      if (mine !== generation) return;
      const found = owners.filter((o) => o.name.includes(text)).slice(0, 20);
      replace(
        results,
        found.length
          ? found.map((o) =>
              h(
                "li",
                {},
                h("button", {
                  type: "button",
                  class: "secondary pick",
                  disabled: taken(o),
                  on: {
                    click: () => {
                      pick(o);
                      search.value = "";
                      replace(results);
                      search.focus();
                    },
                  },
                }, chooseLabel(o)),
                h("small", {}, ` ${o.units.join(t("list.separator"))}`),
              ),
            )
          : h("li", {}, noMatch),
      );
    } catch (err) {
      replace(results, h("li", { role: "alert" }, err.message));
    }
  });
}

/**
 * Search owners by name and choose one or several. Returns { node, chosen(), clear() }.
 * `max`: how many may be chosen (1 for a nomination); `name` is the Problem field it answers.
 */
export function ownerPicker({ communityId, label, name, max = 1 }) {
  const picked = [];
  const id = newId(name);
  const search = h("input", { id, name, type: "search", autocomplete: "off", "aria-describedby": `${id}-hint` });
  const results = h("ul", { class: "search-results" });
  const chosenList = h("ul", { class: "chosen", "aria-live": "polite" });

  function draw() {
    replace(
      chosenList,
      picked.map((o, k) =>
        h(
          "li",
          {},
          h("span", { class: "cand-name" }, o.name),
          h("small", {}, ` ${o.units.join(t("list.separator"))}`),
          h("button", {
            type: "button",
            class: "secondary small",
            "aria-label": t("owners.removeNamed", { name: o.name }),
            on: { click: () => { picked.splice(k, 1); draw(); } },
          }, t("owners.remove")),
        ),
      ),
    );
  }

  searchOwners({
    communityId,
    search,
    results,
    taken: (o) => picked.some((p) => p.id === o.id),
    pick: (o) => {
      if (picked.length >= max) picked.splice(0, picked.length - max + 1);
      picked.push(o);
      draw();
    },
    chooseLabel: (o) => t("owners.choose", { name: o.name }),
    noMatch: t("owners.noMatch"),
  });
  const node = h(
    "div",
    { class: "field owner-picker" },
    h("label", { for: id }, label),
    h("p", { class: "hint", id: `${id}-hint` }, t("owners.hint")),
    search,
    results,
    chosenList,
  );
  return {
    node,
    chosen: () => [...picked],
    clear() {
      picked.splice(0);
      draw();
    },
  };
}
