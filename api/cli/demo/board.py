"""Compound A's notice board (信息公开) and maintenance fund (issue #15 part 2), seeded through
the services in the last days before now: beside what the board posted by itself over the
compound's history (the candidate lists, the first election's result, the statute's adoption),
an announcement with a PDF and a picture attached, a finance statement with an owner's
objection and the committee's answer, and the fund's ledger (collection, interest, a repair
below the resolution threshold) with its statement posted as a 维修资金 notice.
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import attachment
from api.runtime import Runtime
from api.services import fund, notice_files, notices
from api.store.models import Community, Person
from schema.contract.notices import FundEntryIn
from voting.rules import CHINA_TZ

from .timeline import Timeline

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
HEATING = "2026—2027 年度供暖调试通知"
FINANCE = "2026 年度公共收益收支情况公示"


def _picture() -> bytes:
    image = Image.new("RGB", (480, 320), (236, 242, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(40, 80, 140), width=4)
    draw.line((60, 260, 200, 120, 300, 200, 420, 80), fill=(200, 60, 40), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def seed_board(
    session: AsyncSession,
    rt: Runtime,
    community: Community,
    tl: Timeline,
    *,
    committee: int,
    objector: Person,
) -> None:
    finance = await notices.post_notice(
        session,
        community=community,
        kind="finance",
        title=FINANCE,
        body="公共收益（广告位、停车位租金）收入 ¥186,400.00，支出 ¥52,300.00（绿化补种、"
        "监控维修），结余 ¥134,100.00 转入公共收益账户。明细可向业委会查阅。",
        now=tl.now - timedelta(days=4),
        actor=committee,
        publicity_days=15,
    )
    objection = await notices.object_to(
        session,
        finance,
        account_id=objector.account_id or 0,
        name=objector.name,
        body="广告位收入比去年少了三成，请说明原因。",
        now=tl.now - timedelta(days=3),
    )
    await notices.answer(
        session,
        objection,
        text="电梯广告合同今年 6 月到期后重新招租，空档两个月；新合同自 8 月起执行，单价不变。",
        actor=committee,
        now=tl.now - timedelta(days=2),
    )
    posted = await notices.post_notice(
        session,
        community=community,
        kind="announcement",
        title=HEATING,
        body="各位业主：供暖管网将于 11 月 10 日至 11 月 14 日调试，期间请勿关闭户内阀门。"
        "调试安排见附件，现场照片为换热站检修情况。",
        now=tl.now - timedelta(days=2),
        actor=committee,
        publicity_days=30,
    )
    files = [
        attachment.check("供暖调试安排.pdf", PDF, index=0),
        attachment.check("换热站检修.png", _picture(), index=1),
    ]
    notices.attach(session, posted, files, notice_files.write_all(rt.settings.var_dir, files))
    await _fund(session, rt, community, tl, committee=committee)


async def _fund(
    session: AsyncSession, rt: Runtime, community: Community, tl: Timeline, *, committee: int
) -> None:
    today = tl.now.astimezone(CHINA_TZ).date()
    entries = [
        FundEntryIn(
            "income",
            "首期维修资金归集（交付时按 ¥30/m² 缴存）",
            128_640_000,
            tl.seated.astimezone(CHINA_TZ).date(),
            None,
            "住建委专户到账通知",
        ),
        FundEntryIn(
            "income", "专户利息", 1_234_567, today - timedelta(days=40), None, "银行对账单"
        ),
        FundEntryIn(
            "spending",
            "更换 3 号楼单元门禁",
            480_000,
            today - timedelta(days=20),
            None,
            "业委会会议纪要〔2026〕7 号（限额以下）",
        ),
    ]
    for entry in entries:
        await fund.record(
            session,
            community=community,
            entry=entry,
            actor=committee,
            now=tl.now - timedelta(days=2),
            threshold_fen=rt.settings.fund_resolution_threshold_fen,
        )
    await fund.statement(
        session,
        community=community,
        from_on=today - timedelta(days=90),
        to_on=today - timedelta(days=1),
        publicity_days=15,
        actor=committee,
        now=tl.now - timedelta(days=1),
        threshold_fen=rt.settings.fund_resolution_threshold_fen,
    )
