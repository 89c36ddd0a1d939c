"""The text an appointee is sent when their account is activated (issue #13): it names the role
they were appointed to — an official of a district, a member of a compound's preparatory group
or 物管会 — and whom to call if it was not them, never an official's wording for a group's
representative."""

from __future__ import annotations

from api.services.appointed import account_activated
from api.store.models import Account


def _text(roles: list[tuple[str, str]]) -> str:
    account = Account(phone="13633330001", display_name="社区 王主任", password_hash="x")
    message = account_activated(account, roles)
    assert (message.phone, message.kind) == ("13633330001", "account_activated")
    return message.text


def test_a_group_representative_is_told_of_the_group_not_of_an_official_account() -> None:
    text = _text([("preparatory", "花园小区")])
    assert "花园小区业主大会筹备组成员" in text
    assert "a member of the preparatory group of 花园小区" in text
    assert "official" not in text and "街道工作人员" not in text
    assert "任命您的街道办事处" in text and "the sub-district office that appointed you" in text


def test_a_stand_in_member_and_an_official_are_told_their_own_roles() -> None:
    stand_in = _text([("stand_in", "花园小区")])
    assert "花园小区物业管理委员会（物管会）成员" in stand_in and "(物管会) of 花园小区" in stand_in
    official = _text([("official", "望京街道")])
    assert "望京街道的街道工作人员" in official and "an official of 望京街道" in official
    assert "系统管理员" in official and "contact the administrator" in official


def test_every_role_is_named_and_owning_units_is_not_an_appointment() -> None:
    text = _text([("owner", "花园小区"), ("official", "望京街道"), ("preparatory", "花园小区")])
    assert "望京街道的街道工作人员、花园小区业主大会筹备组成员" in text
    assert "an official of 望京街道, a member of the preparatory group of 花园小区" in text
    assert "任命您的街道办事处" in text  # a group appointment comes from the district
    assert "现无任何职务" in _text([])  # revoked before the letter was used
    # an official who also owns a unit was still appointed by the administrator
    assert "contact the administrator" in _text([("owner", "花园小区"), ("official", "望京街道")])
