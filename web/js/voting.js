// What the election screens share: the GraphQL fields they ask for, the states and roles,
// and text helpers (times in the compound's zone, codes, areas as exact hundredths). The bars
// are in bars.js, published results in results.js, the ballot form and elector picker in
// ballotform.js, and the live tally (subscription with its polling fallback) in livetally.js.

import { h } from "./dom.js";
import { locale, t } from "./i18n.js";
import { RUNNING_BODY } from "./session.js";

export const TALLY_FIELDS = `
  step releasedBallots ballots participatingHeads participatingArea totalHeads totalArea
  participationMet ledgerSeq ledgerHead
  questions { questionId passing counts { key heads area } }`;

export const QUESTION_FIELDS = `
  id position kind title body matter matterLabel threshold seats committee documentVersionId
  candidates { id personId name statement }`;

export const ELECTION_FIELDS = `
  id communityId title description state extraordinary drill visibility tallyStep
  opensAt closesAt announcedAt rollHeads rollArea ledgerHead ledgerSeq
  rollFingerprint questionsFingerprint resultDigest publishedAt`;

/** States in which a tally exists (the service refuses `tally` before voting opens). */
export const TALLIED = ["OPEN", "CLOSED", "CERTIFIED", "PUBLISHED"];
export const MATTERS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
export const STAFF = [...RUNNING_BODY, "official"];
export const OVERSEERS = ["supervisor", "official"];

// ---------- text ----------

const ZONE = "Asia/Shanghai"; // the compound's clock: schedules are set and shown in it

/** A time in the compound's zone (Beijing time), whatever the browser's zone is. */
export function formatTime(value) {
  if (!value) return "—";
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: ZONE,
  }).format(new Date(value));
}

/** ISO time → the value of a datetime-local input in Beijing time ("2026-12-01T09:00"). */
export function toLocalInput(value) {
  if (!value) return "";
  return new Date(new Date(value).getTime() + 8 * 3600e3).toISOString().slice(0, 16);
}

/** A datetime-local value, read as Beijing time → ISO with its offset. */
export function fromLocalInput(value) {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return "";
  return `${value.slice(0, 16)}:00+08:00`;
}

export function stateLabel(state) {
  return t(`election.state.${state}`);
}

export function stateBadge(state) {
  return h("span", { class: `state state-${state.toLowerCase()}` }, stateLabel(state));
}

/** "3F2A9B1C…" → "3F2A-9B1C-77DE-0A41": the short form printed on receipts. */
export function shortTracking(hash) {
  const s = hash.slice(0, 16).toUpperCase();
  return s.match(/.{1,4}/g).join("-");
}

/** What an owner typed as a tracking code → lower-case hex without separators. */
export function normalizeTracking(text) {
  return text.replace(/[\s\-‐‑‒–—―－]/g, "").toLowerCase();
}

/** What an owner typed as a voting code → 12 upper-case characters, or null. */
export function normalizeCode(text) {
  const folded = text.normalize("NFKC").replace(/[\s\-‐‑‒–—―－]/g, "").toUpperCase();
  return /^[0-9A-Z]{12}$/.test(folded) ? folded : null;
}

export function formatCode(code) {
  return code.match(/.{1,4}/g).join("-");
}

/** "113191.71" → 11319171 (hundredths of m², exact: areas arrive as decimal strings). */
export function centi(area) {
  const [whole, frac = ""] = String(area).split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

/** The threshold text ">1/2" / ">=3/4" in words. */
export function thresholdText(threshold) {
  const strict = threshold.startsWith(">") && !threshold.startsWith(">=");
  const ratio = threshold.replace(/^[>=]+/, "");
  return t(strict ? "election.threshold.more" : "election.threshold.atLeast", { ratio });
}

export function ratioOf(threshold) {
  const [num, den] = threshold.replace(/^[>=]+/, "").split("/").map(Number);
  return num / den;
}

