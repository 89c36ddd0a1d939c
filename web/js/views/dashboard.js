// The supervisors' live dashboard, made for a big screen and usable on a phone: turnout by
// heads and by area against the 2/3 line, the counts of every option by heads and by area with
// the candidates ranked, turnout per building, the ledger position and version, and a
// connection badge. It follows the `electionTally` subscription, recovers by itself after a
// dropped connection (the first message after resubscribing is the full state), and polls over
// HTTP when the service offers no subscription or while the WebSocket is down.
//
// One screen at 1920×1080 without scrolling (issue #14 item 5), and every number says what it
// counts: ballots (one per elector: online, by proxy or on paper; a changed vote counts once)
// are not heads (owners, by the compound's head rule), and while voting is open everything
// below the supervisors' exact ballot count stands at the last released step of k ballots
// (voting/visibility.py, api/services/tally_views.py; docs/design.md §3.7).

import { request } from "../api.js";
import { h, replace } from "../dom.js";
import { formatNumber, formatPercent, locale, t } from "../i18n.js";
import { bar, questionCounts, turnoutBars } from "../bars.js";
import { connectionBadge, watchTally } from "../livetally.js";
import { ELECTION_FIELDS, QUESTION_FIELDS, stateBadge, TALLIED, TALLY_FIELDS } from "../voting.js";
import { powers, staffLinks } from "./elections.js";

const HEAD = `
query Dashboard($id: ID!) {
  election(id: $id) { ${ELECTION_FIELDS} questions { ${QUESTION_FIELDS} } }
}`;
const FIRST = `
query DashboardTally($id: ID!) {
  election(id: $id) { id state tally { ${TALLY_FIELDS} } buildingTurnout { building label electors voted } }
}`;

function clock() {
  return new Intl.DateTimeFormat(locale(), { timeStyle: "medium", timeZone: "Asia/Shanghai" }).format(new Date());
}

function buildingsView(rows) {
  if (!rows?.length) return h("p", { class: "note" }, t("dash.noBuildings"));
  // in the server's natural order, with its labels (voting/flats.py)
  return h(
    "ul",
    { class: "building-list" },
    rows.map((r) => {
      return h(
        "li",
        { dataset: { building: r.building } },
        bar({
          label: r.label,
          part: r.voted,
          whole: r.electors,
          text: t("dash.buildingValue", {
            voted: formatNumber(r.voted),
            electors: formatNumber(r.electors),
            percent: formatPercent(r.electors ? r.voted / r.electors : 0),
          }),
          mark: 2 / 3,
          kind: "heads",
        }),
      );
    }),
  );
}

/** The ballot figures: what was counted, what is released, and what the figures below use. */
function ballotFigures(tally, state) {
  const exact = tally.ballots;
  const released = tally.releasedBallots;
  const stepped = state === "OPEN" && tally.step > 1;
  const shown = exact ?? released;
  const figure = (cls, label, n, note, data = {}) =>
    h(
      "div",
      { class: `figure ${cls}` },
      h("dt", {}, label),
      h("dd", { class: "figure-value" }, h("span", { class: "big-number", dataset: data }, formatNumber(n)), " ", t("dash.sheets")),
      note ? h("dd", { class: "figure-note" }, note) : null,
    );
  const list = [];
  if (exact !== null && exact !== undefined) {
    list.push(figure("received", t("dash.received"), exact, t("dash.receivedNote"), { ballots: String(shown) }));
  }
  if (stepped || exact === null || exact === undefined) {
    list.push(
      figure(
        "released",
        t("dash.releasedLabel"),
        released,
        stepped ? t("dash.releasedNote", { step: formatNumber(tally.step) }) : t("dash.receivedNote"),
        exact === null || exact === undefined ? { ballots: String(shown) } : {},
      ),
    );
  }
  const basis = stepped
    ? t("dash.basisStep", { n: formatNumber(released), step: formatNumber(tally.step) })
    : t("dash.basisAll", { n: formatNumber(released) });
  return [h("dl", { class: "figures" }, list), h("p", { class: "basis note", dataset: { basis: "" } }, basis)];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const questions = election.questions;
  const p = powers(election.communityId);
  const badge = connectionBadge();
  const stateNode = h("span", { class: "dash-state" }, stateBadge(election.state));
  const figuresNode = h("div", { class: "ballots" });
  const turnoutNode = h("div", {});
  const countsNode = h("div", { class: "dash-counts" });
  const buildingsNode = h("div", {});
  const seqNode = h("dd", { class: "mono", dataset: { seq: "" } }, "—");
  const headNode = h("dd", { class: "hash" }, h("code", {}, election.ledgerHead));
  const versionNode = h("dd", { class: "mono", dataset: { version: "" } }, "—");
  const updatedNode = h("dd", {}, "—");
  const errorNode = h("p", { class: "error", role: "alert", hidden: true });
  const page = h("section", { class: "dashboard", dataset: { mode: "connecting", state: election.state } });

  function apply(u) {
    errorNode.hidden = true;
    page.dataset.state = u.state;
    replace(stateNode, stateBadge(u.state));
    replace(updatedNode, clock());
    if (u.version !== null && u.version !== undefined) replace(versionNode, formatNumber(u.version));
    const tally = u.tally;
    if (!tally) {
      replace(turnoutNode, h("p", { class: "notice" }, t("dash.notOpen")));
      return;
    }
    replace(figuresNode, ballotFigures(tally, u.state));
    replace(turnoutNode, turnoutBars(tally));
    if (tally.ledgerHead) {
      replace(seqNode, formatNumber(tally.ledgerSeq));
      seqNode.dataset.seq = String(tally.ledgerSeq);
      replace(headNode, h("code", { title: tally.ledgerHead }, tally.ledgerHead));
    }
    replace(
      countsNode,
      tally.questions
        ? tally.questions.map((count) => {
            const q = questions.find((x) => x.id === count.questionId);
            return q ? h("div", { class: "panel" }, questionCounts(q, count, tally, { ranked: true })) : null;
          })
        : h("p", { class: "panel note" }, t(`turnout.countsHidden.${election.visibility}`)),
    );
    if (u.buildingTurnout) replace(buildingsNode, buildingsView(u.buildingTurnout));
  }

  if (TALLIED.includes(election.state)) {
    const first = await request(FIRST, { id });
    apply({ state: first.election.state, tally: first.election.tally, buildingTurnout: first.election.buildingTurnout, version: null });
  } else {
    apply({ state: election.state, tally: null, buildingTurnout: null, version: null });
  }
  watchTally(ctx, id, {
    withBuildings: true,
    every: 5000,
    onUpdate: apply,
    onMode: (mode) => {
      page.dataset.mode = mode;
      badge.set(mode);
    },
    onError: (err) => {
      errorNode.hidden = false;
      replace(errorNode, t("dash.stale", { message: err.message }));
    },
  });

  replace(
    page,
    h(
      "div",
      { class: "dash-head" },
      h("div", {}, h("h1", { tabindex: "-1" }, election.title), h("p", { class: "meta" }, stateNode, " ", t("dash.subtitle"))),
      h("div", { class: "dash-tools" }, staffLinks(election, { ...p, watch: false }), badge.node),
    ),
    errorNode,
    h(
      "div",
      { class: "dash-grid" },
      h(
        "section",
        { class: "panel dash-turnout", "aria-labelledby": "turnout-h" },
        h("h2", { id: "turnout-h" }, t("dash.turnout")),
        figuresNode,
        turnoutNode,
      ),
      h("section", { class: "dash-questions", "aria-label": t("dash.counts") }, countsNode),
      h(
        "section",
        { class: "panel dash-buildings", "aria-labelledby": "buildings-h" },
        h("h2", { id: "buildings-h" }, t("dash.buildings")),
        h("p", { class: "note" }, t("dash.buildingsNote")),
        buildingsNode,
      ),
      h(
        "section",
        { class: "panel dash-ledger", "aria-labelledby": "ledger-h" },
        h("h2", { id: "ledger-h" }, t("dash.ledger")),
        h(
          "dl",
          { class: "summary ledger-figures" },
          h("dt", {}, t("dash.ledgerSeq")), seqNode,
          h("dt", {}, t("dash.ledgerHead")), headNode,
          h("dt", {}, t("dash.version")), versionNode,
          h("dt", {}, t("dash.updated")), updatedNode,
        ),
      ),
    ),
  );
  return page;
}
