"""A district run from an empty database (issue #13, "Tests and demo"): only ``gongzhi
create-admin`` (the real command, a subprocess on the test's database), then only GraphQL over
HTTP, each person with their own session: the admin creates a district and appoints an official
(activation letter → activated account); the official creates a compound, imports its roll, hands
out the owners' letters and appoints the preparatory group; the group records the forum (党群
座谈会); owners nominate themselves, jointly (five signatures) and the group nominates one; the
official records 两考 (exam and review; one candidate fails the review); the group publishes the
list; an objection is filed and answered; supervisors are proposed and confirmed; the election is
announced, opened, voted, closed, signed off by both supervisors and published; when the result's
publicity ends, ``gongzhi take-office``'s body seats the committee and the preparatory group is
dissolved; the new committee drafts the rules of procedure and publishes the version.

The clock: the app is served in process (the ASGI client of tests/conftest.py) on the runtime
clock the test moves; no production setting shifts the clock of a ``gongzhi serve`` process, so
take-office runs through :func:`api.cli.terms.take_office`, the command's own body, at the
test's time.

Compound 花园小区: fifteen owners, one unit each, areas 85.00, 87.00, … 113.00 m² in roll order.
Twelve vote. 业委会, 5 seats, six vetted candidates (孙七 failed the review):
陈一 12 approvals, 林二 11, 黄三 10, 周四 9, 徐六 8, 吴五 7 — all more than half of the twelve
voters' heads and area, so the first five sit and 吴五 is the first alternate.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from api.cli.terms import take_office
from api.runtime import Runtime
from api.services import notify
from api.store.models import Account, Community, District, RoleMembership
from tests.support.app import Gql
from tests.support.district import (
    APPOINT_GROUP,
    APPOINT_OFFICIAL,
    BODIES,
    CONFIRM_SUPERVISOR,
    CREATE_COMMUNITY,
    CREATE_DISTRICT,
    DISTRICT_ROLES,
    ELECTION,
    IMPORT_ROLL,
    ISSUE_LETTERS,
    PROPOSE_SUPERVISORS,
    ROLES,
    TERMS,
    Sessions,
    refused,
)
from tests.support.documents import CREATE_DOCUMENT, PUBLISH
from tests.support.elections import CAST, CREATE, NOTICES, SIGN_OFF, TRANSITION, use_clock
from tests.support.nominations import (
    ANSWER,
    COSIGN,
    FORUM,
    FORUMS,
    NOMINATE,
    OBJECT,
    PUBLISH_LIST,
    VET,
)
from tests.support.server import run_cli
from voting.rules import CHINA_TZ, add_years

START = datetime(2027, 3, 1, 9, 0, tzinfo=CHINA_TZ)  # after any real "now" of create-admin
ADMIN, OFFICIAL = "13911110000", "13922220000"
REP, PARTY = "13633330001", "13633330002"  # the group's community and party representatives
NAMES = ["陈一", "林二", "黄三", "周四", "吴五", "徐六", "孙七", "马八", "朱九", "胡十"]
NAMES += ["郭明", "何亮", "高山", "罗水", "梁田"]
PHONE = {name: f"1390000{1001 + i}" for i, name in enumerate(NAMES)}
ROLL = "楼栋,房号,楼层,专有面积,业主姓名,手机\n" + "".join(
    f"1号楼,{101 + i},1,{85 + 2 * i}.00,{name},{PHONE[name]}\n" for i, name in enumerate(NAMES)
)
GROUP_OWNERS = ["马八", "朱九", "胡十"]
SUPERVISORS = ["郭明", "何亮"]
CANDIDATES = ["陈一", "林二", "黄三", "周四", "吴五", "徐六"]  # 孙七 fails the review
BALLOTS = {
    "陈一": ["陈一", "林二", "黄三", "周四", "徐六"],
    "林二": ["陈一", "林二", "黄三", "周四", "徐六"],
    "黄三": ["陈一", "林二", "黄三", "周四", "吴五"],
    "周四": ["陈一", "林二", "黄三", "周四", "吴五"],
    "吴五": ["陈一", "林二", "黄三", "周四", "吴五"],
    "徐六": ["陈一", "林二", "黄三", "周四", "吴五"],
    "孙七": ["陈一", "林二", "黄三", "徐六", "吴五"],
    "马八": ["陈一", "林二", "黄三", "徐六", "吴五"],
    "朱九": ["陈一", "林二", "黄三", "徐六", "吴五"],
    "胡十": ["陈一", "林二", "周四", "徐六"],
    "郭明": ["陈一", "林二", "周四", "徐六"],
    "何亮": ["陈一", "黄三", "周四", "徐六"],
}
DISSOLVED = "业主委员会就任，筹备组（物管会）解散"
RULES = """# 花园小区业主大会议事规则

## 第一章 总则

第一条 为规范业主大会的活动，根据《中华人民共和国民法典》制定本规则。

第二条 本规则适用于花园小区全体业主。

## 第二章 会议

第三条 业主大会定期会议每年召开一次，由业主委员会召集。
"""


def _pw(name: str) -> str:
    """An owner's password (never their name: a password holding it is refused)."""
    return f"garden {NAMES.index(name)} pass 2027"


async def _rows(runtime: Runtime) -> dict[str, int]:
    async with runtime.reader() as s:
        return {
            m.__name__: int(await s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Account, RoleMembership, District, Community)
        }


def _texts(runtime: Runtime, phone: str) -> list[str]:
    notifier = runtime.notifier
    assert isinstance(notifier, notify.FileNotifier)
    return [m.text for m in notifier.sent() if m.phone == phone]


async def _organisation(people: Sessions, runtime: Runtime) -> tuple[str, str]:
    """The admin creates the district and appoints its official, who activates and creates the
    compound: (district id, compound id)."""
    why = "区政府关于设立望京街道的决定"
    district = (
        await people.call(
            ADMIN,
            CREATE_DISTRICT,
            {"i": {"name": "望京街道", "code": "wangjing", "reason": why}},
            "DistrictCreated",
        )
    )["district"]
    appointed = await people.call(
        ADMIN,
        APPOINT_OFFICIAL,
        {
            "i": {
                "districtId": district["id"],
                "phone": OFFICIAL,
                "name": "李科长",
                "reason": "任命",
            }
        },
        "OfficialAppointed",
    )
    grant = appointed["grant"]
    assert (grant["role"], grant["holder"], grant["districtId"]) == (
        "official",
        "李科长",
        district["id"],
    )
    assert grant["grantedBy"] == "区系统管理员" and grant["held"] and grant["endsAt"] is None
    official = await people.activate(OFFICIAL, appointed["activationCode"], "official pass 2027")
    assert official["me"]["roles"] == [
        {"role": "official", "communityId": None, "districtId": district["id"]}
    ]
    [told] = _texts(runtime, OFFICIAL)
    assert "望京街道的街道工作人员" in told and "an official of 望京街道" in told
    [held] = await people.query(OFFICIAL, DISTRICT_ROLES, {"d": district["id"]})
    assert (held["holder"], held["held"], held["endsAt"]) == ("李科长", True, None)
    assert datetime.fromisoformat(held["grantedAt"]) == START  # since the appointment
    compound = (
        await people.call(
            OFFICIAL,
            CREATE_COMMUNITY,
            {"i": {"districtId": district["id"], "name": "花园小区"}},
            "CommunityCreated",
        )
    )["community"]
    return district["id"], compound["id"]


async def _owners(people: Sessions, cid: str) -> dict[str, str]:
    """The roll imported and every owner's letter redeemed: name → person id."""
    imported = await people.call(
        OFFICIAL, IMPORT_ROLL, {"i": {"communityId": cid, "csv": ROLL}}, "RollImported"
    )
    assert (imported["applied"], imported["units"], imported["added"]) == (True, 15, 15)
    assert imported["withoutPhone"] == []
    letters = (
        await people.call(
            OFFICIAL, ISSUE_LETTERS, {"i": {"communityId": cid}}, "ActivationCodesIssued"
        )
    )["letters"]
    assert sorted(x["name"] for x in letters) == sorted(NAMES)
    for letter in letters:
        me = await people.activate(PHONE[letter["name"]], letter["code"], _pw(letter["name"]))
        assert me["me"]["roles"] == [{"role": "owner", "communityId": cid, "districtId": None}]
    return {x["name"]: x["personId"] for x in letters}


async def _group(people: Sessions, runtime: Runtime, cid: str, persons: dict[str, str]) -> None:
    """The official appoints the preparatory group; its community representative activates."""
    members = [{"kind": "OWNER", "personId": persons[n]} for n in GROUP_OWNERS] + [
        {"kind": "COMMUNITY_REPRESENTATIVE", "name": "社区 王主任", "phone": REP},
        {"kind": "PARTY_REPRESENTATIVE", "name": "党支部 刘书记", "phone": PARTY},
    ]
    spec = {
        "communityId": cid,
        "members": members,
        "termEndsOn": (START.date() + timedelta(days=365)).isoformat(),
        "reason": "望京街道关于成立花园小区业主大会筹备组的通知",
    }
    appointed = await people.call(OFFICIAL, APPOINT_GROUP, {"i": spec}, "RunningBodyAppointed")
    body = appointed["body"]
    assert (body["kind"], body["state"], body["appointedBy"]) == (
        "preparatory",
        "in_force",
        "李科长",
    )
    assert [(m["name"], m["role"], m["held"]) for m in body["members"]] == [
        (n, "preparatory", True) for n in [*GROUP_OWNERS, "社区 王主任", "党支部 刘书记"]
    ]
    # each member's grant: since the appointment, until the end of the term's last day
    last_day = START.date() + timedelta(days=365)
    until = datetime.combine(last_day + timedelta(days=1), time(), CHINA_TZ)
    grants = await people.query(OFFICIAL, ROLES, {"c": cid, "all": False})
    assert {(g["role"], g["grantedBy"], g["reason"]) for g in grants} == {
        ("preparatory", "李科长", spec["reason"])
    }
    assert len(grants) == 5
    assert {datetime.fromisoformat(g["grantedAt"]) for g in grants} == {START}
    assert {datetime.fromisoformat(g["endsAt"]) for g in grants} == {until}
    codes = {x["phone"]: x["activationCode"] for x in appointed["letters"]}
    assert set(codes) == {REP, PARTY}  # the owners already have accounts
    rep = await people.activate(REP, codes[REP], "community rep pw 1")
    assert rep["me"]["roles"] == [{"role": "preparatory", "communityId": cid, "districtId": None}]
    # the representative is told of the role they were appointed to, not of an official's account
    [told] = _texts(runtime, REP)
    assert "花园小区业主大会筹备组成员" in told and "preparatory group of 花园小区" in told
    assert "official" not in told and "街道工作人员" not in told
    assert "contact the sub-district office that appointed you" in told
    # an owner member holds the group's role beside the owner's
    roles = {r["role"] for r in (await people.login(PHONE["马八"], _pw("马八")))["me"]["roles"]}
    assert roles == {"owner", "preparatory"}


async def _nominations(
    people: Sessions, cid: str, persons: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """The group records the forum; nominations by self, jointly and by the group; 两考 by the
    official with 孙七 failing the review: (forum id, name → nomination id)."""
    forum = (
        await people.call(
            REP,
            FORUM,
            {
                "i": {
                    "communityId": cid,
                    "heldAt": (people.clock.now - timedelta(hours=3)).isoformat(),
                    "place": "望京街道党群服务中心",
                    "attendees": "街道党工委、社区党委、筹备组、业主代表 15 人",
                    "minutes": "介绍第一届业主委员会选举程序和候选人条件。",
                    "opinions": "希望候选人公开承诺按时缴纳物业费。",
                    "nominationsCloseAt": (START + timedelta(days=8)).isoformat(),
                }
            },
            "ForumSaved",
        )
    )["forum"]
    assert forum["examRequired"] and forum["reviewRequired"]  # the district's default
    fid = forum["id"]

    async def nominate(phone: str, route: str, person: str | None = None) -> dict[str, Any]:
        spec = {"forumId": fid, "committee": "OWNERS_COMMITTEE", "route": route}
        spec |= {"statement": "愿为小区服务，按时缴费，无违建。"}
        if person:
            spec["personId"] = person
        saved = await people.call(phone, NOMINATE, {"i": spec}, "NominationSaved")
        return saved["nomination"]  # type: ignore[no-any-return]

    ids = {}
    for name in ("陈一", "林二", "黄三", "徐六", "孙七"):
        n = await nominate(PHONE[name], "SELF")
        assert (n["name"], n["route"], n["standing"]) == (name, "SELF", True)
        ids[name] = n["id"]
    joint = await nominate(PHONE["高山"], "JOINT", persons["周四"])
    assert (joint["signatures"], joint["standing"]) == (1, False)
    for name in ("罗水", "梁田", "郭明", "何亮"):
        signed = await people.call(
            PHONE[name], COSIGN, {"i": {"nominationId": joint["id"]}}, "NominationSaved"
        )
    assert (signed["nomination"]["signatures"], signed["nomination"]["standing"]) == (5, True)
    ids["周四"] = joint["id"]
    by_group = await nominate(REP, "RUNNING_BODY", persons["吴五"])
    assert by_group["route"] == "RUNNING_BODY"
    ids["吴五"] = by_group["id"]

    for name, nid in ids.items():
        for step in ("EXAM", "REVIEW"):
            ok = name != "孙七" or step == "EXAM"
            reason = "考试合格" if step == "EXAM" else ("审查通过" if ok else "存在违建未整改")
            spec = {"nominationId": nid, "step": step, "passed": ok, "reason": reason}
            vetted = (await people.call(OFFICIAL, VET, {"i": spec}, "NominationSaved"))[
                "nomination"
            ]
        assert vetted["passed"] is (name != "孙七"), vetted
    [staff_view] = await people.query(OFFICIAL, FORUMS, {"c": cid})
    [sun] = [n for n in staff_view["nominations"] if n["name"] == "孙七"]
    assert sun["vetting"] == [
        {"step": "EXAM", "result": "pass", "reason": "考试合格", "reviewer": "李科长"},
        {"step": "REVIEW", "result": "fail", "reason": "存在违建未整改", "reviewer": "李科长"},
    ]
    return fid, ids


async def _publicity(people: Sessions, fid: str, ids: dict[str, str]) -> tuple[str, datetime]:
    """The window closes; the group publishes the list; 罗水 objects to 周四: (objection id,
    the end of the list's publicity)."""
    people.clock.now = START + timedelta(days=8)
    listed = (await people.call(REP, PUBLISH_LIST, {"i": {"forumId": fid}}, "ForumSaved"))["forum"]
    assert listed["listPublishedAt"] is not None
    ends = datetime.fromisoformat(listed["publicityEndsAt"])
    assert ends - people.clock.now >= timedelta(days=7)
    people.clock.now += timedelta(days=1)
    body = {"nominationId": ids["周四"], "body": "周四家车库改作仓库出租，请核实。"}
    objection = await people.call(PHONE["罗水"], OBJECT, {"i": body}, "ObjectionSaved")
    return objection["objection"]["id"], ends


def _spec(persons: dict[str, str], names: list[str], opens: datetime) -> dict[str, Any]:
    return {
        "title": "花园小区第一届业主委员会选举",
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 5,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [persons[n] for n in names],
            }
        ],
    }


async def _election(
    people: Sessions, cid: str, persons: dict[str, str], objection: str, publicity_ends: datetime
) -> str:
    """The group defines and announces the election (孙七, who failed, is refused a place),
    proposes the supervisors, the official confirms them and answers the objection; voting
    opens, owners cast, it closes: the election's id."""
    clock = people.clock
    opens = START + timedelta(days=30)
    assert opens >= publicity_ends
    failed = await people.gql(
        CREATE,
        {"c": cid, "i": _spec(persons, [*CANDIDATES[:5], "孙七"], opens)},
        token=await people.token(REP),
    )
    assert refused(failed) == "CANDIDATE_NOT_VETTED"
    spec = _spec(persons, CANDIDATES, opens)
    eid = (await people.call(REP, CREATE, {"c": cid, "i": spec}, "ElectionSaved"))["election"]["id"]
    announced = await people.call(REP, TRANSITION % "announceElection", {"e": eid}, "ElectionSaved")
    assert announced["election"]["state"] == "ANNOUNCED"

    i = {"electionId": eid, "personIds": [persons[n] for n in SUPERVISORS], "reason": "业主推荐"}
    proposed = await people.call(REP, PROPOSE_SUPERVISORS, {"i": i}, "SupervisorsProposed")
    for p in proposed["supervisors"]:
        assert (p["proposedBy"], p["confirmedBy"]) == ("社区 王主任", None)
        confirmed = await people.call(
            OFFICIAL, CONFIRM_SUPERVISOR, {"p": p["id"]}, "SupervisorConfirmed"
        )
        assert confirmed["supervisor"]["confirmedBy"] == "李科长"

    clock.now = opens
    early = await people.gql(TRANSITION % "openElection", {"e": eid}, token=await people.token(REP))
    assert refused(early) == "OBJECTIONS_UNANSWERED"
    answer = {"objectionId": objection, "answer": "经核实车库用途符合规定，异议不成立。"}
    answered = await people.call(OFFICIAL, ANSWER, {"i": answer}, "ObjectionSaved")
    assert answered["objection"]["answeredAt"] is not None
    [seen] = await people.query(PHONE["罗水"], FORUMS, {"c": cid})  # the objector reads it
    assert [o["answer"] for o in seen["objections"]] == [answer["answer"]]
    opened = await people.call(REP, TRANSITION % "openElection", {"e": eid}, "ElectionSaved")
    assert opened["election"]["state"] == "OPEN"

    notices = (await people.call(PHONE["郭明"], NOTICES, {"e": eid}, "VotingNotices"))["notices"]
    assert len(notices) == 15
    code = {n["owners"][0]: n["code"] for n in notices}
    election = await people.query(PHONE["陈一"], ELECTION, {"e": eid})
    [question] = election["questions"]
    cand = {c["name"]: c["id"] for c in question["candidates"]}
    assert set(cand) == set(CANDIDATES)
    for voter, approved in BALLOTS.items():
        answers = [{"questionId": question["id"], "candidateIds": [cand[n] for n in approved]}]
        i = {"electionId": eid, "code": code[voter], "answers": answers}
        cast = await people.call(PHONE[voter], CAST, {"i": i}, "BallotCast")
        assert cast["receipt"]["counted"] is True

    clock.now = opens + timedelta(days=7)
    closed = await people.call(REP, TRANSITION % "closeElection", {"e": eid}, "ElectionSaved")
    assert closed["election"]["state"] == "CLOSED"
    return str(eid)


async def _certified(people: Sessions, eid: str, persons: dict[str, str]) -> None:
    """The result as counted, signed off by both supervisors and published by the group."""
    final = await people.query(PHONE["郭明"], ELECTION, {"e": eid})
    assert final["tally"]["ballots"] == 12 and final["tally"]["participationMet"] is True
    [result] = final["result"]["data"]["questions"]
    name = {pid: n for n, pid in persons.items()}
    assert [name[w] for w in result["winners"]] == ["陈一", "林二", "黄三", "周四", "徐六"]
    assert [name[a] for a in result["alternates"]] == ["吴五"]
    heads = {name[c["candidate_id"]]: c["heads"] for c in result["candidates"]}
    assert heads == {"陈一": 12, "林二": 11, "黄三": 10, "周四": 9, "徐六": 8, "吴五": 7}
    # owners see no result before it is certified and published
    assert (await people.query(PHONE["高山"], ELECTION, {"e": eid}))["result"] is None
    signed = {k: final[k] for k in ("resultDigest", "rollFingerprint", "ledgerHead")}
    for who, state in zip(SUPERVISORS, ("CLOSED", "CERTIFIED"), strict=True):
        i = {"electionId": eid, **signed}
        after = await people.call(PHONE[who], SIGN_OFF, {"i": i}, "ElectionSaved")
        assert after["election"]["state"] == state
    published = await people.call(REP, TRANSITION % "publishElection", {"e": eid}, "ElectionSaved")
    assert published["election"]["state"] == "PUBLISHED"
    seen = await people.query(PHONE["高山"], ELECTION, {"e": eid})
    assert seen["result"]["digest"] == final["resultDigest"] and len(seen["signoffs"]) == 2


async def _seated(people: Sessions, runtime: Runtime, eid: str) -> datetime:
    """``gongzhi take-office``'s body, the day before and the day the publicity ends: the
    moment the committee took office."""
    clock = people.clock
    published = clock.now
    clock.now = published + timedelta(days=15) - timedelta(minutes=1)
    out = io.StringIO()
    assert await take_office(runtime, clock.now, out, io.StringIO()) == 0
    assert out.getvalue() == ""  # still within the result's publicity period
    clock.now = published + timedelta(days=15)
    err = io.StringIO()
    assert await take_office(runtime, clock.now, out, err) == 0
    assert "已就任 seated" in out.getvalue() and "owners_committee" in out.getvalue()
    assert err.getvalue() == ""
    return clock.now


async def _in_office(people: Sessions, cid: str, eid: str, seated: datetime) -> None:
    """The committee's term, its members' grants with since and until, the group's grants
    revoked with the reason and the group dissolved."""
    ends = add_years(seated, 5)
    [term] = await people.query(PHONE["高山"], TERMS, {"c": cid})
    assert (term["committee"], term["electionId"], term["inOffice"]) == (
        "owners_committee",
        eid,
        True,
    )
    assert datetime.fromisoformat(term["startsAt"]) == seated
    assert datetime.fromisoformat(term["endsAt"]) == ends
    assert [(s["name"], s["kind"], s["position"]) for s in term["seats"]] == [
        *((n, "member", i) for i, n in enumerate(["陈一", "林二", "黄三", "周四", "徐六"], 1)),
        ("吴五", "alternate", 1),
    ]
    roles = await people.query(OFFICIAL, ROLES, {"c": cid, "all": True})
    committee = [r for r in roles if r["role"] == "committee"]
    assert sorted(r["holder"] for r in committee) == sorted(
        ["陈一", "林二", "黄三", "周四", "徐六"]
    )
    for r in committee:
        assert r["held"] and datetime.fromisoformat(r["grantedAt"]) == seated
        assert datetime.fromisoformat(r["endsAt"]) == ends
    group = [r for r in roles if r["role"] == "preparatory"]
    assert sorted(r["holder"] for r in group) == sorted(
        [*GROUP_OWNERS, "社区 王主任", "党支部 刘书记"]
    )
    for r in group:
        assert not r["held"] and r["revokeReason"] == DISSOLVED
        assert datetime.fromisoformat(r["revokedAt"]) == seated
    supervisors = [r for r in roles if r["role"] == "supervisor"]
    assert sorted(r["holder"] for r in supervisors) == sorted(SUPERVISORS)
    assert not any(r["held"] for r in supervisors)  # for that election only: it is published
    [body] = await people.query(OFFICIAL, BODIES, {"c": cid})
    assert (body["state"], body["dissolveReason"]) == ("dissolved", DISSOLVED)
    assert not any(m["held"] for m in body["members"])
    # the representative's powers ended with the group
    assert (await people.login(REP, "community rep pw 1"))["me"]["roles"] == []


async def _rules(people: Sessions, cid: str) -> None:
    """The committee (陈一, signing in again) drafts the rules of procedure and publishes the
    version for consultation."""
    me = await people.login(PHONE["陈一"], _pw("陈一"))
    assert {r["role"] for r in me["me"]["roles"]} == {"owner", "committee"}
    doc = {"communityId": cid, "kind": "RULES_OF_PROCEDURE", "title": "花园小区业主大会议事规则"}
    draft = (
        await people.call(
            PHONE["陈一"], CREATE_DOCUMENT, {"input": {**doc, "text": RULES}}, "VersionSaved"
        )
    )["version"]
    assert (draft["number"], draft["status"]) == (1, "DRAFT")
    now = people.clock.now
    publish = {
        "versionId": draft["id"],
        "opensAt": (now + timedelta(hours=1)).isoformat(),
        "closesAt": (now + timedelta(days=15)).isoformat(),
        "changeNote": "第一届业主委员会起草，征求业主意见",
    }
    version = (await people.call(PHONE["陈一"], PUBLISH, {"input": publish}, "VersionSaved"))[
        "version"
    ]
    assert (version["status"], version["phase"]) == ("PUBLISHED", "UPCOMING")
    assert version["contentHash"] and version["document"]["latestVersionId"] == version["id"]
    assert [(c["label"], c["chapterTitle"]) for c in version["clauses"]] == [
        ("第一条", "总则"),
        ("第二条", "总则"),
        ("第三条", "会议"),
    ]
    assert version["clauses"][2]["text"] == "业主大会定期会议每年召开一次，由业主委员会召集。"
    # owners read the published version
    seen = await people.query(PHONE["高山"], VERSION_Q, {"id": version["id"]})
    assert [c["label"] for c in seen["clauses"]] == ["第一条", "第二条", "第三条"]


VERSION_Q = "query($id: ID!) { documentVersion(id: $id) { status clauses { label } } }"


async def test_a_district_from_an_empty_database_to_a_committee_publishing_its_rules(
    gql: Gql, runtime: Runtime, db_url: str, tmp_path: Path
) -> None:
    assert set((await _rows(runtime)).values()) == {0}  # an empty database
    var = tmp_path / "cli" / "var"
    var.mkdir(parents=True)
    made = run_cli(
        var,
        "create-admin",
        ADMIN,
        "--name",
        "区系统管理员",
        "--password-stdin",
        stdin="admin pass phrase 2027\n",
        GONGZHI_DATABASE_URL=db_url,
    )
    assert made.returncode == 0, made.stderr
    assert await _rows(runtime) == {
        "Account": 1,
        "RoleMembership": 1,
        "District": 0,
        "Community": 0,
    }

    clock = use_clock(runtime, START)
    runtime.notifier = notify.from_settings(replace(runtime.settings, notify="file"))
    people = Sessions(gql, clock)
    admin = await people.login(ADMIN, "admin pass phrase 2027")
    assert admin["me"]["roles"] == [{"role": "admin", "communityId": None, "districtId": None}]

    _, cid = await _organisation(people, runtime)
    persons = await _owners(people, cid)
    await _group(people, runtime, cid, persons)
    clock.now = START + timedelta(days=1)
    fid, ids = await _nominations(people, cid, persons)
    objection, publicity_ends = await _publicity(people, fid, ids)
    eid = await _election(people, cid, persons, objection, publicity_ends)
    await _certified(people, eid, persons)
    seated = await _seated(people, runtime, eid)
    await _in_office(people, cid, eid, seated)
    await _rules(people, cid)
