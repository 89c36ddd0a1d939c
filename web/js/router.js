// Hash routing: "#/community/3/roll?x=1" → the route whose path is "/community/:id/roll".
// Routes come from routes.js (the one table every screen registers in). A view module's default
// export is `async render(ctx)` returning a Node; ctx carries the params, the query, and
// onLeave(fn) for cleanup (closing live subscriptions) when the user goes elsewhere.

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { hasRole, landing, viewer } from "./session.js";

let table = [];
let outlet = null;
let leaving = [];
let generation = 0;
let afterRender = () => {};
// What a printed notice's QR code carried in the fragment ({ path, query }): memory only, for
// the one screen it was meant for, across a login in between (see `carries` below).
let carried = null;

function compile(path) {
  const keys = [];
  const pattern = path.replace(/:(\w+)/g, (_, key) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${pattern}$`), keys };
}

export function defineRoutes(list) {
  table = list.map((route) => ({ ...route, ...compile(route.path) }));
}

export function routes() {
  return table;
}

/** "#/a/b?x=1" → { path: "/a/b", query: URLSearchParams } */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, qs = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(qs) };
}

export function match(path) {
  for (const route of table) {
    const m = route.re.exec(path);
    if (m) {
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

/** Go to a path ("/home"); re-renders even when it is the current one. */
export function navigate(path) {
  if (`#${path}` === location.hash) rerender();
  else location.hash = `#${path}`;
}

export function start(element, { onRendered = () => {} } = {}) {
  outlet = element;
  afterRender = onRendered;
  window.addEventListener("hashchange", () => render({ focus: true }));
  return render({ focus: false });
}

/** Render the current route again (after a language switch, a login, a logout). */
export function rerender() {
  return render({ focus: false });
}

function leave() {
  const fns = leaving;
  leaving = [];
  for (const fn of fns) {
    try {
      fn();
    } catch (err) {
      console.warn("router: cleanup failed", err);
    }
  }
}

async function render({ focus }) {
  const mine = ++generation;
  const { path, query } = parseHash();
  leave();
  const found = match(path);
  if (!found) return show(mine, t("notfound.title"), errorPanel(t("notfound.title"), t("notfound.body")), focus, null);
  const { route, params } = found;
  if (route.redirect) {
    location.replace(`#${route.redirect(viewer())}`);
    return undefined;
  }
  if (route.carries && route.carries.some((key) => query.has(key))) {
    // A QR code on a printed notice opens "#/election/5?elector=9&code=…": the fragment never
    // reaches the server; take the code out of the address bar and the history at once and
    // keep it in memory until the screen (after a login, if need be) asks for it.
    carried = { path, query: new URLSearchParams(query) };
    history.replaceState(history.state, "", `#${path}`);
  }
  if (route.auth && !viewer()) {
    location.replace(`#/login?next=${encodeURIComponent(path)}`);
    return undefined;
  }
  if (route.guestOnly && viewer()) {
    location.replace(`#${landing()}`);
    return undefined;
  }
  if (route.roles && !hasRole(route.roles)) {
    return show(mine, t("forbidden.title"), errorPanel(t("forbidden.title"), t("forbidden.body")), focus, route);
  }
  outlet.setAttribute("aria-busy", "true");
  let node;
  try {
    const module = await route.load();
    const ctx = {
      params,
      query,
      route,
      carried: takeCarried(path),
      onLeave: (fn) => leaving.push(fn),
    };
    node = await module.default(ctx);
  } catch (err) {
    if (mine !== generation) return undefined;
    console.warn("router: view failed", err);
    node = errorPanel(t("errors.title"), err?.message || t("errors.unexpected"), true);
  }
  return show(mine, t(route.title), node, focus, route);
}

/** The query a QR code carried to `path` (URLSearchParams), once; null otherwise. Dropped
 * when the viewer goes anywhere else than the login on the way. */
function takeCarried(path) {
  if (!carried || carried.path !== path) {
    if (path !== "/login") carried = null;
    return null;
  }
  const { query } = carried;
  carried = null;
  return query;
}

function show(mine, title, node, focus, route) {
  if (mine !== generation) return; // a later navigation won the race
  outlet.removeAttribute("aria-busy");
  replace(outlet, node);
  document.title = `${title} · ${t("app.name")}`;
  if (focus) outlet.querySelector("h1")?.focus();
  afterRender(route);
}

function errorPanel(title, message, retry = false) {
  return h(
    "section",
    { class: "panel" },
    h("h1", { tabindex: "-1" }, title),
    h("p", { role: "alert" }, message),
    retry ? h("button", { type: "button", on: { click: () => rerender() } }, t("action.retry")) : null,
    h("p", {}, h("a", { href: "#/home" }, t("nav.home"))),
  );
}
