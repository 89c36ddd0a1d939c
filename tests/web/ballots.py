"""Steps the election browser tests share: cast a ballot through the page, and the same
through the API (for the ballots a test only needs counted)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.demo import PASSWORD
from tests.support.layout import SIZES, check_layout

ELECTION = """query($e: ID!) { election(id: $e) {
  questions { id kind seats candidates { id name } } } }"""
CAST = """mutation($i: CastBallotInput!) { castBallot(input: $i) { __typename
  ... on BallotCast { receipt { trackingCode counted } } ... on Problem { code message } } }"""
ENTER = """mutation($i: PaperBallotInput!) { enterPaperBallot(input: $i) { __typename
  ... on PaperEntered { entryId } ... on Problem { code message } } }"""
CONFIRM = """mutation($i: ConfirmPaperInput!) { confirmPaperBallot(input: $i) { __typename
  ... on BallotCast { receipt { counted } } ... on Problem { code message } } }"""
ELECTORS = """query($e: ID!, $b: String) { electors(electionId: $e, building: $b, first: 100) {
  nodes { id label } } }"""


def vote_in_page(
    page: Any, election_id: str, code: str, *, candidates: list[str], answer: str
) -> str:
    """On the open election page: tick the candidates, press the answer, type the code,
    review, cast; return the tracking code of the receipt. Where the owner has voted already,
    the page says so first and "修改投票" opens the ballot again."""
    page.goto(f"/#/election/{election_id}")
    ballot = page.locator("form.ballot")
    voted = page.locator("section.voted")
    expect(ballot.or_(voted)).to_be_visible()
    if voted.is_visible():
        voted.get_by_role("button", name=re.compile("^(修改投票|Change my vote)$")).click()
    expect(ballot).to_be_visible()
    for name in candidates:
        ballot.get_by_label(name, exact=True).check()
    ballot.get_by_role("button", name=answer, exact=True).click()
    ballot.get_by_label(re.compile("^(表决码|Voting code)$")).fill(code)
    ballot.get_by_role("button", name=re.compile("下一步：核对选择|Next: check my choices")).click()
    page.get_by_role("button", name=re.compile("^(确认投票|Cast my vote)$")).click()
    receipt = page.locator("section.receipt")
    expect(receipt).to_be_visible()
    return str(receipt.locator(".tracking").inner_text()).strip()


def questions(demo: Any, election_id: str, login: Any) -> list[dict[str, Any]]:
    data = demo.gql(ELECTION, {"e": election_id}, phone=login.phone, password=PASSWORD)
    return list(data["election"]["questions"])


def answers(qs: list[dict[str, Any]], picks: int, answer: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for q in qs:
        if q["kind"] == "COMMITTEE":
            out.append(
                {"questionId": q["id"], "candidateIds": [c["id"] for c in q["candidates"][:picks]]}
            )
        else:
            out.append({"questionId": q["id"], "answer": answer})
    return out


def cast_by_api(demo: Any, election_id: str, phone: str, answer: str = "yes") -> str:
    """An owner casts with their printed code outside the browser; → tracking code."""
    owner = next(x for x in demo.logins if x.role == "owner" and x.phone == phone)
    elector, code = demo.voting_code(phone)
    qs = questions(demo, election_id, owner)
    data = demo.gql(
        CAST,
        {
            "i": {
                "electionId": election_id,
                "electorId": elector,
                "code": code,
                "answers": answers(qs, 3, answer),
            }
        },
        phone=phone,
        password=PASSWORD,
    )
    assert data["castBallot"]["__typename"] == "BallotCast", data
    return str(data["castBallot"]["receipt"]["trackingCode"])


def shoot(page: Any, shots: Path, name: str) -> None:
    """Check the layout and save a screenshot at both sizes (tests/support/layout.py SIZES)
    into ``shots``, ending at the size the page had."""
    first = page.viewport_size
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)  # one layout pass after the resize
        check_layout(page, width)
        page.screenshot(path=shots / f"{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size(first)


def paper_ballots(demo: Any, election_id: str, building: str, n: int, answer: str) -> int:
    """Two supervisors enter and confirm `n` paper ballots of one building; → how many."""
    first, second = [x for x in demo.logins if x.role == "supervisor"][:2]
    qs = questions(demo, election_id, first)
    owners = {x.phone for x in demo.logins if x.role == "owner"}
    assert owners  # the demo owners vote online; their electors are left alone here
    demo_labels = {x.note.split(": ", 1)[1] for x in demo.logins if x.role == "votingcode"}
    electors = demo.gql(
        ELECTORS, {"e": election_id, "b": building}, phone=first.phone, password=PASSWORD
    )["electors"]["nodes"]
    done = 0
    for e in electors:
        if done == n:
            break
        if e["label"] in demo_labels:
            continue
        mine = answers(qs, 2 + done % 3, answer)
        entered = demo.gql(
            ENTER,
            {"i": {"electionId": election_id, "electorId": e["id"], "answers": mine}},
            phone=first.phone,
            password=PASSWORD,
        )["enterPaperBallot"]
        assert entered["__typename"] == "PaperEntered", entered
        confirmed = demo.gql(
            CONFIRM,
            {"i": {"entryId": entered["entryId"], "answers": mine}},
            phone=second.phone,
            password=PASSWORD,
        )["confirmPaperBallot"]
        assert confirmed["__typename"] == "BallotCast", confirmed
        done += 1
    assert done == n
    return done
