"""Login, logout, sessions, rate limits, CSRF and owner activation, through the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.http.app import create_app
from api.runtime import Runtime
from api.services.accounts import digest
from api.store.models import Account, ActivationCode, LoginSession, Person, RoleMembership
from tests.conftest import Gql, make_settings
from tests.support.world import PASSWORD, World

LOGIN = """mutation($phone: String!, $password: String!, $bearer: Boolean! = false) {
  login(input: {phone: $phone, password: $password, bearer: $bearer}) {
    __typename
    ... on LoginSuccess { token me { id displayName phone roles { role communityId } } }
    ... on Problem { code message retryAfterSeconds }
  }
}"""
ME = "{ me { displayName } }"


async def login(client: httpx.AsyncClient, phone: str, password: str, **kw: Any) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"phone": phone, "password": password, **kw}},
    )


async def test_login_sets_httponly_cookie_and_me_works(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    r = await login(client, "139 0000 0001", PASSWORD)  # spaces typed by an owner are fine
    body = r.json()["data"]["login"]
    assert body["__typename"] == "LoginSuccess"
    assert body["token"] is None  # a browser gets the cookie, never the token in JS
    assert body["me"]["phone"] == "139****0001"
    assert body["me"]["roles"] == [{"role": "owner", "communityId": str(world.a)}]
    cookie = r.headers["set-cookie"]
    assert "gz_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = await client.post("/graphql", json={"query": ME}, headers={"x-gongzhi-csrf": "1"})
    assert me.json() == {"data": {"me": {"displayName": "owner"}}}
    token = client.cookies["gz_session"]
    async with runtime.reader() as s:
        stored = (await s.execute(select(LoginSession.token_hash))).scalars().all()
    assert token not in stored and digest(token) in stored  # stored hashed only


async def test_wrong_password_and_unknown_phone_look_alike(
    gql: Gql, world: World, client: httpx.AsyncClient
) -> None:
    bad = (await login(client, "13900000001", "wrong password")).json()["data"]["login"]
    unknown = (await login(client, "13999999999", PASSWORD)).json()["data"]["login"]
    assert bad["code"] == unknown["code"] == "BAD_CREDENTIALS"
    assert bad["message"] == unknown["message"] == "手机号或密码不正确"
    assert "set-cookie" not in (await login(client, "13900000001", "nope")).headers


async def test_messages_follow_the_language(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"phone": "13900000001", "password": "x"}},
        headers={"accept-language": "en-US,en;q=0.9"},
    )
    assert r.json()["data"]["login"]["message"] == "the phone number or password is not correct"


def client_at(runtime: Runtime, address: str, port: int = 4000) -> httpx.AsyncClient:
    """A client of ``runtime`` whose connection comes from ``address`` (another browser, or the
    proxy), sharing its login limits as the requests of one worker do."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime), client=(address, port))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_failed_logins_hold_back_that_client_not_the_owner(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 8: five wrong passwords locked the phone, even against the owner's right
    password typed elsewhere (a denial of service anyone knowing the number could run)."""
    for _ in range(5):
        r = await login(client, "13900000001", "wrong")
        assert r.json()["data"]["login"]["code"] == "BAD_CREDENTIALS"
    r = await login(client, "13900000001", PASSWORD)
    problem = r.json()["data"]["login"]
    assert problem["code"] == "RATE_LIMITED"  # the guessing client waits, even when right
    assert 1 <= problem["retryAfterSeconds"] <= 60  # the first step: 5/minute
    assert f"{problem['retryAfterSeconds']} 秒后再试" in problem["message"]
    async with client_at(runtime, "198.51.100.30") as owner:  # the owner, at home
        home = (await login(owner, "13900000001", PASSWORD)).json()["data"]["login"]
    assert home["__typename"] == "LoginSuccess", home


async def test_a_spray_behind_the_proxy_holds_back_that_client_only(
    world: World, tmp_path: Path, db_url: str
) -> None:
    """Behind nginx every connection comes from the proxy: thirty failures from one client
    locked every login. With the proxy trusted, X-Forwarded-For tells the clients apart."""
    runtime = Runtime.create(make_settings(tmp_path, db_url, trusted_proxies="10.0.0.5"))
    try:
        async with client_at(runtime, "10.0.0.5") as proxy:

            async def via_proxy(client: str, phone: str, password: str) -> dict[str, Any]:
                r = await proxy.post(
                    "/graphql",
                    json={"query": LOGIN, "variables": {"phone": phone, "password": password}},
                    headers={"x-forwarded-for": client},
                )
                result: dict[str, Any] = r.json()["data"]["login"]
                return result

            for i in range(30):  # a spray of 30 phones: the per-client step 30/15 minutes
                sprayed = await via_proxy("198.51.100.7", f"1350000{i:04d}", "guess")
                assert sprayed["code"] == "BAD_CREDENTIALS"
            refused = await via_proxy("198.51.100.7", "13700000003", PASSWORD)
            assert refused["code"] == "RATE_LIMITED"
            other = await via_proxy("198.51.100.8", "13700000003", PASSWORD)
            assert other["__typename"] == "LoginSuccess", other
    finally:
        await runtime.close()


async def test_logout_ends_the_session(gql: Gql, world: World, client: httpx.AsyncClient) -> None:
    r = (await login(client, "13900000001", PASSWORD, bearer=True)).json()["data"]["login"]
    token = r["token"]
    assert (await gql(ME, token=token))["data"]["me"] == {"displayName": "owner"}
    out = await gql("mutation { logout { __typename } }", token=token)
    assert out["data"]["logout"]["__typename"] == "LogoutSuccess"
    assert (await gql(ME, token=token))["data"]["me"] is None


async def test_csrf_header_required_with_cookie(client: httpx.AsyncClient, world: World) -> None:
    await login(client, "13900000001", PASSWORD)
    refused = await client.post("/graphql", json={"query": ME})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF"
    ok = await client.post("/graphql", json={"query": ME}, headers={"x-gongzhi-csrf": "1"})
    assert ok.json()["data"]["me"]["displayName"] == "owner"


# Each pair of headers below reached the owner's session while the old CSRF guard (which read the
# last Cookie header, and looked for the bytes "gz_session=") saw no session cookie at all.
Headers = list[tuple[str, str]]
SMUGGLED: dict[str, Callable[[str], Headers]] = {
    "space before the equals sign": lambda t: [("cookie", f"gz_session ={t}")],
    "session in the first of two Cookie headers": lambda t: [
        ("cookie", f"gz_session={t}"),
        ("cookie", "gz_lang=zh"),
    ],
    "a bearer header after another Authorization header": lambda t: [
        ("authorization", "Basic b3duZXI6eA=="),
        ("authorization", "Bearer not-a-session"),
        ("cookie", f"gz_session={t}"),
    ],
}


@pytest.mark.parametrize("case", list(SMUGGLED))
async def test_csrf_guard_and_session_reader_parse_cookies_alike(
    client: httpx.AsyncClient, world: World, case: str
) -> None:
    """Issue #12 item 11: one parser. A malformed Cookie header is either a session cookie for
    both the CSRF guard and the session reader (so the header is required) or for neither."""
    token = (await login(client, "13900000001", PASSWORD, bearer=True)).json()["data"]["login"][
        "token"
    ]
    client.cookies.clear()  # only the headers below carry the session
    headers = SMUGGLED[case](token)
    refused = await client.post("/graphql", json={"query": ME}, headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF"
    allowed = await client.post(
        "/graphql", json={"query": ME}, headers=[*headers, ("x-gongzhi-csrf", "1")]
    )
    assert allowed.json() == {"data": {"me": {"displayName": "owner"}}}


async def test_form_posts_are_not_graphql(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post("/graphql", data={"query": ME})
    assert r.status_code in (400, 415)


async def test_rehash_on_verify(world: World, runtime: Runtime, client: httpx.AsyncClient) -> None:
    async with runtime.writer() as s:
        acc = (await s.execute(select(Account).where(Account.phone == "13900000001"))).scalar_one()
        old = acc.password_hash
    assert old and "m=1024" in old
    # the service now runs with a stronger profile: the next login upgrades the stored hash
    from dataclasses import replace

    from api.services.passwords import Passwords

    runtime.passwords = Passwords(replace(runtime.settings, argon2_memory_kib=2048))
    r = await login(client, "13900000001", PASSWORD)
    assert r.json()["data"]["login"]["__typename"] == "LoginSuccess"
    async with runtime.reader() as s:
        new = (
            await s.execute(select(Account.password_hash).where(Account.phone == "13900000001"))
        ).scalar_one()
    assert new != old and new and "m=2048" in new


ISSUE = """mutation($c: ID!, $p: [ID!]) { issueActivationCodes(input: {communityId: $c, personIds: $p}) {
  __typename ... on ActivationCodesIssued { letters { personId name units code } }
  ... on Problem { code } } }"""
ACTIVATE = """mutation($phone: String!, $code: String!, $password: String!) {
  activateAccount(input: {phone: $phone, code: $code, password: $password}) {
    __typename ... on LoginSuccess { me { roles { role communityId } } } ... on Problem { code field } } }"""


async def test_no_letter_for_an_owner_without_a_phone_on_the_roll(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Since issue #12 item 16 a co-owner may be on the roll without a phone. Activation checks
    the phone on the roll, so a letter for them could never be used: the default run leaves them
    out, and asking for one by name is refused, saying to add the phone first."""
    async with runtime.writer() as s:
        zhao = (
            await s.execute(
                select(Person).where(Person.community_id == world.a, Person.name == "赵六")
            )
        ).scalar_one()
        zhao.phone = None
        await s.commit()
    issued = await gql(ISSUE, {"c": str(world.a), "p": None}, token=world.tokens["committee"])
    names = sorted(x["name"] for x in issued["data"]["issueActivationCodes"]["letters"])
    assert names == ["华景置业", "李四", "王五"]
    asked = await gql(
        ISSUE, {"c": str(world.a), "p": [str(zhao.id)]}, token=world.tokens["committee"]
    )
    assert asked["data"]["issueActivationCodes"]["code"] == "NO_PHONE_ON_ROLL"
    async with runtime.reader() as s:
        held = await s.execute(
            select(func.count())
            .select_from(ActivationCode)
            .where(ActivationCode.person_id == zhao.id)
        )
        assert held.scalar_one() == 0


async def test_activation_letter_flow(gql: Gql, world: World, runtime: Runtime) -> None:
    issued = await gql(ISSUE, {"c": str(world.a), "p": None}, token=world.tokens["committee"])
    letters = issued["data"]["issueActivationCodes"]["letters"]
    # everyone on roll A without an account: 李四, 王五, 赵六, the developer
    assert sorted(x["name"] for x in letters) == ["华景置业", "李四", "王五", "赵六"]
    zhao = next(x for x in letters if x["name"] == "赵六")
    assert zhao["units"] == "1 栋 202 室"
    async with runtime.reader() as s:
        stored = (await s.execute(select(ActivationCode.code_hash))).scalars().all()
    assert zhao["code"] not in stored  # kept hashed

    wrong_phone = await gql(
        ACTIVATE, {"phone": "13900000002", "code": zhao["code"], "password": "a good password"}
    )
    assert wrong_phone["data"]["activateAccount"]["code"] == "BAD_ACTIVATION_CODE"
    weak = await gql(ACTIVATE, {"phone": "13900000004", "code": zhao["code"], "password": "short"})
    assert weak["data"]["activateAccount"] == {
        "__typename": "Problem",
        "code": "WEAK_PASSWORD",
        "field": "password",
    }
    typed = zhao["code"].lower().replace("-", " ")  # elders type codes loosely
    ok = await gql(ACTIVATE, {"phone": "13900000004", "code": typed, "password": "a good password"})
    assert ok["data"]["activateAccount"]["me"]["roles"] == [
        {"role": "owner", "communityId": str(world.a)}
    ]
    again = await gql(
        ACTIVATE, {"phone": "13900000004", "code": zhao["code"], "password": "another password"}
    )
    assert again["data"]["activateAccount"]["code"] == "ACTIVATION_CODE_USED"
    async with runtime.reader() as s:
        roles = (
            await s.execute(
                select(func.count())
                .select_from(RoleMembership)
                .join(Account, Account.id == RoleMembership.account_id)
                .where(Account.phone == "13900000004")
            )
        ).scalar_one()
    assert roles == 1


async def test_activation_returns_the_token_to_bearer_clients(
    gql: Gql, world: World, client: httpx.AsyncClient
) -> None:
    """Issue #12 item 18: like login, activateAccount answers a bearer client with its token (a
    phone app has no cookie jar) and a browser with the HttpOnly cookie only."""
    issued = await gql(ISSUE, {"c": str(world.a), "p": None}, token=world.tokens["committee"])
    letters = {x["name"]: x["code"] for x in issued["data"]["issueActivationCodes"]["letters"]}
    query = """mutation($phone: String!, $code: String!, $bearer: Boolean!) {
      activateAccount(input: {phone: $phone, code: $code, password: "a good password",
                              bearer: $bearer}) {
        __typename ... on LoginSuccess { token me { displayName } } } }"""
    client.cookies.clear()
    app = await client.post(
        "/graphql",
        json={
            "query": query,
            "variables": {"phone": "13900000004", "code": letters["赵六"], "bearer": True},
        },
    )
    token = app.json()["data"]["activateAccount"]["token"]
    assert token, app.json()
    client.cookies.clear()  # the app keeps no cookie: the returned token alone is its session
    assert (await gql(ME, token=token))["data"]["me"] == {"displayName": "赵六"}
    browser = await client.post(
        "/graphql",
        json={
            "query": query,
            "variables": {"phone": "13900000003", "code": letters["王五"], "bearer": False},
        },
    )
    assert browser.json()["data"]["activateAccount"]["token"] is None  # the cookie carries it
    assert "gz_session=" in browser.headers["set-cookie"]


async def test_owners_cannot_issue_codes(gql: Gql, world: World) -> None:
    r = await gql(ISSUE, {"c": str(world.a), "p": None}, token=world.tokens["owner"])
    assert r["data"]["issueActivationCodes"]["code"] == "FORBIDDEN"


async def test_a_letter_never_resets_an_existing_password(
    gql: Gql, world: World, client: httpx.AsyncClient
) -> None:
    """Re-issuing a letter to an owner who already activated must not hand their account to
    whoever holds the new letter (a committee member, a neighbour)."""
    issued = await gql(ISSUE, {"c": str(world.a), "p": None}, token=world.tokens["committee"])
    zhao = next(x for x in issued["data"]["issueActivationCodes"]["letters"] if x["name"] == "赵六")
    first = await gql(
        ACTIVATE, {"phone": "13900000004", "code": zhao["code"], "password": "owner's own pw"}
    )
    assert first["data"]["activateAccount"]["__typename"] == "LoginSuccess"
    person = next(
        x["personId"]
        for x in issued["data"]["issueActivationCodes"]["letters"]
        if x["name"] == "赵六"
    )
    again = await gql(ISSUE, {"c": str(world.a), "p": [person]}, token=world.tokens["committee"])
    letter = again["data"]["issueActivationCodes"]["letters"][0]["code"]
    takeover = await gql(
        ACTIVATE, {"phone": "13900000004", "code": letter, "password": "attacker's pw 1"}
    )
    assert takeover["data"]["activateAccount"] == {
        "__typename": "Problem",
        "code": "ACCOUNT_EXISTS",
        "field": "password",
    }
    # the owner's password still works, the attacker's does not
    client.cookies.clear()  # log in afresh, as another browser would
    ok = (await login(client, "13900000004", "owner's own pw")).json()["data"]["login"]
    assert ok["__typename"] == "LoginSuccess"
    client.cookies.clear()
    bad = (await login(client, "13900000004", "attacker's pw 1")).json()["data"]["login"]
    assert bad["code"] == "BAD_CREDENTIALS"
