"""Report rendering (issue 6): golden reports, sections, escaping, re-rendering, overrides."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.casefile import case_json, load_case
from tumorboard.errors import ReportError
from tumorboard.models import CohortStatus, SkippedRecord, Variant
from tumorboard.report import build_agenda, build_context, render_agenda, render_html

GOLDEN = Path(__file__).resolve().parent / "golden_reports"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.json").is_file())
UPDATE = os.environ.get("TUMORBOARD_UPDATE_GOLDEN") == "1"
SECTION_IDS = ("summary", "actionable", "off-label", "biomarkers", "other-variants", "qc")
XSS = "<script>alert(1)</script>"


def case(name: str):
    return load_case(GOLDEN / name / "case.json")


class _Scan(HTMLParser):
    """Collect tags, ids, attributes with URLs, and the text of the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key == "id" and value:
                self.ids.append(value)
            if key in ("src", "href") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def scan(text: str) -> _Scan:
    parser = _Scan()
    parser.feed(text)
    return parser


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_golden_report(name: str, lang: str) -> None:
    rendered = render_html(case(name), lang=lang)
    expected = GOLDEN / name / f"report.{lang}.html"
    if UPDATE:
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8"), (
        f"{expected} differs; if the change is intended, rerun with TUMORBOARD_UPDATE_GOLDEN=1 "
        "and review the diff"
    )


@pytest.mark.parametrize("name", CASES)
def test_every_section_present_and_self_contained(name: str) -> None:
    page = render_html(case(name))
    doc = scan(page)
    for section in (*SECTION_IDS, "h-provenance"):
        assert section in doc.ids, section
    assert "script" not in doc.tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(doc.tags)
    assert "@font-face" not in page
    assert "@import" not in page
    assert "url(" not in page
    assert all(u.startswith(("#", "https://", "http://")) for u in doc.urls)
    assert "supports, and does not replace" in page
    assert "@media print" in page
    assert "size: A4" in page


def test_summary_counts_and_cohort_words() -> None:
    ctx = build_context(case("ihch_braf_idh1"))
    counts = (ctx.summary.on_label, ctx.summary.on_label_if, ctx.summary.off_label)
    assert (*counts, len(ctx.summary.resistance)) == (0, 1, 1, 0)
    assert ctx.summary.top is not None
    assert ctx.summary.top.match.drugs == ["ivosidenib"]  # on-label (if) outranks off-label
    assert ctx.summary.top.match == ctx.case.top_option
    page = render_html(case("ihch_braf_idh1"))
    assert "eligible for cohort IMPRESS-BRAF-V600-DT-BTC, stage 1, 3 of 8 slots left" in page
    assert [a.biomarker for a in ctx.actionable] == ["IDH1 R132C", "BRAF V600E"]
    assert [v.match.biomarker for v in ctx.off_label] == ["BRAF V600E"]
    assert ctx.off_label[0].cohorts[0].cohort_id == "IMPRESS-BRAF-V600-DT-BTC"


def test_resistance_flags_and_biomarkers() -> None:
    c = case("coad_resistance")
    ctx = build_context(c)
    assert [r.match.drugs for r in ctx.resistance] == [["cetuximab"], ["panitumumab"]]
    assert ctx.summary.top is not None
    # one ranking: off-label (T-DXd) before uncertain (pembrolizumab), whatever the evidence
    assert ctx.summary.top.match.biomarker == "ERBB2 amplification"
    page = render_html(c)
    assert "predicts resistance to cetuximab" in page
    assert "cohort IMPRESS-HER2-TDXD-CRC is full" in page
    assert "on the waiting list for cohort IMPRESS-PIK3CA-ALP-CRC, stage 2" in page
    assert "number 2 in the queue" in page
    assert [b.name for b in ctx.biomarkers] == ["TMB", "MSI", "HRD"]
    assert "≥ 10 mut/Mb" in page


def test_none_found_is_explicit_and_unannotated_caveat() -> None:
    c = case("luad_unannotated")
    page = render_html(c)
    assert "None found: no alteration matched a drug in the catalog." in page
    assert page.count("not assessed") == 3  # TMB, MSI and HRD
    assert "no transcript annotation" in page
    assert "exon-level rules (EGFR exon 19/20, MET exon 14)" in page
    assert "no cohort information (no registry consulted)" in page
    assert 'outside the panel</th><td class="num">79</td>' in page  # 88 read, 9 in panel
    assert build_context(c).caveats.unannotated


def test_low_vaf_and_filtered_caveats() -> None:
    page = render_html(case("ihch_braf_idh1"))
    assert "ARID1A Q1327Rfs*12 has a low allele fraction (3.6 %)" in page
    assert "KRAS G12V failed the caller's filter (weak_evidence)" in page
    assert 'outside the panel</th><td class="num">351</td>' in page  # 412 read, 61 in panel


def test_hostile_strings_render_escaped() -> None:
    c = case("escaping")
    for lang in ("en", "nb"):
        page = render_html(c, lang=lang)
        assert XSS not in page
        assert "<script" not in page.lower()
        assert html.escape(XSS) in page  # &lt;script&gt;alert(1)&lt;/script&gt;
        assert "&#34;sample&#39;" in page  # quotes from the sample name
        assert 'href="javascript:' not in page
        assert scan(page).tags.count("script") == 0


def test_saved_json_rerenders_identically(tmp_path: Path) -> None:
    for name in CASES:
        original = case(name)
        saved = tmp_path / f"{name}.json"
        saved.write_text(case_json(original), encoding="utf-8")
        again = load_case(saved)
        assert again == original
        for lang in ("en", "nb"):
            assert render_html(again, lang=lang) == render_html(original, lang=lang)


def test_date_comes_from_the_case_not_the_clock() -> None:
    c = case("ihch_braf_idh1")
    assert build_context(c).date == "March 12, 2026"
    assert build_context(c, "nb").date == "12. mars 2026"


def test_norwegian_numbers_use_decimal_comma() -> None:
    page = render_html(case("ihch_braf_idh1"), lang="nb")
    assert "3,6\xa0%" in page or "3,6 %" in page
    assert '<html lang="nb">' in page


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(ReportError, match="unknown report language 'de'"):
        render_html(case("escaping"), lang="de")


def test_template_override_replaces_one_partial(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "header.html").write_text(
        "{# custom header. Context: ctx.case.patient #}\n"
        "<header><h1>Haukeland MTB</h1><p>{{ ctx.case.patient.id }}</p></header>\n",
        encoding="utf-8",
    )
    page = render_html(case("ihch_braf_idh1"), templates=tmp_path)
    assert "Haukeland MTB" in page
    assert "<p>DEMO-001</p>" in page
    assert "Molecular tumour board report" not in page
    assert 'id="actionable"' in page  # the other partials are the bundled ones


def test_override_with_unknown_field_fails_strictly(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "summary.html").write_text("{{ ctx.nonexistent }}", encoding="utf-8")
    with pytest.raises(ReportError, match="template uses an unknown field") as info:
        render_html(case("ihch_braf_idh1"), templates=tmp_path)
    assert info.value.hint == "each partial's header comment lists the fields it may use"


def test_override_with_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    bad = tmp_path / "partials" / "qc.html"
    bad.write_text("<p>\n{% if %}\n", encoding="utf-8")
    with pytest.raises(ReportError, match="template syntax error") as info:
        render_html(case("ihch_braf_idh1"), templates=tmp_path)
    assert info.value.where == f"{bad}:2"


def test_every_template_starts_with_a_context_comment() -> None:
    root = Path(__file__).resolve().parent.parent / "templates"
    templates = sorted(root.rglob("*.html"))
    assert len(templates) >= 10
    for path in templates:
        head = path.read_text(encoding="utf-8")[:600]
        assert head.startswith("{#"), path
        assert "Context:" in head, path


def test_cohort_links_only_to_matching_drugs() -> None:
    c = case("ihch_braf_idh1")
    other = CohortStatus(cohort_id="X-IVO", status="eligible", drugs=["ivosidenib"])
    unrelated = CohortStatus(cohort_id="Y", status="eligible", drugs=["dabrafenib"])
    ctx = build_context(c.model_copy(update={"cohorts": [other, unrelated]}))
    by_drugs = {
        tuple(v.match.drugs): [k.cohort_id for k in v.cohorts]
        for a in ctx.actionable
        for v in a.options
    }
    assert by_drugs == {("ivosidenib",): ["X-IVO"], ("dabrafenib", "trametinib"): []}
    page = render_html(c.model_copy(update={"cohorts": [other]}))
    assert "no cohort for this drug" in page


def test_agenda_rows_and_links() -> None:
    rows = [(case(n), f"{n}/report.html") for n in ("ihch_braf_idh1", "coad_resistance")]
    ctx = build_agenda(rows, title="MTB 12 March")
    assert [r.case.patient.id for r in ctx.rows] == ["DEMO-001", "CRC-0042"]
    assert ctx.rows[0].top is not None
    assert ctx.rows[0].top.match.drugs == ["ivosidenib"]
    assert ctx.rows[1].resistance == 2
    page = render_agenda(rows, title="MTB 12 March")
    doc = scan(page)
    assert doc.urls == ["ihch_braf_idh1/report.html", "coad_resistance/report.html"]
    assert "MTB 12 March" in page
    assert "2 patients" in page
    assert re.search(r"IMPRESS-BRAF-V600-DT-BTC, stage 1, 3 of 8 slots left", page)
    nb = render_agenda(rows, lang="nb")
    assert "Saksliste for tumorboard" in nb
    assert "2 pasienter" in nb


_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list("<>&\"'/=`")),
    min_size=1,
    max_size=40,
)


def _with_text(sample: str, note: str, gene: str, reason: str):
    base = case("luad_unannotated")
    variant = base.variants[0].model_copy(update={"note": note, "gene": gene, "label": gene})
    return base.model_copy(
        update={
            "patient": base.patient.model_copy(update={"sample": sample}),
            "variants": [variant],
            "qc": base.qc.model_copy(update={"skipped": [SkippedRecord(reason=reason, count=1)]}),
        }
    )


PLAIN_TAGS = scan(render_html(_with_text("x", "x", "x", "x"))).tags


@settings(max_examples=40, deadline=None)
@given(sample=_text, note=_text, gene=_text, reason=_text)
def test_any_input_text_is_escaped_and_kept(sample: str, note: str, gene: str, reason: str) -> None:
    """Whatever a VCF puts in a sample name, INFO note or gene symbol, no markup gets through."""
    doc = scan(render_html(_with_text(sample, note, gene, reason)))
    assert doc.tags == PLAIN_TAGS
    text = "".join(doc.text)
    for value in (sample, note, gene, reason):
        assert value.strip() in text


def test_fusion_cnv_and_biallelic_details_render() -> None:
    base = case("coad_resistance")
    fusion = Variant(
        id="NTRK1:fusion:TPM3",
        gene="TPM3",
        gene3="NTRK1",
        kind="fusion",
        label="TPM3::NTRK1 fusion",
        breakpoints="chr1:154170400;chr1:156874571",
        supporting_reads=42,
        note="no catalog rule in this test",
    )
    brca2 = Variant(
        id="BRCA2:x", gene="BRCA2", kind="mutation", label="BRCA2 E1593*", biallelic=True
    )
    page = render_html(base.model_copy(update={"variants": [*base.variants, fusion, brca2]}))
    assert "chr1:154170400;chr1:156874571" in page
    assert "supporting reads 42" in page
    assert "copy number 14" in page
    assert "fold change 3.5" in page
    nb = render_html(
        base.model_copy(update={"variants": [*base.variants, fusion, brca2]}), lang="nb"
    )
    assert "bruddpunkter chr1:154170400;chr1:156874571" in nb
    assert "biallelisk (andre treff eller tap av heterozygositet)" in nb
    ctx = build_context(base.model_copy(update={"variants": [*base.variants, fusion, brca2]}))
    assert [v.label for v in ctx.other_variants] == ["TPM3::NTRK1 fusion", "BRCA2 E1593*"]


def test_no_catalog_means_not_assessed_rather_than_none_found() -> None:
    base = case("luad_unannotated")
    unapplied = base.model_copy(
        update={"catalog": base.catalog.model_copy(update={"name": "none"}), "matches": []}
    )
    page = render_html(unapplied)
    assert page.count("Not assessed: no drug catalog was applied.") == 4
    assert "None found: no alteration matched" not in page
    assert 'class="counts"' not in page  # no "0 on-label options" that would read as a finding
    assert "No drug catalog was applied: drug options were not assessed." in page
    assert 'class="counts"' in render_html(base)


def test_known_patient_keys_are_translated() -> None:
    page = render_html(case("ihch_braf_idh1"), lang="nb")
    assert "<dt>Prøvemateriale</dt><dd>liver biopsy, 2026-02-20</dd>" in page
    assert "<dt>Tumorinnhold</dt>" in page


def test_cohorts_never_reorder_options_one_ranking() -> None:
    """The report shows options in the case's ranking order: a combination before its single
    agent at equal evidence, with or without an open cohort for one of them."""
    base = case("ihch_braf_idh1")
    braf = next(m for m in base.matches if m.gene == "BRAF")
    mono = braf.model_copy(update={"drugs": ["dabrafenib"]})  # sorts first by name alone
    for cohorts in (base.cohorts, []):
        ranked = base.model_copy(update={"matches": [mono, *base.matches], "cohorts": cohorts})
        ctx = build_context(ranked)
        group = next(a for a in ctx.actionable if a.biomarker == "BRAF V600E")
        assert [o.match.drugs for o in group.options] == [
            ["dabrafenib", "trametinib"],
            ["dabrafenib"],
        ]


def test_outside_panel_row_counts_every_input(tests_data: Path, tmp_path: Path) -> None:
    """VCF records outside the panel are counted once, whatever other inputs skip or add."""
    from tumorboard.api import analyse
    from tumorboard.models import RunOptions

    vcf = tests_data / "vcf" / "vep_small.vcf"
    cnv = tests_data / "cnv" / "cn_records.grch38.vcf"  # one record overlaps no panel gene
    alone = analyse([vcf], RunOptions(tumor_type="SKCM")).qc
    both = analyse([vcf], RunOptions(tumor_type="SKCM", cnv=[str(cnv)])).qc
    outside_vcf = alone.records_read - alone.records_in_panel
    assert outside_vcf > 0
    assert both.records_read - both.records_in_panel == outside_vcf + 1
    page = render_html(analyse([vcf], RunOptions(tumor_type="SKCM", cnv=[str(cnv)])))
    assert f'outside the panel</th><td class="num">{outside_vcf + 1}</td>' in page


def test_on_label_if_and_resistance_marker_are_shown() -> None:
    """'on-label if' with what the board must confirm, and an R1 marker's badge, everywhere the
    option is named (summary, table, agenda); the label column holds only the agency lines."""
    base = case("ihch_braf_idh1")
    idh1 = next(m for m in base.matches if m.gene == "IDH1")
    resisted = idh1.model_copy(update={"resistance_level": "R1"})
    page = render_html(base)
    assert "<strong>The board must confirm:</strong>" in page
    assert '<ul class="confirm"><li>previously treated with at least one prior line of' in page
    assert 'b-on-label">on-label if</span> previously treated' in page
    assert "EMA: approved for" not in page
    flagged = base.model_copy(
        update={"matches": [resisted, *[m for m in base.matches if m != idh1]]}
    )
    assert "resistance marker R1</span>" in render_html(flagged)
    assert "on-label if</span> previously treated" in render_agenda([(base, "r.html")])
    # an R1 marker against the on-label option puts the unaffected off-label option on top
    top = build_context(flagged).summary.top
    assert top is not None
    assert top.match.drugs == ["dabrafenib", "trametinib"]
