"""Helpers for election tests: a settable clock, owner accounts, and the GraphQL calls."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from strawberry.types import ExecutionResult

from api.live.views import Live
from api.runtime import Runtime
from api.services.accounts import start_session, viewer_from_token
from api.store.models import Account, Person, RoleMembership
from schema import root
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


# ---------------------------------------------------------------------------------------------
# Shared by the issue #3 test files (secrecy, concurrency, proxies/paper, lifecycle, access,
# verify CLI, demo election): bigger compounds, bulk owner sessions, and the GraphQL snippets.

QUESTIONS = """query($e: ID!) { election(id: $e) { questions { id kind
  candidates { id personId name } } } }"""
NOTICES_FULL = """mutation($e: ID!, $b: String) { printVotingNotices(electionId: $e, building: $b) {
  __typename ... on VotingNotices { notices { electorId label building owners code } }
  ... on Problem { code } } }"""
TALLY_Q = """query($e: ID!) { election(id: $e) { state ledgerSeq ledgerHead
  tally { step releasedBallots ballots participatingHeads participatingArea participationMet
          totalHeads totalArea questions { questionId passing counts { key heads areaCenti } } } } }"""
VERIFY = """query($e: ID!) { verifyElection(electionId: $e) {
  ok entries head firstBadSeq reason rollFingerprintOk countedOk resultOk } }"""
MY_ELECTORS = (
    """query($e: ID!) { election(id: $e) { myElectors { id label viaProxy hasVoted } } }"""
)
STATUS = """query($e: ID!, $t: String!) { ballotStatus(electionId: $e, trackingCode: $t) }"""
TRACKING = """query($e: ID!, $a: String) { trackingCodes(electionId: $e, first: 100, after: $a) {
  totalCount nodes pageInfo { hasNextPage endCursor } } }"""
RECORD_PROXY = """mutation($i: ProxyInput!) { recordProxy(input: $i) { __typename
  ... on ProxySaved { proxy { id electorId holderName paperRef revoked } }
  ... on Problem { code field } } }"""
REVOKE_PROXY = """mutation($p: ID!) { revokeProxy(proxyId: $p) { __typename
  ... on ProxySaved { proxy { id revoked } } ... on Problem { code } } }"""
ENTER_PAPER = """mutation($i: PaperBallotInput!) { enterPaperBallot(input: $i) { __typename
  ... on PaperEntered { entryId } ... on Problem { code field } } }"""
CONFIRM_PAPER = """mutation($i: ConfirmPaperInput!) { confirmPaperBallot(input: $i) { __typename
  ... on BallotCast { receipt { trackingCode trackingHash ledgerSeq ledgerHead counted } }
  ... on Problem { code field } } }"""
SIGN_OFF = """mutation($i: SignOffInput!) { signOffElection(input: $i) { __typename
  ... on ElectionSaved { election { state } } ... on Problem { code } } }"""
UPDATE = """mutation($e: ID!, $i: ElectionInput!) { updateElection(electionId: $e, input: $i) {
  __typename ... on ElectionSaved { election { id state title } } ... on Problem { code } } }"""


def resolution_spec(
    title: str = "使用维修资金更换电梯",
    *,
    matter: int = 5,
    visibility: str = "SUPERVISORS",
    opens: datetime = OPENS,
    closes: datetime = CLOSES,
    extraordinary: bool = False,
) -> dict[str, Any]:
    return {
        "title": title,
        "opensAt": opens.isoformat(),
        "closesAt": closes.isoformat(),
        "extraordinary": extraordinary,
        "visibility": visibility,
        "questions": [{"kind": "RESOLUTION", "title": title, "matter": matter}],
    }


@dataclass
class Opened:
    """An election taken from draft to open, with its questions and printed notices."""

    id: str
    questions: list[dict[str, Any]]
    notices: list[dict[str, Any]]

    @property
    def q(self) -> str:
        """The first question's id."""
        return str(self.questions[0]["id"])

    def notice(self, *owners: str) -> dict[str, Any]:
        [found] = [n for n in self.notices if tuple(n["owners"]) == owners]
        return found

    def code(self, *owners: str) -> str:
        return str(self.notice(*owners)["code"])

    def elector(self, *owners: str) -> str:
        return str(self.notice(*owners)["electorId"])

    def answer(self, value: str) -> list[dict[str, Any]]:
        return [{"questionId": self.q, "answer": value}]


async def create_election(gql: Gql, community_id: int, token: str, spec: dict[str, Any]) -> str:
    r = await gql(CREATE, {"c": str(community_id), "i": spec}, token=token)
    saved = r["data"]["createElection"]
    assert saved["__typename"] == "ElectionSaved", saved
    return str(saved["election"]["id"])


async def open_election(
    gql: Gql,
    clock: Clock,
    community_id: int,
    token: str,
    spec: dict[str, Any],
    *,
    printer: str,
) -> Opened:
    """Create, announce now, move the clock to ``opensAt``, open (as ``token``, the running
    body), and print every notice as ``printer``: a supervisor's session, since the running
    body may not handle voting codes (docs/design.md §3.4)."""
    eid = await create_election(gql, community_id, token, spec)
    announced = await transition(gql, "announceElection", eid, token)
    assert announced["__typename"] == "ElectionSaved", announced
    clock.now = datetime.fromisoformat(spec["opensAt"])
    opened = await transition(gql, "openElection", eid, token)
    assert opened["__typename"] == "ElectionSaved", opened
    questions = (await gql(QUESTIONS, {"e": eid}, token=token))["data"]["election"]["questions"]
    printed = (await gql(NOTICES_FULL, {"e": eid}, token=printer))["data"]["printVotingNotices"]
    assert printed["__typename"] == "VotingNotices", printed
    return Opened(eid, questions, printed["notices"])


async def tracking_codes(gql: Gql, election: str, token: str) -> tuple[int, list[str]]:
    """Every counted tracking code, following the pages."""
    codes: list[str] = []
    after: str | None = None
    while True:
        page = (await gql(TRACKING, {"e": election, "a": after}, token=token))["data"][
            "trackingCodes"
        ]
        codes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return int(page["totalCount"]), codes
        after = page["pageInfo"]["endCursor"]


async def new_compound(rt: Runtime, district_id: int, name: str, roll: bytes) -> int:
    """A compound in ``district_id`` with ``roll`` (CSV bytes) imported."""
    from api.services.roll import import_roll
    from api.store.models import Community

    async with rt.writer() as s:
        community = Community(district_id=district_id, name=name)
        s.add(community)
        await s.flush()
        await import_roll(session=s, community=community, data=roll, dry_run=False, actor=None)
        await s.commit()
        return community.id


async def staff_token(
    rt: Runtime,
    phone: str,
    role: str | None,
    *,
    community_id: int | None = None,
    district_id: int | None = None,
) -> str:
    """A session for the account with ``phone`` (created if absent), given ``role`` if any."""
    async with rt.writer() as s:
        account = (
            await s.execute(select(Account).where(Account.phone == phone))
        ).scalar_one_or_none()
        if account is None:
            account = Account(
                phone=phone, display_name=f"{role or 'user'} {phone}", password_hash="x"
            )
            s.add(account)
            await s.flush()
        if role is not None:
            s.add(
                RoleMembership(
                    account_id=account.id,
                    role=role,
                    community_id=community_id,
                    district_id=district_id,
                )
            )
        token = await start_session(s, account, now=rt.clock(), days=400)
        await s.commit()
    return token


async def bulk_owner_tokens(rt: Runtime, community_id: int) -> dict[int, str]:
    """``owner_tokens`` for every owner on the roll at once: person id → session token.

    A handful of bulk statements instead of a round trip per person, so that an election on
    the 1,000-unit demo compound can give every elector a session in well under a second.
    """
    import secrets

    from api.services.accounts import digest
    from api.store.models import LoginSession, Ownership

    now = rt.clock()
    async with rt.writer() as s:
        persons = list(
            (
                await s.execute(
                    select(Person).where(
                        Person.community_id == community_id,
                        Person.id.in_(select(Ownership.person_id)),
                        Person.phone.is_not(None),  # no account without a phone (issue #12)
                    )
                )
            ).scalars()
        )
        accounts: dict[str | None, int] = {
            phone: aid
            for aid, phone in await s.execute(
                select(Account.id, Account.phone).where(
                    Account.phone.in_([p.phone for p in persons])
                )
            )
        }
        fresh = [
            Account(phone=p.phone, display_name=p.name, password_hash="x")
            for p in persons
            if p.phone not in accounts
        ]
        s.add_all(fresh)
        await s.flush()
        accounts.update((a.phone, a.id) for a in fresh)
        with_role = set(
            (
                await s.execute(
                    select(RoleMembership.account_id).where(
                        RoleMembership.role == "owner",
                        RoleMembership.community_id == community_id,
                    )
                )
            ).scalars()
        )
        tokens: dict[int, str] = {}
        rows: list[Any] = []
        for p in persons:
            aid = accounts[p.phone]
            p.account_id = aid
            if aid not in with_role:
                with_role.add(aid)
                rows.append(RoleMembership(account_id=aid, role="owner", community_id=community_id))
            token = secrets.token_urlsafe(32)
            tokens[p.id] = token
            rows.append(
                LoginSession(
                    token_hash=digest(token),
                    account_id=aid,
                    created_at=now,
                    expires_at=now + timedelta(days=400),
                )
            )
        s.add_all(rows)
        await s.commit()
    return tokens


async def elector_persons(rt: Runtime, election_id: str) -> dict[str, list[int]]:
    """Elector id → the person ids who may cast its ballot (the frozen roll's owners)."""
    from api.store.models import ElectorOwner

    out: dict[str, list[int]] = {}
    async with rt.reader() as s:
        for eid, pid in await s.execute(
            select(ElectorOwner.elector_id, ElectorOwner.person_id)
            .where(ElectorOwner.election_id == int(election_id))
            .order_by(ElectorOwner.person_id)
        ):
            out.setdefault(str(eid), []).append(pid)
    return out


async def voter_tokens(rt: Runtime, community_id: int, election_id: str) -> dict[str, str]:
    """Elector id → a session token of one of its owners (sessions made in bulk)."""
    by_person = await bulk_owner_tokens(rt, community_id)
    return {
        elector: by_person[persons[0]]
        for elector, persons in (await elector_persons(rt, election_id)).items()
    }


class _Watching:
    """The context a subscription resolver needs: the viewer's live view, nothing else."""

    def __init__(self, runtime: Runtime, viewer: Any) -> None:
        self.lang = "en"
        self.live = self
        self._rt, self._viewer = runtime, viewer

    def election_tally(self, election_id: int) -> AsyncGenerator[Any, None]:
        return Live.of(self._rt).election_tally(self._viewer, election_id)


async def first_tally_message(
    runtime: Runtime, document: str, election: str, token: str
) -> ExecutionResult:
    """The first message of an ``electionTally`` subscription ``document`` for this session,
    run in process (no socket): what that viewer is streamed, built by the real live view."""
    async with runtime.reader() as s:
        viewer = await viewer_from_token(s, token, now=runtime.clock())
    stream = await root.build_schema().subscribe(
        document, {"e": election}, context_value=_Watching(runtime, viewer)
    )
    assert not isinstance(stream, ExecutionResult)
    try:
        return await anext(stream)
    finally:
        await stream.aclose()


async def open_resolution_in_a(gql: Gql, world: Any, runtime: Runtime) -> tuple[Clock, Opened]:
    """The usual start of a voting test: a resolution in the world's compound A, opened by its
    committee, every notice printed by its supervisor (``world`` is a tests.support.world
    World); the clock is the runtime's, now at the opening."""
    clock = use_clock(runtime)
    opened = await open_election(
        gql,
        clock,
        world.a,
        world.tokens["committee"],
        resolution_spec(),
        printer=world.tokens["supervisor"],
    )
    return clock, opened
