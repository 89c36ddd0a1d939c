// Pages that follow a proposal or a consultation live (proposalLive / consultationLive). The
// stream carries counts and the newest comment's id, never comment texts (what a viewer may read
// of a comment depends on who they are), so when something the page shows has changed, a notice
// offers to show it: the page is not redrawn under someone typing a comment.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { subscribe } from "./live.js";
import { rerender } from "./router.js";

const DISCUSSION = "discussion { comments answered latestCommentId }";

export const PROPOSAL_LIVE = `
subscription ProposalLive($id: ID!) {
  proposalLive(proposalId: $id) {
    version status supportHeads supportArea supportAreaCenti signatureCount answered
    ${DISCUSSION}
  }
}`;

export const CONSULTATION_LIVE = `
subscription ConsultationLive($id: ID!) {
  consultationLive(versionId: $id) { version status closesAt ${DISCUSSION} }
}`;

/** What, in an update, makes the page out of date (support counts are updated in place). */
function fingerprint(u) {
  const d = u.discussion;
  return JSON.stringify([u.status, u.answered ?? null, u.closesAt ?? null, d.comments, d.answered, d.latestCommentId]);
}

/**
 * Follow `field` of `query` for `id`. `onUpdate(update)` runs for every update (the first is
 * the current state). Returns the notice element to place on the page; it appears when the
 * discussion or the status moved on since the page was drawn.
 */
export function followLive(ctx, { query, field, id, onUpdate = () => {} }) {
  const notice = h(
    "div",
    { class: "notice live-notice", role: "status", hidden: true },
    h("span", {}, t("live.changed")),
    " ",
    h("button", { type: "button", class: "secondary", on: { click: () => rerender() } }, t("live.show")),
  );
  let drawn = null;
  const stop = subscribe(query, { id }, {
    next: (data) => {
      const update = data[field];
      if (!update) return;
      const print = fingerprint(update);
      if (drawn === null) drawn = print; // the page was drawn from (about) this state
      notice.hidden = print === drawn;
      onUpdate(update);
    },
  });
  ctx.onLeave(stop);
  return notice;
}
