"""Helpers for election tests: a settable clock, owner accounts, and the GraphQL calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.models import Account, Person, RoleMembership
from api.runtime import Runtime
from api.services.accounts import start_session
from tests.conftest import Gql
from voting.rules import CHINA_TZ

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=CHINA_TZ)
OPENS = T0 + timedelta(days=20)
CLOSES = OPENS + timedelta(days=7)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def use_clock(rt: Runtime, at: datetime = T0) -> Clock:
    clock = Clock(at)
    rt.clock = clock
    return clock


async def owner_tokens(rt: Runtime, community_id: int, phones: list[str]) -> dict[str, str]:
    """Accounts for roll persons (as if activated), with the owner role: phone → token."""
    tokens: dict[str, str] = {}
    async with rt.writer() as s:
        for phone in phones:
            person = (
                await s.execute(
                    select(Person).where(Person.phone == phone, Person.community_id == community_id)
                )
            ).scalar_one()
            account = (
                await s.execute(select(Account).where(Account.phone == phone))
            ).scalar_one_or_none()
            if account is None:
                account = Account(phone=phone, display_name=person.name, password_hash="x")
                s.add(account)
                await s.flush()
                s.add(
                    RoleMembership(account_id=account.id, role="owner", community_id=community_id)
                )
            person.account_id = account.id
            await s.flush()
            tokens[phone] = await start_session(s, account, now=rt.clock(), days=400)
        await s.commit()
    return tokens


async def extra_supervisor(rt: Runtime, community_id: int, phone: str = "13700000099") -> str:
    async with rt.writer() as s:
        account = Account(phone=phone, display_name="second supervisor", password_hash="x")
        s.add(account)
        await s.flush()
        s.add(RoleMembership(account_id=account.id, role="supervisor", community_id=community_id))
        token = await start_session(s, account, now=rt.clock(), days=400)
        await s.commit()
    return token


async def person_ids(rt: Runtime, community_id: int) -> dict[str, int]:
    async with rt.reader() as s:
        return {
            name: pid
            for pid, name in await s.execute(
                select(Person.id, Person.name).where(Person.community_id == community_id)
            )
        }


CREATE = """mutation($c: ID!, $i: ElectionInput!) { createElection(communityId: $c, input: $i) {
  __typename ... on ElectionSaved { election { id state questions { id kind candidates { id name personId } } } }
  ... on Problem { code message field } } }"""
TRANSITION = """mutation($e: ID!) { %s(electionId: $e) { __typename
  ... on ElectionSaved { election { id state rollFingerprint ledgerHead resultDigest } }
  ... on Problem { code message } } }"""
NOTICES = """mutation($e: ID!) { printVotingNotices(electionId: $e) { __typename
  ... on VotingNotices { notices { electorId label owners code } } ... on Problem { code } } }"""
CAST = """mutation($i: CastBallotInput!) { castBallot(input: $i) { __typename
  ... on BallotCast { receipt { trackingCode trackingHash ledgerSeq ledgerHead counted } }
  ... on Problem { code message field } } }"""


async def transition(gql: Gql, name: str, election: str, token: str) -> dict[str, Any]:
    r = await gql(TRANSITION % name, {"e": election}, token=token)
    return r["data"][name]  # type: ignore[no-any-return]


async def cast(
    gql: Gql,
    token: str,
    election: str,
    code: str,
    answers: list[dict[str, Any]],
    elector: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"electionId": election, "code": code, "answers": answers}
    if elector:
        payload["electorId"] = elector
    r = await gql(CAST, {"i": payload}, token=token)
    return r["data"]["castBallot"]  # type: ignore[no-any-return]
