// Filling in a ballot, online or from paper: the answers to every question (big buttons for a
// resolution, candidate check boxes limited to the seats), and picking an elector of the
// frozen roll by building and unit.

import { request } from "./api.js";
import { h, newId, replace } from "./dom.js";
import { formatArea, formatNumber, t } from "./i18n.js";
import { thresholdText } from "./voting.js";

const ELECTORS = `
query Electors($e: ID!, $b: String, $after: String) {
  electors(electionId: $e, building: $b, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id label building heads area }
  }
}`;

async function buildingElectors(electionId, building) {
  const out = [];
  let after = null;
  for (;;) {
    const data = await request(ELECTORS, { e: electionId, b: building, after });
    out.push(...data.electors.nodes);
    if (!data.electors.pageInfo.hasNextPage) return out;
    after = data.electors.pageInfo.endCursor;
  }
}

/**
 * Pick an elector of the frozen roll: a building, then a unit label (with a filter box for
 * long buildings). `buildings` are the server's { name, label } in the server's natural order,
 * and the electors come in it too: nothing is relabelled or re-sorted here (voting/flats.py).
 * Returns { node, selected() → {id, label} | null, reset() }.
 */
export function electorPicker(electionId, buildings, { name = "electorId" } = {}) {
  const bId = newId("building");
  const fId = newId("filter");
  const eId = newId("elector");
  let electors = [];
  const buildingSelect = h(
    "select",
    { id: bId, name: `${name}-building` },
    h("option", { value: "" }, t("picker.pickBuilding")),
    buildings.map((b) => h("option", { value: b.name }, b.label)),
  );
  const filter = h("input", { id: fId, type: "search", autocomplete: "off", disabled: true });
  const electorSelect = h("select", { id: eId, name, disabled: true }, h("option", { value: "" }, t("picker.pickElector")));
  const status = h("p", { class: "hint", "aria-live": "polite" });

  function fill() {
    const q = filter.value.trim();
    const shown = q ? electors.filter((e) => e.label.includes(q)) : electors;
    replace(
      electorSelect,
      h("option", { value: "" }, t("picker.pickElector")),
      shown.map((e) => h("option", { value: e.id }, `${e.label} · ${formatArea(e.area)}`)),
    );
    replace(status, t("picker.count", { n: formatNumber(shown.length), total: formatNumber(electors.length) }));
  }
  buildingSelect.addEventListener("change", async () => {
    electors = [];
    electorSelect.disabled = true;
    filter.disabled = true;
    if (!buildingSelect.value) {
      fill();
      return;
    }
    replace(status, t("action.loading"));
    try {
      electors = await buildingElectors(electionId, buildingSelect.value);
      electorSelect.disabled = false;
      filter.disabled = false;
      fill();
    } catch (err) {
      replace(status, err.message);
    }
  });
  filter.addEventListener("input", fill);
  return {
    node: h(
      "div",
      { class: "picker" },
      h("div", { class: "field" }, h("label", { for: bId }, t("picker.building.label")), buildingSelect),
      h("div", { class: "field" }, h("label", { for: fId }, t("picker.filter")), filter),
      h("div", { class: "field" }, h("label", { for: eId }, t("picker.elector")), electorSelect),
      status,
    ),
    selected() {
      const e = electors.find((x) => x.id === electorSelect.value);
      return e ? { id: e.id, label: e.label } : null;
    },
    reset() {
      electorSelect.value = "";
    },
  };
}

/** The one citation of a resolution's matter: Civil Code Art. 278, paragraph 1, item (n). */
export function matterCitation(matter) {
  return t("ballot.matter", { item: t(`matter.item.${matter}`), label: t(`matter.${matter}`) });
}

const VERSION = `query BallotVersion($id: ID!) { documentVersion(id: $id) { id number title document { title } clauses { id } } }`;

/**
 * The rule versions the questions adopt (issue #14 item 2), fetched once per page:
 * version id → { id, number, title, document: { title }, clauses }. A version the viewer may not
 * read (it should not happen: only published versions are put to a vote) is left out.
 */
export async function ruleVersions(questions) {
  const ids = [...new Set(questions.map((q) => q.documentVersionId).filter(Boolean))];
  const out = new Map();
  await Promise.all(
    ids.map(async (id) => {
      try {
        out.set(id, (await request(VERSION, { id })).documentVersion);
      } catch {
        // shown without the link; the question's title and body still say what it is
      }
    }),
  );
  return out;
}

/** What a resolution adopts, with a link to its text clause by clause (the version page). */
export function ruleText(q, versions) {
  const v = q.documentVersionId ? versions.get(q.documentVersionId) : null;
  if (!v) return null;
  const name = v.document.title || v.title;
  return h(
    "div",
    { class: "rule-text", dataset: { version: v.id } },
    h("p", {}, t("ballot.ruleText", { title: name, n: formatNumber(v.number), clauses: formatNumber(v.clauses.length) })),
    h("a", { class: "button secondary", href: `#/version/${v.id}` }, t("ballot.readRule", { title: name, n: formatNumber(v.number) })),
  );
}

/**
 * The answers to every question: three (or, on paper, four) big buttons for a resolution,
 * candidate check boxes limited to `seats` for a committee. Returns
 * { node, answers() → [AnswerInput], missing() → question | null, summary() → [[title, text]] }.
 */
export function answerForm(questions, { paper = false, onChange = () => {}, versions = new Map() } = {}) {
  const state = new Map(); // question id → "yes"|"no"|"abstain"|"invalid" or Set of candidate ids
  const blocks = questions.map((q, i) => (q.kind === "RESOLUTION" ? resolutionBlock(q, i) : committeeBlock(q, i)));

  function resolutionBlock(q, i) {
    const options = paper ? ["yes", "no", "abstain", "invalid"] : ["yes", "no", "abstain"];
    const legendId = newId("q");
    const buttons = options.map((key) => {
      const button = h(
        "button",
        { type: "button", class: `choice choice-${key}`, "aria-pressed": "false", dataset: { answer: key } },
        h("span", { class: "tick", "aria-hidden": "true" }, "✓"),
        t(`answer.${key}`),
      );
      button.addEventListener("click", () => {
        state.set(q.id, key);
        for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
        onChange();
      });
      return button;
    });
    return h(
      "fieldset",
      { class: "question resolution", dataset: { question: q.id }, "aria-labelledby": legendId },
      h("legend", { id: legendId }, h("span", { class: "qnum" }, t("ballot.questionNumber", { n: i + 1 })), " ", q.title),
      h("p", { class: "matter" }, matterCitation(q.matter), " · ", thresholdText(q.threshold)),
      q.body ? h("p", { class: "qbody" }, q.body) : null,
      ruleText(q, versions),
      h("div", { class: "choices" }, buttons),
    );
  }

  function committeeBlock(q, i) {
    const picked = new Set();
    state.set(q.id, picked);
    const counter = h("p", { class: "pick-count", "aria-live": "polite" });
    let invalidBox = null;
    const boxes = [];
    function update() {
      const full = picked.size >= q.seats;
      for (const box of boxes) box.disabled = (!box.checked && full) || Boolean(invalidBox?.checked);
      replace(counter, t("ballot.picked", { n: formatNumber(picked.size), seats: formatNumber(q.seats) }), full ? h("strong", {}, " ", t("ballot.full")) : null);
      counter.classList.toggle("full", full);
      onChange();
    }
    const items = q.candidates.map((c) => {
      const id = newId("cand");
      const box = h("input", { type: "checkbox", id, value: c.id, name: `q${q.id}` });
      boxes.push(box);
      box.addEventListener("change", () => {
        if (box.checked) picked.add(c.id);
        else picked.delete(c.id);
        update();
      });
      return h(
        "li",
        { class: "check candidate" },
        box,
        h("label", { for: id }, h("span", { class: "cand-name" }, c.name), c.statement ? h("small", {}, c.statement) : null),
      );
    });
    if (paper) {
      const id = newId("invalid");
      invalidBox = h("input", { type: "checkbox", id, name: `q${q.id}-invalid` });
      invalidBox.addEventListener("change", () => {
        state.set(q.id, invalidBox.checked ? "invalid" : picked);
        update();
      });
    }
    const legendId = newId("q");
    const block = h(
      "fieldset",
      { class: "question committee", dataset: { question: q.id }, "aria-labelledby": legendId },
      h("legend", { id: legendId }, h("span", { class: "qnum" }, t("ballot.questionNumber", { n: i + 1 })), " ", q.title),
      h("p", { class: "max-pick" }, t("ballot.maxPick", { seats: formatNumber(q.seats) })),
      q.body ? h("p", { class: "qbody" }, q.body) : null,
      h("ul", { class: "candidates" }, items),
      counter,
      invalidBox ? h("div", { class: "check" }, invalidBox, h("label", { for: invalidBox.id }, t("answer.invalidPaper"))) : null,
      paper ? null : h("p", { class: "hint" }, t("ballot.blankHint")),
    );
    update();
    return block;
  }

  return {
    node: h("div", { class: "questions" }, blocks),
    missing() {
      return questions.find((q) => q.kind === "RESOLUTION" && !state.has(q.id)) ?? null;
    },
    answers() {
      return questions.map((q) => {
        const v = state.get(q.id);
        if (q.kind === "RESOLUTION") return { questionId: q.id, answer: v };
        if (v === "invalid") return { questionId: q.id, answer: "invalid" };
        return { questionId: q.id, candidateIds: [...v] };
      });
    },
    summary() {
      return questions.map((q) => {
        const v = state.get(q.id);
        if (q.kind === "RESOLUTION") return [q.title, v ? t(`answer.${v}`) : "—"];
        if (v === "invalid") return [q.title, t("answer.invalidPaper")];
        const names = q.candidates.filter((c) => v.has(c.id)).map((c) => c.name);
        return [
          q.title,
          names.length
            ? t("ballot.pickedNames", { names: names.join(t("list.separator")), n: formatNumber(names.length) })
            : t("ballot.blank"),
        ];
      });
    },
  };
}
