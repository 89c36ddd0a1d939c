"""The dashboard's server-made SVG (api/formats/chart.py): labels escaped, bars from integers,
and the export's cells never run as spreadsheet formulas (api/services/dashboard.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from api.formats import chart
from api.services.dashboard_views import export_rows
from schema.contract.dashboard import ComplaintsView, CoverageView, DashboardRowView


def test_labels_are_escaped_and_numbers_are_integers() -> None:
    hostile = '<script>alert(1)</script>" onload="x'
    svg = chart.svg(
        [chart.Panel(hostile, [(hostile, 3), ("其他", 1)], 4), chart.Panel("空", [("零", 0)], 0)],
        title="</title><script>",
    )
    assert "<script" not in svg and 'onload="' not in svg
    root = ElementTree.fromstring(svg)  # well-formed XML
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert hostile in texts and "3 (75%)" in texts and "1 (25%)" in texts and "0 (0%)" in texts
    widths = [r.get("width") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    # background and bar per row: 3 of 4 is 225 of 300 px, an empty district draws no bar
    assert widths == ["300", "225", "300", "75", "300", "0"]


def test_export_cells_never_start_a_formula() -> None:
    row = DashboardRowView(
        community_id=1,
        name='=HYPERLINK("http://x")',
        drill=False,
        body="none",
        term_ends_at=datetime(2027, 1, 1, tzinfo=UTC),
        term_ending=True,
        elections_under_way=0,
        elections=[],
        proposals_open=0,
        proposals_qualified=0,
        consultations_open=0,
        service_rank=None,
        service_bottom=False,
        complaints=ComplaintsView(0, 0, 0, None, None),
        coverage=CoverageView(False, False, False, False, False, 0, "", None, None),
        alerts=["no_body", "term_ending"],
    )
    [_, line] = export_rows([row], "zh")
    assert line[1] == '\'=HYPERLINK("http://x")'
    assert line[3] == "2027-01-01" and line[-1] == "无治理主体；任期90天内届满"
    assert export_rows([row], "en")[0][1] == "Compound"
