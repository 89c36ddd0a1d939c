"""A district run from nothing, over GraphQL only: the documents of the organisation steps
(districts, officials, compounds, rolls, letters, roles, terms) and :class:`Sessions`, the
people of the story logging in with their own phone and password as the clock moves — for
tests/e2e/test_district_lifecycle.py and any test that starts from ``gongzhi create-admin``.

Every call goes through :func:`done`, which asserts the operation succeeded (its typename) and
returns its payload, so a step that is refused stops the story with the server's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.support.app import Gql
from tests.support.elections import Clock

PROBLEM = "... on Problem { code message field }"
LOGIN = f"""mutation($i: LoginInput!) {{ login(input: $i) {{ __typename
  ... on LoginSuccess {{ token me {{ displayName roles {{ role communityId districtId }} }} }}
  {PROBLEM} }} }}"""
ACTIVATE = f"""mutation($i: ActivateInput!) {{ activateAccount(input: $i) {{ __typename
  ... on LoginSuccess {{ token me {{ displayName roles {{ role communityId districtId }} }} }}
  {PROBLEM} }} }}"""
CREATE_DISTRICT = f"""mutation($i: CreateDistrictInput!) {{ createDistrict(input: $i) {{
  __typename ... on DistrictCreated {{ district {{ id name code }} }} {PROBLEM} }} }}"""
GRANT_FIELDS = """id role holder communityId districtId grantedAt grantedBy reason endsAt
  revokedAt revokedBy revokeReason held"""
APPOINT_OFFICIAL = f"""mutation($i: AppointOfficialInput!) {{ appointOfficial(input: $i) {{
  __typename ... on OfficialAppointed {{ activationCode grant {{ {GRANT_FIELDS} }} }}
  {PROBLEM} }} }}"""
CREATE_COMMUNITY = f"""mutation($i: CreateCommunityInput!) {{ createCommunity(input: $i) {{
  __typename ... on CommunityCreated {{ community {{ id name }} }} {PROBLEM} }} }}"""
IMPORT_ROLL = f"""mutation($i: ImportRollInput!) {{ importRoll(input: $i) {{ __typename
  ... on RollImported {{ applied units added removed summary withoutPhone {{ name }} }}
  {PROBLEM} }} }}"""
ISSUE_LETTERS = f"""mutation($i: IssueActivationCodesInput!) {{ issueActivationCodes(input: $i) {{
  __typename ... on ActivationCodesIssued {{ letters {{ personId name units code }} }}
  {PROBLEM} }} }}"""
APPOINT_GROUP = f"""mutation($i: AppointRunningBodyInput!) {{ appointPreparatoryGroup(input: $i) {{
  __typename ... on RunningBodyAppointed {{ body {{ id kind state endsAt reason appointedBy
    members {{ name kind role held personId }} }} letters {{ name phone activationCode }} }}
  {PROBLEM} }} }}"""
BODIES = """query($c: ID!) { runningBodies(communityId: $c) { id kind state endsAt dissolvedAt
  dissolveReason members { name kind held revokedAt revokeReason } } }"""
ROLES = f"""query($c: ID!, $all: Boolean!) {{ communityRoles(communityId: $c, includeEnded: $all)
  {{ {GRANT_FIELDS} }} }}"""
DISTRICT_ROLES = f"""query($d: ID) {{ districtRoles(districtId: $d) {{ {GRANT_FIELDS} }} }}"""
TERMS = """query($c: ID!) { committeeTerms(communityId: $c) { id committee electionId seatCount
  startsAt endsAt inOffice vacancies seats { personId name kind position startedAt endedAt } } }"""
PROPOSE_SUPERVISORS = f"""mutation($i: ProposeSupervisorsInput!) {{ proposeSupervisors(input: $i)
  {{ __typename ... on SupervisorsProposed {{ supervisors {{ id name proposedBy confirmedBy }} }}
  {PROBLEM} }} }}"""
CONFIRM_SUPERVISOR = f"""mutation($p: ID!) {{ confirmSupervisor(proposalId: $p) {{ __typename
  ... on SupervisorConfirmed {{ supervisor {{ id name confirmedBy confirmedAt }} }}
  {PROBLEM} }} }}"""
ELECTION = """query($e: ID!) { election(id: $e) { id state resultDigest rollFingerprint
  ledgerHead questions { id candidates { id name personId } }
  tally { ballots participatingHeads participationMet } result { digest data }
  signoffs { supervisorId } } }"""


def done(body: dict[str, Any], typename: str) -> dict[str, Any]:
    """The one operation's payload, asserted to be ``typename`` (not a Problem)."""
    assert not body.get("errors"), body["errors"]
    [payload] = body["data"].values()
    assert payload["__typename"] == typename, payload
    return payload  # type: ignore[no-any-return]


def refused(body: dict[str, Any]) -> str:
    """The code of the one operation's Problem."""
    [payload] = body["data"].values()
    assert payload["__typename"] == "Problem", payload
    return str(payload["code"])


@dataclass
class Sessions:
    """Everyone's own session, by phone: activated from a letter or logged in with the password,
    and logged in again once a session is a week old on the test's clock (sessions last two
    weeks), as a person coming back to the site would. Cookies are dropped after each sign-in:
    every call carries its own bearer token, so no one acts with another's cookie."""

    gql: Gql
    clock: Clock
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    def _keep(self, phone: str, password: str, success: dict[str, Any]) -> dict[str, Any]:
        self.passwords[phone] = password
        self.tokens[phone] = (success["token"], self.clock.now)
        self.gql.client.cookies.clear()
        return success

    async def activate(self, phone: str, code: str, password: str) -> dict[str, Any]:
        i = {"phone": phone, "code": code, "password": password, "bearer": True}
        success = done(await self.gql(ACTIVATE, {"i": i}), "LoginSuccess")
        return self._keep(phone, password, success)

    async def login(self, phone: str, password: str) -> dict[str, Any]:
        i = {"phone": phone, "password": password, "bearer": True}
        success = done(await self.gql(LOGIN, {"i": i}), "LoginSuccess")
        return self._keep(phone, password, success)

    async def token(self, phone: str) -> str:
        held = self.tokens.get(phone)
        if held is None or self.clock.now - held[1] >= timedelta(days=7):
            await self.login(phone, self.passwords[phone])
        return self.tokens[phone][0]

    async def call(
        self, phone: str, document: str, variables: dict[str, Any], typename: str
    ) -> dict[str, Any]:
        """``document`` as the person with ``phone``, asserted to answer ``typename``."""
        body = await self.gql(document, variables, token=await self.token(phone))
        return done(body, typename)

    async def query(self, phone: str, document: str, variables: dict[str, Any]) -> Any:
        body = await self.gql(document, variables, token=await self.token(phone))
        [value] = body["data"].values()
        return value
