"""The report's charts (issue 15): geometry (tumorboard.charts) and the inline SVG the templates
draw from it: accessible (role="img", <title>, <desc>, a data table), self-contained, escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.casefile import load_case
from tumorboard.charts import (
    LABEL_W,
    MAX_BARS,
    RIGHT_PAD,
    WIDTH,
    bar_chart,
    biomarker_charts,
    cnv_thresholds,
    copy_number_chart,
    line_chart,
    nice_max,
    tumour_content,
    vaf_chart,
)
from tumorboard.models import Biomarker, CaseResult, Variant
from tumorboard.report import render_html

GOLDEN = Path(__file__).parent / "golden_reports"
XSS = "<script>alert(1)</script>"
PLOT = WIDTH - RIGHT_PAD - LABEL_W


def variant(label: str, vaf: float | None = None, **kw: object) -> Variant:
    gene = label.split()[0]
    return Variant.model_validate({"id": label, "gene": gene, "kind": "mutation", "label": label,
                                   "vaf": vaf, **kw})  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1.0), (0.7, 1.0), (1, 1.0), (3.1, 5.0), (12.4, 20.0), (21, 25.0), (24, 25.0), (60, 100.0)],
)
def test_nice_max(value: float, expected: float) -> None:
    assert nice_max(value) == expected


@given(st.floats(min_value=1e-6, max_value=1e9))
def test_nice_max_is_a_round_bound_just_above(value: float) -> None:
    top = nice_max(value)
    assert value <= top * (1 + 1e-9)
    assert top <= value * 4 + 1e-9  # never more than 4x too wide (1 -> 2 -> 2.5 -> 5 -> 10)
    mantissa = top / 10 ** (len(str(int(top))) - 1) if top >= 1 else None
    if mantissa is not None:
        assert round(mantissa, 6) in (1.0, 2.0, 2.5, 5.0)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"tumour content": "40 %"}, 0.4),
        ({"Tumour Content": "40%"}, 0.4),
        ({"tumor content": "0.4"}, 0.4),
        ({"purity": "40,5 %"}, 0.405),
        ({"tumour purity": "100 %"}, 1.0),
        ({"tumour content": "high"}, None),
        ({"tumour content": "0 %"}, None),
        ({"tumour content": "150 %"}, None),
        ({"specimen": "40 %"}, None),
        ({}, None),
    ],
)
def test_tumour_content_from_the_patient_file(
    extra: dict[str, str], expected: float | None
) -> None:
    assert tumour_content(extra) == expected


@given(st.integers(min_value=1, max_value=100), st.sampled_from(["%", " %", ""]))
def test_tumour_content_percentages(n: int, unit: str) -> None:
    value = tumour_content({"tumour content": f"{n}{unit}"})
    assert value == pytest.approx(n / 100 if unit or n > 1 else 1.0)


def test_vaf_chart_actionable_first_filtered_left_out_lines_at_purity() -> None:
    variants = [
        variant("TP53 R248Q", 0.4),
        variant("BRAF V600E", 0.3, actionable=True),
        variant("KRAS G12D", 0.2, filtered=True),
        variant("ERBB2 amplification", None, kind="amplification", copy_number=12.0),
    ]
    chart = vaf_chart(variants, 0.6)
    assert chart is not None
    assert [(b.label, b.kind) for b in chart.bars] == [
        ("BRAF V600E", "actionable"),
        ("TP53 R248Q", "variant"),
    ]
    assert [b.width for b in chart.bars] == [round(0.3 * PLOT, 2), round(0.4 * PLOT, 2)]
    assert [(line.kind, line.x) for line in chart.lines] == [
        ("clonal", LABEL_W + 0.3 * PLOT),
        ("purity", LABEL_W + 0.6 * PLOT),
    ]
    assert (chart.shown, chart.total) == (2, 2)
    assert vaf_chart(variants, None).lines == ()  # type: ignore[union-attr]
    assert vaf_chart([variants[2], variants[3]], 0.6) is None


def test_vaf_chart_draws_at_most_max_bars() -> None:
    many = [variant(f"G{i} X{i}Y", 0.1) for i in range(MAX_BARS + 5)]
    chart = vaf_chart(many, None)
    assert chart is not None
    assert (chart.shown, chart.total) == (MAX_BARS, MAX_BARS + 5)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("", (6.0, 0.5)),
        ("tumorboard report x.vcf -t COAD -o r.html", (6.0, 0.5)),
        ("tumorboard report x --amp-copy-number 5 --deep-deletion-copy-number=0.3", (5.0, 0.3)),
        ("tumorboard batch s.tsv --amp-copy-number=8", (8.0, 0.5)),
        ("tumorboard report x --amp-copy-number", (6.0, 0.5)),
        ("tumorboard report 'unbalanced --amp-copy-number 5", (6.0, 0.5)),
    ],
)
def test_cnv_thresholds_are_those_of_the_run(command: str, expected: tuple[float, float]) -> None:
    assert cnv_thresholds(command) == expected


def test_copy_number_chart_thresholds_fold_change_and_clipping() -> None:
    cnvs = [
        variant("ERBB2 amplification", kind="amplification", copy_number=60.0),
        variant("MET amplification", kind="amplification", fold_change=4.0),
        variant("CDKN2A deletion", kind="deletion", copy_number=0.0),
        variant("MYC amplification", kind="amplification"),  # a call without a value
    ]
    chart = copy_number_chart(cnvs, "")
    assert chart is not None
    assert chart.maximum == 25.0  # capped at 4 x the amplification threshold
    assert [(b.label, b.value, b.clipped) for b in chart.bars] == [
        ("ERBB2", 60.0, True),
        ("MET", 8.0, False),  # 2 x fold change
        ("CDKN2A", 0.0, False),
    ]
    assert chart.bars[0].width == PLOT  # drawn to the edge, marked as clipped
    assert [(line.kind, line.value) for line in chart.lines] == [
        ("deletion", 0.5),
        ("diploid", 2.0),
        ("amplification", 6.0),
    ]
    assert [line.label_y for line in chart.lines] == [12.0, 25.0, 12.0]  # labels alternate
    assert (chart.shown, chart.total) == (3, 4)
    assert copy_number_chart([cnvs[3]], "") is None


def test_biomarker_charts_need_a_value_and_a_threshold() -> None:
    tmb = Biomarker(name="TMB", value=12.4, unit="mut/Mb", status="high", threshold=10.0,
                    source="x")  # fmt: skip
    hrd = Biomarker(name="HRD", status="unknown", source="not measured")
    charts = biomarker_charts([tmb, hrd])
    assert [c.biomarker.name for c in charts] == ["TMB"]
    chart = charts[0].chart
    assert chart.maximum == 20.0
    assert chart.bars[0].width == round(12.4 / 20 * PLOT, 2)
    assert [(line.value, line.x) for line in chart.lines] == [(10.0, LABEL_W + PLOT / 2)]


def test_line_chart_maps_rates_and_probabilities() -> None:
    chart = line_chart({"p": [(0.0, 0.0), (0.3, 1.0), (0.6, 0.5)]}, 0.6, height=220)
    points = [tuple(float(v) for v in p.split(",")) for p in chart.series[0].points.split()]
    assert points[0] == (chart.left, chart.bottom)
    assert points[1] == ((chart.left + chart.right) / 2, chart.top)
    assert points[2] == (chart.right, (chart.top + chart.bottom) / 2)
    assert [t.value for t in chart.y_ticks] == [0, 0.25, 0.5, 0.75, 1.0]


def test_bar_chart_leaves_out_reference_lines_beyond_the_axis() -> None:
    chart = bar_chart([("a", 1.0, "x")], 10.0, [(20.0, "far"), (-1.0, "neg"), (5.0, "mid")])
    assert [line.kind for line in chart.lines] == ["mid"]


# --- in the report ------------------------------------------------------------------------------
def _charts_html(page: str) -> str:
    return page[page.index('<section class="long" id="charts"') : page.index('id="other-variants"')]


def _hostile(case: CaseResult) -> CaseResult:
    variants = [
        v.model_copy(update={"label": XSS}) if v.kind == "mutation" else v for v in case.variants
    ]
    patient = case.patient.model_copy(update={"extra": {"tumour content": XSS}})
    return case.model_copy(update={"variants": variants, "patient": patient})


def test_report_charts_are_accessible_inline_svg_with_a_data_table() -> None:
    page = render_html(load_case(GOLDEN / "coad_resistance" / "case.json"))
    charts = _charts_html(page)
    svgs = re.findall(r"<svg [^>]*>", charts)
    assert len(svgs) == 4  # VAF, copy number, TMB, MSI
    for svg in svgs:
        assert 'role="img"' in svg
        title_id, desc_id = re.search(r'aria-labelledby="([^ ]+) ([^"]+)"', svg).groups()  # type: ignore[union-attr]
        assert f'<title id="{title_id}">' in charts
        assert f'<desc id="{desc_id}">' in charts
    assert "Data behind the chart" in charts
    assert '<th scope="row">ERBB2</th><td class="num">14</td><td>amplification</td>' in charts
    assert "<script" not in page
    assert "http" not in charts.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_report_charts_escape_hostile_labels_and_tumour_content() -> None:
    page = render_html(_hostile(load_case(GOLDEN / "coad_resistance" / "case.json")), lang="nb")
    charts = _charts_html(page)
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in charts  # kept, escaped, in the table
    assert "&lt;script&gt;alert(1)&lt;/scrip…</text>" in charts  # bar label: truncated, escaped
    assert "Tumorinnholdet i pasientfilen (&lt;script&gt;" in charts  # not a percentage: said so


def test_report_shows_tumour_content_lines_from_the_patient_file() -> None:
    case = load_case(GOLDEN / "coad_resistance" / "case.json")
    patient = case.patient.model_copy(update={"extra": {"tumour content": "50 %"}})
    charts = _charts_html(render_html(case.model_copy(update={"patient": patient})))
    assert "tumour content 50.0 %" in charts
    assert "half: 25.0 %" in charts
    assert "Lines: tumour content 50.0 % and half of it" in charts
