"""What the tests (and bench/) share, so that no test module imports another: the server
harness (server.py), the WebSocket client (graphql_ws.py), the GraphQL documents
(documents.py), the demo's logins (demo.py), the in-process API caller (app.py), the worlds the
tests build (world.py, drafting.py, elections.py, rolls.py) and the browser layout check
(layout.py). It imports the application and test libraries, never a test module."""
