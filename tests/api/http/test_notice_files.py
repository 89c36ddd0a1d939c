"""Notice attachments end to end (issue #15 part 2): uploaded through postNotice, stored under
var/ with a random name, served with Content-Disposition, nosniff and a CSP to readers of the
compound only; every bad upload is refused with its own code and leaves nothing behind — no
notice row, no file in var/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.runtime import Runtime
from api.store.models import Notice
from tests.conftest import Gql
from tests.support.drafting import install_clock
from tests.support.notices import PDF, POST, b64, jpeg, png, post, posted, problem
from tests.support.world import World

HTML = b"<!DOCTYPE html><html><script>fetch('/graphql')</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def stored_files(runtime: Runtime) -> list[str]:
    folder = Path(runtime.settings.var_dir) / "notices"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_attachments_are_stored_under_random_names_and_served_as_attachments(
    gql: Gql, client: httpx.AsyncClient, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    files = [
        {"name": "业主大会决议.pdf", "data": b64(PDF)},
        {"name": "现场.png", "data": b64(png())},
        {"name": "照片.jpg", "data": "data:image/jpeg;base64," + b64(jpeg())},
    ]
    n = await posted(gql, world.tokens["committee"], world.a, attachments=files)
    assert [a["mediaType"] for a in n["attachments"]] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]
    names = stored_files(runtime)
    assert len(names) == 3 and all(len(x) == 32 and "." not in x for x in names)
    pdf, image = n["attachments"][0], n["attachments"][1]
    owner = {"authorization": f"Bearer {world.tokens['owner']}"}
    r = await client.get(pdf["url"], headers=owner)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E4%B8%9A%E4%B8%BB" in r.headers["content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "sandbox" in r.headers["content-security-policy"]
    inline_pdf = await client.get(pdf["url"] + "?view=inline", headers=owner)
    assert inline_pdf.headers["content-disposition"].startswith("attachment;")  # never a PDF
    inline_png = await client.get(image["url"] + "?view=inline", headers=owner)
    assert inline_png.headers["content-disposition"].startswith("inline;")
    assert inline_png.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_foreign_readers_and_missing_ids_get_the_same_404_and_strangers_401(
    gql: Gql, client: httpx.AsyncClient, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    n = await posted(
        gql, world.tokens["committee"], world.a, attachments=[{"name": "a.pdf", "data": b64(PDF)}]
    )
    url = n["attachments"][0]["url"]
    foreign = await client.get(url, headers={"authorization": f"Bearer {world.tokens['owner_b']}"})
    missing = await client.get(
        "/files/notice-attachments/99999",
        headers={"authorization": f"Bearer {world.tokens['owner_b']}"},
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content and foreign.headers == missing.headers
    assert (await client.get(url)).status_code == 401


BAD = [
    ("决议.pdf", HTML, "ATTACHMENT_TYPE"),
    ("照片.png", SVG, "ATTACHMENT_TYPE"),
    ("a.pdf", PDF + b"<html><script>alert(1)</script></html>%%EOF", "ATTACHMENT_POLYGLOT"),
    ("a.png", png() + b"<script>alert(1)</script>", "ATTACHMENT_POLYGLOT"),
    ("../../../etc/cron.d/x.pdf", PDF, "BAD_ATTACHMENT_NAME"),
    ("/var/lib/gongzhi/secret.key.pdf", PDF, "BAD_ATTACHMENT_NAME"),
    ("..／x.pdf", PDF, "BAD_ATTACHMENT_NAME"),
    ("\u202egnp.pdf", PDF, "BAD_ATTACHMENT_NAME"),
    ("a.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF", "ATTACHMENT_TOO_LARGE"),
]


@pytest.mark.parametrize(
    ("name", "data", "code"), BAD, ids=[b[2] + str(i) for i, b in enumerate(BAD)]
)
async def test_a_bad_attachment_is_refused_and_nothing_is_stored(
    gql: Gql, runtime: Runtime, world: World, name: str, data: bytes, code: str
) -> None:
    install_clock(runtime)
    good = {"name": "先.pdf", "data": b64(PDF)}  # a good one first: all or nothing
    r = await post(
        gql,
        world.tokens["committee"],
        world.a,
        attachments=[good, {"name": name, "data": b64(data)}],
    )
    p = problem(r, "postNotice")
    assert p["code"] == code and p["field"] == "attachments[1]", p
    assert "2" in p["message"]  # which attachment
    assert stored_files(runtime) == []
    async with runtime.reader() as s:
        assert (await s.execute(select(func.count(Notice.id)))).scalar_one() == 0


async def test_a_nul_in_the_name_is_refused_before_any_service_runs(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """NUL cannot be stored in any text: the schema's guard (schema/textguard.py) refuses the
    whole request, naming the field, before a transaction opens; the service refuses it too
    (tests/api/formats/test_attachment.py)."""
    install_clock(runtime)
    variables = {
        "input": {
            "communityId": str(world.a),
            "kind": "ANNOUNCEMENT",
            "title": "t",
            "attachments": [{"name": "a\x00.pdf", "data": b64(PDF)}],
        }
    }
    r = await gql(POST, variables, token=world.tokens["committee"], expect_errors=True)
    error = r["errors"][0]["extensions"]
    assert error["code"] == "TEXT_INVALID_CHARACTER"
    assert error["field"] == "variables.input.attachments[0].name"
    assert stored_files(runtime) == []


async def test_too_many_attachments_are_refused(gql: Gql, runtime: Runtime, world: World) -> None:
    install_clock(runtime)
    files = [{"name": f"{i}.pdf", "data": b64(PDF)} for i in range(6)]
    p = problem(
        await post(gql, world.tokens["committee"], world.a, attachments=files), "postNotice"
    )
    assert p["code"] == "TOO_MANY_ATTACHMENTS" and stored_files(runtime) == []
