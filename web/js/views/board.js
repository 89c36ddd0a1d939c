// A compound's notice board (信息公开, issue #15 part 2): every notice, newest first, with its
// kind, state, publicity period and read count; a filter by kind; for the running body and the
// district's officials a form to post one with PDF, JPEG or PNG attachments (checked by the
// service by their content).

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { field } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { navigate } from "../router.js";
import { RUNNING_BODY, districtsOf, isAdmin, rolesIn } from "../session.js";
import { actionForm } from "../govern.js";
import { formatTime } from "../voting.js";
import { KINDS, NOTICE_FIELDS, fileInput, kindChip, stateChip } from "../noticebits.js";

const LOAD = `
query Board($id: ID!, $kind: NoticeKind) {
  community(id: $id) { id name }
  notices(communityId: $id, kind: $kind, first: 50) { totalCount nodes { ${NOTICE_FIELDS} } }
}`;

const POST = `
mutation PostNotice($input: PostNoticeInput!) {
  postNotice(input: $input) { __typename ... on Notice { id } ...ProblemFields }
} ${PROBLEM}`;

function row(n) {
  return h(
    "li",
    { class: "panel notice-card", dataset: { notice: n.id, kind: n.kind, state: n.state } },
    h("h2", {}, h("a", { href: `#/notice/${n.id}` }, n.title)),
    h("p", { class: "meta" }, kindChip(n.kind), " ", stateChip(n.state), " ",
      t("board.period", { from: formatTime(n.postedAt), to: formatTime(n.publicityEndsAt) })),
    h("p", { class: "meta" }, t("board.reads", { n: formatNumber(n.readCount) }),
      n.attachments.length ? ` · ${t("board.files", { n: formatNumber(n.attachments.length) })}` : "",
      n.readByMe ? "" : ` · ${t("board.unread")}`),
  );
}

function postForm(communityId) {
  const kind = h("select", { id: "notice-kind", name: "kind" }, KINDS.filter((k) => !["ELECTION_RESULT", "CANDIDATES"].includes(k)).map((k) => h("option", { value: k }, t(`board.kind.${k}`))));
  const title = field({ name: "title", label: t("board.title"), required: true, maxlength: "200" });
  const body = field({ name: "body", label: t("board.body"), tag: "textarea", rows: "6", maxlength: "20000" });
  const days = field({ name: "publicityDays", label: t("board.days"), type: "number", min: "1", max: "365", hint: t("board.daysHint") });
  const files = field({ name: "attachments", label: t("board.attach"), type: "file", multiple: true, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", hint: t("board.attachHint") });
  return actionForm({
    rows: [h("div", { class: "field" }, h("label", { for: "notice-kind" }, t("board.kind")), kind), title.row, body.row, days.row, files.row],
    submitLabel: t("board.post"),
    work: async () => {
      const attachments = await Promise.all([...files.input.files].map(fileInput));
      const input = { communityId, kind: kind.value, title: title.input.value, body: body.input.value, attachments };
      if (days.input.value) input.publicityDays = Number(days.input.value);
      const saved = await mutate(POST, { input }, "postNotice");
      navigate(`/notice/${saved.id}`);
    },
  });
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const kind = ctx.query.get("kind") || null;
  const data = await request(LOAD, { id, kind });
  const filter = h("select", { id: "board-filter", name: "kind", on: { change: (e) => navigate(`/community/${id}/board${e.target.value ? `?kind=${e.target.value}` : ""}`) } },
    h("option", { value: "" }, t("board.allKinds")),
    KINDS.map((k) => h("option", { value: k, selected: k === kind }, t(`board.kind.${k}`))));
  return h(
    "section",
    { class: "board" },
    h("h1", { tabindex: "-1" }, t("board.heading", { name: data.community.name })),
    h("p", { class: "lead" }, t("board.lead")),
    h("div", { class: "field inline" }, h("label", { for: "board-filter" }, t("board.filter")), filter),
    postAllowed(id) ? h("details", { class: "panel action" }, h("summary", {}, t("board.postTitle")), postForm(id)) : null,
    h("p", { class: "hint" }, t("board.count", { n: formatNumber(data.notices.totalCount) })),
    data.notices.nodes.length ? h("ul", { class: "plain notices" }, data.notices.nodes.map(row)) : h("p", { class: "panel hint" }, t("board.none")),
    h("p", {}, h("a", { href: `#/community/${id}/fund` }, t("fund.action"))),
  );
}

function postAllowed(id) {
  return isAdmin() || districtsOf().length > 0 || rolesIn(id).some((r) => RUNNING_BODY.includes(r));
}
