"""Vetting is mandatory where the district requires it, and a committee selection's seats fit the
law and the compound's bounds (issue #13, docs/design.md §2 "Seats and candidates").

Misuse: the running body putting owners on a 业委会 ballot without any forum (no vetting at
all), announcing a draft made while the district vetted nothing after it turned vetting on,
asking more seats than the compound's rules allow (or a 监委会 sized like a 业委会), and
announcing more seats than candidates.

Compound A of tests/support/world.py (4 heads) allows a 3-member 业委会.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from api.runtime import Runtime
from api.services.compound_settings import CompoundSettings
from api.services.election_definition import check_seat_count
from api.store.models import Community, Election
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.support.elections import CLOSES, CREATE, OPENS, person_ids, transition, use_clock
from tests.support.nominations import DISTRICT, result, vetted_in_a
from tests.support.world import World


def _spec(committee: str, seats: int, candidates: list[int]) -> dict[str, Any]:
    return {
        "title": "委员会选举",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举委员",
                "seats": seats,
                "committee": committee,
                "candidatePersonIds": [str(p) for p in candidates],
            }
        ],
    }


async def _create(gql: Gql, world: World, spec: dict[str, Any]) -> dict[str, Any]:
    body = await gql(CREATE, {"c": str(world.a), "i": spec}, token=world.tokens["committee"])
    return result(body, "createElection")


async def _elections(runtime: Runtime) -> int:
    async with runtime.reader() as s:
        return int(await s.scalar(select(func.count()).select_from(Election)) or 0)


async def _district_vetting(gql: Gql, world: World, exam: bool, review: bool) -> None:
    spec = {
        "districtId": str(world.district_1),
        "examRequired": exam,
        "reviewRequired": review,
        "reason": "街道党工委会议决定",
    }
    saved = result(
        await gql(DISTRICT, {"i": spec}, token=world.tokens["official"]), "setDistrictVetting"
    )
    assert saved["__typename"] == "DistrictVettingSaved", saved


async def test_without_a_forum_no_committee_candidate_reaches_a_ballot(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    people = await person_ids(runtime, world.a)
    three = [people[n] for n in ("张三", "李四", "赵六")]
    for committee in ("OWNERS_COMMITTEE", "SUPERVISORY_COMMITTEE"):
        refused = await _create(gql, world, _spec(committee, 3, three))
        assert (refused["code"], refused["field"]) == ("NO_FORUM", "questions[0].candidates")
        assert "党群座谈会" in refused["message"]
    assert await _elections(runtime) == 0  # bad input changes nothing
    # the same candidates once vetted and publicised
    await vetted_in_a(runtime, world, "owners_committee", three)
    assert (await _create(gql, world, _spec("OWNERS_COMMITTEE", 3, three)))[
        "__typename"
    ] == "ElectionSaved"


async def test_where_the_district_vets_nothing_the_old_path_stands_until_it_vets_again(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    people = await person_ids(runtime, world.a)
    three = [people[n] for n in ("张三", "李四", "赵六")]
    await _district_vetting(gql, world, exam=False, review=False)
    draft = await _create(gql, world, _spec("OWNERS_COMMITTEE", 3, three))
    assert draft["__typename"] == "ElectionSaved", draft
    eid = draft["election"]["id"]
    # the district requires the review again before the draft is announced: refused
    await _district_vetting(gql, world, exam=False, review=True)
    refused = await transition(gql, "announceElection", eid, world.tokens["committee"])
    assert refused["code"] == "NO_FORUM", refused
    await _district_vetting(gql, world, exam=False, review=False)
    announced = await transition(gql, "announceElection", eid, world.tokens["committee"])
    assert announced["__typename"] == "ElectionSaved", announced


async def test_seats_fit_the_compounds_bounds_when_defined_and_when_announced(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    people = await person_ids(runtime, world.a)
    four = [people[n] for n in ("张三", "李四", "赵六", "王五")]
    await vetted_in_a(runtime, world, "supervisory_committee", four)
    # the 监委会 has its own bounds (3–5 by default), not the 业委会's 5–11
    big = await _create(gql, world, _spec("SUPERVISORY_COMMITTEE", 7, four))
    assert (big["code"], big["field"]) == ("SEATS_OUT_OF_BOUNDS", "questions[0].seats"), big
    assert "3 至 5" in big["message"]
    draft = await _create(gql, world, _spec("SUPERVISORY_COMMITTEE", 3, four))
    eid = draft["election"]["id"]
    # the compound's rules change before the announcement: the settings it would freeze
    async with runtime.writer() as s:
        await s.execute(
            update(Community)
            .where(Community.id == world.a)
            .values(supervisory_min_seats=5, supervisory_max_seats=5)
        )
        await s.commit()
    refused = await transition(gql, "announceElection", eid, world.tokens["committee"])
    assert refused["code"] == "SEATS_OUT_OF_BOUNDS", refused
    clock.now += timedelta(minutes=1)
    # five seats for four candidates: a draft may be short, an announcement may not
    short = await _create(gql, world, _spec("SUPERVISORY_COMMITTEE", 5, four))
    assert short["__typename"] == "ElectionSaved", short
    sid = short["election"]["id"]
    too_few = await transition(gql, "announceElection", sid, world.tokens["committee"])
    assert too_few["code"] == "TOO_FEW_CANDIDATES", too_few
    assert "5 个席位" in too_few["message"] and "4 名候选人" in too_few["message"]


def _settings(**bounds: int) -> CompoundSettings:
    base = dict(
        head_rule="per_owner",
        proxy_cap=1,
        tally_step=5,
        meeting_notice_days=15,
        extraordinary_notice_days=7,
        candidate_publicity_days=7,
        result_publicity_days=15,
        non_voter_rule=False,
        paper_priority="online",
        term_years=5,
        committee_min_seats=5,
        committee_max_seats=11,
        supervisory_min_seats=3,
        supervisory_max_seats=5,
    )
    base.update(bounds)
    return CompoundSettings(**base)  # type: ignore[arg-type]


def test_a_large_compound_seats_a_3_member_supervisory_committee_not_a_3_member_committee() -> None:
    large = 500  # heads: above the small-compound limit
    check_seat_count(_settings(), "supervisory_committee", 3, large, "seats")
    with pytest.raises(AppError) as law:
        check_seat_count(_settings(committee_min_seats=3), "owners_committee", 3, large, "seats")
    assert law.value.code == "INVALID_SEATS"
    with pytest.raises(AppError) as bound:
        check_seat_count(_settings(committee_max_seats=7), "owners_committee", 9, large, "seats")
    assert bound.value.code == "SEATS_OUT_OF_BOUNDS"
    with pytest.raises(AppError) as even:
        check_seat_count(_settings(), "supervisory_committee", 4, large, "seats")
    assert even.value.code == "SEATS_OUT_OF_BOUNDS"
