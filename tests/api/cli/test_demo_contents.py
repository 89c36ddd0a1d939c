"""What a newcomer finds in `gongzhi demo` (issue #13 "Tests and demo", issue #14 item 9), read
through the GraphQL API as the role that would look at it.

Compound A: a 业委会 and a 监委会 in office with their terms, chair and vice-chair, an alternate
who stepped up; a closed, certified and published election with results; the 管理规约 in force
(version 1) and version 2 under consultation with comments and answers (a diff and two response
registers); a qualified proposal and one collecting signatures; the 换届 open for voting, with
its forum, 两考, an answered objection and its confirmed supervisors; complaints in every state
of 吹哨报到 with the district's departments. Compound B: only a
preparatory group, with its forum recorded and nominations open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.cli import demo
from api.runtime import Runtime
from api.settings import Settings
from tests.conftest import Gql
from tests.support.demo import COMMITTEE, OFFICIAL, PREPARATORY, SUPERVISOR
from tests.support.elections import staff_token

TERMS = """query($c: ID!) { committeeTerms(communityId: $c) { committee inOffice endsAt seatCount
  vacancies reminders seats { name kind office endReason steppedUpFrom } } }"""
ELECTIONS = """query($c: ID!) { elections(communityId: $c) { id title state publishedAt
  signoffs { supervisorId } result { data } myElectors { id } } }"""
PROPOSALS = """query($c: ID!) { proposals(communityId: $c) { nodes { title status qualifiedAt
  signatureCount commentCount } } }"""
DOCUMENTS = """query($c: ID!) { ruleDocuments(communityId: $c) { title kind inForceVersionId
  latestVersionId versions { id number } } }"""
VERSION = """query($v: ID!) { documentVersion(id: $v) { number status phase inForce
  adoptedByElectionId commentCount unansweredCount } }"""
DIFF = """query($a: ID!, $b: ID!) { versionDiff(oldVersionId: $a, newVersionId: $b) {
  added removed changed unchanged } }"""
REGISTER = """query($v: ID!) { responseRegister(versionId: $v) { totalCount answered unanswered
  adopted partlyAdopted notAdopted } }"""
FORUMS = """query($c: ID!) { forums(communityId: $c) { nominationsCloseAt listPublishedAt
  publicityEndsAt nominations { name committee route standing signatures passed
  vetting { step result } } objections { body answer } } }"""
ROLES = """query($c: ID!) { communityRoles(communityId: $c, includeEnded: true) { role holder
  held endsAt } }"""
SUPERVISORS = """query($e: ID!) { electionSupervisors(electionId: $e) { name confirmedBy } }"""
COMMUNITIES = "{ myCommunities { id name } }"
BOARD = """query($c: ID!) { notices(communityId: $c, first: 50) { nodes { kind title source
  attachments { name mediaType url } objections { body answer } } } }"""
FUND = """query($c: ID!) { fundLedger(communityId: $c) { closingFen entries { direction } } }"""


async def _data(gql: Gql, query: str, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(query, variables, token=token)
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


async def _compound_a(
    gql: Gql, runtime: Runtime, logins: demo.Logins, a: str, now: datetime
) -> None:
    owner = await staff_token(runtime, next(x.phone for x in logins if x.note == "one unit"), None)
    official = await staff_token(runtime, OFFICIAL, None)
    committee = await staff_token(runtime, COMMITTEE, None)

    # the committees in office, their terms, officers, an alternate who stepped up
    terms = (await _data(gql, TERMS, owner, c=a))["committeeTerms"]
    assert {t["committee"] for t in terms} == {"owners_committee", "supervisory_committee"}
    assert all(t["inOffice"] and t["seatCount"] == 5 and t["vacancies"] == 0 for t in terms)
    owners = next(t for t in terms if t["committee"] == "owners_committee")
    offices = [s["office"] for s in owners["seats"] if s["office"]]
    assert sorted(offices) == ["chair", "vice_chair"]
    assert [s["endReason"] for s in owners["seats"] if s["endReason"]] == [
        "resigned",
        "stepped_up",
    ]
    assert any(s["steppedUpFrom"] for s in owners["seats"])
    supervisory = next(t for t in terms if t["committee"] == "supervisory_committee")
    assert [s["kind"] for s in supervisory["seats"]].count("alternate") == 1
    # 60 days left: officials see the 90-day reminder, owners see none
    assert owners["reminders"] == []
    staff_terms = (await _data(gql, TERMS, official, c=a))["committeeTerms"]
    assert all(t["reminders"] == [90] for t in staff_terms)
    assert datetime.fromisoformat(owners["endsAt"]) > now

    # a published, certified election with results; the 换届 open now, the owner an elector
    elections = (await _data(gql, ELECTIONS, owner, c=a))["elections"]
    published = [e for e in elections if e["state"] == "PUBLISHED"]
    [first] = published
    assert len(first["signoffs"]) == 2
    questions = first["result"]["data"]["questions"]
    committees = [q for q in questions if "winners" in q]
    assert [len(q["winners"]) for q in committees] == [5, 5]
    assert [len(q["alternates"]) for q in committees] == [1, 1]
    assert any(q.get("passed") is True for q in questions if "winners" not in q)
    [open_now] = [e for e in elections if e["state"] == "OPEN"]
    assert open_now["id"] == str(logins.election.id if logins.election else None)
    assert open_now["title"] == demo.DEMO_ELECTION_TITLE and open_now["myElectors"]
    sups = (await _data(gql, SUPERVISORS, committee, e=open_now["id"]))["electionSupervisors"]
    assert len(sups) == 2 and all(s["confirmedBy"] for s in sups)

    # proposals: one qualified by its co-signatures, one still collecting them
    nodes = (await _data(gql, PROPOSALS, owner, c=a))["proposals"]["nodes"]
    by_status = {p["status"]: p for p in nodes}
    assert set(by_status) == {"QUALIFIED", "OPEN"}
    assert by_status["QUALIFIED"]["qualifiedAt"] and by_status["QUALIFIED"]["signatureCount"] > 190
    assert by_status["OPEN"]["signatureCount"] > 1 and by_status["OPEN"]["commentCount"] == 2

    # the statute: version 1 in force (adopted by the first election), version 2 in consultation
    [statute] = (await _data(gql, DOCUMENTS, owner, c=a))["ruleDocuments"]
    assert statute["kind"] == "MANAGEMENT_STATUTE"
    v1, v2 = sorted(statute["versions"], key=lambda v: v["number"])
    assert statute["inForceVersionId"] == v1["id"] and statute["latestVersionId"] == v2["id"]
    first_version = (await _data(gql, VERSION, owner, v=v1["id"]))["documentVersion"]
    assert first_version["inForce"] and first_version["adoptedByElectionId"] == first["id"]
    second = (await _data(gql, VERSION, owner, v=v2["id"]))["documentVersion"]
    assert (second["status"], second["phase"]) == ("PUBLISHED", "OPEN")
    assert (second["commentCount"], second["unansweredCount"]) == (4, 1)
    diff = (await _data(gql, DIFF, owner, a=v1["id"], b=v2["id"]))["versionDiff"]
    assert diff["added"] == 1 and diff["changed"] >= 2 and diff["unchanged"] >= 4
    for vid, (answered, unanswered) in ((v1["id"], (3, 0)), (v2["id"], (3, 1))):
        register = (await _data(gql, REGISTER, committee, v=vid))["responseRegister"]
        assert (register["answered"], register["unanswered"]) == (answered, unanswered)
        assert register["adopted"] and register["partlyAdopted"]

    # the 换届's forum: 两考 recorded (one failed), an objection answered (owners see only their
    # own objections); the first round too
    forum_2, forum_1 = (await _data(gql, FORUMS, official, c=a))["forums"]
    assert forum_1["listPublishedAt"] and forum_2["listPublishedAt"]
    passed = [n["passed"] for n in forum_2["nominations"]]
    assert passed.count(True) == 6 and passed.count(False) == 1
    assert [o["answer"] is not None for o in forum_2["objections"]] == [True]

    # the preparatory group's grants in A were revoked when the first committee took office
    roles = (await _data(gql, ROLES, official, c=a))["communityRoles"]
    prep = [r for r in roles if r["role"] == "preparatory"]
    assert prep and not any(r["held"] for r in prep)
    assert any(r["role"] == "committee" and r["held"] and r["endsAt"] for r in roles)


async def _compound_b(gql: Gql, runtime: Runtime, logins: demo.Logins, b: str) -> None:
    prep = await staff_token(runtime, PREPARATORY, None)
    assert (await _data(gql, TERMS, prep, c=b))["committeeTerms"] == []
    assert (await _data(gql, ELECTIONS, prep, c=b))["elections"] == []
    [forum] = (await _data(gql, FORUMS, prep, c=b))["forums"]
    assert forum["listPublishedAt"] is None  # nominations still open: nothing vetted yet
    routes = sorted(n["route"] for n in forum["nominations"])
    assert routes == ["JOINT", *["RUNNING_BODY"] * 4, "SELF"]
    joint = next(n for n in forum["nominations"] if n["route"] == "JOINT")
    assert (joint["signatures"], joint["standing"]) == (3, False)
    # appointed by the official: 孙组长 (the community's representative) and two owners
    roles = (await _data(gql, ROLES, prep, c=b))["communityRoles"]
    assert [(r["role"], r["held"]) for r in roles] == [("preparatory", True)] * 3
    assert all(r["endsAt"] for r in roles)
    nominee = next(x for x in logins if x.role == "owner" and "self-nominated" in x.note)
    owner = await staff_token(runtime, nominee.phone, None)
    seen = (await _data(gql, FORUMS, owner, c=b))["forums"][0]["nominations"]
    assert any(n["route"] == "SELF" and n["name"] == nominee.name for n in seen)


PERIODS = """query($d: ID!) { assessmentPeriods(districtId: $d) { label state results {
  communityName companyName combined rank bottom flagged } surveys { communityId answeredHeads
  mine { id answered } } } }"""
COMPANIES = """query($d: ID!) { propertyCompanies(districtId: $d) { name status events { status
  bySystem } } }"""
CONTRACTS = """query($c: ID!) { serviceContracts(communityId: $c) { companyName flaggedAt } }"""
RECTIFICATIONS = """query($c: ID!) { rectifications(communityId: $c) { state followUp } }"""
DISTRICT = "query($c: ID!) { community(id: $c) { districtId } }"


async def _assessment(gql: Gql, runtime: Runtime, logins: demo.Logins, a: str, b: str) -> None:
    """Several companies (one exited), two ranked quarters with 和谐家园's company at the bottom
    of both (warned, its contract flagged, a rectification followed up), and this quarter's
    survey open to a demo owner."""
    official = await staff_token(runtime, OFFICIAL, None)
    owner = await staff_token(runtime, next(x.phone for x in logins if x.note == "one unit"), None)
    district = (await _data(gql, DISTRICT, official, c=a))["community"]["districtId"]
    companies = (await _data(gql, COMPANIES, owner, d=district))["propertyCompanies"]
    assert len(companies) == 4
    assert [c["status"] for c in companies] == ["ADMITTED", "WARNED", "ADMITTED", "EXITED"]
    assert [e["bySystem"] for e in companies[1]["events"]].count(True) == 2
    current, second, first = (await _data(gql, PERIODS, owner, d=district))["assessmentPeriods"]
    assert current["state"] == "open" and (second["state"], first["state"]) == ("closed",) * 2
    for period in (first, second):
        assert [r["rank"] for r in period["results"]] == [1, 2, 3]
        [bottom] = [r for r in period["results"] if r["bottom"]]
        assert (bottom["communityName"], bottom["rank"]) == ("和谐家园", 3)
    assert [r["flagged"] for r in second["results"]] == [False, False, True]
    [mine] = [s for s in current["surveys"] if s["communityId"] == a]
    assert mine["mine"] and not mine["mine"][0]["answered"] and mine["answeredHeads"] is None
    [contract] = (await _data(gql, CONTRACTS, official, c=b))["serviceContracts"]
    assert contract["flaggedAt"]
    [order] = (await _data(gql, RECTIFICATIONS, official, c=b))["rectifications"]
    assert order["state"] in ("open", "overdue") and "复查" in order["followUp"]


COMPLAINTS = """query($s: ComplaintScope!, $c: ID) { complaints(scope: $s, communityId: $c,
  first: 50) { totalCount nodes { id state overdue reporterName category { code }
  rating assignments { department state overdue } } } }"""


async def _complaints(gql: Gql, runtime: Runtime, logins: demo.Logins, a: str) -> None:
    """吹哨报到 (issue #16): every state of the flow, overdue stages, departments that log in."""
    official = await staff_token(runtime, OFFICIAL, None)
    seen = (await _data(gql, COMPLAINTS, official, s="DISTRICT", c=a))["complaints"]["nodes"]
    assert {c["state"] for c in seen} == {
        "REPORTED", "HANDLING", "RESOLVED", "WHISTLED", "DISPATCHED", "CLOSED", "MERGED",
    }  # fmt: skip
    by_state = {c["state"]: c for c in seen}
    assert by_state["WHISTLED"]["overdue"] == ["dispatch"]
    assert by_state["RESOLVED"]["rating"] == 5 and by_state["CLOSED"]["rating"] == 4
    roof = by_state["DISPATCHED"]["assignments"]
    assert [(x["department"], x["state"], x["overdue"]) for x in roof] == [
        ("城管", "ACCEPTED", True),
        ("住建", "DISPATCHED", True),
    ]
    assert all(c["reporterName"] for c in seen)  # officials see who reported
    # the departments' staff log in and see what is dispatched to them, reporters hidden
    staff = [x for x in logins if x.role == "department"]
    assert [x.note for x in staff] == ["城管", "消防", "住建"]
    chengguan = await staff_token(runtime, staff[0].phone, None)
    theirs = (await _data(gql, COMPLAINTS, chengguan, s="DEPARTMENT"))["complaints"]["nodes"]
    assert [c["category"]["code"] for c in theirs] == ["illegal_building"]
    assert theirs[0]["reporterName"] is None


async def test_the_demo_shows_the_whole_product_to_each_role(
    gql: Gql, runtime: Runtime, settings: Settings
) -> None:
    logins = await demo.seed(settings)
    assert [name for _, name in logins.compounds] == [demo.DEMO_COMPOUND, "和谐家园"]
    (a, _), (b, _) = logins.compounds
    await _compound_a(gql, runtime, logins, str(a), runtime.clock())
    await _compound_b(gql, runtime, logins, str(b))
    await _assessment(gql, runtime, logins, str(a), str(b))
    await _board(gql, runtime, logins, str(a))
    await _complaints(gql, runtime, logins, str(a))
    # the supervisors log in to compound A only
    sup = await staff_token(runtime, SUPERVISOR, None)
    mine = (await _data(gql, COMMUNITIES, sup))["myCommunities"]
    assert [c["name"] for c in mine] == [demo.DEMO_COMPOUND]


async def _board(gql: Gql, runtime: Runtime, logins: demo.Logins, a: str) -> None:
    """Compound A's notice board (issue #15 part 2): the automatic postings of its history, an
    announcement with a PDF and a picture, a finance statement with an objection answered, and
    the maintenance fund's ledger and statement."""
    owner = await staff_token(runtime, next(x.phone for x in logins if x.note == "one unit"), None)
    nodes = (await _data(gql, BOARD, owner, c=a))["notices"]["nodes"]
    kinds = {n["kind"] for n in nodes}
    assert {"ANNOUNCEMENT", "FINANCE", "FUND", "ELECTION_RESULT", "CANDIDATES", "DECISION"} <= kinds
    assert {n["source"] for n in nodes} >= {"manual", "election", "vetting", "document", "fund"}
    files = [f for n in nodes for f in n["attachments"]]
    assert sorted(f["mediaType"] for f in files) == ["application/pdf", "image/png"]
    got = await gql.client.get(files[0]["url"], headers={"authorization": f"Bearer {owner}"})
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")
    objections = [o for n in nodes for o in n["objections"]]
    assert objections == []  # an owner sees only their own
    committee = await staff_token(runtime, COMMITTEE, None)
    staff = (await _data(gql, BOARD, committee, c=a))["notices"]["nodes"]
    answered = [o for n in staff for o in n["objections"]]
    assert len(answered) == 1 and answered[0]["answer"]
    ledger = (await _data(gql, FUND, owner, c=a))["fundLedger"]
    assert ledger["closingFen"] == str(128_640_000 + 1_234_567 - 480_000)
    assert [e["direction"] for e in ledger["entries"]] == ["INCOME", "INCOME", "SPENDING"]
