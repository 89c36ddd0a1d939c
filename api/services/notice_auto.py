"""What the notice board posts by itself, in the transaction of the act it reports (issue #15
part 2, docs/design.md §3.11), so that a result, a list or an adoption is never public without
its notice nor its notice without it:

* a published election's result (api/services/elections.py ``publish``): kind
  ``election_result``, at least 15 days or the compound's ``result_publicity_days``;
* a vetted candidate list publicised (api/services/vetting.py ``publish``): kind
  ``candidates``, at least 7 days or the compound's ``candidate_publicity_days``;
* a rules version adopted by the owners' vote (api/services/documents.py ``mark_adopted``):
  kind ``decision``, 15 days.

The text is plain and made from the stored record (titles, the passed/failed line per
resolution, the elected by name); a drill's notice carries the drill mark in its title.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.notices import BODY_MAX, TITLE_MAX, post_notice
from api.store.models import (
    Candidate,
    Community,
    Document,
    DocumentVersion,
    Election,
    Notice,
    Question,
)
from voting.rules import DRILL_MARK_ZH

COMMITTEES = {"owners_committee": "业主委员会", "supervisory_committee": "业主监督委员会"}


def _drill(title: str, drill: bool) -> str:
    """The title, marked for a drill, cut to fit (an automatic posting must never fail the act
    it reports over a title's length)."""
    title = f"【{DRILL_MARK_ZH}】{title}" if drill else title
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _body(lines: Sequence[str]) -> str:
    text = "\n".join(lines)
    return text if len(text) <= BODY_MAX else text[: BODY_MAX - 1] + "…"


async def election_result(
    session: AsyncSession,
    *,
    community: Community,
    election: Election,
    actor: int | None,
    now: datetime,
) -> Notice:
    questions = {
        str(q.id): q
        for q in (
            await session.execute(select(Question).where(Question.election_id == election.id))
        ).scalars()
    }
    names = {
        str(c.person_id): c.name
        for c in (
            await session.execute(select(Candidate).where(Candidate.election_id == election.id))
        ).scalars()
    }
    result = json.loads(election.result_json or "{}").get("result", {})
    lines = [f"《{election.title}》的表决结果已经监票人签署并公布。"]
    for i, q in enumerate(result.get("questions", []), start=1):
        question = questions.get(str(q.get("question_id")))
        title = question.title if question else str(q.get("question_id"))
        if "winners" in q:
            elected = "、".join(names.get(str(w), str(w)) for w in q["winners"]) or "无"
            line = f"{i}. {title}：当选 {elected}"
            if q.get("vacancies"):
                line += f"；空缺 {q['vacancies']} 席"
        else:
            line = f"{i}. {title}：{'通过' if q.get('passed') else '未通过'}"
        lines.append(line)
    lines.append("对结果有异议的业主可在公示期内提出。")
    return await post_notice(
        session,
        community=community,
        kind="election_result",
        title=_drill(f"表决结果公示：{election.title}", election.drill),
        body=_body(lines),
        now=now,
        actor=actor,
        source="election",
        source_id=election.id,
    )


async def candidate_list(
    session: AsyncSession,
    *,
    community: Community,
    forum_id: int,
    candidates: Sequence[tuple[str, str]],
    actor: int | None,
    now: datetime,
) -> Notice:
    """``candidates``: (committee, name) of everyone who passed 两考 and stands."""
    lines = ["以下候选人已通过资格审查（两考），现予公示："]
    for committee, label in COMMITTEES.items():
        who = [name for c, name in candidates if c == committee]
        if who:
            lines.append(f"{label}：{'、'.join(who)}")
    lines.append("对候选人有异议的业主可在公示期内提出，异议及答复均予记录。")
    return await post_notice(
        session,
        community=community,
        kind="candidates",
        title=_drill("候选人名单公示", community.drill),
        body=_body(lines),
        now=now,
        actor=actor,
        source="vetting",
        source_id=forum_id,
    )


async def rules_adopted(
    session: AsyncSession,
    *,
    community_id: int,
    version: DocumentVersion,
    actor: int | None,
    now: datetime,
) -> Notice:
    community = await session.get(Community, community_id)
    document = await session.get(Document, version.document_id)
    assert community is not None and document is not None
    body = (
        f"《{document.title}》第 {version.number} 版经业主大会表决通过（表决 #"
        f"{version.adopted_by_election_id}），自公布之日起生效。\n"
        f"文本指纹（SHA-256）：{version.content_hash}"
    )
    return await post_notice(
        session,
        community=community,
        kind="decision",
        title=_drill(
            f"业主大会决定：《{document.title}》第 {version.number} 版生效", community.drill
        ),
        body=body,
        now=now,
        actor=actor,
        source="document",
        source_id=version.id,
    )
