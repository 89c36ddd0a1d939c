"""QR codes on printed letters and notices (issue #14 item 11; api/http/printing.py): each
encodes the service's public address with the code in the URL fragment, and that address is
GONGZHI_PUBLIC_URL or the printing browser's own origin, never a Host header's claim alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.http.app import create_app
from api.runtime import Runtime
from api.settings import SettingsError
from api.store.models import Person
from tests.conftest import Gql, make_settings
from tests.support.elections import open_resolution_in_a
from tests.support.qr import encodes
from tests.support.world import World

ISSUE = """mutation($c: ID!, $p: [ID!]) { issueActivationCodes(input: {communityId: $c, personIds: $p}) {
  __typename ... on ActivationCodesIssued { letters { name code qr } } ... on Problem { code } } }"""
RESET_LETTER = """mutation($c: ID!, $p: ID!) {
  issuePasswordResetLetter(input: {communityId: $c, personId: $p}) {
    __typename ... on ActivationCodesIssued { letters { name code qr } } ... on Problem { code } } }"""
NOTICES = """mutation($e: ID!) { printVotingNotices(electionId: $e) {
  __typename ... on VotingNotices { notices { electorId code qr } } ... on Problem { code } } }"""
REISSUE = """mutation($e: ID!, $el: ID!) { reissueVotingCode(electionId: $e, electorId: $el) {
  __typename ... on VotingNotices { notices { electorId code qr } } ... on Problem { code } } }"""
ZHAO = "13900000004"  # 赵六 on roll A, never activated
ZHANG = "13900000001"  # 张三, given an account below


async def call(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str, **headers: str
) -> Any:
    r = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"x-gongzhi-csrf": "1", "authorization": f"Bearer {token}", **headers},
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return next(iter(r.json()["data"].values()))


async def person(runtime: Runtime, phone: str) -> str:
    async with runtime.reader() as s:
        found = (await s.execute(select(Person).where(Person.phone == phone))).scalars().first()
    assert found is not None
    return str(found.id)


async def test_a_letter_opens_the_activation_page_of_the_browser_that_printed_it(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    args = {"c": str(world.a), "p": [await person(runtime, ZHAO)]}
    committee = world.tokens["committee"]
    printed = await call(client, ISSUE, args, committee, origin="http://testserver")
    [letter] = printed["letters"]
    assert encodes(letter["qr"], f"http://testserver/#/activate?code={letter['code']}")


# a script: no Origin, and Host alone is only a claim; a page elsewhere, or a forged Host; an
# Origin that is not a bare origin
UNKNOWN = [
    {},
    {"origin": "https://phish.example"},
    {"origin": "http://testserver/path"},
    {"origin": "null"},
    {"origin": "http://user@testserver"},
]


async def test_no_qr_code_where_the_address_is_not_known(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    """Without GONGZHI_PUBLIC_URL, an Origin that does not name the Host asked gets no QR code,
    rather than one pointing wherever a request's headers said: the letter is still printed."""
    args = {"c": str(world.a), "p": [await person(runtime, ZHAO)]}
    for headers in UNKNOWN:
        printed = await call(client, ISSUE, args, world.tokens["committee"], **headers)
        [letter] = printed["letters"]
        assert letter["code"] and letter["qr"] is None, headers


@pytest.fixture
async def public_client(
    tmp_path: Path, db_url: str, world: World
) -> AsyncIterator[httpx.AsyncClient]:
    """The same database served with GONGZHI_PUBLIC_URL set."""
    settings = make_settings(tmp_path, db_url, public_url="https://gongzhi.example.org/")
    rt = Runtime.create(settings)
    transport = httpx.ASGITransport(app=create_app(runtime=rt), client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8000") as c:
        yield c
    await rt.close()


async def test_the_public_url_wins_over_the_request(
    public_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    """Behind a proxy that rewrites Host, the configured address is used whatever the request
    says; and a reset letter (an official's) is redeemed on the same activation page."""
    args = {"c": str(world.a), "p": [await person(runtime, ZHAO)]}
    for headers in ({}, {"origin": "https://phish.example"}):
        [letter] = (await call(public_client, ISSUE, args, world.tokens["committee"], **headers))[
            "letters"
        ]
        link = f"https://gongzhi.example.org/#/activate?code={letter['code']}"
        assert encodes(letter["qr"], link)

    await Gql(public_client)(
        """mutation($p: String!, $c: String!) { activateAccount(input:
           {phone: $p, code: $c, password: "a long and unusual phrase 7"}) { __typename } }""",
        {"p": ZHAO, "c": letter["code"]},
    )
    reset = await call(
        public_client,
        RESET_LETTER,
        {"c": str(world.a), "p": await person(runtime, ZHAO)},
        world.tokens["official"],
    )
    [letter] = reset["letters"]
    assert encodes(letter["qr"], f"https://gongzhi.example.org/#/activate?code={letter['code']}")


@pytest.mark.parametrize(
    "url", ["gongzhi.example.org", "ftp://gongzhi.example.org", "https://x.org/?a=1", "https://"]
)
def test_a_malformed_public_url_stops_the_start(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="GONGZHI_PUBLIC_URL"):
        create_app(make_settings(tmp_path, "sqlite+aiosqlite://", public_url=url))


async def test_a_voting_notice_opens_the_ballot_with_its_elector_and_code(
    gql: Gql, client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    _, opened = await open_resolution_in_a(gql, world, runtime)
    supervisor = world.tokens["supervisor"]
    printed = await call(client, NOTICES, {"e": opened.id}, supervisor, origin="http://testserver")
    assert len(printed["notices"]) >= 3
    for n in printed["notices"]:
        link = f"http://testserver/#/election/{opened.id}?elector={n['electorId']}&code={n['code']}"
        assert encodes(n["qr"], link), n["electorId"]
    first = printed["notices"][0]
    [again] = (
        await call(
            client,
            REISSUE,
            {"e": opened.id, "el": first["electorId"]},
            supervisor,
            origin="http://testserver",
        )
    )["notices"]
    assert again["code"] != first["code"]
    link = f"http://testserver/#/election/{opened.id}?elector={again['electorId']}&code={again['code']}"
    assert encodes(again["qr"], link)
