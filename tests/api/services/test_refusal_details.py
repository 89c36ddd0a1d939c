"""A refusal says what would be accepted (issue #12, item 17): its facts (``AppError.extra``) reach
the client as ``Problem.facts`` or a query error's ``extensions.facts``, and the message in each
language states them: the notice period and the earliest opening, when an open vote closes, that
two supervisors must sign before publishing, and which characters a voting code never holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.runtime import Runtime
from api.services import proposals
from api.services.voting_messages import MESSAGES, app_error
from schema.base import QueryError
from schema.contract.errors import AppError, china_time
from schema.problem import Problem
from tests.conftest import Gql
from tests.support.documents import SIGN
from tests.support.elections import (
    CLOSES,
    SIGN_OFF,
    T0,
    create_election,
    open_election,
    resolution_spec,
    use_clock,
)
from tests.support.world import World
from voting.errors import ErrorCode, VotingError
from voting.rules import CHINA_TZ

FACTS = "... on Problem { code message field facts { name value } }"
TRANSITION = """mutation($e: ID!) { %s(electionId: $e) { __typename
  ... on ElectionSaved { election { id state resultDigest rollFingerprint ledgerHead } } """
CAST = """mutation($i: CastBallotInput!) { castBallot(input: $i) { __typename """


def _doc(head: str) -> str:
    return f"{head} {FACTS} }} }}"


async def _both(gql: Gql, doc: str, variables: dict[str, Any], token: str, field: str) -> Any:
    """The refusal in Chinese and in English (the facts are the same in both)."""
    zh = (await gql(doc, variables, token=token, lang="zh"))["data"][field]
    en = (await gql(doc, variables, token=token, lang="en"))["data"][field]
    assert zh["__typename"] == en["__typename"] == "Problem", (zh, en)
    assert zh["code"] == en["code"] and zh["facts"] == en["facts"]
    return zh, en, {f["name"]: f["value"] for f in zh["facts"]}


async def test_notice_too_short_says_the_days_required_and_the_earliest_opening(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)  # 1 December, 09:00 China time
    committee = world.tokens["committee"]
    earliest = datetime(2026, 12, 17, 0, 0, tzinfo=CHINA_TZ)
    spec = resolution_spec(opens=earliest - timedelta(minutes=1), closes=earliest + timedelta(3))
    eid = await create_election(gql, world.a, committee, spec)
    announce = _doc(TRANSITION % "announceElection")
    zh, en, facts = await _both(gql, announce, {"e": eid}, committee, "announceElection")
    assert zh["code"] == "NOTICE_TOO_SHORT"
    assert facts["requiredDays"] == "15"
    assert datetime.fromisoformat(facts["earliestOpen"]) == earliest
    # dates as each language writes them, never ISO inside a sentence (issue #14 item 8)
    assert "15 天" in zh["message"] and "2026年12月17日 00:00" in zh["message"], zh
    assert "15 full days" in en["message"] and "17 December 2026, 00:00 (UTC+8)" in en["message"]


async def test_closing_early_says_the_vote_is_open_and_when_it_closes(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee = world.tokens["committee"]
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    close = _doc(TRANSITION % "closeElection")
    zh, en, facts = await _both(gql, close, {"e": e.id}, committee, "closeElection")
    assert zh["code"] == "TOO_EARLY"  # the stable code is unchanged; the words were wrong
    assert datetime.fromisoformat(facts["closesAt"]) == CLOSES
    assert "尚未开始" not in zh["message"] and "has not opened" not in en["message"]
    assert "正在进行" in zh["message"] and china_time(CLOSES, "zh") in zh["message"], zh
    assert "open until" in en["message"] and china_time(CLOSES, "en") in en["message"], en


async def test_publishing_before_sign_off_says_two_supervisors_must_sign(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, supervisor = world.tokens["committee"], world.tokens["supervisor"]
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    clock.now = CLOSES
    closed = (await gql(_doc(TRANSITION % "closeElection"), {"e": e.id}, token=committee))["data"]
    election = closed["closeElection"]["election"]
    publish = _doc(TRANSITION % "publishElection")
    zh, en, facts = await _both(gql, publish, {"e": e.id}, committee, "publishElection")
    assert zh["code"] == "NOT_ENOUGH_SIGNOFFS"
    assert facts == {"required": "2", "supervisors": "0"}
    assert "至少 2 位监票人" in zh["message"] and "目前已有 0 位" in zh["message"], zh
    assert "at least 2 supervisors must sign" in en["message"], en
    signed = {
        "electionId": e.id,
        "resultDigest": election["resultDigest"],
        "rollFingerprint": election["rollFingerprint"],
        "ledgerHead": election["ledgerHead"],
    }
    one = await gql(SIGN_OFF, {"i": signed}, token=supervisor)
    assert one["data"]["signOffElection"]["election"]["state"] == "CLOSED"
    zh, en, facts = await _both(gql, publish, {"e": e.id}, committee, "publishElection")
    assert facts == {"required": "2", "supervisors": "1"}
    assert "目前已有 1 位" in zh["message"] and "1 signed so far" in en["message"]


async def test_a_malformed_voting_code_names_the_characters_codes_never_hold(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    typed = e.code("张三")[:-2] + "O1"  # a letter O and a digit one: both look-alikes
    cast = {"i": {"electionId": e.id, "code": typed, "answers": e_answers(e)}}
    zh, en, facts = await _both(gql, _doc(CAST), cast, owner, "castBallot")
    assert zh["code"] == "MALFORMED_CODE" and zh["field"] == "code"
    assert facts["never"] == "0,1,I,L,O" and facts["found"] == "O,1"
    assert "0、1、I、L、O" in zh["message"] and "“O、1”" in zh["message"], zh
    assert "never contains O, 1" in en["message"] and "0, 1, I, L, O" in en["message"], en
    short = {"i": {"electionId": e.id, "code": "ABCD-EFGH", "answers": e_answers(e)}}
    zh, en, facts = await _both(gql, _doc(CAST), short, owner, "castBallot")
    assert facts["expected"] == "12" and facts["length"] == "8"
    assert "12 位" in zh["message"] and "you typed 8" in en["message"]


def e_answers(e: Any) -> list[dict[str, str]]:
    return [{"questionId": e.q, "answer": "yes"}]


# --- every fact reaches the client ------------------------------------------------------------

NAMES = st.from_regex(r"[a-z][A-Za-z0-9]{0,15}", fullmatch=True)
VALUES = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
EXTRAS = st.dictionaries(NAMES, VALUES, max_size=6)


@given(extra=EXTRAS, lang=st.sampled_from(["zh", "en"]), field=st.none() | NAMES)
def test_every_fact_of_an_app_error_reaches_the_problem_and_the_query_error(
    extra: dict[str, str], lang: str, field: str | None
) -> None:
    error = AppError("SOME_CODE", "中文", "english", field=field, extra=dict(extra))
    problem = Problem.of(error, lang)
    assert {f.name: f.value for f in problem.facts} == extra
    assert [f.name for f in problem.facts] == sorted(extra)
    query = QueryError(error, lang)
    assert query.extensions.get("facts", {}) == extra
    assert query.extensions["code"] == "SOME_CODE"


# the names the core uses (so that the specific messages are tried with any value) and others
KNOWN = ["closes_at", "opens_at", "required_days", "earliest_open", "what", "published"]
KNOWN += ["supervisors", "required", "found", "never", "expected", "length", "reason", "state"]
SNAKE = st.sampled_from(KNOWN) | st.from_regex(r"[a-z]{1,8}(_[a-z]{1,8}){0,2}", fullmatch=True)
WHAT = st.sampled_from(["meeting", "candidates", "false"])
FACT_VALUES = st.one_of(
    WHAT,
    st.datetimes(timezones=st.just(CHINA_TZ)).map(datetime.isoformat),
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.tuples(st.text(max_size=4)),
)


@given(code=st.sampled_from(list(ErrorCode)), facts=st.dictionaries(SNAKE, FACT_VALUES, max_size=8))
def test_every_fact_of_the_voting_core_becomes_a_fact_of_the_refusal(
    code: ErrorCode, facts: dict[str, Any]
) -> None:
    """Whatever facts the core attaches, each is carried (under its camelCase name) and the
    message is one of the code's, never a template with a hole or a crash."""
    error = app_error(VotingError(code, **facts))
    camel = {name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:]) for name in facts}
    assert camel <= error.extra.keys()
    assert error.code == code.value and error.zh and error.en
    assert (error.zh, error.en) == MESSAGES[code] or "{" not in error.zh + error.en


def test_a_fact_may_bear_the_name_of_a_parameter() -> None:
    """Facts named like the parameters of the error and of the refusal: Hypothesis found that a
    core fact called ``en`` crashed the refusal (``AppError.of() got multiple values``)."""
    facts = {"en": "x", "zh": "y", "code": "z", "field": "w", "cls": "v", "detail": "u"}
    error = app_error(VotingError(ErrorCode.INVALID_UNIT, **facts), field="unit")
    assert error.code == "INVALID_UNIT" and error.field == "unit"
    assert error.extra == facts
    assert (error.zh, error.en) == MESSAGES[ErrorCode.INVALID_UNIT]


async def test_a_refusals_facts_reach_the_client_over_graphql(
    gql: Gql, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a query (extensions.facts) and a mutation (Problem.facts), values with braces,
    quotes and Chinese text arrive unchanged."""
    extra = {"earliest": T0.isoformat(), "braces": "{x} {", "quote": '"', "name": "张三"}

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AppError("PROBE", "拒绝", "refused", field="proposalId", extra=dict(extra))

    monkeypatch.setattr(proposals, "get", refuse)
    token = world.tokens["owner"]
    query = "query($id: ID!) { proposal(id: $id) { summary { id } } }"
    for lang in ("zh", "en"):
        read = await gql(query, {"id": "1"}, token=token, lang=lang, expect_errors=True)
        assert read["errors"][0]["extensions"] == {
            "code": "PROBE",
            "field": "proposalId",
            "facts": extra,
        }
        wrote = (await gql(SIGN, {"input": {"proposalId": "1"}}, token=token, lang=lang))["data"]
        problem = wrote["signProposal"]
        assert problem["code"] == "PROBE"
    signed = await gql(
        f"mutation($input: ProposalActionInput!) {{ signProposal(input: $input) {{ {FACTS} }} }}",
        {"input": {"proposalId": "1"}},
        token=token,
    )
    assert {f["name"]: f["value"] for f in signed["data"]["signProposal"]["facts"]} == extra


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [("preparatory", "筹备组", "preparatory group"), ("stand_in", "物管会", "物管会")],
)
def test_a_running_body_without_a_district_member_says_so(kind: str, zh: str, en: str) -> None:
    """An owners-only preparatory group or 物管会 is refused naming what is missing: a community
    or party representative (the district chairs the group and leads the 物管会)."""
    error = app_error(
        VotingError(
            ErrorCode.INVALID_BODY,
            body=kind,
            members=3,
            owners=3,
            min_members=3,
            district_members=0,
        ),
        field="members",
    )
    assert error.code == "INVALID_BODY" and error.field == "members"
    assert zh in error.zh and "社区代表或党组织代表" in error.zh
    assert en in error.en and "community or party representative" in error.en
