// Boot: language, who is logged in, the frame, then the routes.

import { onUnauthenticated } from "./api.js";
import { applyDocumentLang, onLangChange } from "./i18n.js";
import { navigate, parseHash, rerender, start, defineRoutes } from "./router.js";
import { ROUTES } from "./routes.js";
import { loadViewer, setViewer, viewer } from "./session.js";
import { mountShell, renderShell } from "./shell.js";

applyDocumentLang();
defineRoutes(ROUTES);

onUnauthenticated(() => {
  // The session expired or was ended elsewhere: back to the login page, then here again.
  if (!viewer()) return;
  setViewer(null);
  renderShell();
  const { path } = parseHash();
  navigate(`/login?next=${encodeURIComponent(path)}`);
});

onLangChange(() => {
  renderShell();
  rerender();
});

try {
  await loadViewer();
} catch (err) {
  // Offline or the service is down: show the login page, which will say so when used.
  console.warn("boot:", err.message);
}
mountShell(document.getElementById("top"));
await start(document.getElementById("main"), { onRendered: renderShell });
