"""TMB, MSI, HRD and bi-allelic inactivation (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.alterations import DELETION, Alteration
from tumorboard.biomarkers import (
    compute_tmb,
    hrd_from_gis,
    is_tmb_eligible,
    mark_biallelic,
    msi_from_percent,
    resolve_biomarkers,
    tmb_from_value,
)
from tumorboard.cli import main
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel

OPTS = RunOptions(tumor_type="COAD")
PANEL = load_panel("tso500", "GRCh38")  # footprint 1,305,217 bp


def _snv(pos: int, gene: str = "APC", **kw: object) -> Alteration:
    values: dict[str, object] = {
        "gene": gene, "chrom": "chr5", "pos": pos, "ref": "C", "alt": "T",
        "consequences": ("missense_variant",), "vaf": 0.3, "depth": 200,
    }  # fmt: skip
    values.update(kw)
    return Alteration(**values)  # type: ignore[arg-type]


def test_tmb_rule() -> None:
    eligible = [_snv(i) for i in range(1, 14)]
    eligible.append(_snv(100, consequences=("synonymous_variant",)))  # synonymous counts
    eligible.append(_snv(101, ref="CA", alt="C", consequences=("frameshift_variant",)))
    excluded = [
        _snv(200, consequences=("intron_variant",)),
        _snv(201, ref="CA", alt="TG"),  # MNV
        _snv(202, gene="DNMT3A"),  # clonal haematopoiesis
        _snv(203, vaf=0.04),
        _snv(204, depth=49),
        _snv(205, filter="LowVF"),
        _snv(1),  # duplicate of an eligible one
    ]
    assert all(is_tmb_eligible(a) for a in eligible)
    assert not any(is_tmb_eligible(a) for a in excluded[:-1])
    tmb = compute_tmb(eligible + excluded, PANEL, OPTS)
    assert tmb.value == round(15 / 1.305217, 2)
    assert (tmb.status, tmb.threshold, tmb.unit) == ("high", 10.0, "mut/Mb")
    assert tmb.source == "computed from the small variants (tumorboard TMB rule)"
    assert tmb.note.startswith("15 eligible variants / 1.305 Mb")


def test_tmb_unknown_without_annotation_or_footprint() -> None:
    raw = [_snv(1, annotated=False, consequences=())]
    assert compute_tmb(raw, PANEL, OPTS).status == "unknown"
    assert compute_tmb([_snv(1)], load_panel("all", "GRCh38"), OPTS).status == "unknown"


def test_precedence_cli_then_input_then_computed() -> None:
    opts = RunOptions(tumor_type="COAD", tmb=3.0, msi="high")
    from_input = [tmb_from_value(25.0, opts, "TSO500 [TMB] section"),
                  hrd_from_gis(30.0, opts, "DRAGEN [GIS] section")]  # fmt: skip
    tmb, msi, hrd = resolve_biomarkers(from_input, [], PANEL, opts, small_variant_input=True)
    assert (tmb.value, tmb.status, tmb.source) == (3.0, "low", "command line (--tmb 3)")
    assert (msi.status, msi.source) == ("high", "command line (--msi high)")
    assert (hrd.status, hrd.value, hrd.threshold) == ("negative", 30.0, 42.0)
    (computed,) = resolve_biomarkers([], [_snv(1)], PANEL, OPTS, small_variant_input=True)
    assert computed.status == "low"
    assert resolve_biomarkers([], [], PANEL, OPTS, small_variant_input=False) == []


@given(value=st.floats(0, 200, allow_nan=False), threshold=st.floats(0.1, 100, allow_nan=False))
@settings(max_examples=100, deadline=None)
def test_thresholds_at_or_above(value: float, threshold: float) -> None:
    opts = RunOptions(tumor_type="COAD", tmb_high=threshold, msi_high=threshold, hrd_gis=threshold)
    assert (tmb_from_value(value, opts, "x").status == "high") == (value >= threshold)
    assert (msi_from_percent(value, opts, "x").status == "high") == (value >= threshold)
    assert (hrd_from_gis(value, opts, "x").status == "positive") == (value >= threshold)


def _lof(pos: int, gene: str = "BRCA2", **kw: object) -> Alteration:
    return _snv(pos, gene=gene, consequences=("stop_gained",), **kw)


def test_biallelic_rules() -> None:
    two_hits = [_lof(1), _lof(2)]
    marks = mark_biallelic(two_hits, {}, OPTS)
    assert set(marks) == {a.key for a in two_hits}
    assert marks[two_hits[0].key] == f"second loss-of-function variant {two_hits[1].label}"
    loh = [_lof(3, gene="BRCA1")]
    assert mark_biallelic(loh, {"BRCA1": "LOH in cna.tsv"}, OPTS) == {
        loh[0].key: "loss-of-function variant with LOH in cna.tsv"
    }
    with_del = [_lof(4, gene="PALB2"), Alteration(gene="PALB2", kind=DELETION, copy_number=0.0)]
    assert len(mark_biallelic(with_del, {}, OPTS)) == 2
    single = [_lof(5, gene="ATM"), _snv(6, gene="ATM")]  # missense is not a second hit
    assert mark_biallelic(single, {}, OPTS) == {}
    assert "bi-allelic: " + marks[two_hits[0].key] in two_hits[0].notes


def test_biallelic_in_case_from_dragen_cvo(tests_data: Path) -> None:
    path = tests_data / "tso500" / "PT-0077_CombinedVariantOutput.tsv"
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "BRCA"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    brca2 = [v for v in case["variants"] if v["gene"] == "BRCA2"]
    assert [v["biallelic"] for v in brca2] == [True, True]
    assert "bi-allelic: second loss-of-function variant BRCA2 R2336*" in brca2[0]["note"]
    cdkn2a = next(v for v in case["variants"] if v["gene"] == "CDKN2A")
    assert cdkn2a["biallelic"] is True


def test_biallelic_lof_plus_segment_loh(tmp_path: Path, shared_data: Path) -> None:
    """A BRCA2 stop from a MAF plus LOH from the PCGR segments -> bi-allelic."""
    maf = tmp_path / "t.maf"
    maf.write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\t"
        "HGVSp_Short\tVariant_Classification\tNCBI_Build\n"
        "BRCA2\t13\t32340300\tC\tT\tp.R2336*\tNonsense_Mutation\tGRCh38\n"
    )
    cna = shared_data / "somatic_vcf" / "pcgr_T001.grch38.cna.tsv"
    result = CliRunner().invoke(main, ["annotate", str(maf), "-t", "BRCA", "--cnv", str(cna)])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    brca2 = next(v for v in case["variants"] if v["gene"] == "BRCA2")
    assert brca2["biallelic"] is True
    assert (
        "bi-allelic: loss-of-function variant with LOH (minor allele copy number < 0.5)"
        in brca2["note"]
    )


def test_cli_tmb_msi_hrd_flags(tests_data: Path) -> None:
    path = tests_data / "tso500" / "PT-0050_CombinedVariantOutput.tsv"
    result = CliRunner().invoke(
        main, ["annotate", str(path), "-t", "COAD", "--tmb", "12.5", "--msi", "high", "--hrd",
               "positive"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = {b["name"]: (b["status"], b["source"]) for b in json.loads(result.output)["biomarkers"]}
    assert got == {
        "TMB": ("high", "command line (--tmb 12.5)"),
        "MSI": ("high", "command line (--msi high)"),
        "HRD": ("positive", "command line (--hrd positive)"),
    }


@pytest.mark.parametrize("vaf", [None, 0.05, 0.9])
def test_missing_or_edge_vaf_is_eligible(vaf: float | None) -> None:
    assert is_tmb_eligible(_snv(1, vaf=vaf))


def test_merge_duplicates_keeps_annotated_and_notes_the_other() -> None:
    from tumorboard.biomarkers import merge_duplicates
    from tumorboard.readers.base import ReadResult

    raw = _snv(7, annotated=False, source="raw.vcf", record=3)
    annotated = _snv(7, protein="R7W", source="cvo.tsv", record=9)
    other = _snv(8, source="raw.vcf", record=4)
    first, second = (
        ReadResult("vcf", "raw.vcf", [raw, other]),
        ReadResult("tso500", "c", [annotated]),
    )
    assert merge_duplicates([first, second]) == 1
    assert first.alterations == [other]
    assert second.alterations == [annotated]
    assert annotated.notes == ["also reported by raw.vcf:3"]


# --- TMB only where it is measurable ---------------------------------------------------------
def _tmb(case: dict) -> tuple[str, str, str]:
    (tmb,) = [b for b in case["biomarkers"] if b["name"] == "TMB"]
    return tmb["status"], tmb["source"], tmb["note"]


_PANEL_VCF_HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
    "##contig=<ID=chr12,length=133275309>\n"
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
    'VEP. Format: Allele|Consequence|SYMBOL|Feature|BIOTYPE|HGVSp|MANE_SELECT">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)


def _panel_vcf(path: Path, off_target: bool) -> Path:
    """BRAF and KRAS codon changes (inside the TSO500 targets), and one intergenic record."""
    rows = [
        "chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ=T|missense_variant|BRAF|ENST00000646891.2|"
        "protein_coding|p.Val600Glu|NM_004333.6\tAF:DP\t0.4:200\n",
        "chr12\t25245350\t.\tC\tT\t.\tPASS\tCSQ=T|missense_variant|KRAS|ENST00000311936.8|"
        "protein_coding|p.Gly12Asp|NM_004985.5\tAF:DP\t0.3:300\n",
    ]
    if off_target:
        rows.insert(
            0, "chr7\t1000\t.\tA\tC\t.\tPASS\tCSQ=C|intergenic_variant||||\tAF:DP\t0.5:90\n"
        )
    path.write_text(_PANEL_VCF_HEADER + "".join(rows))
    return path


@pytest.mark.parametrize("indexed", [False, True])
def test_tmb_from_the_panels_own_call_set(tmp_path: Path, indexed: bool) -> None:
    vcf = _panel_vcf(tmp_path / "panel.vcf", off_target=False)
    if indexed:
        import pysam

        pysam.tabix_compress(str(vcf), str(vcf) + ".gz")
        pysam.tabix_index(str(vcf) + ".gz", preset="vcf")
        vcf = Path(str(vcf) + ".gz")
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)
    assert case["qc"]["used_index"] is indexed
    status, source, note = _tmb(case)
    assert (status, source) == ("low", "computed from the small variants (tumorboard TMB rule)")
    assert note.startswith("2 eligible variants / 1.305 Mb")


@pytest.mark.parametrize("indexed", [False, True])
def test_no_tmb_from_a_call_set_with_records_outside_the_panel(
    tmp_path: Path, indexed: bool
) -> None:
    vcf = _panel_vcf(tmp_path / "wes.vcf", off_target=True)
    if indexed:
        import pysam

        pysam.tabix_compress(str(vcf), str(vcf) + ".gz")
        pysam.tabix_index(str(vcf) + ".gz", preset="vcf")
        vcf = Path(str(vcf) + ".gz")
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)
    status, source, note = _tmb(case)
    assert (status, source) == (
        "unknown",
        "not assessable: the inputs are not the panel's own call set",
    )
    why = (
        "records lie outside the panel's targets (e.g. chr7:1000)"
        if indexed
        else "1 of 3 records lie outside the panel's targets"
    )
    assert note == (
        f"{vcf}: {why}: not the panel's own call set (whole exome or genome?); give --tmb (a "
        "validated TMB) or the assay's own value"
    )
    assert f"TMB: {note}" in case["qc"]["not_assessable"]
    given = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD", "--tmb", "14"])
    assert _tmb(json.loads(given.stdout))[:2] == ("high", "command line (--tmb 14)")


def test_no_tmb_from_a_maf(shared_data: Path) -> None:
    """vcf2maf's 25-row MAF: a filtered list, never a TMB over the TSO500 footprint."""
    maf = shared_data / "somatic_vcf" / "vcf2maf_callers" / "test_b38_output.maf"
    result = CliRunner().invoke(main, ["annotate", str(maf), "-t", "COAD", "--panel", "tso500"])
    assert result.exit_code == 0, result.output
    status, _, note = _tmb(json.loads(result.stdout))
    assert status == "unknown"
    assert note.startswith(f"{maf}: a MAF is a list of selected variants, not a call set whose")


def test_no_tmb_from_a_whole_exome_vcf(shared_data: Path) -> None:
    vcf = shared_data / "somatic_vcf" / "pvactools_HCC1395.input_somatic.grch38.vep.vcf.gz"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "BRCA"])
    assert result.exit_code == 0, result.output
    status, _, note = _tmb(json.loads(result.stdout))
    assert status == "unknown"
    assert "2624 of 2734 records lie outside the panel's targets" in note


def test_the_report_says_why_tmb_is_not_assessed(tmp_path: Path) -> None:
    vcf = _panel_vcf(tmp_path / "wes.vcf", off_target=True)
    html = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(vcf), "-t", "COAD", "-o", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text()
    assert "not the panel&#39;s own call set" in text or "not the panel's own call set" in text
