"""A compound of ten owners with a recorded forum, and the GraphQL of nominations and 两考,
shared by tests/api/services/test_nominations.py, test_vetting.py and the authorisation matrix."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PIL import ExifTags, Image

from api.runtime import Runtime
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
