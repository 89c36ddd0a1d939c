"""Shared pieces of the proposal, drafting and consultation tests: more owners with accounts, a
compound whose roll puts the 20%/20% line on exact boundaries, a controllable clock, and the
GraphQL operations the tests send.

Compound D (``ROLL_D``), 10 heads and 1,000.00 m², so the line is 2 heads AND 200.00 m²:
  钱一 100.00, 钱二 99.99, 钱三 100.00, 钱四 100.01            (one unit each)
  钱五 4 units x 100.00 = 400.00                                (several units: one head)
  钱六 .. 钱十 40.00 each
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from api.runtime import Runtime
from api.services.accounts import start_session
from api.services.roll import import_roll
from api.store.models import Account, Community, Person, RoleMembership
from tests.conftest import Gql
from tests.support.world import PASSWORD, World

ROLL_D = """楼栋,房号,楼层,专有面积,业主姓名,手机
1栋,101,1,100.00,钱一,13910000001
1栋,102,1,99.99,钱二,13910000002
1栋,103,1,100.00,钱三,13910000003
1栋,104,1,100.01,钱四,13910000004
1栋,105,1,100.00,钱五,13910000005
1栋,106,1,100.00,钱五,13910000005
1栋,107,1,100.00,钱五,13910000005
1栋,108,1,100.00,钱五,13910000005
2栋,109,1,40.00,钱六,13910000006
2栋,110,1,40.00,钱七,13910000007
2栋,111,1,40.00,钱八,13910000008
2栋,112,1,40.00,钱九,13910000009
2栋,113,1,40.00,钱十,13910000010
"""
D_OWNERS = {
    "钱一": "13910000001",
    "钱二": "13910000002",
    "钱三": "13910000003",
    "钱四": "13910000004",
    "钱五": "13910000005",
    "钱六": "13910000006",
}
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves; installed on the runtime the app serves with."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def install_clock(runtime: Runtime) -> Clock:
    clock = Clock()
    runtime.clock = clock
    return clock


async def add_compound(runtime: Runtime, world: World, roll: str, name: str) -> int:
    async with runtime.writer() as s:
        community = Community(district_id=world.district_1, name=name)
        s.add(community)
        await s.flush()
        await import_roll(
            session=s, community=community, data=roll.encode(), dry_run=False, actor=None
        )
        await s.commit()
        return community.id


async def account(runtime: Runtime, *, phone: str, name: str, role: str, community_id: int) -> str:
    """A logged-in account with ``role`` in the compound, linked to its roll entry by phone."""
    async with runtime.writer() as s:
        acc = Account(
            phone=phone, display_name=name, password_hash=await runtime.passwords.hash(PASSWORD)
        )
        s.add(acc)
        await s.flush()
        s.add(RoleMembership(account_id=acc.id, role=role, community_id=community_id))
        await s.execute(
            update(Person)
            .where(Person.phone == phone, Person.community_id == community_id)
            .values(account_id=acc.id)
        )
        token = await start_session(s, acc, now=datetime.now(UTC), days=1)
        await s.commit()
        return token


async def compound_d(runtime: Runtime, world: World) -> tuple[int, dict[str, str]]:
    """Compound D and a token for each of its first six owners, plus its committee."""
    cid = await add_compound(runtime, world, ROLL_D, "丁小区")
    tokens = {
        name: await account(runtime, phone=phone, name=name, role="owner", community_id=cid)
        for name, phone in D_OWNERS.items()
    }
    tokens["committee"] = await account(
        runtime, phone="13710000009", name="丁业委会", role="committee", community_id=cid
    )
    return cid, tokens


def problem(result: dict[str, Any], field: str) -> dict[str, Any]:
    """The Problem a mutation answered with (the test fails if it succeeded)."""
    value: dict[str, Any] = result["data"][field]
    assert value["__typename"] == "Problem", value
    return value


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    value: dict[str, Any] = result["data"][field]
    assert value["__typename"] != "Problem", value
    return value


# --- operations -----------------------------------------------------------------------------------

PROPOSAL_FIELDS = """
  summary { id title status authorName supportHeads supportArea supportAreaCenti
            signatureCount commentCount signedByMe mine category matterType qualifiedAt }
  body
  answer { kind text byName }
  decision { outcome text electionId }
  threshold { rollHeads rollArea headsNeeded areaNeeded areaNeededCenti }
"""
PROBLEM = "... on Problem { code message field details { code message line value } }"

CREATE_PROPOSAL = f"""mutation($input: CreateProposalInput!) {{
  createProposal(input: $input) {{ __typename ... on ProposalSaved {{ proposal {{ {PROPOSAL_FIELDS} }} }}
  {PROBLEM} }} }}"""


def proposal_action(name: str, input_type: str = "ProposalActionInput") -> str:
    payload = "ProposalSigned { electors " if name.endswith("signProposal") else "ProposalSaved {"
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ __typename
    ... on {payload} proposal {{ {PROPOSAL_FIELDS} }} }}
    {PROBLEM} }} }}"""


SUBMIT = proposal_action("submitProposal")
SIGN = proposal_action("signProposal")
UNSIGN = proposal_action("unsignProposal")
WITHDRAW = proposal_action("withdrawProposal", "WithdrawProposalInput")
UPDATE = proposal_action("updateProposal", "UpdateProposalInput")
ANSWER_PROPOSAL = proposal_action("answerProposal", "AnswerProposalInput")
DECIDE = proposal_action("decideProposal", "DecideProposalInput")

PROPOSAL = f"""query($id: ID!) {{ proposal(id: $id) {{ {PROPOSAL_FIELDS}
  history {{ fromStatus toStatus actorName reason }} }} }}"""

PROPOSALS = """query($c: ID!, $first: Int, $after: String, $status: ProposalStatus,
                     $search: String, $mine: Boolean) {
  proposals(communityId: $c, first: $first, after: $after, status: $status, search: $search,
            mine: $mine) {
    totalCount pageInfo { hasNextPage endCursor }
    threshold { rollHeads rollArea headsNeeded areaNeeded }
    nodes { id title status authorName supportHeads supportArea commentCount signedByMe excerpt }
  } }"""

VERSION_FIELDS = """id number status phase title opensAt closesAt contentHash inForce
  adoptedByElectionId preamble changeNote commentCount documentCommentCount unansweredCount
  document { id kind title latestVersionId inForceVersionId }
  clauses { id number label chapterNumber chapterTitle heading text commentCount }"""


def version_mutation(name: str, input_type: str) -> str:
    payload = (
        "DraftImported { kept added removed title markdown"
        if name == "importDraftText"
        else "VersionSaved {"
    )
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ __typename
    ... on {payload} version {{ {VERSION_FIELDS} }} }}
    {PROBLEM} }} }}"""


CREATE_DOCUMENT = version_mutation("createDocument", "CreateDocumentInput")
CREATE_DRAFT = version_mutation("createDraftVersion", "CreateDraftInput")
IMPORT_TEXT = version_mutation("importDraftText", "ImportDraftTextInput")
EDIT_CLAUSE = version_mutation("editClause", "EditClauseInput")
ADD_CLAUSE = version_mutation("addClause", "AddClauseInput")
REMOVE_CLAUSE = version_mutation("removeClause", "RemoveClauseInput")
PUBLISH = version_mutation("publishVersion", "PublishVersionInput")
VERSION = f"query($id: ID!) {{ documentVersion(id: $id) {{ {VERSION_FIELDS} }} }}"

COMMENT_FIELDS = """id proposalId versionId versionNumber clauseId parentId rootId authorName
  authorRole stance body proposedText hidden hiddenReason replyCount mine
  answer { outcome reason byName }"""


def comment_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ __typename ... on CommentSaved {{ comment {{ {COMMENT_FIELDS} }} }}
    {PROBLEM} }} }}"""


ADD_COMMENT = comment_mutation("addComment", "AddCommentInput")
REPLY = comment_mutation("replyToComment", "ReplyInput")
ANSWER_COMMENT = comment_mutation("answerComment", "AnswerCommentInput")
MODERATE = comment_mutation("moderateComment", "ModerateCommentInput")

CONSULTATION = f"""query($v: ID!, $clause: ID, $whole: Boolean, $earlier: Boolean, $first: Int,
                         $after: String) {{
  consultationComments(versionId: $v, clauseId: $clause, wholeDocument: $whole,
                       earlierVersions: $earlier, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    nodes {{ {COMMENT_FIELDS} replies {{ {COMMENT_FIELDS} }} }} }} }}"""

PROPOSAL_COMMENTS = f"""query($p: ID!, $first: Int, $after: String) {{
  proposalComments(proposalId: $p, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    nodes {{ {COMMENT_FIELDS} replies {{ {COMMENT_FIELDS} }} }} }} }}"""


async def create_proposal(
    gql: Gql,
    token: str,
    community_id: int,
    *,
    title: str = "加装电梯",
    submit: bool = True,
    body: str = "建议为 1 号楼加装电梯，费用按楼层分摊。",
    category: str = "设施",
) -> dict[str, Any]:
    r = await gql(
        CREATE_PROPOSAL,
        {
            "input": {
                "communityId": str(community_id),
                "title": title,
                "body": body,
                "category": category,
                "submit": submit,
            }
        },
        token=token,
    )
    return ok(r, "createProposal")["proposal"]  # type: ignore[no-any-return]


async def test_compound_d_draws_the_line_at_2_heads_and_200_m2(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, tokens = await compound_d(runtime, world)
    r = await gql(PROPOSALS, {"c": str(cid)}, token=tokens["钱一"])
    assert r["data"]["proposals"]["threshold"] == {
        "rollHeads": 10,
        "rollArea": "1000.00",
        "headsNeeded": 2,
        "areaNeeded": "200.00",
    }
