"""Taking office and terms (issue #13 item 5): the winners of a published committee election
take office when its publicity period ends (``gongzhi take-office`` runs
:func:`api.services.terms.seat_due` with the clock), alternates in order; the committee records
its chair and vice-chairs; resignation, recall and vacancy let the next alternate step up;
reminders 90 and 30 days before the end; nobody sits on both committees.

Compound A (4 heads, 525.75 m²): 张三 170.00, 李四+王五 100.50, 赵六 120.25, the developer 135.00.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from api.cli.main import main
from api.runtime import Runtime
from api.services import term_reminders, terms
from api.services.notify import Message
from api.store.models import CommitteeSeat, CommitteeTerm, RoleMembership, TermReminder
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.support.elections import (
    Clock,
    create_election,
    person_ids,
    resolution_spec,
    staff_token,
    use_clock,
)
from tests.support.nominations import nominate, publish_list, record_forum, vet, vetted_in_a
from tests.support.terms import OWNERS_BALLOTS, elect
from tests.support.world import World
from voting.rules import add_years

TERMS = """query($c: ID!) { committeeTerms(communityId: $c) { id committee inOffice endsAt
  vacancies reminders seats { id name kind position office endReason steppedUpFrom
  recallElectionId } } }"""
OFFICERS = """mutation($i: CommitteeOfficersInput!) { recordCommitteeOfficers(input: $i) {
  __typename ... on CommitteeTermSaved { term { seats { name office } } }
  ... on Problem { code message } } }"""
END = """mutation($i: EndCommitteeSeatInput!) { endCommitteeSeat(input: $i) {
  __typename ... on CommitteeTermSaved { term { vacancies seats { id name kind endReason
    steppedUpFrom } } } ... on Problem { code message } } }"""


async def _seat(runtime: Runtime, clock: Clock) -> terms.Seated:
    async with runtime.writer() as s:
        seated = await terms.seat_due(s, clock.now)
        await s.commit()
    return seated


async def _seated_committee(
    gql: Gql, world: World, runtime: Runtime
) -> tuple[Clock, str, dict[str, Any]]:
    clock = use_clock(runtime)
    eid = await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
    )
    published = clock.now
    clock.now = published + timedelta(days=15)
    assert (await _seat(runtime, clock)).terms
    [term] = (await gql(TERMS, {"c": str(world.a)}, token=world.tokens["official"]))["data"][
        "committeeTerms"
    ]
    return clock, eid, term


async def test_the_winners_take_office_when_the_publicity_period_ends(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
    )
    published = clock.now
    clock.now = published + timedelta(days=15) - timedelta(minutes=1)
    assert (await _seat(runtime, clock)).terms == []  # still in its publicity period
    clock.now = published + timedelta(days=15)
    [term] = (await _seat(runtime, clock)).terms
    assert term.ends_at == add_years(clock.now, 5)  # the compound's term setting
    assert (await _seat(runtime, clock)).terms == []  # seated once
    [view] = (await gql(TERMS, {"c": str(world.a)}, token=world.tokens["owner"]))["data"][
        "committeeTerms"
    ]
    assert view["committee"] == "owners_committee" and view["inOffice"] is True
    assert [(s["name"], s["kind"], s["position"]) for s in view["seats"]] == [
        ("赵六", "member", 1),
        ("张三", "member", 2),
        ("李四", "member", 3),
        ("王五", "alternate", 1),
    ]
    async with runtime.reader() as s:
        grants = list(
            (
                await s.execute(
                    select(RoleMembership).where(
                        RoleMembership.role == "committee", RoleMembership.ends_at.is_not(None)
                    )
                )
            ).scalars()
        )
    assert len(grants) == 3 and {g.ends_at for g in grants} == {term.ends_at}


async def test_the_seats_go_to_the_winners_whatever_their_candidate_rows_ids(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """A result names candidates by their person id; taking office once read those as the ids
    of candidate rows, which seated the wrong owners (or failed) as soon as the two differed.
    Here a draft's candidate rows come first, so no candidate row's id is its person's id."""
    clock = use_clock(runtime)
    people = await person_ids(runtime, world.a)
    opens = clock.now + timedelta(days=20)
    draft = {
        "title": "草稿",
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(people[n]) for n in ("赵六", "王五")],
            }
        ],
    }
    await vetted_in_a(runtime, world, "OWNERS_COMMITTEE", [people["赵六"], people["王五"]])
    await create_election(gql, world.a, world.tokens["committee"], draft)
    names = ("张三", "李四", "王五", "赵六")
    await elect(gql, world, runtime, clock, "OWNERS_COMMITTEE", names, OWNERS_BALLOTS)
    clock.now += timedelta(days=15)
    assert (await _seat(runtime, clock)).terms
    [view] = (await gql(TERMS, {"c": str(world.a)}, token=world.tokens["owner"]))["data"][
        "committeeTerms"
    ]
    assert [(s["name"], s["kind"]) for s in view["seats"]] == [
        ("赵六", "member"),
        ("张三", "member"),
        ("李四", "member"),
        ("王五", "alternate"),
    ]


async def test_reminders_90_and_30_days_before_the_end_for_officials_and_the_committee(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, _, term = await _seated_committee(gql, world, runtime)
    ends = datetime.fromisoformat(term["endsAt"])

    phones = {
        "official": "13700000001",
        "committee": "13700000003",
        "owner": "13900000003",
    }  # 王五, an alternate

    async def seen(who: str) -> list[int]:
        token = await staff_token(runtime, phones[who], None)  # a session years later
        r = await gql(TERMS, {"c": str(world.a)}, token=token)
        return r["data"]["committeeTerms"][0]["reminders"]  # type: ignore[no-any-return]

    assert await seen("official") == []
    clock.now = ends - timedelta(days=90)
    assert await seen("official") == [90] and await seen("committee") == [90]
    clock.now = ends - timedelta(days=30)
    assert await seen("official") == [90, 30]
    assert await seen("owner") == []  # owners see the committee, not its reminders
    clock.now = ends
    assert await seen("official") == []


async def test_the_stand_in_body_has_the_committees_reminders_and_records_its_officers(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The 物管会 (``stand_in``) has the committee's powers (api/services/authz.py): it sees the
    term-end reminders and records the chair, as the committee does; a preparatory group, which
    is dissolved when the committee takes office, does neither (api/access/terms.py)."""
    clock, _, term = await _seated_committee(gql, world, runtime)
    clock.now = datetime.fromisoformat(term["endsAt"]) - timedelta(days=90)
    stand_in = await staff_token(runtime, "13711119997", "stand_in", community_id=world.a)
    prep = await staff_token(runtime, "13711119996", "preparatory", community_id=world.a)
    for token, reminders in ((stand_in, [90]), (prep, [])):
        r = await gql(TERMS, {"c": str(world.a)}, token=token)
        assert r["data"]["committeeTerms"][0]["reminders"] == reminders
    seat = {s["name"]: s["id"] for s in term["seats"]}
    i = {"termId": term["id"], "chairSeatId": seat["赵六"], "viceSeatIds": [], "reason": "纪要"}
    refused = await gql(OFFICERS, {"i": i}, token=prep)
    assert refused["data"]["recordCommitteeOfficers"]["code"] == "FORBIDDEN"
    done = (await gql(OFFICERS, {"i": i}, token=stand_in))["data"]["recordCommitteeOfficers"]
    assert {s["name"]: s["office"] for s in done["term"]["seats"]}["赵六"] == "chair"


async def _remind(runtime: Runtime, at: datetime) -> list[Message]:
    async with runtime.writer() as s:
        messages = await term_reminders.due(s, at)
        await s.commit()
    return messages


async def test_reminders_go_by_text_once_per_threshold(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The daily job tells the district's officials and the sitting members by text (the
    notification adapter), once per threshold: a re-run repeats nothing."""
    _, _, term = await _seated_committee(gql, world, runtime)
    ends = datetime.fromisoformat(term["endsAt"])
    assert await _remind(runtime, ends - timedelta(days=91)) == []
    at_90 = await _remind(runtime, ends - timedelta(days=90))
    # the official of district 1 (the one of district 2 is not told), then 赵六, 张三, 李四
    assert [m.phone for m in at_90] == ["13700000001", "13900000004", "13900000001", "13900000002"]
    assert {m.kind for m in at_90} == {"term_reminder"}
    assert "甲小区业主委员会" in at_90[0].text and "90 days" in at_90[0].text
    assert await _remind(runtime, ends - timedelta(days=60)) == []  # recorded: not repeated
    at_30 = await _remind(runtime, ends - timedelta(days=30))
    assert len(at_30) == 4 and "30 天" in at_30[0].text
    assert await _remind(runtime, ends - timedelta(days=29)) == []
    async with runtime.reader() as s:
        rows = (await s.execute(select(TermReminder.days, TermReminder.recipients))).all()
    assert sorted(rows) == [(30, 4), (90, 4)]


async def test_a_job_that_missed_the_90_day_mark_sends_one_reminder(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, _, term = await _seated_committee(gql, world, runtime)
    ends = datetime.fromisoformat(term["endsAt"])
    late = await _remind(runtime, ends - timedelta(days=20))
    assert len(late) == 4 and "20 天" in late[0].text  # one message each, the real count
    assert await _remind(runtime, ends - timedelta(days=10)) == []


async def _supervisory_seat(runtime: Runtime, world: World, election: int, name: str) -> str:
    """A 监委会 term with ``name`` sitting, as the job would have seated it."""
    people = await person_ids(runtime, world.a)
    async with runtime.writer() as s:
        now = runtime.clock()
        term = CommitteeTerm(
            community_id=world.a,
            election_id=election,
            committee="supervisory_committee",
            seats=3,
            starts_at=now,
            ends_at=add_years(now, 5),
        )
        s.add(term)
        await s.flush()
        seat = await terms.seat_person(s, term, people[name], name, "member", 1, now)
        await s.commit()
        return str(seat.id)


async def test_officers_resignation_recall_and_vacancy(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, eid, term = await _seated_committee(gql, world, runtime)
    seat = {s["name"]: s["id"] for s in term["seats"]}
    i = {
        "termId": term["id"],
        "chairSeatId": seat["赵六"],
        "viceSeatIds": [seat["张三"]],
        "reason": "第一次会议纪要",
    }
    refused = await gql(
        OFFICERS, {"i": {**i, "chairSeatId": seat["王五"]}}, token=world.tokens["committee"]
    )
    assert refused["data"]["recordCommitteeOfficers"]["code"] == "NOT_A_MEMBER"
    # a 监委会 member's seat, or a seat that does not exist, is no 业委会 member's
    supervisory = await _supervisory_seat(runtime, world, int(eid), "王五")
    for bad in (
        {"chairSeatId": supervisory},
        {"viceSeatIds": [supervisory]},
        {"chairSeatId": "999999"},
    ):
        named = await gql(OFFICERS, {"i": {**i, **bad}}, token=world.tokens["committee"])
        assert named["data"]["recordCommitteeOfficers"]["code"] == "NOT_A_MEMBER", bad
    alternate = await staff_token(runtime, "13900000003", None)  # 王五, an owner off the committee
    owner = await gql(OFFICERS, {"i": i}, token=alternate)
    assert owner["data"]["recordCommitteeOfficers"]["code"] == "FORBIDDEN"
    done = (await gql(OFFICERS, {"i": i}, token=world.tokens["committee"]))["data"]
    offices = {s["name"]: s["office"] for s in done["recordCommitteeOfficers"]["term"]["seats"]}
    assert offices == {"赵六": "chair", "张三": "vice_chair", "李四": None, "王五": None}
    # only an official records a seat's end
    resign = {"seatId": seat["李四"], "reason": "RESIGNED"}
    by_committee = await gql(END, {"i": resign}, token=world.tokens["committee"])
    assert by_committee["data"]["endCommitteeSeat"]["code"] == "FORBIDDEN"
    ended = (await gql(END, {"i": resign}, token=world.tokens["official"]))["data"][
        "endCommitteeSeat"
    ]["term"]
    rows = {(s["name"], s["kind"]): s for s in ended["seats"]}
    assert rows[("李四", "member")]["endReason"] == "resigned"
    assert rows[("王五", "alternate")]["endReason"] == "stepped_up"
    assert rows[("王五", "member")]["steppedUpFrom"] == seat["王五"]
    assert ended["vacancies"] == 0
    # a recall names the published election that decided it
    recall = {"seatId": seat["张三"], "reason": "RECALLED"}
    bad = (await gql(END, {"i": recall}, token=world.tokens["official"]))["data"]
    assert bad["endCommitteeSeat"]["code"] == "BAD_RECALL"
    recalled = (
        await gql(END, {"i": {**recall, "recallElectionId": eid}}, token=world.tokens["official"])
    )["data"]["endCommitteeSeat"]["term"]
    assert recalled["vacancies"] == 1  # no alternate left: the seat stays vacant
    async with runtime.reader() as s:
        li = (
            await s.execute(select(CommitteeSeat).where(CommitteeSeat.name == "李四"))
        ).scalar_one()
        grant = await s.get(RoleMembership, li.grant_id)
    assert grant is not None and grant.revoked_at is not None  # 李四 no longer acts


async def test_one_person_never_sits_on_both_committees(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, _, _ = await _seated_committee(gql, world, runtime)
    everyone = ("王五", "赵六", "张三")
    await elect(
        gql,
        world,
        runtime,
        clock,
        "SUPERVISORY_COMMITTEE",
        everyone,
        [("张三", everyone), ("李四", everyone), ("赵六", everyone)],
    )
    clock.now += timedelta(days=15)
    seated = await _seat(runtime, clock)
    assert seated.terms == []
    [(_, why)] = seated.refused
    assert why.code == "DUAL_MEMBERSHIP"
    listed = (await gql(TERMS, {"c": str(world.a)}, token=world.tokens["official"]))["data"]
    assert [t["committee"] for t in listed["committeeTerms"]] == ["owners_committee"]


async def test_a_supervisory_member_elected_to_the_committee_is_not_seated_on_it(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The other direction: 张三 sits on the 监委会 when the 业委会 they were elected to is due
    to take office; voting.rules.check_dual_membership refuses the whole committee."""
    clock = use_clock(runtime)
    eid = await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
    )
    # seated from another election (a term names the election it came from)
    other = await create_election(gql, world.a, world.tokens["committee"], resolution_spec())
    await _supervisory_seat(runtime, world, int(other), "张三")
    clock.now += timedelta(days=15)
    seated = await _seat(runtime, clock)
    assert seated.terms == []
    [(refused_election, why)] = seated.refused
    assert (str(refused_election), why.code) == (eid, "DUAL_MEMBERSHIP")


def test_a_supervisory_committee_outside_its_bounds_or_half_empty_is_not_formed() -> None:
    seven = {"committee": "supervisory_committee", "seats": 7, "winners": list("abcdefg")}
    with pytest.raises(AppError) as e:
        terms.check_formed(seven, 3, 5)
    assert e.value.code == "NOT_FORMED"
    one = {"committee": "supervisory_committee", "seats": 3, "winners": ["a"]}
    with pytest.raises(AppError):
        terms.check_formed(one, 3, 5)
    terms.check_formed({**one, "winners": ["a", "b", "c"]}, 3, 5)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the CLI on SQLite only
def test_take_office_is_a_command_for_a_daily_job(
    monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, world: World
) -> None:
    """``gongzhi take-office`` runs :func:`terms.seat_due` with the real clock: with nothing
    due it seats nothing and exits 0, so a daily job may run it any number of times."""
    monkeypatch.setenv("GONGZHI_DATABASE_URL", db_url)
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path / "var"))
    assert main(["take-office"]) == 0
    r = subprocess.run(
        [sys.executable, "-m", "api.cli.main", "take-office", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0 and "usage:" in r.stdout, r.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the CLI on SQLite only
async def test_take_office_sends_the_term_reminders_through_the_adapter_once(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    tmp_path: Path,
    gql: Gql,
    world: World,
    runtime: Runtime,
) -> None:
    """The daily job with the real clock and GONGZHI_NOTIFY=file: a term ending in 30 days is
    reminded by text once, however often the job runs."""
    _, _, term = await _seated_committee(gql, world, runtime)
    async with runtime.writer() as s:
        await s.execute(
            update(CommitteeTerm)
            .where(CommitteeTerm.id == int(term["id"]))
            .values(ends_at=datetime.now(UTC) + timedelta(days=30, hours=1))
        )
        await s.commit()
    sent = tmp_path / "sms.jsonl"
    monkeypatch.setenv("GONGZHI_DATABASE_URL", db_url)
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GONGZHI_NOTIFY", "file")
    monkeypatch.setenv("GONGZHI_NOTIFY_FILE", str(sent))
    for _ in range(2):
        assert await asyncio.to_thread(main, ["take-office"]) == 0
    lines = [json.loads(line) for line in sent.read_text(encoding="utf-8").splitlines()]
    # 90 and 30 days are both past: one message per person, for the nearer threshold
    assert [m["phone"] for m in lines] == [
        "13700000001",
        "13900000004",
        "13900000001",
        "13900000002",
    ]
    assert all(m["kind"] == "term_reminder" and "30 天" in m["text"] for m in lines)


RE_ELECT = """mutation($i: ReElectionInput!) { startReElection(input: $i) { __typename
  ... on ElectionSaved { election { id state title questions { kind seats
    candidates { name } } } } ... on Problem { code } } }"""


async def test_a_re_election_is_created_from_the_last_term_on_request(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, _, term = await _seated_committee(gql, world, runtime)
    opens = clock.now + timedelta(days=30)
    i = {
        "termId": term["id"],
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
    }
    alternate = await staff_token(runtime, "13900000003", None)  # 王五, not on the committee
    assert (await gql(RE_ELECT, {"i": i}, token=alternate))["data"]["startReElection"][
        "code"
    ] == "FORBIDDEN"
    other = await gql(RE_ELECT, {"i": i}, token=world.tokens["official_2"])
    assert other["data"]["startReElection"]["code"] == "NOT_FOUND"
    # the running body of another compound cannot start one from this compound's term
    body_b = await staff_token(runtime, "13711119999", "committee", community_id=world.b)
    elsewhere = await gql(RE_ELECT, {"i": i}, token=body_b)
    assert elsewhere["data"]["startReElection"]["code"] == "NOT_FOUND"
    prep_b = await staff_token(runtime, "13711119998", "preparatory", community_id=world.b)
    assert (await gql(RE_ELECT, {"i": i}, token=prep_b))["data"]["startReElection"][
        "code"
    ] == "NOT_FOUND"
    made = (await gql(RE_ELECT, {"i": i}, token=world.tokens["committee"]))["data"][
        "startReElection"
    ]["election"]
    assert made["state"] == "DRAFT" and made["title"] == "业主委员会换届选举"
    [q] = made["questions"]
    assert q["kind"] == "COMMITTEE" and q["seats"] == 3
    # the district vets: the candidates are the latest publicised list's, in its order
    assert [c["name"] for c in q["candidates"]] == ["张三", "李四", "王五", "赵六"]


async def test_where_the_compound_vets_the_re_election_takes_the_vetted_list(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Only who passed 两考 reaches a ballot (item 4): the 换届 draft's candidates are the
    latest publicised list's passed nominations, not the incumbents."""
    clock, _, term = await _seated_committee(gql, world, runtime)
    committee = world.tokens["committee"]
    forum = await record_forum(gql, committee, world.a, clock.now)
    assert forum["__typename"] == "ForumSaved", forum
    fid = forum["forum"]["id"]
    ids = {}
    for name, phone in (("赵六", "13900000004"), ("王五", "13900000003")):
        token = await staff_token(runtime, phone, None)
        saved = await nominate(gql, token, fid)
        assert saved["__typename"] == "NominationSaved", saved
        ids[name] = saved["nomination"]["id"]
    for name, nid in ids.items():
        for step in ("EXAM", "REVIEW"):
            passed = not (name == "王五" and step == "REVIEW")
            await vet(gql, world.tokens["official"], nid, step, passed=passed)
    clock.now += timedelta(days=6)  # after the nomination window
    assert (await publish_list(gql, committee, fid))["__typename"] == "ForumSaved"
    opens = clock.now + timedelta(days=30)
    i = {
        "termId": term["id"],
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
    }
    made = (await gql(RE_ELECT, {"i": i}, token=committee))["data"]["startReElection"]
    assert [c["name"] for c in made["election"]["questions"][0]["candidates"]] == ["赵六"]
