"""Review of issues #13/#14 (branch review): an official's password-reset letter must not be a way
around the separation of duties (docs/design.md §3.4 and §3.10: whoever can create or reset an owner's login must not also be able to
obtain that owner's voting code) nor a way into accounts that hold more than the owner role.

The reset-letter tests failed on the reviewed head (7e8d321) and pass with the fix committed with
them (api/services/password_reset.py); the log test passes since the console notifier
redacts secret messages (api/services/notify.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from api.store.models import Account, LateLink, Person, RoleMembership
from tests.conftest import Gql
from tests.support.elections import NOTICES_FULL, open_resolution_in_a, owner_tokens
from tests.support.world import World

LETTER = """mutation($c: ID!, $p: ID!) {
  issuePasswordResetLetter(input: {communityId: $c, personId: $p}) {
    __typename
    ... on ActivationCodesIssued { letters { code } }
    ... on Problem { code }
  }
}"""
ACTIVATE = """mutation($phone: String!, $code: String!, $password: String!) {
  activateAccount(input: {phone: $phone, code: $code, password: $password, bearer: true}) {
    __typename ... on LoginSuccess { token } ... on Problem { code message }
  }
}"""
REQUEST = """mutation($phone: String!) {
  requestPasswordReset(input: {phone: $phone}) { __typename }
}"""
NEW = "plum blossom river 9"
ZHAO = "13900000004"  # 赵六, an owner on roll A (1号楼-202)


async def _person(runtime: Runtime, community_id: int, phone: str) -> Person:
    async with runtime.reader() as s:
        return (
            await s.execute(
                select(Person).where(Person.phone == phone, Person.community_id == community_id)
            )
        ).scalar_one()


async def _take_over(gql: Gql, world: World, person: Person, phone: str) -> dict[str, Any]:
    """The district's official issues a reset letter for ``person`` and redeems it themself
    (the roll shows officials every owner's phone)."""
    issued = await gql(
        LETTER, {"c": str(person.community_id), "p": str(person.id)}, token=world.tokens["official"]
    )
    result = issued["data"]["issuePasswordResetLetter"]
    if result["__typename"] != "ActivationCodesIssued":
        return {"refused": result["code"]}
    code = result["letters"][0]["code"]
    done = await gql(ACTIVATE, {"phone": phone, "code": code, "password": NEW})
    return dict(done["data"]["activateAccount"])


async def test_an_official_cannot_take_over_a_supervisor_to_print_voting_codes(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Supervisors are owners on the roll (issue #13 item 6), so each has a roll entry an
    official may print a reset letter for. The official alone: reset the supervisor's password,
    log in as them, print every voting notice (every elector's code), and with a second reset
    letter log in as any owner and vote."""
    _, opened = await open_resolution_in_a(gql, world, runtime)
    await owner_tokens(runtime, world.a, [ZHAO])
    async with runtime.writer() as s:
        account = (await s.execute(select(Account).where(Account.phone == ZHAO))).scalar_one()
        s.add(
            RoleMembership(
                account_id=account.id,
                role="supervisor",
                community_id=world.a,
                election_id=int(opened.id),
            )
        )
        await s.commit()
    taken = await _take_over(gql, world, await _person(runtime, world.a, ZHAO), ZHAO)
    if "token" in taken:
        printed = await gql(NOTICES_FULL, {"e": opened.id}, token=taken["token"])
        notices = printed["data"]["printVotingNotices"]
        assert notices["__typename"] != "VotingNotices", (
            f"an official obtained {len(notices['notices'])} voting codes through a reset "
            "letter for a supervisor"
        )


async def test_a_reset_letter_does_not_open_an_account_holding_other_roles(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """An official of district 1 prints a reset letter for an owner whose account also holds
    an official role in district 2 (or admin): the letter must not hand them that account."""
    async with runtime.writer() as s:
        s.add(
            RoleMembership(
                account_id=world.accounts["owner"],
                role="official",
                district_id=world.district_2,
            )
        )
        await s.commit()
    zhang = await _person(runtime, world.a, "13900000001")
    taken = await _take_over(gql, world, zhang, "13900000001")
    assert "token" not in taken, "district 1's official now holds district 2's official account"


async def test_a_texted_reset_code_is_not_written_to_the_service_log(
    gql: Gql, world: World, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """GONGZHI_NOTIFY defaults to ``console`` (api/settings.py), which logs every message's
    text at WARNING (api/services/notify.py). Before issue #14 no message carried a secret; the
    reset code does, so whoever reads the service's logs (an operator, a log pipeline) can reset
    any account's password, an official's included."""
    assert runtime.settings.notify == "console"
    caplog.set_level(logging.WARNING, logger="gongzhi.notify")
    await gql(REQUEST, {"phone": "13900000001"})
    logged = [r.getMessage() for r in caplog.records if r.name == "gongzhi.notify"]
    assert logged, "no message was sent at all"
    leaked = [line for line in logged if re.search(r"\d{6}", line.split("):", 1)[-1])]
    assert not leaked, f"the reset code is in the log: {leaked[0][:80]}"


async def test_a_reset_letter_redeemed_during_an_open_vote_is_marked_as_a_late_link(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """docs/design.md §3.4: a login obtained during the vote (by whoever got hold of a letter)
    is marked on the elector, so the owner's paper ballot or challenge overrides it. A reset
    letter printed by an official while a vote is open is such a login, and was not marked."""
    await open_resolution_in_a(gql, world, runtime)
    zhang = await _person(runtime, world.a, "13900000001")
    taken = await _take_over(gql, world, zhang, "13900000001")
    assert "token" in taken, taken
    async with runtime.reader() as s:
        marks = (await s.execute(select(LateLink).where(LateLink.person_id == zhang.id))).all()
    assert marks, "the reset during the open vote left no late-link mark on 张三's elector"
