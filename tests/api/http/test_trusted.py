"""Trusted documents and the direct path (api/http/trusted.py, api/http/direct.py; issue #17
target 6): the web client's documents are found in web/, every one of them validates against
the schema, and with GONGZHI_TRUSTED_DOCUMENTS_ONLY nothing else runs over HTTP."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from api.http.app import WEB_DIR, create_app
from api.http.direct import Documents
from api.http.trusted import web_documents
from api.runtime import Runtime
from schema.root import build_schema

# Templates the client builds with a function (a mutation's name or a boolean spliced in): they
# are not registered. A new one added here is a screen the trusted-only setting would break.
DYNAMIC = {
    "js/bodies.js: mutation(…)",
    "js/livetally.js: SUBSCRIPTION(…)",
    "js/livetally.js: POLL(…)",
    "js/views/manage.js: TRANSITION(…)",
    "js/views/proposal.js: SIGN(…)",
    "js/views/version.js: saved(…)",
}


def test_every_document_of_the_web_client_is_found_and_validates() -> None:
    found = web_documents(WEB_DIR)
    assert len(found.documents) >= 90  # every screen's queries and mutations
    documents = Documents(build_schema())
    refused = [
        where
        for text, where in found.documents.items()
        if not text.lstrip().startswith("subscription") and documents.trust(text, None) is None
    ]
    assert refused == []  # a screen whose document the server would refuse
    assert set(found.dynamic) == DYNAMIC


def test_the_documents_are_the_text_the_browser_sends(tmp_path: Path) -> None:
    js = tmp_path / "js"
    (js / "views").mkdir(parents=True)
    (js / "api.js").write_text("export const PROBLEM = `\nfragment P on Problem { code }`;\n")
    (js / "views" / "x.js").write_text(
        'import { PROBLEM } from "../api.js";\n'
        'const F = "id name";\n'
        "const ONE = `\nquery One($id: ID!) { community(id: $id) { ${F} } }`;\n"
        "const DO = `\nmutation Do { logout { __typename ...P } } ${PROBLEM}`;\n"
        "const NOT = `<p>${F}</p>`;\n"
        "const MADE = (op) => `\nmutation M { ${op} }`;\n"
        "const PART = () => `__typename`;\n"
        "const USES = `\nquery U { ${PART()} }`;\n"
    )
    found = web_documents(tmp_path)
    assert set(found.documents) == {
        "\nquery One($id: ID!) { community(id: $id) { id name } }",
        "\nmutation Do { logout { __typename ...P } } \nfragment P on Problem { code }",
        "\nquery U { __typename }",
    }
    assert found.dynamic == ["js/views/x.js: MADE(…)"]


async def test_trusted_only_refuses_any_other_document(runtime: Runtime) -> None:
    strict = replace(runtime, settings=replace(runtime.settings, trusted_documents_only=True))
    app = create_app(runtime=strict)
    login = next(t for t, w in web_documents(WEB_DIR).documents.items() if "views/login.js" in w)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        adhoc = await client.post("/graphql", json={"query": "{ __typename }"})
        assert adhoc.status_code == 400
        assert adhoc.json()["errors"][0]["extensions"]["code"] == "UNTRUSTED_DOCUMENT"
        variables = {"input": {"phone": "13900000009", "password": "wrong password"}}
        known = await client.post("/graphql", json={"query": login, "variables": variables})
        assert known.status_code == 200
        assert known.json()["data"]["login"]["__typename"] == "Problem"  # ran, and refused
        form = await client.post("/graphql", content=b"query={__typename}")
        assert form.status_code == 400


async def test_by_default_any_valid_document_runs(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.json() == {"data": {"__typename": "Query"}}
