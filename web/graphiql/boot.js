// The demo's GraphiQL page (served at /graphiql/ only in a demo or with GONGZHI_DEBUG; production
// answers 404, api/http/explorer.py). GraphiQL 4's UMD build and React 18 are vendored in
// web/vendor/ and loaded by index.html as classic deferred scripts, which run before this module.
// Queries and mutations go over POST with the session cookie and the CSRF header, as the web
// client's do (js/api.js); subscriptions over graphql-transport-ws (the vendored graphql-ws).

import { createClient } from "../vendor/graphql-ws-6.4.2.js";

const { React, ReactDOM, GraphiQL } = window;

const START = `# Gongzhi's GraphQL API, in the demo (introspection is on here, never in production).
# Log in first, in this window or in the web client (the session cookie is shared):
#
#   mutation { login(input: { phone: "13800000002", password: "gongzhi-demo" }) { __typename } }
#
# Then try:

{
  __typename
  me { displayName }
}
`;

const endpoint = new URL("../graphql", location.href); // beside /graphiql/, wherever it is mounted
const socket = new URL(endpoint);
socket.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const fetcher = GraphiQL.createFetcher({
  url: endpoint.pathname,
  headers: { "X-Gongzhi-CSRF": "1" },
  wsClient: createClient({ url: socket.href, lazy: true }),
});

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: START, defaultEditorToolsVisibility: false }),
);
