"""Issue #12 item 1, the proxy path: a supervisor prints every voting code of the compound, so a
supervisor who holds a proxy holds both factors for that elector.

The attack (found by the adversarial review): the committee records a proxy for an owner who
never activated, naming a supervisor's phone as holder (the paper reference is whatever it types);
the supervisor already has that owner's code from the notices they printed, and casts. No login
of the owner is touched, so no late link is marked and the owner is never told: the remedies of
docs/design.md §3.4 did not apply. Supervisors may not record proxies; now nobody may name one as
holder, and a proxy held by someone who became a supervisor afterwards casts nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from api.runtime import Runtime
from api.services import notify
from tests.conftest import Gql
from tests.support.elections import (
    RECORD_PROXY,
    TALLY_Q,
    Opened,
    cast,
    open_resolution_in_a,
    staff_token,
)
from tests.support.world import World

SUPERVISOR_PHONE = "13700000004"  # world.tokens["supervisor"]
COMMITTEE_PHONE = "13700000003"  # world.tokens["committee"]
RECORD = RECORD_PROXY.replace(
    "... on Problem { code field }", "... on Problem { code field message }"
)


async def _record(
    gql: Gql, world: World, e: Opened, owner: str, phone: str, lang: str = "zh"
) -> dict[str, Any]:
    i = {
        "electionId": e.id,
        "electorId": e.elector(owner),
        "holderPhone": phone,
        "holderName": "监票人",
        "paperRef": "委托书-X",
    }
    r = await gql(RECORD, {"i": i}, token=world.tokens["committee"], lang=lang)
    return r["data"]["recordProxy"]  # type: ignore[no-any-return]


async def _ballots(gql: Gql, world: World, e: Opened) -> int:
    r = await gql(TALLY_Q, {"e": e.id}, token=world.tokens["supervisor"])
    return int(r["data"]["election"]["tally"]["ballots"])


async def test_a_proxy_cannot_name_a_supervisor_of_the_compound(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, e = await open_resolution_in_a(gql, world, runtime)
    recorded = await _record(gql, world, e, "赵六", SUPERVISOR_PHONE)
    assert recorded["__typename"] == "Problem", recorded
    assert recorded["code"] == "PROXY_HOLDER_SUPERVISOR" and recorded["field"] == "holderPhone"
    assert "监票人" in recorded["message"] and "职责分离" in recorded["message"], recorded
    english = await _record(gql, world, e, "赵六", " 137-0000-0004 ", lang="en")
    assert "separation of duties" in english["message"], english
    # nothing was recorded, so the supervisor casts nothing with the code they printed
    attempt = await cast(
        gql, world.tokens["supervisor"], e.id, e.code("赵六"), e.answer("yes"), e.elector("赵六")
    )
    assert attempt["__typename"] == "Problem", attempt
    assert await _ballots(gql, world, e) == 0
    # the running side alone: a proxy to the committee's own phone still needs the owner's code
    own = await _record(gql, world, e, "赵六", COMMITTEE_PHONE)
    assert own["__typename"] == "ProxySaved", own
    for guess in ("AAAA-BBBB-CCCC", "2345-6789-ABCD"):
        refused = await cast(gql, world.tokens["committee"], e.id, guess, e.answer("yes"))
        assert refused["code"] == "BAD_VOTING_CODE", refused
    assert await _ballots(gql, world, e) == 0


async def test_a_proxy_holder_who_became_a_supervisor_casts_nothing(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The other order: the proxy names a plain phone, and that account is made a supervisor
    afterwards (roles are granted outside the API, by the operator)."""
    _, e = await open_resolution_in_a(gql, world, runtime)
    holder = await staff_token(runtime, "13600000077", None)
    recorded = await _record(gql, world, e, "赵六", "13600000077")
    assert recorded["__typename"] == "ProxySaved", recorded
    await staff_token(runtime, "13600000077", "supervisor", community_id=world.a)
    refused = await cast(gql, holder, e.id, e.code("赵六"), e.answer("yes"), e.elector("赵六"))
    assert refused["__typename"] == "Problem", refused
    assert refused["code"] == "PROXY_HOLDER_SUPERVISOR", refused
    assert await _ballots(gql, world, e) == 0


async def test_a_proxy_holders_receipt_does_not_tell_whether_the_owner_voted_again(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 4, found in review: ``ballotStatus`` answers RECORDED to a proxy holder,
    but casting again answered ``counted: false`` once the owner had voted themselves (an own
    ballot beats every proxy ballot), so a coercer holding a proxy learned that the owner escaped
    by voting again. A proxy cast's receipt now leaves ``counted`` null, before and after."""
    _, e = await open_resolution_in_a(gql, world, runtime)
    holder = await staff_token(runtime, "13600000088", None)
    recorded = await _record(gql, world, e, "张三", "13600000088")
    assert recorded["__typename"] == "ProxySaved", recorded

    def by_proxy() -> Any:
        return cast(gql, holder, e.id, e.code("张三"), e.answer("yes"), e.elector("张三"))

    before = await by_proxy()
    own = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("no"))
    after = await by_proxy()
    assert own["receipt"]["counted"] is True  # the elector, logged in, still learns it
    assert before["receipt"]["counted"] is None and after["receipt"]["counted"] is None
    assert set(before["receipt"]) == set(after["receipt"])


async def test_the_owners_are_told_when_a_proxy_is_recorded_for_their_units(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Found in review: the running body records a proxy from a paper the owner signed; a forged
    paper was seen by nobody. Every owner of the elector with a phone on the roll is now told,
    once the proxy is stored; a refused recording tells nobody."""
    runtime.notifier = notify.from_settings(replace(runtime.settings, notify="file"))
    _, e = await open_resolution_in_a(gql, world, runtime)
    assert (await _record(gql, world, e, "赵六", SUPERVISOR_PHONE))["__typename"] == "Problem"
    assert _sent(runtime) == []
    i = {"electionId": e.id, "electorId": e.elector("李四", "王五"), "holderPhone": "13600000009"}
    i |= {"holderName": "钱八", "paperRef": "委托书-Y"}
    recorded = (await gql(RECORD, {"i": i}, token=world.tokens["committee"]))["data"]["recordProxy"]
    assert recorded["__typename"] == "ProxySaved", recorded
    told = _sent(runtime)
    assert {m.kind for m in told} == {"proxy_recorded"}
    assert {m.phone for m in told} == {"13900000002", "13900000003"}  # 李四 and co-owner 王五
    assert all("监票人" in m.text and "your own ballot" in m.text for m in told)


def _sent(runtime: Runtime) -> list[notify.Message]:
    notifier = runtime.notifier
    assert isinstance(notifier, notify.FileNotifier)
    return notifier.sent()
