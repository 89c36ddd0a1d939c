"""The world the authorisation matrix runs every operation against, built once per run.

On top of ``tests/support/world.py`` (districts, compounds A/B/C, one account per role) compound
A gets one object in the state each operation needs to *succeed* for a role that may use it — so
an allowed role's answer proves it passed the checks, and a refused role's answer is a refusal,
not a missing object or a wrong state:

* elections: a draft, an announced one due to open, an open one (notices printed, one ballot
  cast, a proxy recorded, a paper ballot entered by a second supervisor, 赵六's account marked
  as linked after the opening), an open one past its close, a closed one and a certified one;
* proposals: the owner's draft, an open one, one the owner co-signed, a scheduled one;
* rule documents: one in consultation (with a comment) and one with a draft;
* an unused activation code for 王五;
* forums, nominations and 两考 in their states (``tests/e2e/security/matrix_nominations.py``);
* property companies, contracts, assessment periods and a rectification
  (``tests/e2e/security/matrix_assessment.py``).
* a department and a reported complaint (``tests/e2e/security/matrix_complaints.py``).

Compound A's roll is ``tests/support/world.ROLL_A`` plus ten owners of 100 m² each (14 heads,
1,525.75 m²), so that the 20%/20% line lies above any two owners: proposals stay open while one
is co-signed.

The matrix copies the SQLite file this leaves for each test; the clock stands at :data:`NOW`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from api.http.app import create_app
from api.runtime import Runtime
from api.services import inbox
from api.services.password_reset import code_digest
from api.services.roll import import_roll
from api.store.models import (
    Account,
    CommitteeSeat,
    CommitteeTerm,
    Community,
    LateLink,
    PasswordReset,
    Person,
    RoleMembership,
)
from tests.conftest import Gql
from tests.e2e.security import matrix_assessment, matrix_complaints, matrix_nominations
from tests.support.documents import ADD_COMMENT, ANSWER_PROPOSAL, CREATE_DOCUMENT, PUBLISH, SIGN
from tests.support.drafting import create_proposal, ok
from tests.support.elections import (
    ENTER_PAPER,
    RECORD_PROXY,
    T0,
    cast,
    create_election,
    extra_supervisor,
    open_election,
    owner_tokens,
    person_ids,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.notices import OBJECT as NOTICE_OBJECT
from tests.support.notices import POST as NOTICE_POST
from tests.support.world import ROLL_A, ROLL_B, World, build_world

NOW = T0 + timedelta(days=20)
EXTRA_OWNERS = "".join(
    f"3号楼,{400 + i},4,100.00,业主{i:02d},1390000{1000 + i},,\n" for i in range(10)
)
ROLL_A_BIG = ROLL_A + EXTRA_OWNERS
# the roll an allowed importRoll applies: one more unit
ROLL_A_BIGGER = ROLL_A_BIG + "3号楼,499,4,66.00,新业主,13900002000,,\n"
HOLDER_PHONE = "13600000001"  # a proxy holder outside every compound
# compound B (same district, no committee) gets three more owners with accounts: the
# preparatory group and 物管会 appointments (issue #13 item 2) are made there, since A has a
# committee in office, where both are refused
B_OWNER_PHONES = ["13900003001", "13900003002", "13900003003"]
ROLL_B_BIG = ROLL_B + "".join(
    f"1栋,{102 + i},1,88.00,乙业主{i},{phone}\n" for i, phone in enumerate(B_OWNER_PHONES)
)


@dataclass
class MatrixWorld:
    base: World
    ids: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def token(self, role: str) -> str | None:
        return None if role == "anonymous" else self.base.tokens[role]


async def _closed_digests(gql: Gql, eid: str, token: str) -> dict[str, str]:
    q = "query($e: ID!) { election(id: $e) { resultDigest rollFingerprint ledgerHead } }"
    e = (await gql(q, {"e": eid}, token=token))["data"]["election"]
    return {"electionId": eid, **e}


async def build(rt: Runtime) -> MatrixWorld:
    clock = use_clock(rt, T0)
    w = MatrixWorld(base=await build_world(rt))
    tokens = w.base.tokens
    async with rt.writer() as s:
        community = await s.get(Community, w.base.a)
        assert community is not None
        await import_roll(
            session=s, community=community, data=ROLL_A_BIG.encode(), dry_run=False, actor=None
        )
        community_b = await s.get(Community, w.base.b)
        assert community_b is not None
        await import_roll(
            session=s, community=community_b, data=ROLL_B_BIG.encode(), dry_run=False, actor=None
        )
        await s.commit()
    await owner_tokens(rt, w.base.b, B_OWNER_PHONES)
    w.values["persons_b"] = await person_ids(rt, w.base.b)
    # 李四 and 赵六 log in; 王五 has not activated yet
    owners = await owner_tokens(rt, w.base.a, ["13900000002", "13900000004"])
    li, zhao = owners["13900000002"], owners["13900000004"]
    sup2 = await extra_supervisor(rt, w.base.a, "13700000098")
    sup3 = await extra_supervisor(rt, w.base.a, "13700000097")
    persons = await person_ids(rt, w.base.a)

    app = create_app(runtime=rt)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = Gql(client)
        committee, a = tokens["committee"], w.base.a
        ids, values = w.ids, w.values

        # -- accounts ----------------------------------------------------------------------
        issued = await gql(
            """mutation($i: IssueActivationCodesInput!) { issueActivationCodes(input: $i) {
              ... on ActivationCodesIssued { letters { personId code } } } }""",
            {"i": {"communityId": str(a), "personIds": [str(persons["王五"])]}},
            token=committee,
        )
        [letter] = issued["data"]["issueActivationCodes"]["letters"]
        values["activation_code"] = letter["code"]
        ids["person"] = str(persons["业主00"])
        await _reset_code(rt, "13900000002", MATRIX_RESET_CODE)
        ids["person_zhang"] = str(persons["张三"])

        # -- proposals and comments ----------------------------------------------------------
        ids["proposal_draft"] = (await create_proposal(gql, tokens["owner"], a, submit=False))[
            "summary"
        ]["id"]
        ids["proposal_open"] = (await create_proposal(gql, li, a, title="增设充电桩"))["summary"][
            "id"
        ]
        signed = (await create_proposal(gql, li, a, title="更换门禁"))["summary"]["id"]
        ok(
            await gql(SIGN, {"input": {"proposalId": signed}}, token=tokens["owner"]),
            "signProposal",
        )
        ids["proposal_signed"] = signed
        scheduled = (await create_proposal(gql, zhao, a, title="续聘物业"))["summary"]["id"]
        ok(
            await gql(
                ANSWER_PROPOSAL,
                {"input": {"proposalId": scheduled, "kind": "SCHEDULE", "text": "列入表决"}},
                token=committee,
            ),
            "answerProposal",
        )
        ids["proposal_scheduled"] = scheduled
        ids["comment_proposal"] = ok(
            await gql(
                ADD_COMMENT,
                {"input": {"proposalId": ids["proposal_open"], "body": "赞成"}},
                token=zhao,
            ),
            "addComment",
        )["comment"]["id"]

        # -- rule documents ------------------------------------------------------------------
        text = "第一条 本规约适用于本小区。\n\n第二条 业主应当遵守本规约。"
        consulted = ok(
            await gql(
                CREATE_DOCUMENT,
                {
                    "input": {
                        "communityId": str(a),
                        "kind": "OTHER",
                        "title": "停车规则",
                        "text": text,
                    }
                },
                token=committee,
            ),
            "createDocument",
        )["version"]
        ok(
            await gql(
                PUBLISH,
                {
                    "input": {
                        "versionId": consulted["id"],
                        "closesAt": (T0 + timedelta(days=60)).isoformat(),
                    }
                },
                token=committee,
            ),
            "publishVersion",
        )
        ids["document_consulted"] = consulted["document"]["id"]
        ids["version_published"] = consulted["id"]
        ids["clause_published"] = consulted["clauses"][0]["id"]
        ids["comment_version"] = ok(
            await gql(
                ADD_COMMENT,
                {
                    "input": {
                        "versionId": consulted["id"],
                        "clauseId": consulted["clauses"][0]["id"],
                        "stance": "SUPPORT",
                        "body": "同意",
                    }
                },
                token=li,
            ),
            "addComment",
        )["comment"]["id"]
        drafted = ok(
            await gql(
                CREATE_DOCUMENT,
                {
                    "input": {
                        "communityId": str(a),
                        "kind": "OTHER",
                        "title": "养犬规则",
                        "text": text,
                    }
                },
                token=committee,
            ),
            "createDocument",
        )["version"]
        ids["version_draft"] = drafted["id"]
        ids["clause_draft"] = drafted["clauses"][0]["id"]

        # -- elections -----------------------------------------------------------------------
        def spec(title: str, opens: int, closes: int) -> dict[str, Any]:
            return resolution_spec(
                title, opens=T0 + timedelta(days=opens), closes=T0 + timedelta(days=closes)
            )

        announced = await create_election(gql, a, committee, spec("表决：announced", 19, 60))
        assert (await transition(gql, "announceElection", announced, committee))[
            "__typename"
        ] == "ElectionSaved"
        ids["election_announced"] = announced
        # 赵六 proposed as its supervisor by the committee, for an official to confirm
        proposed = await gql(
            """mutation($i: ProposeSupervisorsInput!) { proposeSupervisors(input: $i) {
              ... on SupervisorsProposed { supervisors { id } } } }""",
            {"i": {"electionId": announced, "personIds": [str(persons["赵六"])], "reason": "推荐"}},
            token=committee,
        )
        ids["supervisor_proposal"] = proposed["data"]["proposeSupervisors"]["supervisors"][0]["id"]
        later = []
        for name in ("due", "closed", "certified"):  # announced now, opened with the next
            eid = await create_election(gql, a, committee, spec(f"表决：{name}", 16, 18))
            assert (await transition(gql, "announceElection", eid, committee))[
                "__typename"
            ] == "ElectionSaved"
            later.append(eid)
        # open_election announces now and moves the clock to the opening (T0 + 16 days)
        opened = await open_election(
            gql, clock, a, committee, spec("表决：open", 16, 60), printer=tokens["supervisor"]
        )
        for eid in later:
            r = await transition(gql, "openElection", eid, committee)
            assert r["__typename"] == "ElectionSaved", r
        ids["election_open"] = opened.id
        ids["question_open"] = opened.q
        ids["election_due"], ids["election_closed"], ids["election_certified"] = later
        ids["elector_owner"] = opened.elector("张三")
        ids["elector_zhao"] = opened.elector("赵六")
        async with rt.writer() as s:  # as an activation during the vote would have left it
            person = await s.get(Person, persons["赵六"])
            assert person is not None and person.account_id is not None
            s.add(
                LateLink(
                    election_id=int(opened.id),
                    community_id=a,
                    elector_id=int(ids["elector_zhao"]),
                    person_id=person.id,
                    account_id=person.account_id,
                    linked_at=clock.now,
                    told_phone=person.phone,
                )
            )
            await s.commit()
        ids["elector_li"] = opened.elector("李四", "王五")
        ids["elector_other"] = opened.elector("业主00")
        values["code_owner"] = opened.code("张三")
        receipt = await cast(
            gql, tokens["owner"], opened.id, opened.code("张三"), opened.answer("yes")
        )
        assert receipt["__typename"] == "BallotCast", receipt
        values["tracking"] = receipt["receipt"]["trackingCode"]
        proxy = (
            await gql(
                RECORD_PROXY,
                {
                    "i": {
                        "electionId": opened.id,
                        "electorId": ids["elector_zhao"],
                        "holderPhone": HOLDER_PHONE,
                        "holderName": "代理人",
                        "paperRef": "委托书-1",
                    }
                },
                token=committee,
            )
        )["data"]["recordProxy"]
        ids["proxy"] = proxy["proxy"]["id"]
        entered = (
            await gql(
                ENTER_PAPER,
                {
                    "i": {
                        "electionId": opened.id,
                        "electorId": ids["elector_li"],
                        "answers": opened.answer("no"),
                    }
                },
                token=sup2,
            )
        )["data"]["enterPaperBallot"]
        ids["paper_entry"] = entered["entryId"]

        clock.now = T0 + timedelta(days=18, hours=1)
        for eid in later[1:]:
            closed = await transition(gql, "closeElection", eid, committee)
            assert closed["__typename"] == "ElectionSaved", closed
        certified = ids["election_certified"]
        digests = await _closed_digests(gql, certified, sup2)
        sign = """mutation($i: SignOffInput!) { signOffElection(input: $i) { __typename
          ... on Problem { code } } }"""
        for t in (sup2, sup3):
            r = (await gql(sign, {"i": digests}, token=t))["data"]["signOffElection"]
            assert r["__typename"] == "ElectionSaved", r
        values["signoff"] = await _closed_digests(gql, ids["election_closed"], sup2)
        # -- a notice (issue #15 part 2): its 1-day minimum over by NOW, its 30 days running,
        # with an owner's objection awaiting an answer
        notice = ok(
            await gql(
                NOTICE_POST,
                {
                    "input": {
                        "communityId": str(a),
                        "kind": "ANNOUNCEMENT",
                        "title": "供暖调试",
                        "publicityDays": 30,
                    }
                },
                token=committee,
            ),
            "postNotice",
        )
        ids["notice"] = notice["id"]
        objected = ok(
            await gql(
                NOTICE_OBJECT,
                {"input": {"noticeId": notice["id"], "body": "调试时间太短"}},
                token=tokens["owner"],
            ),
            "objectToNotice",
        )
        ids["notice_objection"] = objected["objections"][0]["id"]

        clock.now = NOW
        ids["election_draft"] = await create_election(
            gql, a, committee, spec("表决：draft", 50, 60)
        )
        # -- forums, nominations and 两考 (issue #13) ----------------------------------------
        ids.update(await matrix_nominations.build(gql, clock, NOW, a, tokens, persons, li))
        # -- property assessment (issue #15 part 1) -----------------------------------------
        ids.update(await matrix_assessment.build(gql, clock, NOW, w.base))
        # -- 吹哨报到 (issue #16) -----------------------------------------------------------
        ids.update(await matrix_complaints.build(gql, tokens, w.base.district_1, a))
    async with rt.reader() as s:  # revokeRole's target: the committee member's grant in A
        grant = await s.scalar(
            select(RoleMembership.id).where(
                RoleMembership.account_id == w.base.accounts["committee"]
            )
        )
    ids["grant_committee"] = str(grant)
    # a 业委会 in office (issue #13 item 5), as `gongzhi take-office` would have seated it
    async with rt.writer() as s:
        term = CommitteeTerm(
            community_id=w.base.a,
            election_id=int(ids["election_certified"]),
            committee="owners_committee",
            seats=3,
            starts_at=T0,
            ends_at=T0 + timedelta(days=5 * 365),
        )
        s.add(term)
        await s.flush()
        seats = {}
        for name, kind, position in (
            ("张三", "member", 1),
            ("李四", "member", 2),
            ("赵六", "member", 3),
            ("王五", "alternate", 1),
        ):
            seat = CommitteeSeat(
                term_id=term.id,
                community_id=w.base.a,
                person_id=persons[name],
                name=name,
                kind=kind,
                position=position,
                started_at=T0,
            )
            s.add(seat)
            await s.flush()
            seats[name] = str(seat.id)
        await s.commit()
    ids["term"] = str(term.id)
    ids["seat_zhang"], ids["seat_li"], ids["seat_zhao"] = (
        seats["张三"],
        seats["李四"],
        seats["赵六"],
    )
    # a notice in every account's inbox (issue #15), so that markInboxRead changes something
    async with rt.writer() as s:
        await inbox.notify(
            s, account_ids=list(w.base.accounts.values()), kind="matrix", zh="通知", en="notice"
        )
        await s.commit()
    return w


MATRIX_RESET_CODE = "246810"


async def _reset_code(rt: Runtime, phone: str, code: str) -> None:
    """A live password-reset code for ``phone`` (as if texted), for Mutation.resetPassword."""
    async with rt.writer() as s:
        account = (await s.execute(select(Account).where(Account.phone == phone))).scalar_one()
        now = rt.clock()
        s.add(
            PasswordReset(
                account_id=account.id,
                code_hash=code_digest(rt.settings.key("password-reset"), account.id, code),
                created_at=now,
                expires_at=now + timedelta(days=3650),  # whatever clock the cell runs at
            )
        )
        await s.commit()
