// The page frame around every screen: brand, navigation built from the viewer's roles (each
// route's `nav`), the language switch and logout. Rebuilt on login, logout and language change.

import { mutate, PROBLEM, request } from "./api.js";
import { h, replace } from "./dom.js";
import { drillBanner, forgetDrills, isDrillPage } from "./drill.js";
import { getLang, setLang, t } from "./i18n.js";
import { reset as resetLive } from "./live.js";
import { navigate, parseHash, routes } from "./router.js";
import { setViewer, viewer } from "./session.js";

let header = null;
let shown = 0; // the latest renderShell: a slower drill lookup for an earlier page is dropped

export function mountShell(element) {
  header = element;
  renderShell();
}

/** Nav links for this viewer: every route's nav(viewer), in table order, without repeats. */
export function navLinks(v = viewer()) {
  if (!v) return [];
  const seen = new Set();
  const links = [];
  for (const route of routes()) {
    for (const link of route.nav?.(v) ?? []) {
      if (seen.has(link.href)) continue;
      seen.add(link.href);
      links.push(link);
    }
  }
  return links;
}

export function renderShell() {
  const v = viewer();
  const here = `#${parseHash().path}`;
  const other = getLang() === "zh" ? "en" : "zh";
  const switcher = h(
    "button",
    {
      type: "button",
      class: "lang",
      lang: other === "en" ? "en" : "zh-CN",
      "aria-label": t("shell.switchLanguage"),
      on: { click: () => setLang(other) },
    },
    t("shell.otherLanguage"),
  );
  const nav = v
    ? h(
        "nav",
        { "aria-label": t("shell.nav") },
        h(
          "ul",
          {},
          navLinks(v).map((link) =>
            h("li", {}, h("a", { href: link.href, "aria-current": link.href === here ? "page" : null }, t(link.label))),
          ),
        ),
      )
    : null;
  const logout = v
    ? h("button", { type: "button", class: "secondary", on: { click: onLogout } }, t("shell.logout"))
    : null;
  delete header.dataset.drill;
  replace(
    header,
    h("a", { class: "skip", href: "#main", on: { click: skipToMain } }, t("shell.skip")),
    h(
      "div",
      { class: "bar" },
      h("a", { class: "brand", href: v ? "#/home" : "#/login" }, h("span", { class: "mark", "aria-hidden": "true" }, "共"), t("app.name")),
      h("div", { class: "tools" }, v ? bell() : null, v ? h("span", { class: "who" }, v.displayName) : null, switcher, logout),
    ),
    nav,
  );
  if (v) markDrill(here.slice(1), ++shown);
  if (v) refreshBell();
}

// The inbox bell (issue #15): a link to #/inbox with the unread count, refreshed with the shell
// and when the inbox screen marks items read.
function bell() {
  return h(
    "a",
    { class: "bell", href: "#/inbox" },
    h("span", {}, t("inbox.bell")),
    h("span", { class: "bell-count", hidden: true }),
    h("span", { class: "sr-only bell-unread" }),
  );
}

export async function refreshBell() {
  const target = header?.querySelector(".bell");
  if (!target) return;
  try {
    const { unreadCount } = await request("query UnreadCount { unreadCount }", {});
    const badge = target.querySelector(".bell-count");
    badge.textContent = unreadCount > 99 ? "99+" : String(unreadCount);
    badge.hidden = unreadCount === 0;
    target.querySelector(".bell-unread").textContent = unreadCount ? t("inbox.bellUnread") : "";
  } catch (err) {
    console.warn("unread count:", err.message); // the bell stays without a number
  }
}

// A drill compound's page carries the banner (web/js/drill.js), under the navigation.
// data-drill says what was found for this page ("true" or "false"), for the browser tests.
async function markDrill(path, mine) {
  const drill = await isDrillPage(path);
  if (mine !== shown || !header) return;
  header.querySelector(".drill-banner")?.remove();
  if (drill) header.append(drillBanner());
  header.dataset.drill = String(drill);
}

// The skip link must not change the hash (that is our router); move focus instead.
function skipToMain(event) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

async function onLogout(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await mutate(
      `mutation Logout { logout { __typename ...ProblemFields } } ${PROBLEM}`,
      {},
      "logout",
    );
  } catch (err) {
    // The session is gone locally either way; a failure here only means it lapses by itself.
    console.warn("logout:", err.message);
  }
  setViewer(null);
  forgetDrills();
  await resetLive();
  renderShell();
  navigate("/login");
}
