"""The statutory thresholds and compound settings (Civil Code Art. 278, docs/design.md §2).

Why rationals as (num, den, strict): "more than half" and "at least three quarters" differ
exactly at the boundary, and a float 0.5 or 0.75 compared with a ratio of large integers is the
classic way to get that boundary wrong. Every comparison here is ``part * den`` against
``num * whole`` on Python integers, which never round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum

from voting.errors import ErrorCode, Fact, RuleError

CHINA_TZ = timezone(timedelta(hours=8), "CST")


class MatterType(IntEnum):
    """The matters of Civil Code Art. 278 §1, numbered as in the statute."""

    RULES_OF_PROCEDURE = 1
    MANAGEMENT_STATUTE = 2
    ELECT_COMMITTEE = 3
    PROPERTY_COMPANY = 4
    USE_MAINTENANCE_FUND = 5
    RAISE_MAINTENANCE_FUND = 6
    REBUILD = 7
    CHANGE_COMMON_USE = 8
    OTHER_MAJOR = 9

    @property
    def label(self) -> str:
        """The statutory wording in Chinese, for display."""
        return _LABELS[self]


_LABELS: dict[MatterType, str] = {
    MatterType.RULES_OF_PROCEDURE: "制定和修改业主大会议事规则",
    MatterType.MANAGEMENT_STATUTE: "制定和修改管理规约",
    MatterType.ELECT_COMMITTEE: "选举业主委员会或者更换业主委员会成员",
    MatterType.PROPERTY_COMPANY: "选聘和解聘物业服务企业或者其他管理人",
    MatterType.USE_MAINTENANCE_FUND: "使用建筑物及其附属设施的维修资金",
    MatterType.RAISE_MAINTENANCE_FUND: "筹集建筑物及其附属设施的维修资金",
    MatterType.REBUILD: "改建、重建建筑物及其附属设施",
    MatterType.CHANGE_COMMON_USE: "改变共有部分的用途或者利用共有部分从事经营活动",
    MatterType.OTHER_MAJOR: "有关共有和共同管理权利的其他重大事项",
}


@dataclass(frozen=True, slots=True)
class Threshold:
    """A ratio ``num/den``; ``strict`` means "more than", otherwise "at least".

    A threshold over an empty base (``whole == 0``) is never met: nobody taking part cannot
    make a decision, and "at least 2/3 of nothing" must not pass vacuously.
    """

    num: int
    den: int
    strict: bool

    def __post_init__(self) -> None:
        if not 0 <= self.num <= self.den or self.den <= 0:
            raise ValueError(f"bad threshold {self.num}/{self.den}")

    def met(self, part: int, whole: int) -> bool:
        """Whether ``part`` out of ``whole`` reaches the threshold (exact, integer only)."""
        if part < 0 or whole < 0 or part > whole:
            raise ValueError(f"bad ratio {part}/{whole}")
        if whole == 0:
            return False
        if self.strict:
            return part * self.den > self.num * whole
        return part * self.den >= self.num * whole

    def met_both(self, heads: int, area: int, whole_heads: int, whole_area: int) -> bool:
        """The double test of Art. 278: heads AND area, each on its own."""
        return self.met(heads, whole_heads) and self.met(area, whole_area)


MAJORITY = Threshold(1, 2, strict=True)  # "more than half" (过半数)
SUPERMAJORITY = Threshold(3, 4, strict=False)  # "at least three quarters" (四分之三以上)
PARTICIPATION = Threshold(2, 3, strict=False)  # Art. 278 §2: at least 2/3 take part
EXTRAORDINARY = Threshold(1, 5, strict=False)  # 20% heads and area may call a 临时会议
COMMITTEE_APPROVAL = MAJORITY  # a candidate needs more than half of participating heads+area

_SUPERMAJORITY_MATTERS = frozenset(
    {MatterType.RAISE_MAINTENANCE_FUND, MatterType.REBUILD, MatterType.CHANGE_COMMON_USE}
)


def threshold(matter: MatterType) -> Threshold:
    """The pass threshold of ``matter``, measured against participating heads and area."""
    return SUPERMAJORITY if matter in _SUPERMAJORITY_MATTERS else MAJORITY


# --- committee composition -------------------------------------------------------------------

MIN_SEATS = 5
MAX_SEATS = 11
SMALL_COMPOUND_SEATS = 3
SMALL_COMPOUND_MAX_HEADS = 300
MAX_TERM_YEARS = 5


def validate_seats(
    seats: int, roll_heads: int, *, small_compound_max_heads: int = SMALL_COMPOUND_MAX_HEADS
) -> None:
    """Seats must be odd, 5 to 11; 3 only when the roll has fewer than the small-compound limit.

    "Small compound" has no national definition; the limit is a compound/district setting.
    """
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise TypeError("seats must be an int")
    small = roll_heads < small_compound_max_heads
    ok = seats % 2 == 1 and (
        MIN_SEATS <= seats <= MAX_SEATS or (small and seats == SMALL_COMPOUND_SEATS)
    )
    if not ok:
        raise RuleError(
            ErrorCode.INVALID_SEATS,
            seats=seats,
            roll_heads=roll_heads,
            min_seats=SMALL_COMPOUND_SEATS if small else MIN_SEATS,
            max_seats=MAX_SEATS,
        )


def validate_term(years: int) -> None:
    """A committee term is 1 to 5 whole years."""
    if not 1 <= years <= MAX_TERM_YEARS:
        raise RuleError(ErrorCode.INVALID_TERM, years=years, max_years=MAX_TERM_YEARS)


def check_dual_membership(committee: Iterable[str], supervisory: Iterable[str]) -> None:
    """Nobody sits on both the owners' committee and the supervisory committee."""
    both = frozenset(committee) & frozenset(supervisory)
    if both:
        raise RuleError(ErrorCode.DUAL_MEMBERSHIP, owner_ids=tuple(sorted(both)))


#: The least members of a 物管会 (docs/design.md §2: at least 7, odd, at least half owners).
STAND_IN_MIN_MEMBERS = 7


def check_body_composition(kind: str, *, members: int, owners: int, district_members: int) -> None:
    """An appointed running body (issue #13 item 2) has an odd number of members, at least half
    of them owners, and at least one representative of the district (a community or party
    representative: the district chairs a preparatory group and leads a 物管会); a preparatory
    group (``preparatory``) at least 3, a 物管会 (``stand_in``) at least
    :data:`STAND_IN_MIN_MEMBERS` (docs/design.md §3.10 "Preparatory group and 物管会")."""
    least = STAND_IN_MIN_MEMBERS if kind == "stand_in" else 3
    facts: dict[str, Fact] = {
        "body": kind,
        "members": members,
        "owners": owners,
        "min_members": least,
    }
    if members < least or members % 2 == 0 or 2 * owners < members:
        raise RuleError(ErrorCode.INVALID_BODY, **facts)
    if district_members < 1:
        raise RuleError(ErrorCode.INVALID_BODY, **facts, district_members=district_members)


def add_years(at: datetime, years: int) -> datetime:
    """The same moment ``years`` later (29 February becomes the 28th)."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:  # 29 February
        return at.replace(year=at.year + years, day=28)


# --- notice periods --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """Day counts of docs/design.md §2 "Notice"; all compound settings.

    Days are calendar days in ``tz`` (China Standard Time by default), counted as Civil Code
    Art. 201 counts periods: the day of the event does not count. See :mod:`voting.lifecycle`.
    With ``minutes`` every period counts whole minutes instead: only a drill compound's
    (:data:`DRILL_NOTICE`, docs/design.md §2 "Drill compounds").
    """

    meeting_notice_days: int = 15
    extraordinary_notice_days: int = 7
    candidate_publicity_days: int = 7
    result_publicity_days: int = 15
    result_publish_within_days: int = 3
    tz: timezone = CHINA_TZ
    minutes: bool = False

    def __post_init__(self) -> None:
        for name in (
            "meeting_notice_days",
            "extraordinary_notice_days",
            "candidate_publicity_days",
            "result_publicity_days",
            "result_publish_within_days",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise RuleError(ErrorCode.INVALID_SETTING, setting=name)


# --- drill compounds (演练小区) ------------------------------------------------------------------

DRILL_MARK_ZH = "演练，不具法律效力"
DRILL_MARK_EN = "Drill — no legal effect"

#: A drill compound's periods, in minutes (docs/design.md §2 "Drill compounds"): notice of a
#: meeting 2 minutes, an extraordinary one 1, the candidate list 2, so that a newcomer walks
#: announce → open → cast → close → sign-off → publish in ten minutes. Never a real compound's.
DRILL_NOTICE = NoticeSettings(
    meeting_notice_days=2,
    extraordinary_notice_days=1,
    candidate_publicity_days=2,
    result_publicity_days=15,
    result_publish_within_days=3,
    minutes=True,
)
#: The shortest consultation window (征求意见期) of a drill compound, in minutes.
DRILL_CONSULTATION_MINUTES = 2
