// Shared pieces of the notice board screens (issue #15 part 2): the GraphQL fields, the kind
// and state chips, reading a picked file as base64, and amounts in fen shown as yuan.

import { h } from "./dom.js";
import { t } from "./i18n.js";

export const KINDS = ["ANNOUNCEMENT", "DECISION", "MEETING", "FINANCE", "FUND", "ELECTION_RESULT", "CANDIDATES", "ASSESSMENT_RESULT"];

export const NOTICE_FIELDS = `
  id communityId kind title body state source postedAt postedBy minEndsAt publicityEndsAt
  withdrawnAt withdrawReason readCount readByMe canObject canManage
  attachments { id name mediaType size url }
  objections { id name body filedAt answer answeredAt mine }`;

export function kindChip(kind) {
  return h("span", { class: "chip", dataset: { kind } }, t(`board.kind.${kind}`));
}

export function stateChip(state) {
  const tone = state === "PUBLICISING" ? "ok" : state === "WITHDRAWN" ? "bad" : "";
  return h("span", { class: `chip ${tone}`, dataset: { state } }, t(`board.state.${state}`));
}

/** A picked file as { name, data } with the bytes base64-encoded (the service checks them). */
export async function fileInput(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name, data: btoa(binary) };
}

/** Fen (a decimal string, possibly beyond 2^53 is not expected) as "¥1,234.56". */
export function yuan(fen) {
  const n = BigInt(fen);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}¥${whole}.${cents}`;
}

/** "1234.56" or "1234" (yuan typed by a person) → fen as a decimal string, or null. */
export function toFen(text) {
  const m = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return (BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"))).toString();
}
