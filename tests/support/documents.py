"""The GraphQL documents the tests and bench scripts send, in one place: sign-in and voting
(what a demo owner does), the live tally, proposals, rule documents and comments (with the
fields the drafting tests compare), and the drafting pages whose SQL cost is measured.

Mutations select ``__typename`` and the ``Problem`` fields, so one document serves the tests of
the success and of the refusal alike.
"""

from __future__ import annotations

# --- signing in and voting ------------------------------------------------------------------

LOGIN = """mutation Login($i: LoginInput!) { login(input: $i) { __typename
  ... on LoginSuccess { token } ... on Problem { code } } }"""
ACTIVATE = """mutation Activate($i: ActivateInput!) { activateAccount(input: $i) { __typename
  ... on LoginSuccess { token } ... on Problem { code } } }"""
QUESTIONS = """query($e: ID!) { election(id: $e) {
  questions { id kind seats candidates { id name } } } }"""
CAST = """mutation CastBallot($i: CastBallotInput!) { castBallot(input: $i) { __typename
  ... on BallotCast { receipt { trackingCode trackingHash counted } }
  ... on Problem { code message } } }"""

# --- the live tally -------------------------------------------------------------------------

TALLY_FIELDS = """step releasedBallots ballots participatingHeads participatingArea totalHeads
  totalArea participationMet questions { questionId counts { key heads area areaCenti } passing }
  ledgerSeq ledgerHead"""
SUBSCRIBE = f"""subscription($e: ID!) {{ electionTally(electionId: $e) {{
  electionId version state tally {{ {TALLY_FIELDS} }} buildingTurnout {{ building electors voted }}
}} }}"""
ELECTION_TALLY = f"""query($e: ID!) {{ election(id: $e) {{ state tally {{ {TALLY_FIELDS} }} }} }}"""

# --- proposals, rule documents and comments -------------------------------------------------

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


# --- the drafting pages (their SQL cost is measured) ---------------------------------------

PAGE = """query($c: ID!, $first: Int) { proposals(communityId: $c, first: $first) {
  totalCount pageInfo { hasNextPage endCursor } threshold { headsNeeded areaNeeded }
  nodes { id title status authorName supportHeads supportArea commentCount signedByMe } } }"""
VERSION_PAGE = """query($id: ID!) { documentVersion(id: $id) { number status phase
  clauses { id label heading text commentCount } } }"""
THREADS = """query($v: ID!, $first: Int) { consultationComments(versionId: $v, first: $first) {
  totalCount nodes { id body replies { id body } } } }"""
DOCUMENTS = """query($c: ID!) { ruleDocuments(communityId: $c) { id title
  versions { number status } } }"""
