"""The forum (党群座谈会) and nominations (issue #13 item 3): the running body records the
forum, which opens the nomination window; owners nominate themselves or jointly (a joint
nomination stands with five owners' signatures), the running body nominates as itself; each
candidate has a statement and an optional photo, checked by its bytes with EXIF removed.

Misuse: an owner of another compound nominating, an owner nominating another as "self", an
owner or an official posing as the running body, nominating after the window, a candidate
co-signing their own nomination, standing for both committees, a photo that is no image, a
photo carrying EXIF GPS (stored without it).
"""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from api.runtime import Runtime
from api.store.models import AuditEntry, Nomination
from tests.conftest import Gql
from tests.support.elections import T0, person_ids, use_clock
from tests.support.nominations import (
    COSIGN,
    FORUM,
    forums,
    jpeg_with_gps,
    new_round,
    nominate,
    record_forum,
    result,
)
from tests.support.world import World


async def test_the_forum_opens_nominations_by_self_jointly_and_by_the_running_body(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    # self: the candidate is the nominator, with a phone's photo (EXIF GPS) stored without it
    photo = base64.b64encode(jpeg_with_gps()).decode()
    me = await nominate(gql, r.owners["候选00"], r.forum, photo=photo)
    assert me["__typename"] == "NominationSaved", me
    n = me["nomination"]
    assert (n["name"], n["route"], n["standing"], n["vetting"]) == ("候选00", "SELF", True, [])
    assert n["passed"] is None  # owners learn the outcome from the publicised list
    assert n["photo"].startswith("data:image/jpeg;base64,")
    stored = base64.b64decode(n["photo"].split(",", 1)[1])
    assert b"Exif" not in stored and b"PhoneCo" not in stored
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    async with runtime.reader() as s:
        row = (
            await s.execute(select(Nomination).where(Nomination.id == int(n["id"])))
        ).scalar_one()
        assert row.photo == stored and row.photo_type == "image/jpeg"

    # joint: 候选01 nominates 候选02; it stands once five owners signed (nominator included)
    joint = (
        await nominate(gql, r.owners["候选01"], r.forum, route="JOINT", person=r.persons["候选02"])
    )["nomination"]
    assert (joint["signatures"], joint["standing"], joint["signedByMe"]) == (1, False, True)
    for name in ("候选03", "候选04", "候选05"):
        signed = result(
            await gql(COSIGN, {"i": {"nominationId": joint["id"]}}, token=r.owners[name]),
            "cosignNomination",
        )
        assert signed["nomination"]["standing"] is False
    signed = result(
        await gql(COSIGN, {"i": {"nominationId": joint["id"]}}, token=r.owners["候选06"]),
        "cosignNomination",
    )["nomination"]
    assert (signed["signatures"], signed["standing"]) == (5, True)
    twice = result(
        await gql(COSIGN, {"i": {"nominationId": joint["id"]}}, token=r.owners["候选06"]),
        "cosignNomination",
    )
    assert twice["code"] == "ALREADY_SIGNED"

    # the running body (the compound's committee) nominates for the 监委会
    body = await nominate(
        gql,
        r.committee,
        r.forum,
        route="RUNNING_BODY",
        person=r.persons["候选07"],
        committee="SUPERVISORY_COMMITTEE",
    )
    assert body["nomination"]["route"] == "RUNNING_BODY", body

    listed = await forums(gql, r.owners["候选09"], r.community)
    assert [x["name"] for x in listed[0]["nominations"]] == ["候选00", "候选02", "候选07"]
    async with runtime.reader() as s:
        kinds = [
            (a.kind, json.loads(a.payload))
            for a in (
                await s.execute(
                    select(AuditEntry)
                    .where(AuditEntry.chain == r.community)
                    .order_by(AuditEntry.seq)
                )
            ).scalars()
        ]
    assert [k for k, _ in kinds if k.startswith(("forum", "nomination"))] == [
        "forum.record",
        "nomination.create",
        "nomination.create",
        *["nomination.cosign"] * 4,
        "nomination.create",
    ]
    forum_entry = next(payload for kind, payload in kinds if kind == "forum.record")
    assert forum_entry["exam_required"] is True and forum_entry["review_required"] is True

    # the window closes: no more nominations or signatures
    clock.now = T0 + timedelta(days=5)
    late = await nominate(gql, r.owners["候选08"], r.forum)
    assert late["code"] == "NOMINATIONS_CLOSED", late


async def test_nominations_refused_for_who_asks_and_what_they_ask(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    # an owner of another compound (B) cannot nominate in this forum: it does not exist for them
    outsider = await nominate(gql, world.tokens["owner_b"], r.forum)
    assert outsider["code"] == "NOT_FOUND"
    # nor an official of another district
    other = await nominate(
        gql, world.tokens["official_2"], r.forum, route="RUNNING_BODY", person=r.persons["候选01"]
    )
    assert other["code"] == "NOT_FOUND"
    # "self" names yourself
    posing = await nominate(gql, r.owners["候选00"], r.forum, person=r.persons["候选01"])
    assert posing["code"] == "NOT_SELF"
    # an owner is not the running body, and an official (who vets) does not nominate
    assert (
        await nominate(
            gql, r.owners["候选00"], r.forum, route="RUNNING_BODY", person=r.persons["候选01"]
        )
    )["code"] == "FORBIDDEN"
    assert (
        await nominate(
            gql, world.tokens["official"], r.forum, route="RUNNING_BODY", person=r.persons["候选01"]
        )
    )["code"] == "FORBIDDEN"
    # staff cannot nominate as owners, and the admin has no place on the roll
    assert (await nominate(gql, r.committee, r.forum))["code"] == "FORBIDDEN"
    assert (await nominate(gql, world.tokens["admin"], r.forum))["code"] == "NOT_ON_ROLL"
    # a candidate must be an owner of this compound (张三 owns in compound A)
    zhang = (await person_ids(runtime, world.a))["张三"]
    stranger = await nominate(gql, r.committee, r.forum, route="RUNNING_BODY", person=zhang)
    assert stranger["code"] == "NOT_AN_OWNER"
    # the candidate does not co-sign their own joint nomination
    joint = (
        await nominate(gql, r.owners["候选01"], r.forum, route="JOINT", person=r.persons["候选02"])
    )["nomination"]
    own = result(
        await gql(COSIGN, {"i": {"nominationId": joint["id"]}}, token=r.owners["候选02"]),
        "cosignNomination",
    )
    assert own["code"] == "OWN_NOMINATION"
    # nobody stands for both committees, nor twice for one
    assert (await nominate(gql, r.owners["候选02"], r.forum, committee="SUPERVISORY_COMMITTEE"))[
        "code"
    ] == "DUAL_COMMITTEE"
    assert (await nominate(gql, r.owners["候选02"], r.forum))["code"] == "ALREADY_NOMINATED"
    # a photo that is not an image, or too big
    bad = await nominate(
        gql, r.owners["候选03"], r.forum, photo=base64.b64encode(b"%PDF-1.4 hi").decode()
    )
    assert (bad["code"], bad["field"]) == ("BAD_PHOTO", "photo")
    huge = await nominate(
        gql, r.owners["候选03"], r.forum, photo=base64.b64encode(b"\xff" * 2_200_000).decode()
    )
    assert huge["code"] == "PHOTO_TOO_LARGE"
    async with runtime.reader() as s:
        rows = (await s.execute(select(Nomination.person_id))).scalars().all()
    assert rows == [r.persons["候选02"]]  # the refused ones changed nothing


async def test_only_the_running_body_records_a_forum_and_a_forum_is_a_past_meeting(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    owner = await record_forum(gql, r.owners["候选00"], r.community, T0)
    assert owner["code"] == "FORBIDDEN"
    outsider = await record_forum(gql, world.tokens["owner_b"], r.community, T0)
    assert outsider["code"] == "NOT_FOUND"
    official = await record_forum(gql, world.tokens["official"], r.community, T0)
    assert official["__typename"] == "ForumSaved"
    closed = await record_forum(gql, r.committee, r.community, T0, close_days=0)
    assert closed["code"] == "BAD_NOMINATION_WINDOW"
    future = await record_forum(gql, r.committee, r.community, T0 + timedelta(days=2))
    assert (future["code"], future["field"]) == ("FORUM_NOT_HELD", "heldAt")
    naive = {
        "communityId": str(r.community),
        "heldAt": "2026-11-30T09:00:00",
        "place": "活动室",
        "attendees": "代表",
        "minutes": "纪要",
        "nominationsCloseAt": "2026-12-09T09:00:00+08:00",
    }
    refused = result(await gql(FORUM, {"i": naive}, token=r.committee), "recordForum")
    assert (refused["code"], refused["field"]) == ("NAIVE_TIME", "heldAt")


async def test_a_bad_compound_id_is_a_coded_refusal_not_an_internal_error(
    gql: Gql, world: World
) -> None:
    """Found by tests/fuzz/test_graphql_fuzz.py: ``forums(communityId: "0")`` escaped as an
    internal error."""
    body = await gql(
        'query { forums(communityId: "0") { id } }',
        {},
        token=world.tokens["owner"],
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_ID", body
