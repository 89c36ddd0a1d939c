// The supervisors' live dashboard, made for a big screen and usable on a phone: turnout by
// heads and by area against the 2/3 line, the counts of every option and candidate by heads
// and by area, turnout per building, the ledger head and version, and a connection badge. It
// follows the `electionTally` subscription, recovers by itself after a dropped connection (the
// first message after resubscribing is the full state), and polls over HTTP when the service
// offers no subscription or while the WebSocket is down.

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

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const questions = election.questions;
  const p = powers(election.communityId);
  const badge = connectionBadge();
  const stateNode = h("span", { class: "dash-state" }, stateBadge(election.state));
  const ballotsNode = h("p", { class: "big-number", dataset: { ballots: "" } }, "—");
  const releasedNode = h("p", { class: "note" });
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
    const exact = tally.ballots ?? tally.releasedBallots;
    ballotsNode.dataset.ballots = String(exact);
    replace(ballotsNode, formatNumber(exact));
    replace(
      releasedNode,
      tally.step > 1 ? t("dash.released", { n: formatNumber(tally.releasedBallots), step: formatNumber(tally.step) }) : "",
    );
    replace(turnoutNode, turnoutBars(tally));
    if (tally.ledgerHead) {
      replace(seqNode, formatNumber(tally.ledgerSeq));
      seqNode.dataset.seq = String(tally.ledgerSeq);
      replace(headNode, h("code", {}, tally.ledgerHead));
    }
    replace(
      countsNode,
      tally.questions
        ? tally.questions.map((count) => {
            const q = questions.find((x) => x.id === count.questionId);
            return q ? h("div", { class: "panel" }, questionCounts(q, count, tally)) : null;
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
      badge.node,
    ),
    errorNode,
    h(
      "div",
      { class: "dash-grid" },
      h(
        "section",
        { class: "panel dash-turnout", "aria-labelledby": "turnout-h" },
        h("h2", { id: "turnout-h" }, t("dash.turnout")),
        h("div", { class: "ballots" }, h("p", { class: "label" }, t("dash.ballots")), ballotsNode, releasedNode),
        turnoutNode,
      ),
      h(
        "section",
        { class: "panel dash-ledger", "aria-labelledby": "ledger-h" },
        h("h2", { id: "ledger-h" }, t("dash.ledger")),
        h(
          "dl",
          { class: "summary" },
          h("dt", {}, t("dash.ledgerSeq")), seqNode,
          h("dt", {}, t("dash.ledgerHead")), headNode,
          h("dt", {}, t("dash.version")), versionNode,
          h("dt", {}, t("dash.updated")), updatedNode,
        ),
        h("div", { class: "actions" }, staffLinks(election, { ...p, watch: false })),
      ),
      h("section", { class: "dash-questions", "aria-label": t("dash.counts") }, countsNode),
      h(
        "section",
        { class: "panel dash-buildings", "aria-labelledby": "buildings-h" },
        h("h2", { id: "buildings-h" }, t("dash.buildings")),
        buildingsNode,
      ),
    ),
  );
  return page;
}
