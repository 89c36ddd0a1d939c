// Following an election's tally: the `electionTally` subscription when the service offers it,
// HTTP polling when it does not or while the WebSocket is down, and the connection badge.

import { request } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { onStatus, subscribe } from "./live.js";
import { TALLIED, TALLY_FIELDS } from "./voting.js";

const SUBSCRIPTION = (withBuildings) => `
subscription ElectionTally($id: ID!) {
  electionTally(electionId: $id) {
    electionId version state
    tally { ${TALLY_FIELDS} }
    ${withBuildings ? "buildingTurnout { building label electors voted }" : ""}
  }
}`;

const POLL = (withBuildings) => `
query TallyPoll($id: ID!) {
  election(id: $id) {
    id state ledgerSeq
    tally { ${TALLY_FIELDS} }
    ${withBuildings ? "buildingTurnout { building label electors voted }" : ""}
  }
}`;

const STATE_QUERY = `query ElectionState($id: ID!) { election(id: $id) { id state ledgerSeq } }`;

/**
 * Follow an election's tally: over the `electionTally` subscription when the service offers
 * it, and by polling `election { tally }` over HTTP when it does not or while the WebSocket is
 * down. onUpdate({ state, tally, buildingTurnout, version, source }) gets full states only;
 * onMode(mode) tells a badge "connecting" | "live" | "reconnecting" | "polling".
 */
export function watchTally(ctx, electionId, { withBuildings = false, every = 5000, onUpdate, onMode = () => {}, onError = () => {} }) {
  let mode = "connecting";
  let unsupported = false;
  let subscribed = false;
  let stopSub = null;
  let timer = null;
  let retry = null;
  let lastVersion = -1;
  let closed = false;

  const setMode = (next) => {
    if (next !== mode) {
      mode = next;
      onMode(mode);
    }
  };

  async function poll() {
    try {
      const { election } = await request(STATE_QUERY, { id: electionId });
      let update = { state: election.state, tally: null, buildingTurnout: null, version: null, source: "poll" };
      if (TALLIED.includes(election.state)) {
        const data = await request(POLL(withBuildings), { id: electionId });
        update = { ...update, state: data.election.state, tally: data.election.tally, buildingTurnout: data.election.buildingTurnout ?? null };
      }
      if (!closed && mode !== "live") onUpdate(update);
    } catch (err) {
      if (!closed) onError(err);
    }
  }
  function startPolling() {
    if (timer || closed) return;
    timer = setInterval(poll, every);
  }
  function stopPolling() {
    clearInterval(timer);
    timer = null;
  }

  function trySubscribe() {
    if (closed) return;
    subscribed = true;
    stopSub = subscribe(SUBSCRIPTION(withBuildings), { id: electionId }, {
      next: (data) => {
        const u = data.electionTally;
        if (!u) return;
        // versions only grow within one connection; a restarted service may start lower
        lastVersion = u.version;
        setMode("live");
        stopPolling();
        onUpdate({ state: u.state, tally: u.tally, buildingTurnout: u.buildingTurnout ?? null, version: u.version, source: "live" });
      },
      error: (errors) => {
        // No such subscription (an older service), or refused: poll, and try again later.
        subscribed = false;
        unsupported = true;
        console.warn("live tally unavailable, polling:", errors?.[0]?.message ?? errors);
        setMode("polling");
        startPolling();
        retry = setTimeout(() => {
          unsupported = false;
          trySubscribe();
        }, 60000);
      },
      complete: () => {
        subscribed = false;
      },
    });
  }

  const stopStatus = onStatus((status) => {
    if (closed || unsupported || !subscribed) return;
    if (status === "reconnecting") {
      setMode("reconnecting");
      startPolling(); // keep the screen fresh over HTTP while the socket is down
    } else if (status === "connecting" && mode !== "polling") {
      setMode("connecting");
    }
    // "connected": the mode turns "live" with the first message (the full state)
  });
  trySubscribe();
  ctx.onLeave(() => {
    closed = true;
    stopPolling();
    clearTimeout(retry);
    stopStatus();
    stopSub?.();
  });
  return { poll, get mode() { return mode; }, get version() { return lastVersion; } };
}

/** The connection badge of live screens. */
export function connectionBadge() {
  const node = h("p", { class: "conn", role: "status", dataset: { status: "connecting" } }, t("live.connecting"));
  return {
    node,
    set(mode) {
      node.dataset.status = mode;
      replace(node, t(`live.${mode}`));
    },
  };
}
