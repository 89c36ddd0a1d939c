// The viewer's inbox (issue #15 part 3): notices newest first, Chinese first (English when the
// page is in English), large text for elderly owners, each with a link into the app; mark one or
// all read. Below, the notification settings: texts on or off and quiet hours (Beijing time);
// security notices always go at once.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { refreshBell } from "../shell.js";

const ITEMS = `
query Inbox($after: String) {
  inbox(first: 20, after: $after) {
    totalCount unreadCount
    nodes { id kind text link security createdAt readAt }
    pageInfo { hasNextPage endCursor }
  }
  notificationPreferences { sms quietStart quietEnd }
}`;
const MARK = `
mutation MarkInboxRead($input: MarkInboxReadInput!) {
  markInboxRead(input: $input) {
    __typename
    ... on InboxMarked { marked unreadCount }
    ...ProblemFields
  }
} ${PROBLEM}`;
const SAVE = `
mutation SetNotificationPreferences($input: NotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) {
    __typename
    ... on NotificationPreferencesSet { preferences { sms quietStart quietEnd } }
    ...ProblemFields
  }
} ${PROBLEM}`;

export default async function render() {
  const data = await request(ITEMS, {});
  const list = h("ul", { class: "inbox-list" });
  const count = h("p", { class: "inbox-count", "aria-live": "polite" });
  const more = h("div");
  let unread = data.inbox.unreadCount;
  const showCount = () => replace(count, t("inbox.unread", { n: unread }));
  showCount();

  const item = (n) => {
    const read = h("button", { type: "button", class: "secondary", hidden: Boolean(n.readAt) }, t("inbox.markRead"));
    const li = h(
      "li",
      { class: `inbox-item${n.readAt ? "" : " unread"}${n.security ? " security" : ""}`, "data-id": n.id },
      n.security ? h("strong", { class: "inbox-flag" }, t("inbox.security")) : null,
      h("p", { class: "inbox-text" }, n.text),
      h("p", { class: "inbox-when" }, formatDateTime(n.createdAt)),
      h("div", { class: "inbox-actions" }, n.link ? h("a", { href: `#${n.link}` }, t("inbox.open")) : null, read),
    );
    read.addEventListener("click", async () => {
      read.disabled = true;
      try {
        const done = await mutate(MARK, { input: { ids: [n.id] } }, "markInboxRead");
        unread = done.unreadCount;
        li.classList.remove("unread");
        read.hidden = true;
        showCount();
        refreshBell();
      } finally {
        read.disabled = false;
      }
    });
    return li;
  };

  const addPage = (page) => {
    for (const n of page.nodes) list.append(item(n));
    replace(more);
    if (page.pageInfo.hasNextPage) {
      const button = h("button", { type: "button", class: "secondary" }, t("inbox.more"));
      button.addEventListener("click", async () => {
        button.disabled = true;
        const next = await request(ITEMS, { after: page.pageInfo.endCursor });
        addPage(next.inbox);
      });
      replace(more, button);
    }
  };
  addPage(data.inbox);

  const all = h("button", { type: "button" }, t("inbox.markAll"));
  all.addEventListener("click", async () => {
    all.disabled = true;
    try {
      const done = await mutate(MARK, { input: { all: true } }, "markInboxRead");
      unread = done.unreadCount;
      for (const li of list.querySelectorAll(".unread")) {
        li.classList.remove("unread");
        li.querySelector(".inbox-actions button").hidden = true;
      }
      showCount();
      refreshBell();
    } finally {
      all.disabled = false;
    }
  });

  const empty = data.inbox.totalCount === 0 ? h("p", {}, t("inbox.empty")) : null;
  return h(
    "section",
    { class: "inbox" },
    h("h1", { tabindex: "-1" }, t("inbox.title")),
    count,
    data.inbox.totalCount ? all : null,
    empty,
    list,
    more,
    preferences(data.notificationPreferences),
  );
}

function preferences(current) {
  const sms = h("input", { type: "checkbox", id: "pref-sms", checked: current.sms });
  const start = h("input", { type: "time", id: "pref-start", value: current.quietStart ?? "" });
  const end = h("input", { type: "time", id: "pref-end", value: current.quietEnd ?? "" });
  const status = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "inbox-prefs" },
    h("h2", {}, t("inbox.prefs")),
    h("div", { class: "check" }, sms, h("label", { for: "pref-sms" }, t("inbox.sms"))),
    h("p", { class: "hint" }, t("inbox.quietHint")),
    h("div", { class: "field" }, h("label", { for: "pref-start" }, t("inbox.quietStart")), start),
    h("div", { class: "field" }, h("label", { for: "pref-end" }, t("inbox.quietEnd")), end),
    h("button", { type: "submit" }, t("inbox.save")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(status);
    const input = { sms: sms.checked, quietStart: start.value || null, quietEnd: end.value || null };
    try {
      await mutate(SAVE, { input }, "setNotificationPreferences");
      replace(status, h("p", { class: "success", role: "status" }, t("inbox.saved")));
    } catch (err) {
      replace(status, h("p", { class: "error", role: "alert" }, err.message));
    }
  });
  return form;
}
