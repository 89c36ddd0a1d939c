"""The demo compound: generated in code, deterministically, and safe to seed twice.

12 buildings and 1,000 units (seed 23 of :func:`api.cli.rollgen.make_roll_csv` gives exactly 12
buildings) with co-owned units, owners of several units and developer-unsold units, plus one
account for every role so a newcomer can try each screen at once.

It also holds one election that is already open (created, announced and opened through
:mod:`api.services.elections` with a clock set in the past, exactly as the API would have done
it), so that voting, receipts and the supervisors' live dashboard can be tried at once: the
demo owners' voting codes are printed with the logins.

Beside it, a small drill compound (演练小区, api/cli/demo_drill.py) where notice, publicity and
consultation periods are minutes, so that a whole vote can be rehearsed in ten minutes.

The demo seeds only an empty database, which it marks as a demo's, or its own marked one
(api/cli/demo_guard.py): its accounts' password is public.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.demo_drill import seed_drill
from api.cli.demo_guard import claim
from api.cli.rollgen import make_roll_csv
from api.cli.vetted_list import seed_vetted_list
from api.runtime import Runtime
from api.services import activation
from api.services import elections as election_svc
from api.services.roll import import_roll
from api.settings import Settings
from api.store.models import (
    Account,
    Community,
    District,
    Election,
    Ownership,
    Person,
    RoleMembership,
    Unit,
)
from schema.contract.voting import ElectionIn, QuestionIn
from voting import flats, secrecy
from voting.rules import CHINA_TZ

DEMO_DISTRICT = "demo"
DEMO_UNITS = 1000
DEMO_SEED = 23
DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - printed for the demo on purpose
STAFF = (
    ("13800000001", "街道干部 王主任", "official"),
    ("13800000002", "业委会 李主任", "committee"),
    ("13800000003", "监票人 赵监事", "supervisor"),
    ("13800000004", "监票人 钱监事", "supervisor"),
    ("13800000005", "筹备组 孙组长", "preparatory"),
)
ADMIN = ("13800000000", "系统管理员")
DEMO_ELECTION_TITLE = "第一届业主委员会选举暨《管理规约》表决"
DEMO_ELECTION_SEATS = 5
DEMO_ELECTION_CANDIDATES = 6


@dataclass(frozen=True)
class Login:
    role: str
    phone: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class DemoElection:
    id: int
    title: str
    state: str
    closes_at: datetime


class Logins(list[Login]):
    """The logins to print, and the demo election (if any) whose codes are among them."""

    election: DemoElection | None = None


@dataclass
class _Owner:
    person: Person
    note: str
    electors: list[tuple[int, str, str]] = field(default_factory=list)  # id, label, code

    @property
    def phone(self) -> str:
        """The demo roll (api/cli/rollgen.py) gives every owner a phone."""
        assert self.person.phone is not None
        return self.person.phone


async def seed(settings: Settings) -> Logins:
    """Create the demo district, compound, roll, accounts and open election if absent; return
    the logins (with the demo owners' voting codes). Refuses (DemoRefused) a database that
    holds anything but a demo's, writing nothing."""
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as session:
            await claim(session, settings)
            logins = await _seed(session, rt)
            await session.commit()
            return logins
    finally:
        await rt.close()


async def _seed(session: AsyncSession, rt: Runtime) -> Logins:
    district = (
        await session.execute(select(District).where(District.code == DEMO_DISTRICT))
    ).scalar_one_or_none()
    if district is None:
        district = District(name="共治示范街道", code=DEMO_DISTRICT)
        session.add(district)
        await session.flush()
    community = (
        await session.execute(
            select(Community).where(
                Community.district_id == district.id, Community.drill.is_(False)
            )
        )
    ).scalar_one_or_none()
    if community is None:
        community = Community(district_id=district.id, name="共治示范小区", address="示范路 1 号")
        session.add(community)
        await session.flush()
        await import_roll(
            session=session,
            community=community,
            data=make_roll_csv(DEMO_UNITS, DEMO_SEED),
            dry_run=False,
            actor=None,
        )
    password_hash = await rt.passwords.hash(DEMO_PASSWORD)
    logins = Logins([Login("admin", ADMIN[0], ADMIN[1])])
    await _account(session, ADMIN[0], ADMIN[1], password_hash, "admin", None, None)
    for phone, name, role in STAFF:
        if role == "official":
            await _account(session, phone, name, password_hash, role, None, district.id)
        else:
            await _account(session, phone, name, password_hash, role, community.id, None)
        logins.append(Login(role, phone, name))
    owners = [_Owner(p, note) for p, note in await _demo_owners(session, community.id)]
    for owner in owners:
        person = owner.person
        await _account(
            session, owner.phone, person.name, password_hash, "owner", community.id, None
        )
        person.account_id = (
            await session.execute(select(Account.id).where(Account.phone == owner.phone))
        ).scalar_one()
        logins.append(Login("owner", owner.phone, person.name, owner.note))
    logins.election = await _demo_election(session, rt, community, owners)
    for owner in owners:
        for elector_id, label, code in owner.electors:
            logins.append(Login(VOTING_CODE, owner.phone, code, f"elector {elector_id}: {label}"))
    # the drill compound (演练小区): rehearse a whole vote in minutes (api/cli/demo_drill.py)
    for d in await seed_drill(session, district, password_hash=password_hash):
        logins.append(Login(d.role, d.phone, d.name, d.note))
    pending = await _first_unactivated(session, community.id)
    if pending is not None:
        issued = await activation.issue_codes(
            session=session,
            community_id=community.id,
            person_ids=[pending.id],
            issuer=None,
            now=rt.clock(),
            days=rt.settings.activation_code_days,
        )
        logins.append(
            Login(
                "activate", pending.phone or "", pending.name, f"activation code {issued[0].code}"
            )
        )
    return logins


VOTING_CODE = "votingcode"


async def _demo_election(
    session: AsyncSession, rt: Runtime, community: Community, owners: list[_Owner]
) -> DemoElection | None:
    """An open election — a committee selection and the management statute — created the
    first time only (when the compound has no election at all), then the demo owners' codes.

    The clock is set in the past so the legal periods hold: a forum recorded and its vetted
    candidate list publicised 21 days ago (the district requires 两考), defined and announced 20
    days ago (notice: the compound's 15 days; candidates publicised 7 days before), opened an
    hour ago at its opening time, closing in 7 days.
    """
    exists = (
        await session.execute(
            select(Election.id).where(Election.community_id == community.id).limit(1)
        )
    ).first()
    if exists is None:
        await _define_demo_election(session, rt, community, {o.person.id for o in owners})
    election = (
        await session.execute(
            select(Election)
            .where(Election.community_id == community.id, Election.title == DEMO_ELECTION_TITLE)
            .order_by(Election.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if election is None:
        return None
    if election.state == "open":
        key = rt.settings.key("voting-code")  # as api/access/voting_codes.py derives them
        for owner in owners:
            assert owner.person.account_id is not None
            for e in await election_svc.electors_for_person(
                session, election.id, owner.person.account_id
            ):
                code = secrecy.derive_voting_code(key, str(election.id), e.key, e.code_gen)
                owner.electors.append((e.id, flats.render(e.label), code))
    return DemoElection(election.id, election.title, election.state, election.closes_at)


async def _demo_candidates(
    session: AsyncSession, community: Community, demo_owners: set[int]
) -> list[int]:
    """The first owners on the roll who hold one unit alone (not the demo owners, who are there
    to vote)."""
    rows = (
        await session.execute(
            select(Person.id, Ownership.unit_id, Unit.developer_unsold)
            .join(Ownership, Ownership.person_id == Person.id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Person.community_id == community.id)
            .order_by(Person.id)
        )
    ).all()
    units_of = Counter(pid for pid, _, _ in rows)
    owners_of = Counter(uid for _, uid, _ in rows)
    return [
        pid
        for pid, uid, unsold in rows
        if not unsold and units_of[pid] == 1 and owners_of[uid] == 1 and pid not in demo_owners
    ][:DEMO_ELECTION_CANDIDATES]


async def _define_demo_election(
    session: AsyncSession, rt: Runtime, community: Community, demo_owners: set[int]
) -> None:
    committee = (
        await session.execute(select(Account.id).where(Account.phone == STAFF[1][0]))
    ).scalar_one()
    official = (
        await session.execute(select(Account.id).where(Account.phone == STAFF[0][0]))
    ).scalar_one()
    now = rt.clock()
    opens = now - timedelta(hours=1)
    announced = now - timedelta(days=20)
    candidates = await _demo_candidates(session, community, demo_owners)
    # the district requires 两考: the forum, the nominations and the vetted list come first,
    # publicised the day before the announcement (api/cli/vetted_list.py)
    await seed_vetted_list(
        session,
        community,
        {"owners_committee": candidates},
        running_body=committee,
        official=official,
        published_at=announced - timedelta(days=1),
    )
    spec = ElectionIn(
        title=DEMO_ELECTION_TITLE,
        description=(
            "演示表决：选举第一届业主委员会委员 5 名（6 名候选人，差额选举），"
            "并表决通过《管理规约》。投票需要登录账号和表决码通知书上的表决码；"
            "截止前可以重新投票，以最后一次为准。"
        ),
        opens_at=opens,
        closes_at=now + timedelta(days=7),
        extraordinary=False,
        visibility="supervisors",
        questions=[
            QuestionIn(
                kind="committee",
                title=f"选举业主委员会委员（{DEMO_ELECTION_SEATS} 名）",
                body="每张选票最多选 5 人；得票须超过参与表决的业主人数和专有面积的一半。",
                matter=None,
                seats=DEMO_ELECTION_SEATS,
                committee="owners_committee",
                candidate_person_ids=candidates,
            ),
            QuestionIn(
                kind="resolution",
                title="通过《管理规约》",
                body="通过后，本规约对本小区全体业主具有约束力。",
                matter=2,
                seats=None,
                committee=None,
                candidate_person_ids=(),
            ),
        ],
    )
    election = await election_svc.define(
        session=session, community=community, spec=spec, actor=committee, now=announced
    )
    election.created_at = announced
    await election_svc.announce(
        session=session, community=community, election=election, actor=committee, now=announced
    )
    await election_svc.open_voting(
        session=session,
        community=community,
        election=election,
        actor=committee,
        now=opens,
        code_key=rt.settings.key("voting-code"),
    )
    await session.flush()


async def _account(
    session: AsyncSession,
    phone: str,
    name: str,
    password_hash: str,
    role: str,
    community_id: int | None,
    district_id: int | None,
) -> None:
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=name, password_hash=password_hash)
        session.add(account)
        await session.flush()
    has = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account.id,
                RoleMembership.role == role,
                RoleMembership.community_id.is_(None)
                if community_id is None
                else RoleMembership.community_id == community_id,
            )
        )
    ).first()
    if has is None:
        session.add(
            RoleMembership(
                account_id=account.id, role=role, community_id=community_id, district_id=district_id
            )
        )
        await session.flush()


async def _demo_owners(session: AsyncSession, community_id: int) -> list[tuple[Person, str]]:
    """Three owners that show the counting rules: one unit, several units, a co-owned unit."""
    rows = (
        await session.execute(
            select(Person, Ownership.unit_id, Unit.developer_unsold)
            .join(Ownership, Ownership.person_id == Person.id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Person.community_id == community_id)
            .order_by(Person.id)
        )
    ).all()
    units_of = Counter(p.id for p, _, unsold in rows if not unsold)
    owners_of = Counter(uid for _, uid, _ in rows)
    by_id = {p.id: p for p, _, _ in rows}
    single = next(
        p for p, uid, unsold in rows if not unsold and units_of[p.id] == 1 and owners_of[uid] == 1
    )
    several = next(by_id[pid] for pid, n in sorted(units_of.items()) if n > 1)
    co = next(
        p
        for p, uid, unsold in rows
        if not unsold and owners_of[uid] > 1 and p.id not in (single.id, several.id)
    )
    return [(single, "one unit"), (several, "several units: one head"), (co, "co-owned unit")]


async def _first_unactivated(session: AsyncSession, community_id: int) -> Person | None:
    return (
        await session.execute(
            select(Person)
            .where(
                Person.community_id == community_id,
                Person.account_id.is_(None),
                Person.phone.is_not(None),
            )
            .order_by(Person.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def print_logins(logins: list[Login], *, host: str, port: int) -> None:
    print()
    print(f"共治 Gongzhi demo — http://{host}:{port}/  (GraphQL: http://{host}:{port}/graphql)")
    print(f"GraphiQL (demo only / 仅演示): http://{host}:{port}/graphiql/")
    print(f"password for every demo account / 所有演示账号的密码: {DEMO_PASSWORD}")
    for login in logins:
        if login.role != VOTING_CODE:
            note = f"  ({login.note})" if login.note else ""
            print(f"  {login.role:<12} {login.phone}  {login.name}{note}")
    election = getattr(logins, "election", None)
    if election is not None:
        closes = election.closes_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        print()
        print(
            f"demo election / 演示表决 #{election.id} ({election.state}, "
            f"closes / 截止 {closes} +08:00): {election.title}"
        )
        codes = [x for x in logins if x.role == VOTING_CODE]
        if codes:
            print("voting codes of the demo owners / 演示业主的表决码:")
        for login in codes:
            print(f"  {login.role:<12} {login.phone}  {login.name}  ({login.note})")
    print()
