// Live updates over GraphQL subscriptions (graphql-transport-ws, vendored graphql-ws). One
// connection per page, opened on the first subscription; it reconnects by itself forever with a
// capped backoff, because a supervisor's big screen must recover from a dropped connection
// without anyone touching it. The service sends the current state as the first message of every
// subscription, so after a reconnect each view simply receives a fresh full state.

import { createClient } from "../vendor/graphql-ws-6.4.2.js";
import { getLang } from "./i18n.js";

const statusListeners = new Set();
let client = null;
let status = "idle"; // idle | connecting | connected | reconnecting
let active = 0; // open subscriptions: a lazy client closing with none open is just idle

function setStatus(next) {
  if (next === status) return;
  status = next;
  for (const fn of statusListeners) fn(status);
}

function url() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

/** 1 s, 2 s, 4 s … capped at 15 s, with jitter so a restarted server is not hit all at once. */
async function backoff(retries) {
  const ms = Math.min(1000 * 2 ** retries, 15000) + Math.random() * 1000;
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function getClient() {
  if (client) return client;
  setStatus("connecting");
  client = createClient({
    url: url(),
    lazy: true,
    // The session cookie authenticates the socket; the language rides along for messages.
    connectionParams: () => ({ lang: getLang() }),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: backoff,
    keepAlive: 15000,
    on: {
      connecting: (isRetry) => setStatus(isRetry ? "reconnecting" : "connecting"),
      connected: () => setStatus("connected"),
      closed: () => setStatus(active > 0 ? "reconnecting" : "idle"),
    },
  });
  return client;
}

/**
 * subscribe(`subscription ($id: ID!) { tally(electionId: $id) { ... } }`, { id }, {
 *   next: (data) => ..., error: (err) => ...,
 * }) → unsubscribe function. Views call it from render and register the unsubscribe with
 * ctx.onLeave so leaving the screen closes the subscription.
 */
export function subscribe(query, variables, { next, error = () => {}, complete = () => {} }) {
  active += 1;
  let open = true;
  const done = () => {
    if (open) active -= 1;
    open = false;
  };
  const dispose = getClient().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) error(result.errors);
        if (result.data) next(result.data);
      },
      error: (err) => {
        done();
        error(Array.isArray(err) ? err : [err]);
      },
      complete: () => {
        done();
        complete();
      },
    },
  );
  return () => {
    done();
    dispose();
  };
}

/** Follow the connection state ("connected", "reconnecting" …), e.g. for a status badge. */
export function onStatus(fn) {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}

/** Close the connection: after login or logout the next one must carry the new cookie. */
export async function reset() {
  const old = client;
  client = null;
  active = 0;
  setStatus("idle");
  if (old) await old.dispose();
}
