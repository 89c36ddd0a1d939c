"""Who may use each root operation: the decisions the authorisation matrix checks.

One entry per Query, Mutation and Subscription field, keyed ``"Kind.field"``. A new operation
without an entry fails ``tests/e2e/security/test_authz_matrix.py``, and so does an entry for an
operation that no longer exists. ``allowed`` is the set of roles that may use the operation on
compound A; every other role is refused, with the code :meth:`Decision.expect` derives:

* ``anonymous`` (no session): ``UNAUTHENTICATED``;
* an outsider (an owner of compound B, an official of another district: no role of theirs
  reaches A): ``NOT_FOUND`` — another
  compound's objects answer exactly like missing ones (docs/design.md §3.10) — unless the
  operation is not about one compound's object (``scoped=False``);
* any other logged-in role: ``FORBIDDEN``;
* ``refusals`` names the exceptions, each a code that still means "not you" (a draft shown
  only to its author, an account that is not on the roll or not an elector).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "owner",
    "owner_b",  # an owner of compound B (same district)
    "committee",
    "supervisor",
    "official",  # of A's district
    "official_2",  # of another district
    "admin",
)
OUTSIDERS = frozenset({"owner_b", "official_2"})  # hold no role that reaches compound A
OK = "ok"
# the codes that refuse a caller for who they are (not for what they sent)
REFUSAL_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "NOT_ON_ROLL",  # proposals and comments are for owners on the compound's roll
        "NOT_AN_ELECTOR",  # only the frozen roll's electors (or their proxies) cast
        "NOT_SIGNED",  # only who co-signed may withdraw a co-signature
    }
)

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
MEMBERS = frozenset({"owner", "committee", "supervisor", "official", "admin"})  # of compound A
STAFF = MEMBERS - {"owner"}  # committee, supervisors, officials (and the admin)
RUNNERS = frozenset({"committee", "official", "admin"})  # run elections (preparatory too)
DRAFTERS = frozenset({"committee", "admin"})  # write rules, answer proposals (preparatory too)
SCRUTINEERS = frozenset({"supervisor"})  # personal acts of a supervisor: no admin stand-in
OVERSEERS = frozenset({"supervisor", "official", "admin"})
OWNER = frozenset({"owner"})
VETTERS = frozenset({"official"})  # 两考 and objections: the district's officials in person
ADMIN = frozenset({"admin"})
DISTRICT_READERS = MEMBERS | {"owner_b"}  # anyone with a role in a compound of district 1
DISTRICT_WRITERS = frozenset({"official", "admin"})  # officials of district 1 (or an admin)
IN_DISTRICT = {"owner_b": "FORBIDDEN"}  # B is in district 1: its objects are not hidden from B
ADMIN_NOT_ON_ROLL = {"admin": "NOT_ON_ROLL"}
ADMIN_NOT_AUTHOR = {"admin": "NOT_FOUND"}  # the owner's draft is hidden from everyone else
OWNER_NO_DRAFT = {"owner": "NOT_FOUND"}  # a draft election is the staff's until announced
# an operation called on compound B: A's roles see nothing there, B's owner is refused
IN_B = {"owner": "NOT_FOUND", "committee": "NOT_FOUND", "supervisor": "NOT_FOUND"} | {
    "owner_b": "FORBIDDEN"
}


@dataclass(frozen=True)
class Decision:
    allowed: frozenset[str]
    why: str
    scoped: bool = True
    refusals: Mapping[str, str] = field(default_factory=dict)

    def expect(self, role: str) -> str:
        """``"ok"`` for an allowed role, else the refusal code it must get."""
        if role in self.allowed:
            return OK
        if role in self.refusals:
            return self.refusals[role]
        if role == "anonymous":
            return "UNAUTHENTICATED"
        if self.scoped and role in OUTSIDERS:
            return "NOT_FOUND"
        return "FORBIDDEN"


DECISIONS: dict[str, Decision] = {
    # -- queries -----------------------------------------------------------------------------
    "Query.me": Decision(EVERYONE, "null when not logged in"),
    "Query.community": Decision(MEMBERS, "a compound is seen by those who hold a role in it"),
    "Query.myCommunities": Decision(LOGGED_IN, "one's own compounds", scoped=False),
    # issue #15: the viewer's own inbox and preferences, never another's (the account is the
    # session's; tests/api/services/test_inbox_graphql.py attacks the ids)
    "Query.inbox": Decision(LOGGED_IN, "one's own inbox", scoped=False),
    "Query.unreadCount": Decision(LOGGED_IN, "one's own inbox", scoped=False),
    "Query.notificationPreferences": Decision(LOGGED_IN, "one's own settings", scoped=False),
    "Query.communities": Decision(
        frozenset({"official", "official_2", "admin"}),
        "each official lists their own district's compounds",
        scoped=False,
    ),
    "Query.districtOverview": Decision(
        frozenset({"official", "official_2", "admin"}),
        "each official sees their own district's compounds and their state",
        scoped=False,
    ),
    # -- the district dashboard (issue #16 part 2): the district's officials and admins only;
    # an official of another district, an owner, the committee and supervisors are refused
    "Query.districtDashboard": Decision(
        frozenset({"official", "admin"}),
        "a district's dashboard is for its officials (admins any district)",
        scoped=False,
    ),
    "Query.districtAlerts": Decision(
        frozenset({"official", "admin"}), "the district's alerts: its officials", scoped=False
    ),
    "Query.districtDashboardExport": Decision(
        frozenset({"official", "admin"}),
        "the export shows what the dashboard shows, to the same people",
        scoped=False,
    ),
    "Mutation.recordCoverage": Decision(
        frozenset({"official", "admin"}),
        "officials of the compound's district record its five coverages; never its committee",
    ),
    "Query.districts": Decision(
        frozenset({"official", "official_2", "admin"}),
        "each official lists their own districts, admins all",
        scoped=False,
    ),
    "Query.communityRoles": Decision(STAFF, "the compound's staff and its district's officials"),
    "Query.districtRoles": Decision(
        frozenset({"official", "admin"}),
        "a district's officials are listed to its officials and admins",
        scoped=False,
    ),
    "Query.election": Decision(MEMBERS, "owners see elections once announced"),
    "Query.elections": Decision(MEMBERS, "drafts only for staff"),
    "Query.committeeTerms": Decision(
        MEMBERS, "who sits on the committees is public to the compound (issue #13 item 5)"
    ),
    "Query.electionSupervisors": Decision(
        MEMBERS, "owners see who scrutinises their vote (issue #13 item 6)"
    ),
    "Query.trackingCodes": Decision(MEMBERS, "the counted codes, listed after the close (§3.5)"),
    "Query.ballotStatus": Decision(MEMBERS, "owners check their receipt is counted (§3.5)"),
    "Query.verifyElection": Decision(OVERSEERS, "supervisors and officials audit (§3.6)"),
    "Query.electors": Decision(STAFF, "the frozen roll is for staff, not for owners"),
    "Query.proxies": Decision(STAFF, "proxies are recorded and checked by staff"),
    "Query.proposals": Decision(MEMBERS, "proposals are read by the compound"),
    "Query.proposal": Decision(MEMBERS, "an open proposal is read by the compound"),
    "Query.proposalComments": Decision(MEMBERS, "comments are read by the compound"),
    "Query.ruleDocuments": Decision(MEMBERS, "rules are read by the compound"),
    "Query.ruleDocument": Decision(MEMBERS, "rules are read by the compound"),
    "Query.documentVersion": Decision(MEMBERS, "a published version is read by the compound"),
    "Query.versionDiff": Decision(MEMBERS, "published versions are compared by the compound"),
    "Query.responseRegister": Decision(
        MEMBERS, "the committee's answers are public in the compound"
    ),
    "Query.consultationComments": Decision(MEMBERS, "consultation is public in the compound"),
    # -- accounts and compounds ----------------------------------------------------------------
    "Mutation.login": Decision(EVERYONE, "anyone may log in (rate-limited)", scoped=False),
    "Mutation.activateAccount": Decision(
        EVERYONE, "the printed code is the credential", scoped=False
    ),
    "Mutation.logout": Decision(LOGGED_IN, "ends one's own session", scoped=False),
    "Mutation.markInboxRead": Decision(LOGGED_IN, "one's own inbox items", scoped=False),
    "Mutation.setNotificationPreferences": Decision(
        LOGGED_IN, "one's own channels and quiet hours", scoped=False
    ),
    "Mutation.requestPasswordReset": Decision(
        EVERYONE, "one answer for every phone; the code goes to the roll's phone", scoped=False
    ),
    "Mutation.resetPassword": Decision(
        EVERYONE, "the texted code is the credential (rate-limited)", scoped=False
    ),
    "Mutation.issuePasswordResetLetter": Decision(
        frozenset({"official", "admin"}),
        "officials only: the committee must not be able to take over an owner's account",
    ),
    "Mutation.importRoll": Decision(frozenset({"official", "admin"}), "officials keep the roll"),
    "Mutation.createCommunity": Decision(
        frozenset({"official", "admin"}), "officials of the district", scoped=False
    ),
    "Mutation.issueActivationCodes": Decision(
        RUNNERS, "committee or officials print letters (never voting codes: §3.4)"
    ),
    # -- organisation (issue #13) --------------------------------------------------------------
    "Mutation.createDistrict": Decision(ADMIN, "admins create districts", scoped=False),
    "Mutation.appointOfficial": Decision(
        ADMIN, "admins appoint officials; no official widens their own reach", scoped=False
    ),
    "Mutation.updateCommunitySettings": Decision(
        frozenset({"official", "admin"}),
        "officials of the district set a compound's settings; never its committee",
    ),
    "Mutation.revokeRole": Decision(
        frozenset({"official", "admin"}),
        "officials revoke compound roles in their district; another district's grant is missing",
    ),
    # -- preparatory group and 物管会 (issue #13 item 2): called on compound B, where no committee
    # sits; A's owner, committee and supervisor hold no role there, so B looks missing to them,
    # and B's own owner is refused
    "Mutation.appointPreparatoryGroup": Decision(
        frozenset({"official", "admin"}),
        "officials of the district appoint it; never the compound's committee or its members",
        refusals=IN_B,
    ),
    "Mutation.appointStandInBody": Decision(
        frozenset({"official", "admin"}),
        "officials of the district appoint the 物管会 where no committee can be formed",
        refusals=IN_B,
    ),
    "Query.runningBodies": Decision(
        MEMBERS, "the compound reads its preparatory group and 物管会 (owners without phones)"
    ),
    # -- supervisors per election (issue #13 item 6) ----------------------------------------
    "Mutation.proposeSupervisors": Decision(
        RUNNERS, "the running body proposes owners who are not candidates"
    ),
    "Mutation.confirmSupervisor": Decision(
        frozenset({"official"}),
        "an official of the district confirms, in person: never the running body that proposed, "
        "never an admin standing in",
    ),
    # -- committees in office (issue #13 item 5) --------------------------------------------
    "Mutation.recordCommitteeOfficers": Decision(
        frozenset({"committee", "official", "admin"}),
        "the committee (or the 物管会 with its powers) records the chair and vice-chairs it chose; "
        "officials may for it",
    ),
    "Mutation.startReElection": Decision(
        RUNNERS, "the running body creates the 换届 election's draft from the last term"
    ),
    "Mutation.endCommitteeSeat": Decision(
        frozenset({"official", "admin"}),
        "officials of the district record a resignation, recall or vacancy; never the committee",
    ),
    # -- elections -----------------------------------------------------------------------------
    "Mutation.createElection": Decision(RUNNERS, "the committee or officials run elections"),
    "Mutation.updateElection": Decision(
        RUNNERS, "the committee or officials run elections", refusals=OWNER_NO_DRAFT
    ),
    "Mutation.announceElection": Decision(
        RUNNERS, "the committee or officials run elections", refusals=OWNER_NO_DRAFT
    ),
    "Mutation.openElection": Decision(RUNNERS, "the committee or officials run elections"),
    "Mutation.closeElection": Decision(RUNNERS | SCRUTINEERS, "supervisors may close too"),
    "Mutation.cancelElection": Decision(
        RUNNERS, "the committee or officials run elections", refusals=OWNER_NO_DRAFT
    ),
    "Mutation.publishElection": Decision(RUNNERS | SCRUTINEERS, "supervisors may publish too"),
    "Mutation.signOffElection": Decision(SCRUTINEERS, "two supervisors certify (§3.8)"),
    "Mutation.castBallot": Decision(
        OWNER,
        "electors of the frozen roll (or their proxies) with the voting code (§3.4)",
        refusals={r: "NOT_AN_ELECTOR" for r in ("committee", "supervisor", "official", "admin")},
    ),
    "Mutation.recordProxy": Decision(
        RUNNERS, "the running body records a signed paper; not supervisors, who print codes (§3.4)"
    ),
    "Mutation.revokeProxy": Decision(STAFF, "staff record a revocation"),
    "Mutation.enterPaperBallot": Decision(SCRUTINEERS, "a supervisor enters a paper ballot"),
    "Mutation.confirmPaperBallot": Decision(SCRUTINEERS, "a second supervisor confirms it"),
    "Mutation.challengeLateLink": Decision(
        SCRUTINEERS, "a supervisor records an owner's in-person challenge of a late link (§3.4)"
    ),
    "Mutation.printVotingNotices": Decision(
        SCRUTINEERS, "supervisors, not the letter issuers, print notices (separation, §3.4)"
    ),
    "Mutation.reissueVotingCode": Decision(
        SCRUTINEERS, "supervisors, not the letter issuers, replace a notice (separation, §3.4)"
    ),
    # -- proposals -----------------------------------------------------------------------------
    "Mutation.createProposal": Decision(
        OWNER, "owners on the roll propose", refusals=ADMIN_NOT_ON_ROLL
    ),
    "Mutation.updateProposal": Decision(
        OWNER, "the author edits a draft", refusals=ADMIN_NOT_AUTHOR
    ),
    "Mutation.submitProposal": Decision(OWNER, "the author submits", refusals=ADMIN_NOT_AUTHOR),
    "Mutation.withdrawProposal": Decision(OWNER, "the author withdraws", refusals=ADMIN_NOT_AUTHOR),
    "Mutation.signProposal": Decision(
        OWNER, "owners on the roll co-sign", refusals=ADMIN_NOT_ON_ROLL
    ),
    "Mutation.unsignProposal": Decision(
        OWNER, "who co-signed may withdraw", refusals={"admin": "NOT_SIGNED"}
    ),
    "Mutation.answerProposal": Decision(DRAFTERS, "the committee answers"),
    "Mutation.decideProposal": Decision(DRAFTERS, "the committee records the decision"),
    # -- rule documents ------------------------------------------------------------------------
    "Mutation.createDocument": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.createDraftVersion": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.importDraftText": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.editClause": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.addClause": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.removeClause": Decision(DRAFTERS, "the committee drafts"),
    "Mutation.publishVersion": Decision(DRAFTERS, "the committee publishes for consultation"),
    "Mutation.closeConsultation": Decision(
        DRAFTERS, "the committee ends the consultation it opened (after the minimum window)"
    ),
    # -- comments ------------------------------------------------------------------------------
    "Mutation.addComment": Decision(
        OWNER, "owners on the roll comment", refusals=ADMIN_NOT_ON_ROLL
    ),
    "Mutation.replyToComment": Decision(
        OWNER | frozenset({"committee"}),
        "owners and the committee reply",
        refusals=ADMIN_NOT_ON_ROLL,
    ),
    "Mutation.answerComment": Decision(DRAFTERS, "the committee answers consultation comments"),
    "Mutation.moderateComment": Decision(
        frozenset({"committee", "official", "admin"}), "committee or officials moderate"
    ),
    # -- forum, nominations and 两考 (issue #13) ------------------------------------------------
    "Query.forums": Decision(MEMBERS, "the forum and its candidates are read by the compound"),
    "Query.districtVetting": Decision(
        frozenset({"official", "admin"}),
        "a district's 两考 steps are read by its officials and admins",
        scoped=False,
    ),
    "Mutation.recordForum": Decision(RUNNERS, "the running body (or officials) record the forum"),
    "Mutation.nominateCandidate": Decision(
        OWNER,
        "owners on the roll nominate themselves (the running body by its own route)",
        refusals=ADMIN_NOT_ON_ROLL,
    ),
    "Mutation.cosignNomination": Decision(
        OWNER, "owners on the roll co-sign a joint nomination", refusals=ADMIN_NOT_ON_ROLL
    ),
    "Mutation.recordVetting": Decision(
        VETTERS, "两考 is the district's act: its officials in person, no admin stand-in"
    ),
    "Mutation.publishCandidateList": Decision(RUNNERS, "the running body publicises the list"),
    "Mutation.objectToCandidate": Decision(
        OWNER, "owners on the roll object to a candidate", refusals=ADMIN_NOT_ON_ROLL
    ),
    "Mutation.answerObjection": Decision(VETTERS, "the vetting officials answer objections"),
    "Mutation.setDistrictVetting": Decision(
        frozenset({"official", "admin"}),
        "each district's officials choose its 两考 steps",
        scoped=False,
    ),
    # -- subscriptions -------------------------------------------------------------------------
    "Subscription.electionTally": Decision(
        MEMBERS, "what each sees follows the visibility setting (§3.7)"
    ),
    "Subscription.proposalLive": Decision(MEMBERS, "who may read the proposal may watch it"),
    "Subscription.consultationLive": Decision(
        MEMBERS, "who may read the version may watch it (a draft: drafters only)"
    ),
    # -- property assessment (issue #15 part 1) ------------------------------------------------
    "Query.assessmentSettings": Decision(
        DISTRICT_READERS, "the district's settings are public to its compounds", scoped=False
    ),
    "Query.propertyCompanies": Decision(
        DISTRICT_READERS, "the register is public to the district's compounds", scoped=False
    ),
    "Query.companyHistory": Decision(
        DISTRICT_READERS,
        "a company's record is public to the district's compounds (another "
        "district's company answers as a missing one)",
    ),
    "Query.assessmentPeriods": Decision(
        DISTRICT_READERS, "the ranking is public to the district's compounds", scoped=False
    ),
    "Query.assessmentPeriod": Decision(
        DISTRICT_READERS,
        "the ranking is public to the district's compounds (another "
        "district's period answers as a missing one)",
    ),
    "Query.serviceContracts": Decision(MEMBERS, "a compound's contracts, to its members"),
    "Query.surveys": Decision(MEMBERS, "a compound's surveys (participation to staff only)"),
    "Query.rectifications": Decision(MEMBERS, "a compound's rectification orders"),
    "Mutation.setAssessmentSettings": Decision(
        DISTRICT_WRITERS, "the district's officials set its weights and items", scoped=False
    ),
    "Mutation.registerPropertyCompany": Decision(
        DISTRICT_WRITERS, "admission (准入) is the district's act", scoped=False
    ),
    "Mutation.setCompanyStatus": Decision(
        DISTRICT_WRITERS,
        "warning, suspension and exit are the district's acts",
        refusals=IN_DISTRICT,
    ),
    "Mutation.openAssessmentPeriod": Decision(
        DISTRICT_WRITERS, "the district opens its periods", scoped=False
    ),
    "Mutation.closeAssessmentPeriod": Decision(
        DISTRICT_WRITERS,
        "the district closes and ranks; no committee moves a rank",
        refusals=IN_DISTRICT,
    ),
    "Mutation.addServiceContract": Decision(
        DISTRICT_WRITERS, "the district records each compound's contract"
    ),
    "Mutation.orderRectification": Decision(DISTRICT_WRITERS, "the district orders 整改"),
    "Mutation.followUpRectification": Decision(DISTRICT_WRITERS, "the district follows 整改 up"),
    "Mutation.answerSurvey": Decision(
        OWNER, "only an owner of the elector answers (secret like a ballot)"
    ),
    "Mutation.recordAssessmentMarks": Decision(
        frozenset({"committee"}),
        "the committee's marks are its own (officials mark the inspection source instead)",
    ),
    # -- the notice board and the maintenance fund (issue #15 part 2) -------------------------
    "Query.notices": Decision(MEMBERS, "the compound reads its notice board"),
    "Query.notice": Decision(MEMBERS, "a notice is public to its compound, not to others"),
    "Query.fundLedger": Decision(
        MEMBERS, "the maintenance fund's ledger is public to the compound"
    ),
    "Mutation.postNotice": Decision(RUNNERS, "the running body and the district's officials post"),
    "Mutation.withdrawNotice": Decision(
        RUNNERS, "who posts withdraws, with a reason, once the kind's minimum has passed"
    ),
    "Mutation.setNoticePublicity": Decision(RUNNERS, "who posts moves the period's end"),
    "Mutation.markNoticeRead": Decision(MEMBERS, "every reader counts once"),
    "Mutation.objectToNotice": Decision(
        OWNER, "the compound's owners object; staff answer, they do not object"
    ),
    "Mutation.answerNoticeObjection": Decision(RUNNERS, "who posts answers, once, on the record"),
    "Mutation.recordFundEntry": Decision(RUNNERS, "the running body and officials keep the fund"),
    "Mutation.publishFundStatement": Decision(
        RUNNERS, "who keeps the fund publishes its statement"
    ),
    # -- 吹哨报到 (issue #16 part 1) ----------------------------------------------------------
    "Query.complaintCategories": Decision(MEMBERS, "a compound's categories, to its members"),
    "Query.departments": Decision(
        frozenset({"official", "admin"}),
        "a district's departments, to its officials (and its departments' staff)",
        scoped=False,
    ),
    "Query.complaint": Decision(
        MEMBERS, "neighbours see what is reported in their compound (the reporter hidden)"
    ),
    "Query.complaints": Decision(MEMBERS, "a compound's complaints, to its members"),
    "Mutation.reportComplaint": Decision(
        frozenset({"owner", "committee", "admin"}),
        "owners and the running body report; officials enter hotline tickets instead",
    ),
    "Mutation.complaintStep": Decision(
        frozenset({"committee", "official", "admin"}),
        "WHISTLE: the running body or the district's officials (the flow decides each step)",
    ),
    "Mutation.createDepartment": Decision(
        frozenset({"official", "admin"}),
        "a district's officials create its departments",
        scoped=False,
    ),
    "Mutation.grantDepartmentRole": Decision(
        frozenset({"official", "admin"}),
        "a district's officials grant its departments' staff; to anyone else the department "
        "does not exist",
        refusals={"owner": "NOT_FOUND", "committee": "NOT_FOUND", "supervisor": "NOT_FOUND"},
    ),
    "Subscription.complaintLive": Decision(
        MEMBERS, "who may see the complaint may follow its state (the reporter's page)"
    ),
    "Mutation.importHotline": Decision(
        frozenset({"official", "admin"}),
        "12345 tickets are imported by the district's officials",
        scoped=False,
    ),
    "Mutation.setComplaintCategories": Decision(
        frozenset({"official", "admin"}),
        "a district's complaint categories are its officials' setting",
        scoped=False,
    ),
}
