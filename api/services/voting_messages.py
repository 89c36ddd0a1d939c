"""Messages, in Chinese and English, for every refusal the election core can raise.

``voting/`` raises :class:`voting.errors.VotingError` with a stable code and plain facts; the
words owners read live here, next to the service that shows them. A test fails when a code has
no message.

The facts become the refusal's facts (camelCase names, sent to the client) and fill the message:
:data:`SPECIFIC` lists, per code, messages that name facts, most specific first; the first whose
facts are all present (and whose ``when`` facts match) is used, else the plain one in
:data:`MESSAGES` (docs/design.md §4, "Errors").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.contract.errors import AppError, fact_text, placeholders
from voting.errors import ErrorCode, VotingError

_C = ErrorCode
MESSAGES: dict[ErrorCode, tuple[str, str]] = {
    _C.INVALID_UNIT: ("名册中有无效的房屋记录", "the roll has an invalid unit"),
    _C.DUPLICATE_UNIT: ("名册中有重复的房屋", "the roll lists a unit twice"),
    _C.UNOWNED_UNIT: ("名册中有房屋没有登记业主", "a unit on the roll has no owner"),
    _C.EMPTY_ROLL: ("本小区名册为空，无法开始投票", "the roll is empty; voting cannot open"),
    _C.INVALID_SEATS: (
        "委员人数须为 5 至 11 人的单数（小型小区可为 3 人）",
        "seats must be an odd number from 5 to 11 (3 in a small compound)",
    ),
    _C.INVALID_TERM: ("任期须为 1 至 5 年", "the term must be 1 to 5 years"),
    _C.DUAL_MEMBERSHIP: (
        "同一人不能同时担任业委会和监委会成员",
        "nobody may sit on both the committee and the supervisory committee",
    ),
    _C.INVALID_SETTING: ("设置无效", "invalid setting"),
    _C.INVALID_BODY: (
        "成员须为单数，业主代表不少于一半，且至少有一名社区代表或党组织代表；筹备组至少 3 人，"
        "物管会至少 7 人",
        "the members must be an odd number, at least half of them owners and at least one a "
        "community or party representative; a preparatory group has at least 3, a 物管会 at "
        "least 7",
    ),
    _C.INVALID_QUESTION: ("表决事项填写不完整", "a question is incomplete"),
    _C.DUPLICATE_QUESTION: ("表决事项重复", "a question appears twice"),
    _C.MISSING_ANSWER: ("还有事项没有作答，请逐项选择", "a question has no answer yet"),
    _C.DUPLICATE_ANSWER: ("同一事项作答了两次", "a question was answered twice"),
    _C.UNKNOWN_QUESTION: ("选票中有不属于本次表决的事项", "the ballot answers an unknown question"),
    _C.UNKNOWN_OPTION: ("选项无效", "that option does not exist"),
    _C.UNKNOWN_CANDIDATE: ("所选候选人不在名单中", "that candidate is not on the list"),
    _C.TOO_MANY_APPROVALS: (
        "赞成的候选人超过应选人数",
        "more candidates approved than there are seats",
    ),
    _C.DUPLICATE_CANDIDATE: ("同一候选人被重复选择", "a candidate was chosen twice"),
    _C.DUAL_CANDIDACY: (
        "同一人不能同时参选业委会和监委会",
        "nobody may stand for both committees at once",
    ),
    _C.SAME_SUPERVISOR: (
        "纸质选票须由另一位监票人复核",
        "a paper ballot must be confirmed by a different supervisor",
    ),
    _C.PROXY_CAP_REACHED: (
        "该受托人代理的业主已达上限",
        "this proxy already represents the most owners allowed",
    ),
    _C.UNKNOWN_ELECTOR: ("该业主不在本次表决的名册中", "not an elector of this vote"),
    _C.ALREADY_COUNTED: ("该选票已计入", "that ballot is already counted"),
    _C.NOT_COUNTED: ("该选票未计入", "that ballot is not counted"),
    _C.MALFORMED_CODE: (
        "表决码格式不正确：应为 12 位字母和数字，见投票通知书",
        "the voting code should be 12 letters and digits, as printed on your notice",
    ),
    _C.WEAK_SECRET: ("服务器密钥配置不安全", "the server secret is too weak"),
    _C.ILLEGAL_TRANSITION: ("当前状态下不能进行此操作", "not possible in the current state"),
    _C.INVALID_SCHEDULE: ("表决时间安排无效", "the schedule is not valid"),
    _C.NOTICE_TOO_SHORT: (
        "公告期不足：须在投票开始前按规定天数公告",
        "the notice period is too short for the opening date",
    ),
    _C.TOO_EARLY: ("投票尚未开始", "voting has not opened yet"),
    _C.TOO_LATE: ("投票已经截止", "voting has closed"),
    _C.NOT_OPEN: ("投票未在进行中", "voting is not open"),
    _C.NOT_ENOUGH_SIGNOFFS: (
        "至少需要两位监票人签字确认",
        "at least two supervisors must sign off",
    ),
    _C.SIGNOFF_MISMATCH: (
        "签字确认的结果与当前计票不一致，请刷新后重新核对",
        "the signed result differs from the current count; reload and check again",
    ),
}


@dataclass(frozen=True)
class Specific:
    """A message naming facts: used when every fact it names is known and ``when`` matches."""

    zh: str
    en: str
    when: dict[str, str] = field(default_factory=dict)

    def fits(self, facts: dict[str, str]) -> bool:
        names = placeholders(self.zh) | placeholders(self.en)
        return names <= facts.keys() and all(facts.get(k) == v for k, v in self.when.items())


SPECIFIC: dict[ErrorCode, tuple[Specific, ...]] = {
    _C.INVALID_BODY: (
        Specific(
            "筹备组由街道（社区）代表担任组长：成员中须至少有一名社区代表或党组织代表（现列 "
            "{members} 人，其中业主 {owners} 人，没有社区或党组织代表）",
            "a preparatory group is chaired by a representative of the sub-district: at least "
            "one member must be a community or party representative ({members} listed, "
            "{owners} of them owners, no community or party representative)",
            when={"districtMembers": "0", "body": "preparatory"},
        ),
        Specific(
            "物管会由街道（社区）牵头组建：成员中须至少有一名社区代表或党组织代表（现列 "
            "{members} 人，其中业主 {owners} 人，没有社区或党组织代表）",
            "a 物管会 is led by the sub-district: at least one member must be a community or "
            "party representative ({members} listed, {owners} of them owners, no community or "
            "party representative)",
            when={"districtMembers": "0", "body": "stand_in"},
        ),
        Specific(
            "成员须为单数、至少 {minMembers} 人，业主代表不少于一半：现列 {members} 人，其中业主 "
            "{owners} 人",
            "the members must be an odd number, at least {minMembers}, at least half of them "
            "owners: {members} listed, {owners} of them owners",
        ),
    ),
    _C.NOTICE_TOO_SHORT: (
        Specific(
            "本小区不是演练小区：以分钟计的公告期只适用于演练小区（演练，不具法律效力）。"
            "真实表决公告后须满 {requiredDays} 天才能开始投票，最早可于 {earliestOpen:time} 开始",
            "this compound is not a drill compound: notice in minutes is for drill compounds "
            "only (drill — no legal effect). A real vote may open only after {requiredDays} full "
            "days of notice, at {earliestOpen:time} at the earliest",
            when={"what": "meeting", "drillOnly": "true"},
        ),
        Specific(
            "演练公告期不足：公告后须满 {requiredDays} 分钟才能开始投票，"
            "最早可于 {earliestOpen:time} 开始（演练，不具法律效力）",
            "the drill's notice is too short: voting may open only after {requiredDays} minutes "
            "of notice, at {earliestOpen:time} at the earliest (drill — no legal effect)",
            when={"what": "meeting", "unit": "minutes"},
        ),
        Specific(
            "演练候选人名单须公示满 {requiredDays} 分钟才能开始投票，最早可于 {earliestOpen:time} "
            "开始（演练，不具法律效力）",
            "the drill's candidate list must be public for {requiredDays} minutes before voting "
            "opens, so at {earliestOpen:time} at the earliest (drill — no legal effect)",
            when={"what": "candidates", "unit": "minutes"},
        ),
        Specific(
            "公告期不足：公告后须满 {requiredDays} 天才能开始投票，"
            "最早可于 {earliestOpen:time} 开始",
            "the notice period is too short: voting may open only after {requiredDays} full days "
            "of notice, at {earliestOpen:time} at the earliest",
            when={"what": "meeting"},
        ),
        Specific(
            "候选人名单须公示满 {requiredDays} 天才能开始投票，最早可于 {earliestOpen:time} 开始",
            "the candidate list must be public for {requiredDays} full days before voting opens, "
            "so at {earliestOpen:time} at the earliest",
            when={"what": "candidates"},
        ),
        Specific(
            "候选人名单尚未公示，不能开始投票",
            "the candidate list has not been made public yet; voting cannot open",
            when={"what": "candidates", "published": "false"},
        ),
    ),
    _C.TOO_EARLY: (
        Specific(
            "投票正在进行，将于 {closesAt:time} 截止，截止后才能结束投票",
            "voting is open until {closesAt:time}; it can be closed from then on",
        ),
        Specific(
            "投票尚未开始，将于 {opensAt:time} 开始",
            "voting has not opened yet; it opens at {opensAt:time}",
        ),
    ),
    _C.TOO_LATE: (Specific("投票已于 {closesAt:time} 截止", "voting closed at {closesAt:time}"),),
    _C.NOT_ENOUGH_SIGNOFFS: (
        Specific(
            "结果须经至少 {required} 位监票人签字确认后才能公布，目前已有 {supervisors} 位签字",
            "at least {required} supervisors must sign off the result before it is published; "
            "{supervisors} signed so far",
        ),
    ),
    _C.MALFORMED_CODE: (
        Specific(
            "表决码中不会出现“{found:list}”：表决码不含 {never:list}（以免混淆），请核对投票通知书",
            "a voting code never contains {found:list}: codes leave out {never:list}, which look "
            "alike; check the code on your notice",
        ),
        Specific(
            "表决码应为 {expected} 位字母和数字，您输入了 {length} 位，请核对投票通知书",
            "a voting code has {expected} letters and digits; you typed {length}; check the code "
            "on your notice",
        ),
    ),
}


def facts_of(error: VotingError) -> dict[str, str]:
    """The core's facts under the client's names (``required_days`` -> ``requiredDays``)."""
    return {_camel(k): fact_text(v) for k, v in error.detail.items() if v is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def app_error(error: VotingError, field: str | None = None) -> AppError:
    facts = facts_of(error)
    zh, en = MESSAGES[error.code]
    for specific in SPECIFIC.get(error.code, ()):
        if specific.fits(facts):
            zh, en = specific.zh, specific.en
            break
    return AppError.with_facts(error.code.value, zh, en, facts, field=field)


def ledger_unverified() -> AppError:
    """A counted ballot whose slot key is no elector's on the frozen roll: a forged or damaged
    ledger. Counting it is impossible, and saying so beats a crash (issue #12 item 5)."""
    return AppError(
        "LEDGER_UNVERIFIED",
        "选票账本未通过验证：有一张计入的选票不属于名册上的任何投票人，无法计票；请监票人运行 "
        "gongzhi verify 查明",
        "the ballot ledger fails verification: a counted ballot belongs to no elector on the "
        "roll, so it cannot be counted; supervisors should run gongzhi verify",
    )
