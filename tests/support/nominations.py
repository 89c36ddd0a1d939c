"""A compound of ten owners with a recorded forum, and the GraphQL of nominations and 两考,
shared by tests/api/services/test_nominations.py, test_vetting.py and the authorisation matrix;
and :func:`vetted_list`, the publicised vetted list a committee election needs where the district
requires 两考 (every committee election test)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PIL import ExifTags, Image
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.vetted_list import seed_vetted_list
from api.runtime import Runtime
from api.store.models import Account, Community, RoleMembership
from tests.conftest import Gql
from tests.support.elections import bulk_owner_tokens, new_compound, person_ids, staff_token

NAMES = [f"候选{i:02d}" for i in range(10)]
ROLL = "楼栋,房号,楼层,专有面积,业主姓名,手机\n" + "".join(
    f"1栋,{101 + i},1,90.00,{name},1380000{1000 + i}\n" for i, name in enumerate(NAMES)
)

FORUM = """mutation($i: RecordForumInput!) { recordForum(input: $i) { __typename
  ... on ForumSaved { forum { id examRequired reviewRequired nominationsCloseAt } }
  ... on Problem { code message field } } }"""
NOMINATION_FIELDS = """id personId name committee route statement photo signatures standing
  passed signedByMe vetting { step result reason reviewer }"""
NOMINATE = (
    """mutation($i: NominateInput!) { nominateCandidate(input: $i) { __typename
  ... on NominationSaved { nomination { """
    + NOMINATION_FIELDS
    + """ } } ... on Problem { code message field } } }"""
)
COSIGN = (
    """mutation($i: NominationActionInput!) { cosignNomination(input: $i) { __typename
  ... on NominationSaved { nomination { """
    + NOMINATION_FIELDS
    + """ } } ... on Problem { code message } } }"""
)
VET = (
    """mutation($i: RecordVettingInput!) { recordVetting(input: $i) { __typename
  ... on NominationSaved { nomination { """
    + NOMINATION_FIELDS
    + """ } } ... on Problem { code message } } }"""
)
PUBLISH_LIST = """mutation($i: PublishCandidateListInput!) { publishCandidateList(input: $i) {
  __typename ... on ForumSaved { forum { id listPublishedAt publicityEndsAt } }
  ... on Problem { code message facts { name value } } } }"""
OBJECT = """mutation($i: ObjectInput!) { objectToCandidate(input: $i) { __typename
  ... on ObjectionSaved { objection { id body answer } } ... on Problem { code message } } }"""
ANSWER = """mutation($i: AnswerObjectionInput!) { answerObjection(input: $i) { __typename
  ... on ObjectionSaved { objection { id answer answeredAt } } ... on Problem { code } } }"""
DISTRICT = """mutation($i: DistrictVettingInput!) { setDistrictVetting(input: $i) { __typename
  ... on DistrictVettingSaved { examRequired reviewRequired } ... on Problem { code } } }"""
FORUMS = (
    """query($c: ID!) { forums(communityId: $c) { id listPublishedAt publicityEndsAt
  nominations { """
    + NOMINATION_FIELDS
    + """ } objections { id body answer } } }"""
)


@dataclass
class Round:
    """Compound 丁小区 (district 1): ten owners, its committee, and one recorded forum."""

    community: int
    forum: str
    committee: str
    persons: dict[str, int]  # name -> person id
    owners: dict[str, str]  # name -> session token
    phones: dict[str, str]  # name -> phone


def result(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert not body.get("errors"), body
    value: dict[str, Any] = body["data"][name]
    return value


async def record_forum(
    gql: Gql, token: str, community: int, now: datetime, close_days: float = 5
) -> dict[str, Any]:
    spec = {
        "communityId": str(community),
        "heldAt": (now - timedelta(days=1)).isoformat(),
        "place": "社区党群服务中心",
        "attendees": "街道党工委、社区党委、居委会、业主代表 12 人",
        "minutes": "介绍换届程序；讨论候选人条件。",
        "opinions": "希望候选人公开承诺不拖欠物业费。",
        "nominationsCloseAt": (now + timedelta(days=close_days)).isoformat(),
    }
    return result(await gql(FORUM, {"i": spec}, token=token), "recordForum")


async def nominate(
    gql: Gql,
    token: str,
    forum: str,
    *,
    route: str = "SELF",
    person: int | None = None,
    committee: str = "OWNERS_COMMITTEE",
    photo: str | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "forumId": forum,
        "committee": committee,
        "route": route,
        "statement": "愿为小区服务，按时缴费，无违建。",
    }
    if person is not None:
        spec["personId"] = str(person)
    if photo is not None:
        spec["photo"] = photo
    return result(await gql(NOMINATE, {"i": spec}, token=token), "nominateCandidate")


async def vet(
    gql: Gql, token: str, nomination: str, step: str, passed: bool = True
) -> dict[str, Any]:
    spec = {"nominationId": nomination, "step": step, "passed": passed, "reason": "考核记录"}
    return result(await gql(VET, {"i": spec}, token=token), "recordVetting")


async def publish_list(gql: Gql, token: str, forum: str) -> dict[str, Any]:
    return result(
        await gql(PUBLISH_LIST, {"i": {"forumId": forum}}, token=token), "publishCandidateList"
    )


async def forums(gql: Gql, token: str, community: int) -> list[dict[str, Any]]:
    return result(await gql(FORUMS, {"c": str(community)}, token=token), "forums")  # type: ignore[return-value]


async def new_round(rt: Runtime, gql: Gql, district: int, now: datetime) -> Round:
    cid = await new_compound(rt, district, "丁小区", ROLL.encode())
    async with rt.writer() as s:  # ten households: its rules allow a 3-member 业委会
        await s.execute(update(Community).where(Community.id == cid).values(committee_min_seats=3))
        await s.commit()
    by_id = await bulk_owner_tokens(rt, cid)
    persons = await person_ids(rt, cid)
    committee = await staff_token(rt, "13711110000", "committee", community_id=cid)
    # voting opens only with two supervisors (issue #13 item 6)
    for phone in ("13711110001", "13711110002"):
        await staff_token(rt, phone, "supervisor", community_id=cid)
    forum = await record_forum(gql, committee, cid, now)
    assert forum["__typename"] == "ForumSaved", forum
    return Round(
        community=cid,
        forum=forum["forum"]["id"],
        committee=committee,
        persons=persons,
        owners={name: by_id[pid] for name, pid in persons.items()},
        phones={name: f"1380000{1000 + i}" for i, name in enumerate(NAMES)},
    )


async def vetted_list(
    rt: Runtime,
    community_id: int,
    candidates: Mapping[str, Sequence[int]],
    *,
    running_body: int | None = None,
    official: int | None = None,
    at: datetime | None = None,
) -> int:
    """A forum, nominations, 两考 passed and the list publicised 8 days before ``at`` (the
    runtime clock by default), so its 7 days' publicity are over: ``candidates`` is committee
    (``OWNERS_COMMITTEE`` or ``owners_committee``…) → person ids. The accounts acting default to
    an official of the compound's district (made if absent). The forum's id."""
    published = (at or rt.clock()) - timedelta(days=8)
    async with rt.writer() as s:
        community = await s.get(Community, community_id)
        assert community is not None
        if official is None:
            official = await _vetting_official(s, community.district_id)
        running_body = running_body or official
        forum = await seed_vetted_list(
            s,
            community,
            {k.lower(): v for k, v in candidates.items()},
            running_body=running_body,
            official=official,
            published_at=published,
        )
        await s.commit()
        return forum.id


async def _vetting_official(s: AsyncSession, district_id: int) -> int:
    phone = f"1379999{district_id:04d}"
    account = (await s.execute(select(Account).where(Account.phone == phone))).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name="两考 official", password_hash="x")
        s.add(account)
        await s.flush()
        s.add(RoleMembership(account_id=account.id, role="official", district_id=district_id))
        await s.flush()
    return account.id


async def vetted_in_a(
    rt: Runtime, world: Any, committee: str, person_ids: Sequence[int], at: datetime | None = None
) -> int:
    """:func:`vetted_list` in the world's compound A (tests/support/world.py): nominated by its
    committee, vetted by the district's official."""
    return await vetted_list(
        rt,
        world.a,
        {committee: person_ids},
        running_body=world.accounts["committee"],
        official=world.accounts["official"],
        at=at,
    )


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A phone's photo: EXIF with the camera make, an orientation and the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = 6  # rotated 90° clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG", exif=exif)
    return out.getvalue()
