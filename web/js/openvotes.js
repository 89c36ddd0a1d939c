// "Vote now" on the owner's home (issue #14 item 3): each open vote of the viewer's compounds with
// its deadline, whether each ballot the viewer may cast (their own units, or a proxy) has been
// cast, and one big "去投票" button. "Has voted" is MyElector.hasVoted, which the server works out
// with the viewer's own electors' slot keys: nothing about anyone else's elector, and never the
// choice (docs/design.md §3.3).

import { request } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { formatTime } from "./voting.js";

// One request for the lists and one for the open votes' ballots, however many compounds (the
// server allows 15 aliases a query: a viewer with more compounds sees the first 15 here).
const MAX = 15;
const DAY = 86400e3;

function listQuery(n) {
  const vars = Array.from({ length: n }, (_, i) => `$c${i}: ID!`).join(", ");
  const fields = Array.from({ length: n }, (_, i) => `c${i}: elections(communityId: $c${i}) { id communityId title state closesAt }`).join("\n");
  return `query OpenVotes(${vars}) {\n${fields}\n}`;
}

function ballotsQuery(n) {
  const vars = Array.from({ length: n }, (_, i) => `$e${i}: ID!`).join(", ");
  const fields = Array.from({ length: n }, (_, i) => `e${i}: election(id: $e${i}) { id myElectors { id label viaProxy hasVoted } }`).join("\n");
  return `query MyOpenBallots(${vars}) {\n${fields}\n}`;
}

/** community id → [open election with myElectors], for the viewer's compounds. */
export async function openVotes(communities) {
  const ids = communities.slice(0, MAX).map((c) => c.id);
  const out = new Map();
  if (!ids.length) return out;
  const lists = await request(listQuery(ids.length), Object.fromEntries(ids.map((id, i) => [`c${i}`, id])));
  const open = ids.flatMap((_, i) => lists[`c${i}`].filter((e) => e.state === "OPEN")).slice(0, MAX);
  if (!open.length) return out;
  const mine = await request(ballotsQuery(open.length), Object.fromEntries(open.map((e, i) => [`e${i}`, e.id])));
  open.forEach((e, i) => {
    const electors = mine[`e${i}`].myElectors;
    if (!electors.length) return; // not on this vote's roll and no proxy: nothing to do here
    const list = out.get(e.communityId) ?? [];
    list.push({ ...e, myElectors: electors });
    out.set(e.communityId, list);
  });
  return out;
}

function timeLeft(closesAt) {
  const left = new Date(closesAt).getTime() - Date.now();
  if (left <= 0) return t("openVote.closing");
  if (left < DAY) return t("openVote.today");
  return t("openVote.daysLeft", { n: formatNumber(Math.ceil(left / DAY)) });
}

function voteCard(e) {
  const all = e.myElectors.every((x) => x.hasVoted);
  return h(
    "li",
    { class: "open-vote", dataset: { election: e.id, voted: String(all) } },
    h("p", { class: "vote-title" }, e.title),
    h("p", { class: "deadline" }, t("openVote.deadline", { closes: formatTime(e.closesAt) })),
    h("p", { class: "time-left" }, h("strong", {}, timeLeft(e.closesAt))),
    h(
      "ul",
      { class: "my-ballots", "aria-label": t("openVote.myBallots") },
      e.myElectors.map((x) =>
        h(
          "li",
          { dataset: { elector: x.id, voted: String(x.hasVoted) } },
          h("span", { class: "label" }, x.label),
          x.viaProxy ? h("span", { class: "chip proxy" }, t("ballot.proxy")) : null,
          " ",
          x.hasVoted ? h("span", { class: "chip ok" }, t("openVote.voted")) : h("span", { class: "chip todo" }, t("openVote.notVoted")),
        ),
      ),
    ),
    all ? h("p", { class: "hint" }, t("openVote.canChange")) : null,
    h("a", { class: "button primary big", href: `#/election/${e.id}` }, t("openVote.go")),
  );
}

/** The open votes of one compound, or nothing. */
export function openVotesPanel(votes) {
  if (!votes?.length) return null;
  return h(
    "section",
    { class: "open-votes", "aria-label": t("openVote.title") },
    h("h3", {}, t("openVote.title")),
    h("ul", { class: "plain" }, votes.map(voteCard)),
  );
}
