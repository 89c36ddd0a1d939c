"""Review of issue #14's flat labels (voting/flats.py, branch review): the roll's two cells are
now read into one label, so two different rows of a roll can print the very same label on two
letters or voting notices ("3" and "3栋" are both "3 栋"; "1-101" and "1单元101室" are both
"1 单元 101 室"). Before, the label glued the cells ("3-101", "3栋-101") and stayed distinct.
A voting notice put into the wrong letterbox hands one owner's code to another, so a roll whose
rows name one flat twice must be refused (or the labels kept apart).

The first test describes the expected behaviour; it failed on the reviewed head and passes since
the roll import refuses such rows (``SAME_FLAT``, api/formats/rollcsv/validation.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from api.services.roll import import_roll
from api.store.models import Building, Community, Unit
from schema.contract.errors import AppError
from tests.support.world import World
from voting import flats

ROLL = """楼栋,房号,楼层,专有面积,业主姓名,手机
3,101,1,90.00,甲,13900000101
3栋,101,1,80.00,乙,13900000102
"""


async def test_two_rows_that_print_the_same_flat_label_are_not_both_imported(
    world: World, runtime: Runtime
) -> None:
    async with runtime.writer() as s:
        community = Community(district_id=world.district_1, name="丁小区")
        s.add(community)
        await s.flush()
        try:
            await import_roll(
                session=s, community=community, data=ROLL.encode(), dry_run=False, actor=None
            )
        except AppError:
            return  # refused: what we want
        rows = (
            await s.execute(
                select(Building.name, Unit.number)
                .join(Unit, Unit.building_id == Building.id)
                .where(Building.community_id == community.id)
            )
        ).all()
    shown = [flats.label(flats.parse(b, n)) for b, n in rows]
    assert len(set(shown)) == len(shown), f"two units of the roll both print as {shown}"


@pytest.mark.parametrize(
    ("a", "b"),
    [(("3", "101"), ("3栋", "101")), (("1号楼", "1-101"), ("1号楼", "1单元101室"))],
)
def test_distinct_roll_cells_that_collapse_into_one_label(
    a: tuple[str, str], b: tuple[str, str]
) -> None:
    """The collision itself (documentation of the finding; passes)."""
    assert a != b and flats.label(flats.parse(*a)) == flats.label(flats.parse(*b))
