// One forum's round of nominations (docs/design.md §3.10 for who does what): the meeting record,
// the nomination forms while the window is open, the candidates by committee (staff see the 两考
// steps; an official of the district records them), "publicise the list" behind a confirmation
// once nominations have closed (the vetting is frozen from then on), and the objections with
// their answers. Owners see the publicised list with statements and photos, co-sign, object.

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { rerender } from "../router.js";
import { RUNNING_BODY, districtsOf, isAdmin, rolesIn } from "../session.js";
import { formatTime } from "../voting.js";
import { candidateCard, NOMINATION_FIELDS } from "../candidates.js";
import { nominateForm } from "../nominate.js";
import { objectionList } from "../objections.js";
import { confirmButton } from "../govern.js";
import { mayRun } from "./forums.js";

const LOAD = `
query Forum($id: ID!) {
  community(id: $id) { id name }
  forums(communityId: $id) {
    id heldAt place attendees minutes opinions nominationsCloseAt examRequired reviewRequired
    listPublishedAt publicityEndsAt
    nominations { ${NOMINATION_FIELDS} }
    objections { id nominationId body filedAt answer answeredAt }
  }
}`;
const PUBLISH = `
mutation PublishList($input: PublishCandidateListInput!) {
  publishCandidateList(input: $input) { __typename ... on ForumSaved { forum { id listPublishedAt } } ...ProblemFields }
} ${PROBLEM}`;

function record(f) {
  const steps = [f.examRequired ? t("cand.step.EXAM") : null, f.reviewRequired ? t("cand.step.REVIEW") : null].filter(Boolean);
  return h(
    "dl",
    { class: "summary forum-record" },
    h("dt", {}, t("forums.heldAt")), h("dd", {}, formatTime(f.heldAt)),
    h("dt", {}, t("forums.place")), h("dd", {}, f.place),
    h("dt", {}, t("forums.attendees")), h("dd", { class: "prose" }, f.attendees),
    h("dt", {}, t("forums.minutes")), h("dd", { class: "prose" }, f.minutes),
    f.opinions ? [h("dt", {}, t("forums.opinions")), h("dd", { class: "prose" }, f.opinions)] : null,
    h("dt", {}, t("forums.closeAt")), h("dd", {}, formatTime(f.nominationsCloseAt)),
    h("dt", {}, t("forum.steps")), h("dd", {}, steps.length ? steps.join(t("list.separator")) : t("forum.noSteps")),
  );
}

function publishPanel(f, ctx) {
  if (f.listPublishedAt) {
    return h("p", { class: "success published" }, t("forum.publishedAt", { at: formatTime(f.listPublishedAt), until: formatTime(f.publicityEndsAt) }));
  }
  const wait = new Date(f.nominationsCloseAt).getTime() - Date.now();
  if (wait > 0) {
    // the page enables the button by itself when the window closes (if within the hour)
    if (wait < 3600e3) {
      const timer = setTimeout(() => rerender(), wait + 500);
      ctx.onLeave(() => clearTimeout(timer));
    }
    return h("p", { class: "hint publish-wait" }, t("forum.publishAfter", { at: formatTime(f.nominationsCloseAt) }));
  }
  return confirmButton({
    label: t("forum.publish"),
    text: t("forum.publishConfirm"),
    yesLabel: t("forum.publishDo"),
    dataset: { action: "publish" },
    run: async () => {
      await mutate(PUBLISH, { input: { forumId: f.id } }, "publishCandidateList");
      rerender();
    },
  });
}

export default async function render(ctx) {
  const { id, forumId } = ctx.params;
  const data = await request(LOAD, { id });
  const f = data.forums.find((x) => x.id === forumId);
  if (!f) throw new Error(t("forum.missing"));
  const mine = rolesIn(id);
  const owner = mine.includes("owner");
  const body = mine.some((r) => RUNNING_BODY.includes(r));
  const vetter = districtsOf().length > 0 && !isAdmin();
  const now = Date.now();
  const open = !f.listPublishedAt && new Date(f.nominationsCloseAt) > now;
  const objecting = Boolean(f.listPublishedAt) && new Date(f.publicityEndsAt) > now;
  const can = { vet: vetter && !f.listPublishedAt, cosign: owner && open, object: owner && objecting };
  const shown = f.listPublishedAt && !mayRun(id) && !body ? f.nominations.filter((n) => n.passed) : f.nominations;
  const redraw = async () => rerender();
  const groups = ["OWNERS_COMMITTEE", "SUPERVISORY_COMMITTEE"].map((c) => [c, shown.filter((n) => n.committee === c)]).filter(([, list]) => list.length);

  const forms = [];
  if (open && owner) {
    forms.push(["nominate.selfTitle", nominateForm({ forumId, communityId: id, route: "SELF", onDone: redraw })]);
    forms.push(["nominate.jointTitle", nominateForm({ forumId, communityId: id, route: "JOINT", onDone: redraw })]);
  }
  if (open && body) forms.push(["nominate.bodyTitle", nominateForm({ forumId, communityId: id, route: "RUNNING_BODY", onDone: redraw })]);

  return h(
    "section",
    { class: "forum", dataset: { forum: f.id, published: String(Boolean(f.listPublishedAt)) } },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${id}/forums` }, t("forum.back"))),
    h("h1", { tabindex: "-1" }, t(f.listPublishedAt ? "forum.listTitle" : "forum.title", { name: data.community.name })),
    h("p", { class: "lead" }, f.listPublishedAt
      ? t("forum.leadPublished", { until: formatTime(f.publicityEndsAt) })
      : open ? t("forum.leadOpen", { until: formatTime(f.nominationsCloseAt) }) : t("forum.leadVetting")),
    h("details", { class: "panel action" }, h("summary", {}, t("forum.recordTitle")), record(f)),
    forms.length
      ? h("section", { class: "panel", "aria-labelledby": "nominate-h" }, h("h2", { id: "nominate-h" }, t("nominate.title")),
          forms.map(([title, form]) => h("details", { class: "action" }, h("summary", {}, t(title)), form)))
      : null,
    h("section", { class: "candidates-list", "aria-labelledby": "cands-h" },
      h("h2", { id: "cands-h" }, t("forum.candidates", { n: formatNumber(shown.length) })),
      groups.length
        ? groups.map(([c, list]) => [h("h3", {}, t(`committee.${c}`)), h("div", { class: "cards" }, list.map((n) => candidateCard(n, can, redraw)))])
        : h("p", { class: "hint" }, t("forum.noCandidates"))),
    mayRun(id) ? h("section", { class: "panel", "aria-labelledby": "publish-h" }, h("h2", { id: "publish-h" }, t("forum.publishTitle")), publishPanel(f, ctx)) : null,
    f.listPublishedAt || f.objections.length
      ? h("section", { class: "panel", "aria-labelledby": "obj-h" }, h("h2", { id: "obj-h" }, t("forum.objections")),
          objectionList(f, { answer: vetter, onDone: redraw }))
      : null,
  );
}
