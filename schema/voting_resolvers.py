"""The election fields of Query and Mutation: each parses its arguments, asks the request's
voting services (``info.context.voting``) and wraps the answer in its GraphQL type.
"""

from __future__ import annotations

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id
from schema.voting import Election
from schema.voting_inputs import (
    BallotCast,
    BallotReceipt,
    CastBallotInput,
    CastResult,
    ChallengeResult,
    ConfirmPaperInput,
    ElectionInput,
    ElectionResultUnion,
    ElectionSaved,
    LateLinkChallenged,
    NoticesResult,
    PaperBallotInput,
    PaperEntered,
    PaperEnterResult,
    ProxyInput,
    ProxyResult,
    ProxySaved,
    SignOffInput,
    VotingNotices,
    answers_in,
    aware,
    election_in,
)
from schema.voting_records import (
    BallotStatus,
    ElectorConnection,
    ElectorEntry,
    Proxy,
    TrackingCodes,
    VerifyReport,
    VotingNotice,
)


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class VotingQuery:
    @strawberry.field
    async def election(self, info: Info, id: strawberry.ID) -> Election:
        return Election(row=await fetch(info, lambda: info.context.voting.election(parse_id(id))))

    @strawberry.field(description="A compound's elections, newest first.")
    async def elections(self, info: Info, community_id: strawberry.ID) -> list[Election]:
        rows = await fetch(
            info, lambda: info.context.voting.elections(parse_id(community_id, "communityId"))
        )
        return [Election(row=r) for r in rows]

    @strawberry.field(
        description="Every recorded ballot's tracking code (counted or superseded), in code order."
    )
    async def tracking_codes(
        self,
        info: Info,
        election_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> TrackingCodes:
        async def run() -> TrackingCodes:
            page = await info.context.voting.tracking_codes(
                parse_id(election_id, "electionId"), first=page_size(info, first), after=after
            )
            return TrackingCodes(
                nodes=list(page.items),
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)

    @strawberry.field(
        description="Is the ballot with this tracking code recorded? Only its elector, logged "
        "in, learns whether it still counts or was superseded; anyone else gets RECORDED."
    )
    async def ballot_status(
        self, info: Info, election_id: strawberry.ID, tracking_code: str
    ) -> BallotStatus:
        status = await fetch(
            info,
            lambda: info.context.voting.ballot_status(
                parse_id(election_id, "electionId"), tracking_code
            ),
        )
        return BallotStatus(status)

    @strawberry.field(
        description="Recompute the ledger, roll fingerprint and result (supervisors)."
    )
    async def verify_election(self, info: Info, election_id: strawberry.ID) -> VerifyReport:
        view = await fetch(
            info, lambda: info.context.voting.verify(parse_id(election_id, "electionId"))
        )
        return VerifyReport.of(view)

    @strawberry.field(description="The frozen roll's electors (supervisors and the committee).")
    async def electors(
        self,
        info: Info,
        election_id: strawberry.ID,
        building: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ElectorConnection:
        async def run() -> ElectorConnection:
            page = await info.context.voting.electors(
                parse_id(election_id, "electionId"),
                building=building,
                first=page_size(info, first),
                after=after,
            )
            return ElectorConnection(
                nodes=[ElectorEntry(row=r) for r in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)

    @strawberry.field
    async def proxies(self, info: Info, election_id: strawberry.ID) -> list[Proxy]:
        rows = await fetch(
            info, lambda: info.context.voting.proxies(parse_id(election_id, "electionId"))
        )
        return [Proxy(row=r) for r in rows]


async def _transition(info: Info, election_id: strawberry.ID, action: str) -> ElectionResultUnion:
    async def run() -> ElectionSaved:
        row = await info.context.voting.transition(parse_id(election_id, "electionId"), action)
        return ElectionSaved(election=Election(row=row))

    return await attempt(info, run)


@strawberry.type
class VotingMutation:
    @strawberry.mutation(description="Define a draft election (committee, preparatory group).")
    async def create_election(
        self, info: Info, community_id: strawberry.ID, input: ElectionInput
    ) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            aware(input.opens_at, "opensAt")
            aware(input.closes_at, "closesAt")
            row = await info.context.voting.create(
                parse_id(community_id, "communityId"), election_in(input)
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Replace a draft election's definition.")
    async def update_election(
        self, info: Info, election_id: strawberry.ID, input: ElectionInput
    ) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            aware(input.opens_at, "opensAt")
            aware(input.closes_at, "closesAt")
            row = await info.context.voting.update(
                parse_id(election_id, "electionId"), election_in(input)
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Announce: starts the notice period; candidates publicised.")
    async def announce_election(
        self, info: Info, election_id: strawberry.ID
    ) -> ElectionResultUnion:
        return await _transition(info, election_id, "announce")

    @strawberry.mutation(description="Open voting: freezes the roll and questions.")
    async def open_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "open")

    @strawberry.mutation(description="Close voting after closesAt and count.")
    async def close_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "close")

    @strawberry.mutation(description="Cancel an election that has not opened.")
    async def cancel_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "cancel")

    @strawberry.mutation(description="Publish a certified result to the owners.")
    async def publish_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "publish")

    @strawberry.mutation(description="A supervisor signs off the result; two certify it.")
    async def sign_off_election(self, info: Info, input: SignOffInput) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            row = await info.context.voting.sign_off(
                parse_id(input.election_id, "electionId"),
                result_digest=input.result_digest,
                roll_fingerprint=input.roll_fingerprint,
                ledger_head=input.ledger_head,
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Cast (or re-cast) a ballot with the voting code.")
    async def cast_ballot(self, info: Info, input: CastBallotInput) -> CastResult:
        async def run() -> BallotCast:
            receipt = await info.context.voting.cast(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId") if input.elector_id else None,
                code=input.code,
                answers=answers_in(input.answers),
            )
            return BallotCast(receipt=BallotReceipt(view=receipt))

        return await attempt(info, run)

    @strawberry.mutation(description="Record a written proxy authorisation.")
    async def record_proxy(self, info: Info, input: ProxyInput) -> ProxyResult:
        async def run() -> ProxySaved:
            row = await info.context.voting.record_proxy(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId"),
                holder_phone=input.holder_phone,
                holder_name=input.holder_name,
                paper_ref=input.paper_ref,
            )
            return ProxySaved(proxy=Proxy(row=row))

        return await attempt(info, run)

    @strawberry.mutation
    async def revoke_proxy(self, info: Info, proxy_id: strawberry.ID) -> ProxyResult:
        async def run() -> ProxySaved:
            row = await info.context.voting.revoke_proxy(parse_id(proxy_id, "proxyId"))
            return ProxySaved(proxy=Proxy(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="First supervisor enters a paper ballot against an elector.")
    async def enter_paper_ballot(self, info: Info, input: PaperBallotInput) -> PaperEnterResult:
        async def run() -> PaperEntered:
            entry = await info.context.voting.enter_paper(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId"),
                answers=answers_in(input.answers),
            )
            return PaperEntered(entry_id=_id(entry))

        return await attempt(info, run)

    @strawberry.mutation(description="A second supervisor re-enters the same paper to count it.")
    async def confirm_paper_ballot(self, info: Info, input: ConfirmPaperInput) -> CastResult:
        async def run() -> BallotCast:
            receipt = await info.context.voting.confirm_paper(
                parse_id(input.entry_id, "entryId"), answers=answers_in(input.answers)
            )
            return BallotCast(receipt=BallotReceipt(view=receipt))

        return await attempt(info, run)

    @strawberry.mutation(description="Voting-code notices to print, per building (logged).")
    async def print_voting_notices(
        self, info: Info, election_id: strawberry.ID, building: str | None = None
    ) -> NoticesResult:
        async def run() -> VotingNotices:
            election = parse_id(election_id, "electionId")
            rows = await info.context.voting.notices(election, building=building)
            lang = info.context.lang
            return VotingNotices(notices=[VotingNotice.of(election, n, lang) for n in rows])

        return await attempt(info, run)

    @strawberry.mutation(description="Replace a lost notice: the old code stops working.")
    async def reissue_voting_code(
        self, info: Info, election_id: strawberry.ID, elector_id: strawberry.ID
    ) -> NoticesResult:
        async def run() -> VotingNotices:
            election = parse_id(election_id, "electionId")
            row = await info.context.voting.reissue_code(
                election, elector_id=parse_id(elector_id, "electorId")
            )
            return VotingNotices(notices=[VotingNotice.of(election, row, info.context.lang)])

        return await attempt(info, run)

    @strawberry.mutation(
        description="A supervisor records an owner's in-person challenge of an account linked "
        "to their units after the vote opened: its online ballot is superseded and it is "
        "unlinked (docs/design.md §3.4)."
    )
    async def challenge_late_link(
        self, info: Info, election_id: strawberry.ID, elector_id: strawberry.ID
    ) -> ChallengeResult:
        async def run() -> LateLinkChallenged:
            done = await info.context.voting.challenge_late_link(
                parse_id(election_id, "electionId"),
                elector_id=parse_id(elector_id, "electorId"),
            )
            return LateLinkChallenged(voided=done.voided, unlinked=done.unlinked)

        return await attempt(info, run)
