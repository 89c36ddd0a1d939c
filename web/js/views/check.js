// Check a receipt: is the ballot with this tracking code recorded (and, to its own elector
// only, counted or superseded by a later one), or unknown? And the public list of every
// recorded tracking code, with a search box, so an owner can see theirs among them
// (docs/design.md §3.5).

import { request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { busy, errorBox, markInvalid } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { normalizeTracking, shortTracking } from "../voting.js";
import { receipts } from "./election.js";

/** States in which the tracking codes are listed to everyone (CODES_AFTER_CLOSE before). */
const LISTED = ["CLOSED", "CERTIFIED", "PUBLISHED"];

const HEAD = `query CheckHead($id: ID!) { election(id: $id) { id title communityId state } }`;
const STATUS = `query BallotStatus($id: ID!, $code: String!) { ballotStatus(electionId: $id, trackingCode: $code) }`;
const CODES = `
query TrackingCodes($id: ID!, $after: String) {
  trackingCodes(electionId: $id, first: 100, after: $after) {
    nodes totalCount pageInfo { hasNextPage endCursor }
  }
}`;

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const error = errorBox();
  const outcome = h("div", { class: "check-outcome", "aria-live": "polite" });
  const inputId = newId("tracking");
  const input = h("input", {
    id: inputId,
    name: "trackingCode",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    class: "code-input",
    value: ctx.query.get("code") ?? "",
    "aria-describedby": `${inputId}-hint`,
  });
  const submit = h("button", { type: "submit", class: "primary" }, t("check.submit"));
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h("h2", {}, t("check.formTitle")),
    h(
      "div",
      { class: "field" },
      h("label", { for: inputId }, t("check.label")),
      h("p", { class: "hint", id: `${inputId}-hint` }, t("check.hint")),
      input,
    ),
    error.node,
    submit,
    outcome,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    replace(outcome);
    markInvalid(form, null);
    busy(submit, async () => {
      try {
        const data = await request(STATUS, { id, code: input.value });
        const status = data.ballotStatus;
        replace(
          outcome,
          h(
            "div",
            { class: `status-box status-${status.toLowerCase()}`, dataset: { status } },
            h("p", { class: "status-word" }, t(`check.status.${status}`)),
            h("p", {}, t(`check.explain.${status}`)),
          ),
        );
      } catch (err) {
        error.show(err.message);
        markInvalid(form, err.field);
      }
    });
  });

  const mine = receipts.get(id) ?? [];
  const recent = mine.length
    ? h(
        "section",
        { class: "panel" },
        h("h2", {}, t("check.recentTitle")),
        h("p", { class: "hint" }, t("check.recentHint")),
        h(
          "ul",
          { class: "plain" },
          mine.map((r) =>
            h(
              "li",
              {},
              h("button", { type: "button", class: "secondary mono", on: { click: () => { input.value = r.trackingCode; form.requestSubmit(); } } }, r.trackingCode),
              " ",
              r.label,
            ),
          ),
        ),
      )
    : null;

  // The list of recorded codes, a page at a time; the search filters what has been loaded and
  // loads further pages until a match shows up.
  const codes = [];
  let after = null;
  let more = true;
  let total = 0;
  const searchId = newId("search");
  const search = h("input", { id: searchId, type: "search", autocomplete: "off", spellcheck: "false", name: "search" });
  const listNode = h("ol", { class: "codes-list" });
  const countNode = h("p", { "aria-live": "polite" });
  const moreButton = h("button", { type: "button", class: "secondary" }, t("check.more"));

  async function loadPage() {
    const data = await request(CODES, { id, after });
    codes.push(...data.trackingCodes.nodes);
    total = data.trackingCodes.totalCount;
    more = data.trackingCodes.pageInfo.hasNextPage;
    after = data.trackingCodes.pageInfo.endCursor;
  }
  function draw() {
    const q = normalizeTracking(search.value);
    const shown = q ? codes.filter((c) => c.startsWith(q)) : codes;
    replace(
      listNode,
      shown.map((c) => h("li", { dataset: { code: c } }, h("span", { class: "mono short" }, shortTracking(c)), h("small", { class: "mono full" }, c))),
    );
    replace(
      countNode,
      q
        ? t("check.matches", { n: formatNumber(shown.length), loaded: formatNumber(codes.length), total: formatNumber(total) })
        : t("check.listCount", { loaded: formatNumber(codes.length), total: formatNumber(total) }),
    );
    moreButton.hidden = !more;
  }
  moreButton.addEventListener("click", () => busy(moreButton, async () => { await loadPage(); draw(); }));
  let searching = 0;
  search.addEventListener("input", async () => {
    const mineNow = ++searching;
    draw();
    const q = normalizeTracking(search.value);
    // not loaded yet? fetch further pages (codes are in code order, so stop once past it)
    while (q && more && mineNow === searching && !codes.some((c) => c.startsWith(q)) && (codes.at(-1) ?? "") < q) {
      await loadPage();
      if (mineNow === searching) draw();
    }
  });
  // the list is published once voting has closed: while open its length is the exact ballot
  // count, which owners do not see (docs/design.md §3.7)
  const listed = LISTED.includes(election.state);
  if (listed) {
    await loadPage();
    draw();
  }

  return h(
    "section",
    { class: "check-page" },
    h("p", { class: "crumbs" }, h("a", { href: `#/election/${id}` }, t("check.back", { title: election.title }))),
    h("h1", { tabindex: "-1" }, t("check.heading")),
    h("p", { class: "lead" }, t("check.intro")),
    form,
    recent,
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("check.listTitle")),
      ...(listed
        ? [
            h("p", {}, t("check.listIntro")),
            h("div", { class: "field" }, h("label", { for: searchId }, t("check.search")), search),
            countNode,
            listNode,
            moreButton,
          ]
        : [h("p", { class: "note", dataset: { listLater: "" } }, t("check.listLater"))]),
    ),
  );
}
