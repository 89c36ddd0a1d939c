// The GraphQL client over HTTP. Cookie sessions: same-origin credentials plus the CSRF header
// the service requires on every cookie-authenticated POST. Failures become ApiError with a
// message in the chosen language, whatever layer they came from.

import { getLang, has, t } from "./i18n.js";

const ENDPOINT = "/graphql";

/** The fields every mutation asks of its Problem branch; append PROBLEM to the document. */
export const PROBLEM = `
fragment ProblemFields on Problem {
  code message field retryAfterSeconds
  details { code message line column value }
  facts { name value }
}`;

export class ApiError extends Error {
  /**
   * kind: "problem" (an expected refusal in a mutation result), "graphql" (a refused query
   * field), "http" (a guard before GraphQL: CSRF, body size, timeout) or "network".
   * facts: the refusal's facts by name (e.g. { requiredDays: "15", earliestOpen: "…" }); the
   * message already states them in the chosen language.
   */
  constructor(
    message,
    { kind, code = null, field = null, details = [], retryAfter = null, facts = {} },
  ) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.field = field;
    this.details = details;
    this.retryAfter = retryAfter;
    this.facts = facts;
  }
}

let unauthenticated = () => {};
/** Called when the session has ended under us (expired, logged out elsewhere). */
export function onUnauthenticated(fn) {
  unauthenticated = fn;
}

// Problems and refused query fields carry a message the service wrote in our language, with
// specifics (which row, which role): show it as is. The HTTP guards in front of GraphQL (CSRF,
// body size, timeout) answer in both languages at once: use our catalogue for their codes.
// An error without a code was masked by the service: say so plainly.
function messageFor(code, serverMessage, localized) {
  if (!code) return t("errors.unexpected");
  if (!localized && has(`errors.${code}`)) return t(`errors.${code}`);
  return serverMessage || t("errors.unexpected");
}

/** Run a query or mutation; resolve to `data`, or throw ApiError. */
export async function request(query, variables = {}) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-Gongzhi-CSRF": "1",
        "X-Gongzhi-Lang": getLang(),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(t("errors.network"), { kind: "network", code: "NETWORK" });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy's error page, say
  }
  const errors = body?.errors ?? [];
  if (errors.length) {
    const first = errors[0];
    const code = first.extensions?.code ?? null;
    const kind = response.ok ? "graphql" : "http";
    if (code === "UNAUTHENTICATED") unauthenticated();
    throw new ApiError(messageFor(code, first.message, response.ok), {
      kind,
      code,
      field: first.extensions?.field ?? null,
      facts: first.extensions?.facts ?? {},
    });
  }
  if (!response.ok || !body || !("data" in body)) {
    throw new ApiError(t("errors.http", { status: response.status }), {
      kind: "http",
      code: `HTTP_${response.status}`,
    });
  }
  return body.data;
}

/**
 * Run a mutation whose result is a union with Problem; resolve to the success branch of
 * `data[field]`, or throw ApiError(kind "problem") carrying the Problem's code, field and details.
 * The document must select `__typename` and `...ProblemFields` (include PROBLEM).
 */
export async function mutate(query, variables, field) {
  const data = await request(query, variables);
  const result = data[field];
  if (result?.__typename === "Problem") {
    if (result.code === "UNAUTHENTICATED") unauthenticated();
    throw new ApiError(result.message, {
      kind: "problem",
      code: result.code,
      field: result.field,
      details: result.details ?? [],
      retryAfter: result.retryAfterSeconds,
      facts: Object.fromEntries((result.facts ?? []).map((f) => [f.name, f.value])),
    });
  }
  return result;
}
