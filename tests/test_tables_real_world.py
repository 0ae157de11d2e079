"""Tables as other tools and everyday software write them (a sweep of published files, 2026-11):
GDC MAF comment lines, quoted cells, CNVkit, PURPLE, Sequenza and FACETS copy number, MAF rows
without a protein change, conflicting copy-number calls.

Fixtures are written here from the tools' documented column layouts (GDC MAF specification,
CNVkit "File formats", PURPLE README, Sequenza and FACETS output descriptions); no file is
copied from the tools' repositories.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import annotate
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.readers.detect import detect_format
from tumorboard.readers.text import unquote

MAF_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
    "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tHGVSp_Short\tNCBI_Build\tt_depth\tt_alt_count\n"
)
BRAF_V600E_38 = (
    "BRAF\tchr7\t140753336\t140753336\tA\tT\tTCGA-XX-0001-01A\tp.V600E\tGRCh38\t100\t40\n"
)
GDC_PREAMBLE = (
    "#version gdc-1.0.0\n#filedate 20260101\n#annotation.spec gdc-1.0.1-public\n"
    "#n.analyzed.samples 1\n#tumor.aliquots.submitter_id TCGA-XX-0001-01A\n"
)


def labels(case: dict) -> list[str]:
    return [f"{v['gene']} {v['protein'] or v['kind']}" for v in case["variants"]]


# --- GDC MAFs: several comment lines above the header --------------------------------------------
@pytest.mark.parametrize("packed", [False, True])
def test_a_gdc_maf_with_its_comment_lines_is_read(tmp_path: Path, packed: bool) -> None:
    text = GDC_PREAMBLE + MAF_HEADER + BRAF_V600E_38
    path = tmp_path / ("case.maf.gz" if packed else "case.maf")
    if packed:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    assert detect_format(str(path)) == "maf"
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert labels(case) == ["BRAF V600E"]
    assert case["qc"]["records_read"] == 1
    assert any(m["label"] == "on-label" for m in case["matches"])


def test_a_gdc_maf_runs_as_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "case.maf"
    path.write_text(GDC_PREAMBLE + MAF_HEADER + BRAF_V600E_38)
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(path), "-t", "SKCM", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert labels(json.loads(out.read_text())) == ["BRAF V600E"]


def test_a_star_fusion_header_still_counts_as_a_header(tmp_path: Path) -> None:
    """``#FusionName`` (a '#' line with tabs) is a header, not a comment."""
    path = tmp_path / "sf.tsv"
    path.write_text(
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tLeftGene\tRightGene\n"
        "EML4--ALK\t20\t10\tEML4^ENSG00000143924.19\tALK^ENSG00000171094.18\n"
    )
    assert detect_format(str(path)) == "fusions"
    code, output, case = annotate(
        ["--fusions", str(path), "-t", "LUAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert labels(case) == ["EML4 fusion"]
    assert case["variants"][0]["gene3"] == "ALK"


# --- quoted cells (R write.table, spreadsheets) -------------------------------------------------
def _quoted(line: str) -> str:
    return "\t".join(f'"{c}"' if not c.replace(".", "").isdigit() else c for c in line.split("\t"))


def test_a_quoted_maf_is_read_as_unquoted(tmp_path: Path) -> None:
    path = tmp_path / "q.maf"
    path.write_text(_quoted(MAF_HEADER.rstrip("\n")) + "\n" + _quoted(BRAF_V600E_38.rstrip("\n")))
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert labels(case) == ["BRAF V600E"]
    assert case["variants"][0]["chrom"] == "chr7"
    assert case["qc"]["sample"] == "TCGA-XX-0001-01A"


def test_quoted_segments_keep_their_amplification(tmp_path: Path) -> None:
    path = tmp_path / "q.seg"
    path.write_text(
        '"ID"\t"chrom"\t"loc.start"\t"loc.end"\t"num.mark"\t"seg.mean"\n'
        '"S1"\t"17"\t39680000\t39740000\t40\t2.2\n'
    )
    code, output, case = annotate(
        ["--cnv", str(path), "-t", "BRCA", "--genome", "GRCh38", "--sample", "S1",
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert code == 0, output
    assert labels(case) == ["ERBB2 amplification"]


def test_quoted_fusions_and_gene_tables(tmp_path: Path) -> None:
    fusions = tmp_path / "f.tsv"
    fusions.write_text('"FusionGene"\t"SplitReads"\n"EML4--ALK"\t"12"\n')
    cnv = tmp_path / "cnv.tsv"
    cnv.write_text('"gene"\t"copy_number"\n"ERBB2"\t"12"\n')
    code, output, case = annotate(
        ["--fusions", str(fusions), "--cnv", str(cnv), "-t", "LUAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert sorted(labels(case)) == ["EML4 fusion", "ERBB2 amplification"]
    assert not case["qc"]["skipped"]


@given(st.text(alphabet=st.characters(blacklist_characters='\t\n\r"'), max_size=20))
@settings(max_examples=200)
def test_unquote_round_trip(value: str) -> None:
    quoted = '"' + value + '"'
    assert unquote(quoted) == value
    assert unquote(value) == value  # nothing to take off
    assert unquote('"' + value.replace("x", '""') + '"') == value.replace("x", '"')


# --- copy number from CNVkit, PURPLE, Sequenza, FACETS -------------------------------------------
ERBB2_38 = ("17", 39680000, 39740000)  # covers ERBB2 (GRCh38 chr17:39,687,914-39,730,426)
BRCA1_38 = ("17", 43040000, 43130000)  # covers BRCA1 (GRCh38 chr17:43,044,295-43,125,483)
BRAF_38 = ("7", 140700000, 140930000)


def _tsv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(
        "\t".join(header.split()) + "\n" + "".join("\t".join(r.split()) + "\n" for r in rows)
    )
    return path


def _cnv(tmp_path: Path, cnv: Path, *extra: str, tumour: str = "BRCA") -> tuple[int, str, dict]:
    return annotate(
        ["--cnv", str(cnv), *extra, "-t", tumour, "--genome", "GRCh38",
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip


def _brca1_with(cnv: Path, tmp_path: Path) -> tuple[dict, dict]:
    """A BRCA1 nonsense variant (MAF) read with ``cnv``: its variant and the case."""
    maf = tmp_path / "t.maf"
    maf.write_text(
        "Hugo_Symbol\tVariant_Classification\tHGVSp_Short\tTumor_Sample_Barcode\n"
        "BRCA1\tNonsense_Mutation\tp.E1836*\tT1\n"
    )
    code, output, case = annotate(
        [str(maf), "--cnv", str(cnv), "-t", "BRCA", "--genome", "GRCh38",
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert code == 0, output
    return next(v for v in case["variants"] if v["gene"] == "BRCA1"), case


def test_cnvkit_segments_are_read_as_segments(tmp_path: Path) -> None:
    """A .cns row names every gene of its bins; it is a segment, mapped to genes by position
    (log2 3.0: copy number 2 x 2^3 = 16)."""
    cns = _tsv(
        tmp_path / "t.cns",
        "chromosome start end gene log2 depth probes weight",
        [f"chr17 {ERBB2_38[1]} {ERBB2_38[2]} ERBB2,PGAP3,GRB7 3.0 950.2 20 18.1",
         f"chr7 {BRAF_38[1]} {BRAF_38[2]} BRAF,KDM7A 0.02 401.0 35 30.2",
         f"chr17 {BRCA1_38[1]} {BRCA1_38[2]} - -0.1 380.5 12 10.0",
         "chr1 10000 20000 - 0.0 100.0 3 2.0"],  # no panel gene there
    )  # fmt: skip
    code, output, case = _cnv(tmp_path, cns)
    assert code == 0, output
    assert labels(case) == ["ERBB2 amplification"]
    assert case["variants"][0]["copy_number"] == 16.0
    assert case["qc"]["records_read"] == 4
    assert case["qc"]["records_in_panel"] == 3
    assert not case["qc"]["skipped"]
    assert any(m["label"] == "on-label" and "trastuzumab" in m["drugs"] for m in case["matches"])


def test_cnvkit_call_segments_use_their_absolute_copy_number(tmp_path: Path) -> None:
    cns = _tsv(
        tmp_path / "t.call.cns",
        "chromosome start end gene log2 cn depth probes weight",
        [f"chr17 {ERBB2_38[1]} {ERBB2_38[2]} ERBB2,PGAP3,GRB7 1.9 9 950.2 20 18.1",
         "chr9 21960000 22000000 CDKN2A,CDKN2B-AS1 -4.5 0 2.1 8 6.5"],
    )  # fmt: skip
    code, output, case = _cnv(tmp_path, cns)
    assert code == 0, output
    assert sorted(labels(case)) == ["CDKN2A deletion", "ERBB2 amplification"]
    erbb2 = next(v for v in case["variants"] if v["gene"] == "ERBB2")
    assert erbb2["copy_number"] == 9.0  # cn, not 2 x 2^1.9


def test_cnvkit_bin_ratios_are_refused_with_a_hint(tmp_path: Path) -> None:
    """Single .cnr bins gave an ERBB2 amplification and an ERBB2 deep deletion in one case."""
    cnr = _tsv(
        tmp_path / "t.cnr",
        "chromosome start end gene log2 depth weight",
        ["chr17 39700000 39700200 ERBB2 1.73 900.1 0.9",
         "chr17 39700400 39700600 ERBB2 -2.43 40.2 0.4"],
    )  # fmt: skip
    result = CliRunner().invoke(
        main, ["annotate", "--cnv", str(cnr), "-t", "BRCA", "-o", str(tmp_path / "c.json")]
    )
    assert result.exit_code == 1
    assert "Error: " in result.output
    assert "CNVkit bin-level log2 ratios" in result.output
    assert "Hint: give CNVkit's segments" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "c.json").exists()


def test_purple_segments_give_loh_for_the_bi_allelic_rule(tmp_path: Path) -> None:
    purple = _tsv(
        tmp_path / "tumour.purple.cnv.somatic.tsv",
        "chromosome start end copyNumber bafCount observedBAF baf segmentStartSupport "
        "segmentEndSupport method depthWindowCount gcContent minStart maxStart "
        "minorAlleleCopyNumber majorAlleleCopyNumber",
        [f"chr17 {BRCA1_38[1]} {BRCA1_38[2]} 2.02 40 0.98 0.99 BND BND BAF_WEIGHTED 80 0.45 "
         f"{BRCA1_38[1]} {BRCA1_38[1]} 0.01 2.01",
         f"chr17 {ERBB2_38[1]} {ERBB2_38[2]} 2.1 30 0.55 0.52 BND BND BAF_WEIGHTED 60 0.5 "
         f"{ERBB2_38[1]} {ERBB2_38[1]} 1.0 1.1"],
    )  # fmt: skip
    brca1, _ = _brca1_with(purple, tmp_path)
    assert brca1["biallelic"] is True, brca1
    assert "LOH" in brca1["note"]


@pytest.mark.parametrize(("minor", "loh"), [("0.48", True), ("-0.02", True), ("0.6", False)])
def test_a_fitted_minor_allele_copy_number_below_half_is_loh(
    tmp_path: Path, minor: str, loh: bool
) -> None:
    """PURPLE fits allele copy numbers (0.01, -0.02, 0.48 ...): below 0.5 rounds to no copy,
    as an integer 0 does for ASCAT, FACETS or Sequenza."""
    purple = _tsv(
        tmp_path / "p.tsv",
        "chromosome start end copyNumber minorAlleleCopyNumber majorAlleleCopyNumber",
        [f"chr17 {BRCA1_38[1]} {BRCA1_38[2]} 2.0 {minor} 2.0"],
    )
    brca1, _ = _brca1_with(purple, tmp_path)
    assert brca1["biallelic"] is (True if loh else None)


def test_purple_gene_file_is_a_gene_table(tmp_path: Path) -> None:
    genes = _tsv(
        tmp_path / "tumour.purple.cnv.gene.tsv",
        "chromosome start end gene minCopyNumber maxCopyNumber somaticRegions",
        ["chr17 39687914 39730426 ERBB2 20.5 21.0 1",
         "chr9 21967752 21995301 CDKN2A 0.1 0.2 1",
         "chr7 140719327 140924929 BRAF 2.0 2.1 1"],
    )  # fmt: skip
    code, output, case = _cnv(tmp_path, genes)
    assert code == 0, output
    assert sorted(labels(case)) == ["CDKN2A deletion", "ERBB2 amplification"]


def test_sequenza_segments(tmp_path: Path) -> None:
    seq = tmp_path / "t_segments.txt"
    seq.write_text(
        '"chromosome"\t"start.pos"\t"end.pos"\t"Bf"\t"N.BAF"\t"sd.BAF"\t"depth.ratio"\t'
        '"N.ratio"\t"sd.ratio"\t"CNt"\t"A"\t"B"\t"LPP"\n'
        f'"chr17"\t{ERBB2_38[1]}\t{ERBB2_38[2]}\t0.2\t30\t0.05\t3.5\t400\t0.2\t12\t10\t2\t-10.1\n'
        f'"chr17"\t{BRCA1_38[1]}\t{BRCA1_38[2]}\t0.0\t25\t0.04\t1.0\t300\t0.1\t2\t2\t0\t-8.2\n'
    )
    brca1, case = _brca1_with(seq, tmp_path)
    assert "ERBB2 amplification" in labels(case)
    assert brca1["biallelic"] is True, brca1
    assert "LOH" in brca1["note"]


def test_facets_uses_its_em_estimate(tmp_path: Path) -> None:
    facets = _tsv(
        tmp_path / "t.cncf.txt",
        "chrom loc.start loc.end seg num.mark nhet cnlr.median mafR segclust cnlr.median.clust "
        "mafR.clust cf tcn lcn cf.em tcn.em lcn.em",
        [f"17 {ERBB2_38[1]} {ERBB2_38[2]} 40 120 10 1.9 0.3 12 1.9 0.3 0.8 5 1 0.8 14 1"],
    )
    code, output, case = _cnv(tmp_path, facets)
    assert code == 0, output
    assert labels(case) == ["ERBB2 amplification"]
    assert case["variants"][0]["copy_number"] == 14.0  # tcn.em, not tcn (5)


def test_intervals_without_a_copy_number_column_name_what_is_missing(tmp_path: Path) -> None:
    table = _tsv(tmp_path / "x.tsv", "chromosome start end score", ["chr17 100 200 0.5"])
    result = CliRunner().invoke(
        main, ["annotate", "--cnv", str(table), "-t", "BRCA", "--genome", "GRCh38",
               "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Error: " in result.output
    assert "segment file has no copy-number column" in result.output
    assert "Hint: name it copy_number" in result.output


# --- contradictory copy number -------------------------------------------------------------------
def test_a_gene_called_amplified_and_deleted_keeps_neither_call(tmp_path: Path) -> None:
    cnv = _tsv(tmp_path / "c.tsv", "gene copy_number", ["ERBB2 10", "ERBB2 0.2", "MET 8"])
    code, output, case = _cnv(tmp_path, cnv)
    assert code == 0, output
    assert labels(case) == ["MET amplification"]
    assert not any("ERBB2" in m["biomarker"] for m in case["matches"])
    note = next(n for n in case["qc"]["not_assessable"] if n.startswith("ERBB2 copy number"))
    assert "amplification at c.tsv:2, copy number 10" in note
    assert "deletion at c.tsv:3, copy number 0.2" in note


def test_two_inputs_that_disagree_on_a_gene_are_not_assessable(tmp_path: Path) -> None:
    table = _tsv(tmp_path / "genes.tsv", "gene copy_number", ["ERBB2 12"])
    seg = _tsv(
        tmp_path / "s.seg",
        "ID chrom loc.start loc.end num.mark seg.mean",
        [f"S1 17 {ERBB2_38[1]} {ERBB2_38[2]} 40 -6"],
    )
    code, output, case = annotate(
        ["--cnv", str(table), "--cnv", str(seg), "-t", "BRCA", "--genome", "GRCh38",
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert code == 0, output
    assert case["variants"] == []
    assert any(n.startswith("ERBB2 copy number contradicts") for n in case["qc"]["not_assessable"])


# --- MAF rows with coordinates but no protein change ----------------------------------------------
NO_PROTEIN_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
    "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tVariant_Classification{build}\n"
)


def _no_protein_maf(path: Path, build: str | None) -> Path:
    suffix = "\tGRCh37" if build else ""
    path.write_text(
        NO_PROTEIN_HEADER.format(build="\tNCBI_Build" if build else "")
        + f"BRAF\t7\t140453136\t140453136\tA\tT\tT1\tMissense_Mutation{suffix}\n"
        + f"TP53\t17\t7577120\t7577120\tC\tT\tT1\tMissense_Mutation{suffix}\n"
        + f"KRAS\t12\t25398284\t25398284\tC\tT\tT1\tSilent{suffix}\n"
    )
    return path


def test_a_maf_hotspot_without_a_protein_change_is_found_by_coordinate(tmp_path: Path) -> None:
    """vcf2maf's own test MAF has rows like this: BRAF V600E went unmatched, without a note."""
    maf = _no_protein_maf(tmp_path / "t.maf", "GRCh37")
    code, output, case = annotate([str(maf), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    braf = next(v for v in case["variants"] if v["gene"] == "BRAF")
    assert (braf["protein"], braf["protein_source"]) == ("V600E", "hotspot_table")
    assert any(m["label"] == "on-label" and m["biomarker"] == "BRAF V600E" for m in case["matches"])
    tp53 = [n for n in case["qc"]["not_assessable"] if "no protein change" in n]
    assert tp53 == [
        f"{maf}: 1 variant(s) with coordinates but no protein change (TP53): exact and codon "
        "rules (e.g. BRAF V600E) not assessable for them (not catalog hotspot alleles at their "
        "coordinates); give HGVSp_Short or Protein_Change"
    ]  # the silent KRAS row needs no protein change


def test_without_a_build_the_rows_are_not_assessable_and_say_why(tmp_path: Path) -> None:
    maf = _no_protein_maf(tmp_path / "t.maf", None)
    code, output, case = annotate([str(maf), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert not any(m["biomarker"] == "BRAF V600E" for m in case["matches"])
    note = next(n for n in case["qc"]["not_assessable"] if "no protein change" in n)
    assert "2 variant(s)" in note
    assert "(BRAF, TP53)" in note
    assert "no genome build (NCBI_Build or --genome)" in note
    code, output, case = annotate(
        [str(maf), "-t", "SKCM", "--genome", "GRCh37", "-o", str(tmp_path / "d.json")]
    )
    assert code == 0, output
    assert any(m["biomarker"] == "BRAF V600E" for m in case["matches"])


# --- Arriba's doubts ----------------------------------------------------------------------------
ARRIBA_HEADER = (
    "#gene1\tgene2\tstrand1(gene/fusion)\tstrand2(gene/fusion)\tbreakpoint1\tbreakpoint2\t"
    "site1\tsite2\ttype\tsplit_reads1\tsplit_reads2\tdiscordant_mates\tcoverage1\tcoverage2\t"
    "confidence\n"
)


def test_arriba_unknown_strand_and_low_confidence_are_noted(tmp_path: Path) -> None:
    path = tmp_path / "fusions.tsv"
    path.write_text(
        ARRIBA_HEADER
        + "NTRK1\tTPM3\t+/.\t-/.\t1:156874906\t1:154170399\tintron\tintron\tinversion\t0\t0\t4\t"
        "10\t10\tlow\n"
        + "EML4\tALK\t+/+\t-/+\t2:42522656\t2:29446394\tsplice-site\tsplice-site\tinversion\t12\t"
        "10\t5\t40\t40\thigh\n"
    )
    code, output, case = annotate(
        ["--fusions", str(path), "-t", "LUAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    by_gene = {v["gene"]: v for v in case["variants"]}
    ntrk1 = by_gene["NTRK1"]
    assert ntrk1["supporting_reads"] == 4
    assert (
        "5'/3' order unknown: Arriba could not determine the fusion transcript's strand"
        in (ntrk1["note"])
    )
    assert "Arriba confidence low (more likely an artefact): confirm the fusion" in ntrk1["note"]
    assert "order unknown" not in by_gene["EML4"]["note"]
    assert "confidence" not in by_gene["EML4"]["note"]


def test_a_fusion_note_names_both_partners_rules(tmp_path: Path) -> None:
    """The rules of TMPRSS2--BRCA2 are BRCA2's: the note said "rules for TMPRSS2"."""
    path = tmp_path / "f.tsv"
    path.write_text("FusionGene\tSplitReads\nTMPRSS2--BRCA2\t12\n")
    code, output, case = annotate(
        ["--fusions", str(path), "-t", "PRAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    note = case["variants"][0]["note"]
    assert "no biomarker rule applies (rules for TMPRSS2 and BRCA2: " in note, note
