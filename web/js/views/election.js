// One election for an owner: what is being decided, turnout toward the 2/3 lines, the ballot
// (choose the elector if the viewer may cast for several, answer, enter the voting code,
// confirm, receipt), and once published the result with heads and area side by side.

import { mutate, PROBLEM, request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { busy, errorBox, markInvalid } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { answerForm, matterCitation, ruleText, ruleVersions } from "../ballotform.js";
import { questionCounts, turnoutBars } from "../bars.js";
import { watchTally } from "../livetally.js";
import { resultView } from "../results.js";
import {
  ELECTION_FIELDS,
  formatCode,
  formatTime,
  normalizeCode,
  QUESTION_FIELDS,
  stateBadge,
  TALLIED,
  TALLY_FIELDS,
} from "../voting.js";
import { powers, staffLinks } from "./elections.js";

const ELECTION = `
query Election($id: ID!) {
  election(id: $id) {
    ${ELECTION_FIELDS}
    questions { ${QUESTION_FIELDS} }
    myElectors { id label viaProxy hasVoted }
    result { digest data }
  }
}`;

const TALLY = `query ElectionTally($id: ID!) { election(id: $id) { id tally { ${TALLY_FIELDS} } } }`;
const MY_ELECTORS = `query MyElectors($id: ID!) { election(id: $id) { id myElectors { id label viaProxy hasVoted } } }`;

const CAST = `
mutation Cast($input: CastBallotInput!) {
  castBallot(input: $input) {
    __typename
    ... on BallotCast { receipt { trackingCode trackingHash counted } }
    ...ProblemFields
  }
} ${PROBLEM}`;

/** election id → receipts cast in this page's life (memory only: never stored on the device). */
export const receipts = new Map();

function progress(tally, questions, election) {
  return [
    turnoutBars(tally),
    h(
      "p",
      { class: "note" },
      tally.step > 1 ? t("turnout.stepNote", { step: formatNumber(tally.step) }) : null,
      " ",
      tally.ballots === null || tally.ballots === undefined
        ? t("turnout.released", { n: formatNumber(tally.releasedBallots) })
        : t("turnout.ballots", { n: formatNumber(tally.ballots) }),
    ),
    tally.questions
      ? tally.questions.map((count) => {
          const q = questions.find((x) => x.id === count.questionId);
          return q ? questionCounts(q, count, tally) : null;
        })
      : election.state === "OPEN"
        ? h("p", { class: "note" }, t(`turnout.countsHidden.${election.visibility}`))
        : null,
  ];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(ELECTION, { id });
  const questions = election.questions;
  const versions = await ruleVersions(questions);
  const p = powers(election.communityId);
  let tally = null;
  if (TALLIED.includes(election.state)) tally = (await request(TALLY, { id })).election.tally;

  const progressBox = h("div", { class: "progress", "aria-live": "off" });
  if (tally) replace(progressBox, progress(tally, questions, election));
  if (election.state === "OPEN") {
    watchTally(ctx, id, {
      every: 15000,
      onUpdate: (u) => {
        if (u.tally) replace(progressBox, progress(u.tally, questions, election));
      },
    });
  }

  const voteArea = h("div", { class: "vote-area" });
  if (election.state === "OPEN") {
    ballotFlow(voteArea, { ...election, versions }, election.myElectors, { notice: fromNotice(ctx.carried) });
  }

  return h(
    "section",
    { class: "election" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${election.communityId}/elections` }, t("election.back"))),
    h("h1", { tabindex: "-1" }, election.title),
    h("p", { class: "meta" }, stateBadge(election.state), election.extraordinary ? h("span", { class: "chip" }, t("election.extraordinary")) : null),
    h("p", { class: "schedule" }, t("election.schedule", { opens: formatTime(election.opensAt), closes: formatTime(election.closesAt) })),
    election.description ? h("p", { class: "description" }, election.description) : null,
    staffLinks(election, p).length ? h("div", { class: "actions" }, staffLinks(election, p)) : null,
    stateNote(election),
    election.state === "OPEN" ? voteArea : null,
    election.state === "ANNOUNCED" ? preview(questions, versions) : null,
    tally
      ? h(
          "section",
          { class: "panel", "aria-labelledby": "progress-h" },
          h("h2", { id: "progress-h" }, election.state === "OPEN" ? t("turnout.title") : t("turnout.finalTitle")),
          progressBox,
          h("p", {}, h("a", { class: "button secondary", href: `#/election/${id}/check` }, t("election.checkReceipt"))),
        )
      : null,
    election.result ? resultView(election, questions, election.result.data) : null,
  );
}

function stateNote(election) {
  const note = {
    DRAFT: "election.note.DRAFT",
    ANNOUNCED: "election.note.ANNOUNCED",
    OPEN: "election.note.OPEN",
    CLOSED: "election.note.CLOSED",
    CERTIFIED: "election.note.CERTIFIED",
    PUBLISHED: "election.note.PUBLISHED",
    CANCELLED: "election.note.CANCELLED",
  }[election.state];
  return h("p", { class: "notice" }, t(note, { opens: formatTime(election.opensAt), closes: formatTime(election.closesAt) }));
}

/** Before voting opens: the questions and candidates as announced. */
function preview(questions, versions) {
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("election.questions")),
    h(
      "ol",
      { class: "preview" },
      questions.map((q) =>
        h(
          "li",
          {},
          h("p", { class: "qtitle" }, q.title),
          q.body ? h("p", { class: "qbody" }, q.body) : null,
          q.kind === "COMMITTEE"
            ? h("p", {}, t("election.candidatesList", { seats: formatNumber(q.seats), names: q.candidates.map((c) => c.name).join(t("list.separator")) }))
            : [h("p", { class: "note" }, matterCitation(q.matter)), ruleText(q, versions)],
        ),
      ),
    ),
  );
}

// ---------- the ballot ----------

/** What a voting notice's QR code carried (router.js took it out of the address bar): the
 * elector it was printed for and its code, or null. */
function fromNotice(query) {
  const code = query?.get("code");
  if (!code) return null;
  const normalized = normalizeCode(code.slice(0, 64));
  return { elector: query.get("elector"), code: normalized ? formatCode(normalized) : code.slice(0, 32) };
}

/**
 * The ballot, or — once every elector the viewer may cast for has voted — what they did: the
 * receipts cast in this page's life (tracking code and time; memory only) and "修改投票", which
 * opens the ballot again (a new ballot supersedes the earlier one while voting is open). A
 * notice's QR code opens the ballot of the elector it was printed for, its code filled in.
 */
function ballotFlow(area, election, electors, { change = false, notice = null } = {}) {
  if (!electors.length) {
    replace(area, h("p", { class: "panel" }, t("ballot.notElector")));
    return;
  }
  const printedFor = notice && electors.find((e) => e.id === notice.elector);
  if (printedFor) ballotStep(area, election, printedFor, electors, notice.code);
  else if (!change && electors.every((e) => e.hasVoted)) votedStep(area, election, electors);
  else if (electors.length === 1) ballotStep(area, election, electors[0], electors, notice?.code);
  else electorStep(area, election, electors, notice?.code);
}

/** The latest receipt of this page's life for an elector label (memory only). */
function lastReceipt(electionId, label) {
  return (receipts.get(electionId) ?? []).filter((r) => r.label === label).at(-1) ?? null;
}

function receiptFacts(receipt) {
  return [
    h("dt", {}, t("receipt.trackingLabel")),
    h("dd", { class: "tracking", translate: "no" }, receipt.trackingCode),
    h("dt", {}, t("receipt.castAt")),
    h("dd", { class: "cast-at" }, formatTime(receipt.at)),
  ];
}

/** Every elector has voted: say so, show this session's receipts, offer to change the vote. */
function votedStep(area, election, electors) {
  const change = h("button", { type: "button", class: "primary big", on: { click: () => ballotFlow(area, election, electors, { change: true }) } }, t("voted.change"));
  const shown = electors.map((e) => ({ e, r: lastReceipt(election.id, e.label) }));
  replace(
    area,
    h(
      "section",
      { class: "panel voted", "aria-labelledby": "voted-h" },
      h("h2", { id: "voted-h", tabindex: "-1" }, t("voted.title")),
      h(
        "ul",
        { class: "voted-list" },
        shown.map(({ e, r }) =>
          h(
            "li",
            { dataset: { elector: e.id } },
            h("p", { class: "for" }, electorLabel(e)),
            r ? h("dl", { class: "summary" }, receiptFacts(r)) : null,
          ),
        ),
      ),
      shown.some(({ r }) => !r) ? h("p", { class: "note" }, t("voted.noReceipt")) : null,
      h("p", {}, t("voted.changeNote", { closes: formatTime(election.closesAt) })),
      h(
        "div",
        { class: "actions" },
        change,
        h("a", { class: "button secondary", href: `#/election/${election.id}/check` }, t("receipt.check")),
      ),
    ),
  );
}

function electorLabel(e) {
  return [e.label, e.viaProxy ? h("span", { class: "chip proxy" }, t("ballot.proxy")) : null, e.hasVoted ? h("span", { class: "chip ok" }, t("ballot.voted")) : null];
}

/** The viewer may cast for several electors (own units as different owners, or proxies). */
function electorStep(area, election, electors, code = "") {
  const error = errorBox();
  const name = newId("elector");
  const radios = electors.map((e) => {
    const rid = newId("el");
    return h("div", { class: "check elector-choice" }, h("input", { type: "radio", id: rid, name, value: e.id }), h("label", { for: rid }, electorLabel(e)));
  });
  const next = h("button", { type: "button", class: "primary" }, t("ballot.next"));
  next.addEventListener("click", () => {
    const chosen = area.querySelector(`input[name="${name}"]:checked`);
    if (!chosen) return error.show(t("ballot.pickElectorFirst"));
    ballotStep(area, election, electors.find((e) => e.id === chosen.value), electors, code);
  });
  replace(
    area,
    h(
      "section",
      { class: "panel ballot" },
      h("h2", {}, t("ballot.chooseElector")),
      h("p", {}, t("ballot.chooseElectorBody")),
      error.node,
      h("fieldset", {}, h("legend", {}, t("ballot.electorLegend")), radios),
      next,
    ),
  );
}

function ballotStep(area, election, elector, electors, filled = "") {
  const error = errorBox();
  const form = answerForm(election.questions, { onChange: () => error.clear(), versions: election.versions });
  const codeId = newId("code");
  const code = h("input", {
    id: codeId,
    name: "code",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    class: "code-input",
    "aria-describedby": `${codeId}-hint`,
  });
  code.value = filled || "";
  code.addEventListener("blur", () => {
    const n = normalizeCode(code.value);
    if (n) code.value = formatCode(n);
  });
  const next = h("button", { type: "submit", class: "primary big" }, t("ballot.review"));
  const panel = h(
    "form",
    { class: "panel ballot", novalidate: true },
    h("h2", {}, t("ballot.title")),
    h("p", { class: "for" }, t("ballot.forElector"), " ", electorLabel(elector)),
    electors.length > 1 ? h("button", { type: "button", class: "secondary", on: { click: () => electorStep(area, election, electors) } }, t("ballot.changeElector")) : null,
    h("p", { class: "notice" }, t("ballot.revoteNote", { closes: formatTime(election.closesAt) })),
    form.node,
    h(
      "div",
      { class: "field code-field" },
      h("label", { for: codeId }, t("ballot.code")),
      h("p", { class: "hint", id: `${codeId}-hint` }, t("ballot.codeHint")),
      code,
    ),
    error.node,
    next,
  );
  panel.addEventListener("submit", (event) => {
    event.preventDefault();
    error.clear();
    markInvalid(panel, null);
    const missing = form.missing();
    if (missing) {
      error.show(t("ballot.answerAll", { title: missing.title }));
      panel.querySelector(`[data-question="${missing.id}"] button`)?.focus();
      return;
    }
    const normalized = normalizeCode(code.value);
    if (!normalized) {
      error.show(t("ballot.codeMalformed"));
      markInvalid(panel, "code");
      return;
    }
    code.value = formatCode(normalized);
    confirmStep(area, election, elector, electors, { panel, form, code: normalized });
  });
  replace(area, panel);
  return panel;
}

function confirmStep(area, election, elector, electors, ballot) {
  const error = errorBox();
  const cast = h("button", { type: "button", class: "primary big" }, t("ballot.cast"));
  const back = h("button", { type: "button", class: "secondary" }, t("ballot.back"));
  back.addEventListener("click", () => {
    replace(area, ballot.panel);
    ballot.panel.querySelector("button")?.focus();
  });
  cast.addEventListener("click", () =>
    busy(cast, async () => {
      try {
        const result = await mutate(
          CAST,
          { input: { electionId: election.id, electorId: elector.id, code: ballot.code, answers: ballot.form.answers() } },
          "castBallot",
        );
        receiptStep(area, election, elector, result.receipt);
      } catch (err) {
        if (err.field === "code" || err.field === "answers") {
          // back to the ballot, the choices kept, the problem shown where it is
          replace(area, ballot.panel);
          const box = ballot.panel.querySelector(".error");
          box.hidden = false;
          replace(box, h("p", {}, err.message));
          markInvalid(ballot.panel, err.field);
        } else {
          error.show(err.message);
        }
      }
    }),
  );
  replace(
    area,
    h(
      "section",
      { class: "panel confirm-ballot", "aria-labelledby": "confirm-h" },
      h("h2", { id: "confirm-h", tabindex: "-1" }, t("ballot.confirmTitle")),
      h("p", {}, t("ballot.confirmBody")),
      h(
        "dl",
        { class: "summary" },
        h("dt", {}, t("ballot.forElector")),
        h("dd", {}, electorLabel(elector)),
        ballot.form.summary().map(([title, text]) => [h("dt", {}, title), h("dd", { class: "choice-text" }, text)]),
        h("dt", {}, t("ballot.code")),
        h("dd", { class: "mono" }, formatCode(ballot.code)),
      ),
      error.node,
      h("div", { class: "actions" }, cast, back),
    ),
  );
  area.querySelector("#confirm-h")?.focus();
}

function receiptStep(area, election, elector, receipt) {
  const list = receipts.get(election.id) ?? [];
  const at = new Date().toISOString();
  list.push({ ...receipt, label: elector.label, at });
  receipts.set(election.id, list);
  const status = h("p", { class: "hint", role: "status" });
  const codeNode = h("p", { class: "tracking", translate: "no" }, receipt.trackingCode);
  const copy = h("button", { type: "button", class: "secondary" }, t("receipt.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(receipt.trackingCode);
      replace(status, t("receipt.copied"));
    } catch {
      // no clipboard (an old browser, or not allowed): select it for a long-press copy
      const range = document.createRange();
      range.selectNodeContents(codeNode);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      replace(status, t("receipt.selectToCopy"));
    }
  });
  const again = h("button", { type: "button", class: "secondary" }, t("voted.change"));
  again.addEventListener("click", async () => {
    const { election: fresh } = await request(MY_ELECTORS, { id: election.id });
    ballotFlow(area, election, fresh.myElectors, { change: true });
  });
  replace(
    area,
    h(
      "section",
      { class: "panel receipt", "aria-labelledby": "receipt-h" },
      h("h2", { id: "receipt-h", tabindex: "-1" }, t("receipt.title")),
      // counted is null on a proxy holder's cast: whether it counts is the owner's to know
      h("p", { class: "success" }, receipt.counted === null ? t("receipt.recorded") : receipt.counted ? t("receipt.counted") : t("receipt.notCounted")),
      h("p", { class: "receipt-label" }, t("receipt.trackingLabel")),
      codeNode,
      h("div", { class: "actions" }, copy),
      status,
      h("p", { class: "keep" }, t("receipt.keep")),
      h(
        "dl",
        { class: "summary" },
        h("dt", {}, t("ballot.forElector")),
        h("dd", {}, elector.label),
        h("dt", {}, t("receipt.castAt")),
        h("dd", { class: "cast-at" }, formatTime(at)),
      ),
      h("p", {}, t("receipt.revoteNote", { closes: formatTime(election.closesAt) })),
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button primary", href: `#/election/${election.id}/check?code=${encodeURIComponent(receipt.trackingCode)}` }, t("receipt.check")),
        again,
      ),
    ),
  );
  area.querySelector("#receipt-h")?.focus();
}
