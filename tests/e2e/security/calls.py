"""The smallest valid arguments for each root operation, against the matrix world.

Each call names a real object of compound A in the state the operation needs, so that a role
allowed to use it succeeds and any other answer is about who asks
(``tests/e2e/security/matrix_world.py`` builds those objects).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.e2e.security.matrix_world import (
    HOLDER_PHONE,
    MATRIX_RESET_CODE,
    NOW,
    ROLL_A_BIGGER,
    MatrixWorld,
)
from tests.support.assessment import credit_code
from tests.support.world import PASSWORD

Args = dict[str, Any]


def _i(**fields: Any) -> Args:
    return {"input": fields}


def _answers(w: MatrixWorld, answer: str) -> list[dict[str, str]]:
    return [{"questionId": w.ids["question_open"], "answer": answer}]


def _election_spec(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "opensAt": "2027-03-01T09:00:00+08:00",
        "closesAt": "2027-03-08T09:00:00+08:00",
        "questions": [{"kind": "RESOLUTION", "title": title, "matter": 5}],
    }


# calls naming compound B's objects, not A's: B is owner_b's own compound (issue #13 item 2)
ON_COMPOUND_B = frozenset({"Mutation.appointPreparatoryGroup", "Mutation.appointStandInBody"})
# calls naming district 1's own objects (issue #15): owner_b's compound is in district 1, so to
# owner_b they are not another compound's; to official_2 and the anonymous they still are
OF_DISTRICT_1 = frozenset(
    {
        "Query.assessmentSettings",
        "Query.propertyCompanies",
        "Query.companyHistory",
        "Query.assessmentPeriods",
        "Query.assessmentPeriod",
        "Mutation.setAssessmentSettings",
        "Mutation.registerPropertyCompany",
        "Mutation.setCompanyStatus",
        "Mutation.openAssessmentPeriod",
        "Mutation.closeAssessmentPeriod",
    }
)


def _body_in_b(w: MatrixWorld, *, owners: int, reps: int) -> Args:
    persons = w.values["persons_b"]
    names = ["孙七", "乙业主0", "乙业主1", "乙业主2"][:owners]
    return {
        "communityId": str(w.base.b),
        "members": [{"kind": "OWNER", "personId": str(persons[n])} for n in names]
        + [
            {"kind": "COMMUNITY_REPRESENTATIVE", "name": f"代表{i}", "phone": f"1350000010{i}"}
            for i in range(reps)
        ],
        "termEndsOn": (NOW + timedelta(days=300)).date().isoformat(),
        "reason": "街道任命",
    }


CALLS: dict[str, Callable[[MatrixWorld], Args]] = {
    # -- queries -----------------------------------------------------------------------------
    "Query.me": lambda w: {},
    "Query.community": lambda w: {"id": str(w.base.a)},
    "Query.myCommunities": lambda w: {},
    "Query.inbox": lambda w: {},
    "Query.unreadCount": lambda w: {},
    "Query.notificationPreferences": lambda w: {},
    "Query.communities": lambda w: {},
    "Query.districtOverview": lambda w: {},
    "Query.districts": lambda w: {},
    "Query.districtDashboard": lambda w: {"districtId": str(w.base.district_1)},
    "Query.districtAlerts": lambda w: {"districtId": str(w.base.district_1)},
    "Query.districtDashboardExport": lambda w: {
        "districtId": str(w.base.district_1),
        "format": "CSV",
    },
    "Query.communityRoles": lambda w: {"communityId": str(w.base.a), "includeEnded": True},
    "Query.districtRoles": lambda w: {"districtId": str(w.base.district_1)},
    "Query.election": lambda w: {"id": w.ids["election_open"]},
    "Query.electionSupervisors": lambda w: {"electionId": w.ids["election_open"]},
    "Query.committeeTerms": lambda w: {"communityId": str(w.base.a)},
    "Query.elections": lambda w: {"communityId": str(w.base.a)},
    # listed to owners once voting has closed (issue #12: while open its length is the count)
    "Query.trackingCodes": lambda w: {"electionId": w.ids["election_closed"]},
    "Query.ballotStatus": lambda w: {
        "electionId": w.ids["election_open"],
        "trackingCode": w.values["tracking"],
    },
    "Query.verifyElection": lambda w: {"electionId": w.ids["election_open"]},
    "Query.electors": lambda w: {"electionId": w.ids["election_open"]},
    "Query.proxies": lambda w: {"electionId": w.ids["election_open"]},
    "Query.proposals": lambda w: {"communityId": str(w.base.a)},
    "Query.proposal": lambda w: {"id": w.ids["proposal_open"]},
    "Query.proposalComments": lambda w: {"proposalId": w.ids["proposal_open"]},
    "Query.ruleDocuments": lambda w: {"communityId": str(w.base.a)},
    "Query.ruleDocument": lambda w: {"id": w.ids["document_consulted"]},
    "Query.documentVersion": lambda w: {"id": w.ids["version_published"]},
    "Query.versionDiff": lambda w: {
        "oldVersionId": w.ids["version_published"],
        "newVersionId": w.ids["version_published"],
    },
    "Query.responseRegister": lambda w: {"versionId": w.ids["version_published"]},
    "Query.consultationComments": lambda w: {"versionId": w.ids["version_published"]},
    # -- accounts and compounds ----------------------------------------------------------------
    "Mutation.login": lambda w: _i(phone="13900000001", password=PASSWORD, bearer=True),
    "Mutation.activateAccount": lambda w: _i(
        phone="13900000003", code=w.values["activation_code"], password="a new long password"
    ),
    "Mutation.logout": lambda w: {},
    "Mutation.markInboxRead": lambda w: {"input": {"all": True}},
    "Mutation.setNotificationPreferences": lambda w: {"input": {"sms": True}},
    "Mutation.requestPasswordReset": lambda w: _i(phone="13900000002"),
    "Mutation.resetPassword": lambda w: _i(
        phone="13900000002", code=MATRIX_RESET_CODE, password="a new long password"
    ),
    "Mutation.issuePasswordResetLetter": lambda w: _i(
        communityId=str(w.base.a), personId=w.ids["person_zhang"]
    ),
    "Mutation.importRoll": lambda w: _i(communityId=str(w.base.a), csv=ROLL_A_BIGGER),
    "Mutation.createCommunity": lambda w: _i(districtId=str(w.base.district_1), name="新小区"),
    "Mutation.issueActivationCodes": lambda w: _i(
        communityId=str(w.base.a), personIds=[w.ids["person"]]
    ),
    "Mutation.createDistrict": lambda w: _i(name="新街道", code="new-district", reason="新设"),
    "Mutation.appointOfficial": lambda w: _i(
        districtId=str(w.base.district_1), phone="13500000001", name="新干部", reason="任命"
    ),
    "Mutation.updateCommunitySettings": lambda w: _i(
        communityId=str(w.base.a), tallyStep=7, reason="议事规则修改"
    ),
    "Mutation.revokeRole": lambda w: _i(grantId=w.ids["grant_committee"], reason="辞职"),
    # in compound B, which has no committee in office (A has one: both are refused there)
    "Mutation.appointPreparatoryGroup": lambda w: _i(**_body_in_b(w, owners=2, reps=1)),
    "Mutation.appointStandInBody": lambda w: _i(**_body_in_b(w, owners=4, reps=3)),
    "Query.runningBodies": lambda w: {"communityId": str(w.base.a)},
    "Mutation.recordCoverage": lambda w: _i(
        communityId=str(w.base.a),
        partyOrg=True,
        partyMembers=True,
        propertyService=False,
        partyVenue=True,
        note="党支部已建",
    ),
    # -- elections -----------------------------------------------------------------------------
    "Mutation.createElection": lambda w: {
        "communityId": str(w.base.a),
        "input": _election_spec("新表决"),
    },
    "Mutation.updateElection": lambda w: {
        "electionId": w.ids["election_draft"],
        "input": _election_spec("改过的表决"),
    },
    "Mutation.announceElection": lambda w: {"electionId": w.ids["election_draft"]},
    "Mutation.openElection": lambda w: {"electionId": w.ids["election_announced"]},
    "Mutation.closeElection": lambda w: {"electionId": w.ids["election_due"]},
    "Mutation.proposeSupervisors": lambda w: _i(
        electionId=w.ids["election_announced"], personIds=[w.ids["person_zhang"]], reason="推荐"
    ),
    "Mutation.confirmSupervisor": lambda w: {"proposalId": w.ids["supervisor_proposal"]},
    "Mutation.recordCommitteeOfficers": lambda w: _i(
        termId=w.ids["term"],
        chairSeatId=w.ids["seat_zhang"],
        viceSeatIds=[w.ids["seat_zhao"]],
        reason="第一次会议纪要",
    ),
    "Mutation.endCommitteeSeat": lambda w: _i(seatId=w.ids["seat_li"], reason="RESIGNED"),
    "Mutation.startReElection": lambda w: _i(
        termId=w.ids["term"],
        opensAt="2027-03-01T09:00:00+08:00",
        closesAt="2027-03-08T09:00:00+08:00",
    ),
    "Mutation.cancelElection": lambda w: {"electionId": w.ids["election_draft"]},
    "Mutation.publishElection": lambda w: {"electionId": w.ids["election_certified"]},
    "Mutation.signOffElection": lambda w: {"input": w.values["signoff"]},
    "Mutation.castBallot": lambda w: _i(
        electionId=w.ids["election_open"],
        electorId=w.ids["elector_owner"],
        code=w.values["code_owner"],
        answers=_answers(w, "no"),
    ),
    "Mutation.recordProxy": lambda w: _i(
        electionId=w.ids["election_open"],
        electorId=w.ids["elector_other"],
        holderPhone=HOLDER_PHONE,
        holderName="代理人",
        paperRef="委托书-2",
    ),
    "Mutation.revokeProxy": lambda w: {"proxyId": w.ids["proxy"]},
    "Mutation.enterPaperBallot": lambda w: _i(
        electionId=w.ids["election_open"],
        electorId=w.ids["elector_other"],
        answers=_answers(w, "yes"),
    ),
    "Mutation.confirmPaperBallot": lambda w: _i(
        entryId=w.ids["paper_entry"], answers=_answers(w, "no")
    ),
    "Mutation.challengeLateLink": lambda w: {
        "electionId": w.ids["election_open"],
        "electorId": w.ids["elector_zhao"],
    },
    "Mutation.printVotingNotices": lambda w: {"electionId": w.ids["election_open"]},
    "Mutation.reissueVotingCode": lambda w: {
        "electionId": w.ids["election_open"],
        "electorId": w.ids["elector_other"],
    },
    # -- proposals -----------------------------------------------------------------------------
    "Mutation.createProposal": lambda w: _i(
        communityId=str(w.base.a), title="增加绿化", body="建议增加绿化。", category="环境"
    ),
    "Mutation.updateProposal": lambda w: _i(
        proposalId=w.ids["proposal_draft"], title="加装电梯", body="改过的正文。", category="设施"
    ),
    "Mutation.submitProposal": lambda w: _i(proposalId=w.ids["proposal_draft"]),
    "Mutation.withdrawProposal": lambda w: _i(proposalId=w.ids["proposal_draft"], reason="不提了"),
    "Mutation.signProposal": lambda w: _i(proposalId=w.ids["proposal_open"]),
    "Mutation.unsignProposal": lambda w: _i(proposalId=w.ids["proposal_signed"]),
    "Mutation.answerProposal": lambda w: _i(
        proposalId=w.ids["proposal_open"], kind="RESPOND", text="已研究"
    ),
    "Mutation.decideProposal": lambda w: _i(
        proposalId=w.ids["proposal_scheduled"], outcome="OTHER", text="业主大会已决定"
    ),
    # -- rule documents ------------------------------------------------------------------------
    "Mutation.createDocument": lambda w: _i(
        communityId=str(w.base.a), kind="OTHER", title="新规则"
    ),
    "Mutation.createDraftVersion": lambda w: _i(documentId=w.ids["document_consulted"]),
    "Mutation.importDraftText": lambda w: _i(
        versionId=w.ids["version_draft"], text="第一条 甲。\n\n第二条 乙。"
    ),
    "Mutation.editClause": lambda w: _i(
        versionId=w.ids["version_draft"], clauseId=w.ids["clause_draft"], text="改过的条文。"
    ),
    "Mutation.addClause": lambda w: _i(versionId=w.ids["version_draft"], text="新增的条文。"),
    "Mutation.removeClause": lambda w: _i(
        versionId=w.ids["version_draft"], clauseId=w.ids["clause_draft"]
    ),
    "Mutation.publishVersion": lambda w: _i(
        versionId=w.ids["version_draft"], closesAt="2099-01-01T00:00:00+00:00"
    ),
    "Mutation.closeConsultation": lambda w: _i(
        versionId=w.ids["version_published"], reason="意见已充分收集"
    ),
    # -- comments ------------------------------------------------------------------------------
    "Mutation.addComment": lambda w: _i(proposalId=w.ids["proposal_open"], body="支持"),
    "Mutation.replyToComment": lambda w: _i(commentId=w.ids["comment_proposal"], body="同意"),
    "Mutation.answerComment": lambda w: _i(
        commentId=w.ids["comment_version"], outcome="ADOPTED", reason="采纳"
    ),
    "Mutation.moderateComment": lambda w: _i(
        commentId=w.ids["comment_proposal"], hidden=True, reason="含个人信息"
    ),
    # -- forum, nominations and 两考 (issue #13) ------------------------------------------------
    "Query.forums": lambda w: {"communityId": str(w.base.a)},
    "Query.districtVetting": lambda w: {"districtId": str(w.base.district_1)},
    "Mutation.recordForum": lambda w: _i(
        communityId=str(w.base.a),
        heldAt=(NOW - timedelta(days=1)).isoformat(),
        place="社区活动室",
        attendees="社区党委、业主代表",
        minutes="讨论换届。",
        nominationsCloseAt=(NOW + timedelta(days=5)).isoformat(),
    ),
    "Mutation.nominateCandidate": lambda w: _i(
        forumId=w.ids["forum_open"],
        committee="OWNERS_COMMITTEE",
        route="SELF",
        statement="愿意为大家服务。",
    ),
    "Mutation.cosignNomination": lambda w: _i(nominationId=w.ids["nomination_joint"]),
    "Mutation.recordVetting": lambda w: _i(
        nominationId=w.ids["nomination_vettable"], step="EXAM", passed=True, reason="合格"
    ),
    "Mutation.publishCandidateList": lambda w: _i(forumId=w.ids["forum_ready"]),
    "Mutation.objectToCandidate": lambda w: _i(
        nominationId=w.ids["nomination_published"], body="请说明其是否在物业公司任职"
    ),
    "Mutation.answerObjection": lambda w: _i(
        objectionId=w.ids["objection_open"], answer="经核实，未在物业公司任职"
    ),
    "Mutation.setDistrictVetting": lambda w: _i(
        districtId=str(w.base.district_1),
        examRequired=True,
        reviewRequired=True,
        reason="维持两考",
    ),
    # -- the notice board and the maintenance fund (issue #15 part 2) -------------------------
    "Query.notices": lambda w: {"communityId": str(w.base.a)},
    "Query.notice": lambda w: {"id": w.ids["notice"]},
    "Query.fundLedger": lambda w: {"communityId": str(w.base.a)},
    "Mutation.postNotice": lambda w: _i(
        communityId=str(w.base.a), kind="ANNOUNCEMENT", title="停水通知", body="周三停水"
    ),
    "Mutation.withdrawNotice": lambda w: _i(noticeId=w.ids["notice"], reason="内容有误"),
    "Mutation.setNoticePublicity": lambda w: _i(
        noticeId=w.ids["notice"], endsAt=(NOW + timedelta(days=40)).isoformat()
    ),
    "Mutation.markNoticeRead": lambda w: _i(noticeId=w.ids["notice"]),
    "Mutation.objectToNotice": lambda w: _i(noticeId=w.ids["notice"], body="请公开明细"),
    "Mutation.answerNoticeObjection": lambda w: _i(
        objectionId=w.ids["notice_objection"], answer="明细已张贴在物业服务中心"
    ),
    "Mutation.recordFundEntry": lambda w: _i(
        communityId=str(w.base.a),
        direction="INCOME",
        project="维修资金续筹",
        amountFen="100000",
        occurredOn=NOW.date().isoformat(),
    ),
    "Mutation.publishFundStatement": lambda w: _i(
        communityId=str(w.base.a),
        fromOn=(NOW - timedelta(days=30)).date().isoformat(),
        toOn=NOW.date().isoformat(),
    ),
    # -- 吹哨报到 (issue #16) -----------------------------------------------------------------
    "Query.complaintCategories": lambda w: {"communityId": str(w.base.a)},
    "Query.departments": lambda w: {"districtId": str(w.base.district_1)},
    "Query.complaint": lambda w: {"id": w.ids["complaint"]},
    "Query.complaints": lambda w: {"scope": "COMPOUND", "communityId": str(w.base.a)},
    "Mutation.reportComplaint": lambda w: _i(
        communityId=str(w.base.a),
        category="wiring",
        text="楼道私拉电线给电动车充电",
        place="2号楼楼道",
    ),
    "Mutation.complaintStep": lambda w: _i(complaintId=w.ids["complaint"], action="WHISTLE"),
    "Mutation.createDepartment": lambda w: _i(
        districtId=str(w.base.district_1), name="消防", reason="吹哨报到联动"
    ),
    "Mutation.grantDepartmentRole": lambda w: _i(
        departmentId=w.ids["department"], phone="13600003000", name="城管李", reason="联络员"
    ),
    "Mutation.setComplaintCategories": lambda w: _i(
        districtId=str(w.base.district_1),
        categories=[{"code": "parking", "zh": "乱停车", "en": "parking", "handlingDays": 2}],
        reason="区里统一类别",
    ),
    "Mutation.importHotline": lambda w: _i(
        districtId=str(w.base.district_1),
        filename="tickets.csv",
        data=base64.b64encode(
            "工单编号,受理时间,小区,问题类别,诉求内容\nM1,2026-12-20 09:00,甲小区,噪音,夜间施工\n".encode()
        ).decode(),
    ),
    # -- subscriptions -------------------------------------------------------------------------
    "Subscription.electionTally": lambda w: {"electionId": w.ids["election_open"]},
    "Subscription.proposalLive": lambda w: {"proposalId": w.ids["proposal_open"]},
    "Subscription.consultationLive": lambda w: {"versionId": w.ids["version_published"]},
    # -- property assessment (issue #15 part 1) ------------------------------------------------
    "Query.assessmentSettings": lambda w: {"districtId": str(w.base.district_1)},
    "Query.propertyCompanies": lambda w: {"districtId": str(w.base.district_1)},
    "Query.companyHistory": lambda w: {"companyId": w.ids["company"]},
    "Query.serviceContracts": lambda w: {"communityId": str(w.base.a)},
    "Query.assessmentPeriods": lambda w: {"districtId": str(w.base.district_1)},
    "Query.assessmentPeriod": lambda w: {"id": w.ids["period_open"]},
    "Query.surveys": lambda w: {"communityId": str(w.base.a)},
    "Query.rectifications": lambda w: {"communityId": str(w.base.a)},
    "Mutation.setAssessmentSettings": lambda w: _i(
        districtId=str(w.base.district_1),
        periodKind="HALF",
        ownersWeight=40,
        inspectionWeight=40,
        committeeWeight=20,
        bottomShareBp=1000,
        items=["保洁", "绿化"],
    ),
    "Mutation.registerPropertyCompany": lambda w: _i(
        districtId=str(w.base.district_1), name="新物业", creditCode=credit_code(99), reason="准入"
    ),
    "Mutation.setCompanyStatus": lambda w: {
        "companyId": w.ids["company"],
        "status": "SUSPENDED",
        "reason": "违规",
    },
    "Mutation.addServiceContract": lambda w: _i(
        communityId=str(w.base.a),
        companyId=w.ids["company"],
        startsOn="2027-01-01",
        endsOn="2029-12-31",
        feePerSquareMetre="1.80",
    ),
    "Mutation.openAssessmentPeriod": lambda w: {
        "districtId": str(w.base.district_1),
        "year": 2027,
        "number": 1,
        "closesAt": (NOW + timedelta(days=30)).isoformat(),
    },
    "Mutation.closeAssessmentPeriod": lambda w: {"id": w.ids["period_due"]},
    "Mutation.answerSurvey": lambda w: {
        "surveyId": w.ids["survey_open"],
        "electorId": w.ids["elector_owner_survey"],
        "scores": [{"item": "保洁", "score": 4}, {"item": "绿化", "score": 3}],
    },
    "Mutation.recordAssessmentMarks": lambda w: {
        "surveyId": w.ids["survey_open"],
        "source": "COMMITTEE",
        "marks": [{"item": i, "score": 80} for i in ("履约情况", "信息公开", "秩序管理")],
        "evidence": "业委会例会评议",
    },
    "Mutation.orderRectification": lambda w: {
        "contractId": w.ids["contract_a"],
        "requirement": "修复电梯",
        "deadline": (NOW + timedelta(days=20)).date().isoformat(),
    },
    "Mutation.followUpRectification": lambda w: {
        "id": w.ids["rectification"],
        "note": "已复查",
        "done": True,
    },
    "Subscription.complaintLive": lambda w: {"complaintId": w.ids["complaint"]},
}
