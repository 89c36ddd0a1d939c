"""What `gongzhi demo` prints, read once for every test and bench script: the demo password, the
fixed staff phones, and the patterns of its login, voting-code and election lines.

The owners (their phones, voting codes and activation code) differ from run to run: read them
from the output with :func:`parse_logins` (``Server.logins`` does it for a started demo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PASSWORD = "gongzhi-demo"  # every demo account's password (api/cli/demo/people.py)
ADMIN = "13800000000"
OFFICIAL = "13800000001"
COMMITTEE = "13800000002"
SUPERVISOR = "13800000003"
SECOND_SUPERVISOR = "13800000004"
PREPARATORY = "13800000005"

# "  owner        19936985635  张一  (several units: one head)"
# "  votingcode   19936985635  2MSS-RPNV-G9YQ  (elector 547: 5 栋 2 单元 2303 室)"
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(1\d{10})\s+(\S+(?: \S+)*?)(?:\s+\((.*)\))?\s*$")
# "demo election / 演示表决 #1 (open, closes / 截止 …): 第一届业主委员会选举暨《管理规约》表决"
ELECTION_LINE = re.compile(r"^demo election / 演示表决 #(\d+) \((\w+)")
VOTING_CODE = "votingcode"  # the role column of a voting-code line


@dataclass(frozen=True)
class Login:
    """One line of the demo's login table: ``name`` is the display name (for ``votingcode``
    lines, the code itself) and ``note`` what is in brackets."""

    role: str
    phone: str
    name: str
    note: str


def parse_logins(lines: list[str]) -> list[Login]:
    return [
        Login(m[1], m[2], m[3], m[4] or "")
        for line in lines
        if (m := LOGIN_LINE.match(line.rstrip("\n")))
    ]
