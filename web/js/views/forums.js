// A compound's 党群座谈会 (party–owners forums), newest first, each opening a round of
// nominations: when and where, the nomination window, whether the list is publicised; the
// running body and officials record a forum already held (date, place, attendees, minutes,
// opinions raised, the window's end).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { navigate } from "../router.js";
import { RUNNING_BODY, districtsOf, isAdmin, rolesIn } from "../session.js";
import { formatTime, fromLocalInput, toLocalInput } from "../voting.js";
import { actionForm } from "../govern.js";

const LOAD = `
query Forums($id: ID!) {
  community(id: $id) { id name }
  forums(communityId: $id) { id heldAt place nominationsCloseAt listPublishedAt publicityEndsAt nominations { id } }
}`;
const RECORD = `
mutation RecordForum($input: RecordForumInput!) {
  recordForum(input: $input) {
    __typename
    ... on ForumSaved { forum { id } }
    ...ProblemFields
  }
} ${PROBLEM}`;

export function mayRun(communityId) {
  return isAdmin() || districtsOf().length > 0 || rolesIn(communityId).some((r) => RUNNING_BODY.includes(r));
}

function phase(f) {
  const now = Date.now();
  if (f.listPublishedAt) {
    return new Date(f.publicityEndsAt) > now
      ? t("forums.phase.publicity", { until: formatTime(f.publicityEndsAt) })
      : t("forums.phase.published", { at: formatTime(f.listPublishedAt) });
  }
  return new Date(f.nominationsCloseAt) > now
    ? t("forums.phase.nominating", { until: formatTime(f.nominationsCloseAt) })
    : t("forums.phase.vetting");
}

function recordForm(communityId) {
  const later = new Date(Date.now() + 7 * 86400e3).toISOString();
  const held = field({ name: "heldAt", label: t("forums.heldAt"), type: "datetime-local", required: true, hint: t("forums.timeHint") });
  const place = field({ name: "place", label: t("forums.place"), required: true, maxlength: "200" });
  const attendees = field({ name: "attendees", label: t("forums.attendees"), hint: t("forums.attendeesHint"), tag: "textarea", rows: "3", required: true });
  const minutes = field({ name: "minutes", label: t("forums.minutes"), tag: "textarea", rows: "5", required: true });
  const opinions = field({ name: "opinions", label: t("forums.opinions"), tag: "textarea", rows: "4" });
  const close = field({ name: "nominationsCloseAt", label: t("forums.closeAt"), type: "datetime-local", required: true, value: toLocalInput(later), hint: t("forums.timeHint") });
  return actionForm({
    rows: [held.row, place.row, attendees.row, minutes.row, opinions.row, close.row],
    submitLabel: t("forums.record"),
    work: async () => {
      const input = {
        communityId,
        heldAt: fromLocalInput(held.input.value),
        place: place.input.value,
        attendees: attendees.input.value,
        minutes: minutes.input.value,
        opinions: opinions.input.value,
        nominationsCloseAt: fromLocalInput(close.input.value),
      };
      const saved = await mutate(RECORD, { input }, "recordForum");
      navigate(`/community/${communityId}/forums/${saved.forum.id}`);
    },
  });
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(LOAD, { id });
  const runner = mayRun(id);
  return h(
    "section",
    { class: "forums" },
    runner ? h("p", { class: "crumbs" }, h("a", { href: `#/community/${id}/governance` }, t("gov.back"))) : null,
    h("h1", { tabindex: "-1" }, t("forums.title", { name: data.community.name })),
    h("p", { class: "lead" }, t("forums.lead")),
    data.forums.length
      ? h("ul", { class: "plain forum-list" }, data.forums.map((f) =>
          h("li", { class: "panel", dataset: { forum: f.id } },
            h("h2", {}, h("a", { href: `#/community/${id}/forums/${f.id}` }, t("forums.item", { date: formatTime(f.heldAt), place: f.place }))),
            h("p", { class: "meta" }, phase(f)),
            h("p", { class: "hint" }, t("forums.candidates", { n: formatNumber(f.nominations.length) })),
            h("a", { class: "button primary", href: `#/community/${id}/forums/${f.id}` }, t("forums.open")))))
      : h("p", { class: "panel hint" }, t("forums.none")),
    runner
      ? h("section", { class: "panel", "aria-labelledby": "forum-new-h" }, h("h2", { id: "forum-new-h" }, t("forums.newTitle")), recordForm(id))
      : null,
  );
}
