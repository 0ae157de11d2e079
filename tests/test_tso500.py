"""TSO500 CombinedVariantOutput reader: Local App v2.2 and DRAGEN v2.6 layouts (issue 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.alterations import AMPLIFICATION, DELETION, FUSION, MUTATION, SPLICE_VARIANT
from tumorboard.cli import main
from tumorboard.errors import RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.detect import detect_format
from tumorboard.readers.text import norm_column
from tumorboard.readers.tso500 import KEY_VALUE_SECTIONS, parse_sections, read_tso500

OPTS = RunOptions(tumor_type="LUAD")


@pytest.fixture
def tso(tests_data: Path) -> Path:
    return tests_data / "tso500"


def _by_label(result):
    return {a.label: a for a in result.alterations}


def test_local_app_v22(tso: Path) -> None:
    path = tso / "PT-0042_CombinedVariantOutput.tsv"
    assert detect_format(str(path)) == "tso500"
    r = read_tso500(str(path), OPTS)
    assert r.kind == "tso500"
    assert r.annotation == "TSO500 Local App CVO"
    assert (r.sample, r.sample_rule) == ("PT-0042-DNA", "[Analysis Details] dnasampleid")
    alts = _by_label(r)
    braf = alts["BRAF V600E"]
    assert (braf.kind, braf.chrom, braf.pos, braf.ref, braf.alt) == (
        MUTATION,
        "chr7",
        140453136,
        "A",
        "T",
    )
    assert (braf.protein_3, braf.hgvsc, braf.transcript) == (
        "p.Val600Glu",
        "c.1799T>A",
        "NM_004333.4",
    )
    assert (braf.transcript_rule, braf.vaf, braf.depth, braf.exon) == ("input", 0.352, 612, 15)
    assert alts["BRCA2 V1283Kfs*2"].consequences == ("frameshift_variant",)
    syn = alts["KRAS c.183A>C"]
    assert syn.protein == ""
    assert syn.notes == []
    assert alts["ERBB2 amplification"].fold_change == 4.81
    assert alts["ERBB2 amplification"].kind == AMPLIFICATION
    fusion = alts["EML4::ALK fusion"]
    assert (fusion.kind, fusion.gene, fusion.gene3) == (FUSION, "EML4", "ALK")
    assert fusion.breakpoints == "chr2:42522656;chr2:29446394"
    assert fusion.supporting_reads == 127
    met = alts["MET exon 14 splice variant"]
    assert (met.kind, met.exon, met.supporting_reads) == (SPLICE_VARIANT, 14, 412)
    # the intergenic row is counted, not dropped silently
    assert r.qc.skipped == {"TSO500 small variant without a gene (intergenic)": 1}
    assert r.qc.skipped_examples["TSO500 small variant without a gene (intergenic)"].endswith(
        "PT-0042_CombinedVariantOutput.tsv:48 [Small Variants]"
    )
    assert r.qc.warnings == [
        "PT-0042_CombinedVariantOutput.tsv: sections not used by tumorboard: Custom QC"
    ]
    tmb, msi = r.biomarkers
    assert (tmb.name, tmb.value, tmb.status, tmb.threshold) == ("TMB", 14.22, "high", 10.0)
    assert tmb.source == "TSO500 Local App [TMB] section"
    assert tmb.note == "18 eligible variants over 1.2658 Mb"
    assert (msi.name, msi.value, msi.status, msi.threshold) == ("MSI", 32.98, "high", 20.0)


def test_dragen_v26(tso: Path) -> None:
    r = read_tso500(str(tso / "PT-0077_CombinedVariantOutput.tsv"), OPTS)
    assert r.annotation == "DRAGEN TSO500 CVO"
    alts = _by_label(r)
    erbb2 = alts["ERBB2 amplification"]
    assert (erbb2.copy_number, erbb2.fold_change) == (12.0, 3.2)
    cdkn2a = alts["CDKN2A deletion"]
    assert (cdkn2a.kind, cdkn2a.copy_number, cdkn2a.zygosity) == (DELETION, 0.0, "homozygous")
    # MET <DUP> at CN 3 / FC 1.3 is below both amplification thresholds: counted, not reported
    assert "MET amplification" not in alts
    assert r.qc.skipped == {"copy-number gain below the amplification threshold": 1}
    assert alts["MET exon 14 splice variant"].notes[0] == (
        "exon 14 skipped (junction of exons 13 and 15)"
    )
    egfr = alts["EGFR exon 2 splice variant"]
    assert "EGFRvIII (exons 2-7 deleted)" in egfr.notes
    assert alts["CCDC6::RET fusion"].supporting_reads == 64
    tmb, msi, hrd = r.biomarkers
    assert (tmb.status, msi.status, msi.value) == ("low", "stable", 1.82)
    assert (hrd.name, hrd.value, hrd.status, hrd.threshold) == ("HRD", 56.0, "positive", 42.0)
    assert hrd.source == "DRAGEN TSO500 [GIS] section"


def test_thresholds_come_from_options(tso: Path) -> None:
    opts = RunOptions(tumor_type="LUAD", msi_high=40.0, tmb_high=20.0, amp_fold_change=5.0)
    r = read_tso500(str(tso / "PT-0042_CombinedVariantOutput.tsv"), opts)
    tmb, msi = r.biomarkers
    assert (tmb.status, tmb.threshold, msi.status, msi.threshold) == ("low", 20.0, "stable", 40.0)
    assert "ERBB2 amplification" not in _by_label(r)
    assert r.qc.skipped["copy-number gain below the amplification threshold"] == 2


def test_na_and_header_only_sections_are_empty(tso: Path) -> None:
    r = read_tso500(str(tso / "PT-0050_CombinedVariantOutput.tsv"), OPTS)
    assert r.alterations == []
    assert [(b.name, b.status, b.value) for b in r.biomarkers] == [
        ("TMB", "unknown", None),
        ("MSI", "unknown", None),
    ]
    assert r.qc.skipped == {}
    dragen = parse_sections(str(tso / "PT-0077_CombinedVariantOutput.tsv"))
    rearr = next(s for s in dragen.sections if s.name == "Large Rearrangements")
    assert rearr.rows == []
    assert rearr.header[0] == "Gene"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "X_CombinedVariantOutput.tsv"
    path.write_text("TruSight Oncology 500 - Combined Variant Output\n\n" + body)
    return path


def test_malformed_row_names_file_section_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[Gene Amplifications]\nGene\tFold Change\nERBB2\tfour\n",
    )
    with pytest.raises(RecordError) as err:
        read_tso500(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:5 [Gene Amplifications]: column 'foldchange' should be a number, found 'four' "
        "(hint: repair the value or write NA when it is unknown)"
    )


def test_row_longer_than_header_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "[Fusions]\nGene Pair\tBreakpoint 1\nEML4/ALK\tchr2:1\textra\n")
    with pytest.raises(RecordError, match=r":5: \[Fusions\] row has 3 values but the header has 2"):
        read_tso500(str(path), OPTS)


def test_cli_error_exact_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "[TMB]\nTotal TMB\thigh\n")
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "LUAD"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:4: [TMB] 'totaltmb' should be a number, found 'high'\n"
        "Hint: repair the value or write NA when it is unknown\n"
    )


def test_annotate_merges_cvo_vcf_and_fusion_file(tso: Path, shared_data: Path) -> None:
    """CVO + Pisces VCF + --fusions in one case; duplicates merged, VF read, QC complete."""
    fusions = shared_data / "somatic_vcf" / "pcgr_T001.grch38.fusions.tsv"
    args = [
        "annotate", str(tso / "PT-0042_CombinedVariantOutput.tsv"),
        str(tso / "PT-0042_MergedSmallVariants.genome.vcf"), "-t", "LUAD",
        "--fusions", str(fusions),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert [i["kind"] for i in case["inputs"]] == ["tso500", "vcf", "fusions"]
    labels = [v["label"] for v in case["variants"]]
    assert labels.count("BRAF V600E") == 1
    assert labels.count("EML4::ALK fusion") == 1
    braf = next(v for v in case["variants"] if v["label"] == "BRAF V600E")
    assert braf["source"] == "PT-0042_CombinedVariantOutput.tsv"
    brca2 = next(v for v in case["variants"] if v["gene"] == "BRCA2")
    assert brca2["label"] == "BRCA2 V1283Kfs*2"
    assert case["qc"]["filtered"] == 1  # the LowVF KRAS call
    assert [b["name"] for b in case["biomarkers"]] == ["TMB", "MSI"]


def test_pisces_vcf_vf_and_hotspot(tso: Path) -> None:
    """The Pisces gVCF: reference blocks counted, VF read, BRAF V600E from the GRCh37 table."""
    from tumorboard import pipeline
    from tumorboard.api import read_vcf
    from tumorboard.readers.base import QCCounter

    r = read_vcf(tso / "PT-0042_MergedSmallVariants.genome.vcf", OPTS)
    assert (r.genome, r.annotation) == ("GRCh37", "none")
    assert r.qc.skipped == {"no ALT allele (reference-only record)": 1}
    pipeline.hotspots(pipeline.Inputs(results=[r]), QCCounter())
    braf, brca2 = r.alterations
    assert (braf.protein, braf.transcript_rule, braf.vaf_source) == (
        "V600E",
        "hotspot_table",
        "FORMAT/VF",
    )
    assert braf.vaf == pytest.approx(0.353)
    assert (brca2.gene, brca2.protein, brca2.annotated) == ("BRCA2", "", False)


def test_subprocess_dragen(tso: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate",
         str(tso / "PT-0077_CombinedVariantOutput.tsv"), "-t", "BRCA", "--format", "tsv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert rows[0][:2] == ["gene", "kind"]
    assert ["CDKN2A", "deletion"] in [r[:2] for r in rows]


_CHARS = st.characters(blacklist_characters="\t\r\n[]", blacklist_categories=("Cs",))
_CELL = st.text(alphabet=_CHARS, min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s not in ("", "NA", "N/A", "na", ".")
)


@given(
    header=st.lists(_CELL, min_size=1, max_size=5, unique_by=lambda s: s.lower()),
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=5), max_size=6),
    name=_CELL.filter(lambda n: norm_column(n) not in KEY_VALUE_SECTIONS),
)
@settings(max_examples=60, deadline=None)
def test_generic_sections_round_trip(tmp_path_factory, header, rows, name) -> None:
    """Any table section parses back to its header and rows; rows with fewer cells than the
    header are kept aside (to be skipped with a reason), never padded into a record."""
    rows = [r[: len(header)] for r in rows]
    path = tmp_path_factory.mktemp("cvo") / "c.tsv"
    text = f"[{name}]\n" + "\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    cvo = parse_sections(str(path))
    (section,) = cvo.sections
    assert section.name == name
    assert section.header == header
    full = [r for r in rows if len(r) == len(header)]
    assert [cells for _, cells in section.rows] == full
    assert [w for _, w in section.short] == [len(r) for r in rows if len(r) < len(header)]


@given(
    pairs=st.dictionaries(
        _CELL.filter(lambda k: k[0] != "["), _CELL, min_size=1, max_size=6
    ).filter(lambda d: len({norm_column(k) for k in d}) == len(d))
)
@settings(max_examples=40, deadline=None)
def test_key_value_sections_round_trip(tmp_path_factory, pairs: dict[str, str]) -> None:
    path = tmp_path_factory.mktemp("cvo") / "c.tsv"
    path.write_text("[Analysis Details]\n" + "".join(f"{k}\t{v}\n" for k, v in pairs.items()))
    (section,) = parse_sections(str(path)).sections
    assert {k: v for k, (_, v) in section.pairs.items()} == {
        norm_column(k): v for k, v in pairs.items()
    }
