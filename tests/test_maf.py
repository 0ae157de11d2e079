"""MAF input: vcf2maf/GDC, cBioPortal, OncoKB annotator and MOAlmanac layouts (issues 4, 12, 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.errors import FormatError, GenomeBuildError, SampleError, TruncatedInputError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers.detect import detect_format
from tumorboard.readers.maf import read_maf

OPTS = RunOptions(tumor_type="LUAD")
MAF = "somatic_vcf/vcf2maf_callers/test_b38_output.maf"


def test_vcf2maf_output(shared_data: Path) -> None:
    path = shared_data / MAF
    assert detect_format(str(path)) == "maf"
    r = read_maf(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert (r.kind, r.genome, r.sample) == ("maf", "GRCh38", "TUMOR")
    assert r.qc.records_read == 25
    assert r.qc.records_in_panel == 22
    first = r.alterations[0]
    assert (first.gene, first.protein, first.protein_3) == ("RUNX1", "L429R", "p.Leu429Arg")
    assert (first.transcript, first.transcript_rule, first.exon) == ("ENST00000675419", "input", 9)
    assert (first.chrom, first.pos, first.ref, first.alt) == ("21", 34792292, "A", "C")
    assert first.vaf == pytest.approx(21 / 54)
    assert first.consequences == ("missense_variant",)
    assert all(a.gene for a in r.alterations)


def test_sample_must_exist(shared_data: Path) -> None:
    opts = RunOptions(tumor_type="LUAD", sample="NOPE")
    with pytest.raises(SampleError, match=r"sample 'NOPE' is not in the MAF; samples: TUMOR"):
        read_maf(str(shared_data / MAF), opts)


def test_several_tumours_need_sample(tmp_path: Path) -> None:
    path = tmp_path / "two.maf"
    path.write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\t"
        "Tumor_Sample_Barcode\tHGVSp_Short\n"
        "BRAF\t7\t140753336\tA\tT\tT1\tp.V600E\nKRAS\t12\t25245350\tC\tT\tT2\tp.G12D\n"
    )
    with pytest.raises(SampleError, match="the MAF holds 2 samples: T1, T2"):
        read_maf(str(path), OPTS)
    r = read_maf(str(path), RunOptions(tumor_type="LUAD", sample="T2"))
    assert [a.label for a in r.alterations] == ["KRAS G12D"]


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.maf"
    path.write_text("Hugo_Symbol\tChromosome\nBRAF\t7\n")
    with pytest.raises(FormatError) as err:
        read_maf(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:1: MAF header has neither Chromosome + Start_Position nor a protein change "
        "column (HGVSp_Short, Protein_Change, HGVSp) (hint: a MAF has Hugo_Symbol and "
        "Chromosome + Start_Position, or HGVSp_Short/Protein_Change)"
    )
    path.write_text("Gene\tHGVSp_Short\nBRAF\tp.V600E\n")
    with pytest.raises(FormatError, match="MAF header lacks Hugo_Symbol"):
        read_maf(str(path), OPTS)


def test_cli_maf(shared_data: Path) -> None:
    result = CliRunner().invoke(main, ["annotate", str(shared_data / MAF), "-t", "AML"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert case["inputs"][0]["kind"] == "maf"
    assert case["qc"]["annotation"] == "MAF (vcf2maf/VEP)"
    assert "RUNX1 L429R" in [v["label"] for v in case["variants"]]


@given(
    gene=st.from_regex(r"[A-Z][A-Z0-9]{1,6}", fullmatch=True).filter(
        lambda g: g.lower() not in ("na", "nd", "none", "null", "unknown")
    ),
    pos=st.integers(1, 10**9),
    depth=st.integers(1, 5000),
    frac=st.floats(0, 1),
)
@settings(max_examples=60, deadline=None)
def test_maf_row_round_trip(tmp_path_factory, gene: str, pos: int, depth: int, frac: float) -> None:
    alt_count = int(depth * frac)
    path = tmp_path_factory.mktemp("maf") / "x.maf"
    path.write_text(
        "#version 2.4\nHugo_Symbol\tChromosome\tStart_Position\tReference_Allele\t"
        "Tumor_Seq_Allele2\tt_depth\tt_alt_count\tVariant_Classification\n"
        f"{gene}\t1\t{pos}\tC\tT\t{depth}\t{alt_count}\tNonsense_Mutation\n"
    )
    (a,) = read_maf(str(path), OPTS).alterations
    assert (a.gene, a.pos, a.depth) == (gene, pos, depth)
    assert a.vaf == pytest.approx(alt_count / depth)
    assert a.consequences == ("stop_gained",)


# --- the layouts other tools write ----------------------------------------------------------------
def _labels(result) -> list[str]:
    return [a.label for a in result.alterations]


def test_oncokb_layout_rows_without_coordinates(tests_data: Path) -> None:
    """NCBI_Build first; rows with only HGVSp_Short are read by gene + protein change."""
    path = tests_data / "maf" / "oncokb_style.maf"
    opts = RunOptions(tumor_type="LUAD", sample="TCGA-ZZ-0001")
    r = read_maf(str(path), opts, load_panel("tso500", "GRCh37"))
    assert _labels(r) == ["EGFR L858R", "KRAS G12C", "TP53 R196*"]
    assert (r.genome, r.sample) == ("GRCh37", "TCGA-ZZ-0001-01A-11D-A000-08")
    assert r.sample_rule == "--sample TCGA-ZZ-0001 (barcode prefix of TCGA-ZZ-0001-01A-11D-A000-08)"
    egfr, kras, tp53 = r.alterations
    assert (egfr.chrom, egfr.pos, egfr.protein_start) == ("", 0, 858)
    assert egfr.notes == ["no genomic coordinates in the MAF: read by gene and protein change"]
    assert (kras.chrom, kras.pos, kras.ref, kras.alt) == ("12", 25398285, "C", "A")
    assert tp53.consequences == ("stop_gained",)
    assert r.qc.warnings == ["oncokb_style.maf: 1 row(s) of other samples left out "
                             "(kept TCGA-ZZ-0001-01A-11D-A000-08)"]  # fmt: skip


def test_oncokb_layout_matches_protein_rules(tests_data: Path) -> None:
    path = tests_data / "maf" / "oncokb_style.maf"
    args = ["annotate", str(path), "-t", "LUAD", "--sample", "TCGA-ZZ-0001"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    rows = {(m["biomarker"], "+".join(m["drugs"]), m["label"]) for m in case["matches"]}
    assert ("EGFR L858R", "osimertinib", "on-label") in rows
    assert ("KRAS G12C", "sotorasib", "on-label") in rows
    assert not any(m["biomarker"].startswith("BRAF") for m in case["matches"])  # patient 2's
    assert case["qc"]["sample_rule"].startswith("--sample TCGA-ZZ-0001 (barcode prefix")


def test_moalmanac_layout(tests_data: Path) -> None:
    """Start_position / Protein_Change / NCBI_Build 37 / Annotation_Transcript, other casing."""
    r = read_maf(str(tests_data / "maf" / "moalmanac_style.maf"), OPTS)
    assert _labels(r) == ["BRAF V600E", "PIK3CA E545K"]
    braf = r.alterations[0]
    assert (r.genome, braf.pos, braf.transcript, braf.vaf) == (
        "GRCh37", 140453136, "ENST00000288602.6", 0.4
    )  # fmt: skip
    assert r.annotation == "MAF"


def test_cbioportal_mutation_data(tests_data: Path) -> None:
    path = tests_data / "maf" / "cbioportal_mutations.txt"
    r = read_maf(str(path), RunOptions(tumor_type="LUAD", sample="TCGA-ZZ-0003-01"))
    assert _labels(r) == ["PIK3CA H1047R", "EML4::ALK fusion"]
    assert r.qc.skipped == {"MAF row without a gene (Hugo_Symbol empty or Unknown)": 1}
    assert r.qc.skipped_examples == {
        "MAF row without a gene (Hugo_Symbol empty or Unknown)": f"{path}:4 ('')"
    }
    fusion = r.alterations[1]
    assert (fusion.kind, fusion.gene, fusion.gene3) == ("fusion", "EML4", "ALK")


def test_bad_rows_are_skipped_with_line_and_reason(tests_data: Path) -> None:
    path = tests_data / "maf" / "bad_rows.maf"
    r = read_maf(str(path), OPTS)
    assert _labels(r) == ["BRAF V600E", "NRAS Q61R"]
    assert r.qc.records_read == 10
    assert r.qc.skipped_examples == {
        "MAF row has fewer cells than the header": f"{path}:3 (3 of 8)",
        "MAF t_depth is not a number": f"{path}:4 ('twelve')",
        "MAF row without a gene (Hugo_Symbol empty or Unknown)": f"{path}:5 ('')",
        "MAF allele is not A, C, G, T, N or '-'": f"{path}:6 ('X!')",
        "MAF tumour allele equals the reference allele": f"{path}:7 (C>C)",
        "MAF t_depth is negative": f"{path}:8 ('-612')",
        "MAF t_alt_count is greater than t_depth": f"{path}:9 (60 > 50)",
        "MAF Start_Position is not a position (whole number >= 1)": f"{path}:10 ('0')",
    }
    assert sum(r.qc.skipped.values()) == 8


def test_truncated_last_line_is_an_error(tests_data: Path) -> None:
    path = tests_data / "maf" / "truncated.maf"
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "COAD"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:3: the file ends inside its last line (3 of 6 columns)\n"
        "Hint: the file was cut short; copy or export it again\n"
    )


MINI_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tHGVSp_Short\n"
)
BRAF_ROW = "BRAF\t7\t140753336\tA\tT\tp.V600E\n"
KRAS_ROW = "KRAS\t12\t25245350\tC\tT\tp.G12D\n"


def test_header_cut_short_is_an_error(tmp_path: Path) -> None:
    """The file ends inside its header line: nothing was read, so nothing can be reported."""
    path = tmp_path / "cut.maf"
    path.write_text("#version 2.4\n" + MINI_HEADER[:40])
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "COAD"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:2: the file ends inside its header line (no newline, no rows)\n"
        "Hint: the file was cut short; copy or export it again (if it is complete, add the "
        "final newline: echo >> FILE)\n"
    )


def test_last_line_without_newline_is_read_and_noted(tmp_path: Path) -> None:
    """A last line that parses is read, and the missing newline (a possible cut) is in qc."""
    path = tmp_path / "t.maf"
    path.write_text(MINI_HEADER + BRAF_ROW + KRAS_ROW.rstrip("\n"))
    r = read_maf(str(path), OPTS)
    assert _labels(r) == ["BRAF V600E", "KRAS G12D"]
    assert r.qc.warnings == [
        "t.maf:3: the file does not end with a newline; its last line was read as it stands: "
        "check that the file is complete"
    ]
    path.write_text(MINI_HEADER + BRAF_ROW + KRAS_ROW)
    assert read_maf(str(path), OPTS).qc.warnings == []


def test_last_line_that_fails_names_its_reason(tmp_path: Path) -> None:
    """Every cell is there but the last one was cut into a bad value: an error, not a skip."""
    path = tmp_path / "t.maf"
    path.write_text(MINI_HEADER + BRAF_ROW + "KRAS\t12\t25245350\tC\tX!\tp.G12D")
    with pytest.raises(TruncatedInputError) as err:
        read_maf(str(path), OPTS)
    assert err.value.message == (
        "the file ends inside its last line (MAF allele is not A, C, G, T, N or '-')"
    )
    assert err.value.where == f"{path}:3"


def test_header_without_rows_is_noted(tmp_path: Path) -> None:
    path = tmp_path / "empty.maf"
    path.write_text("#version 2.4\n" + MINI_HEADER)
    r = read_maf(str(path), OPTS)
    assert (r.alterations, r.qc.records_read) == ([], 0)
    assert r.qc.warnings == [
        "empty.maf: a header line and no data rows: no variants read from this file"
    ]


def test_non_ascii_digits_in_a_position_are_skipped(tmp_path: Path) -> None:
    """'14075333²' passes str.isdigit() but not int(): skipped with its reason, never exit 3."""
    path = tmp_path / "t.maf"
    path.write_text(MINI_HEADER + "BRAF\t7\t14075333\u00b2\tA\tT\tp.V600E\n" + KRAS_ROW)
    r = read_maf(str(path), OPTS)
    assert _labels(r) == ["KRAS G12D"]
    assert r.qc.skipped_examples == {
        "MAF Start_Position is not a position (whole number >= 1)": f"{path}:2 ('14075333²')"
    }


def test_mixed_builds_and_genome_contradiction(tests_data: Path) -> None:
    with pytest.raises(GenomeBuildError) as err:
        read_maf(str(tests_data / "maf" / "mixed_builds.maf"), OPTS)
    assert err.value.message == "the MAF mixes genome builds (GRCh37 at line 2, GRCh38 at line 3)"
    opts = RunOptions(tumor_type="LUAD", genome="GRCh38", sample="TCGA-ZZ-0002")
    with pytest.raises(GenomeBuildError, match=r"the MAF is GRCh37 \(NCBI_Build\) but --genome is"):
        read_maf(str(tests_data / "maf" / "oncokb_style.maf"), opts)


def test_another_patients_rows_never_read(tests_data: Path) -> None:
    path = tests_data / "maf" / "oncokb_style.maf"
    r = read_maf(str(path), RunOptions(tumor_type="SKCM", sample="TCGA-ZZ-0002-01"))
    assert _labels(r) == ["BRAF V600E"]
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "SKCM"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: the MAF holds 2 samples: TCGA-ZZ-0001-01A-11D-A000-08, "
        "TCGA-ZZ-0002-01A-11D-A000-08\n"
        "Hint: pass --sample ID: the exact id, or a TCGA barcode prefix such as TCGA-A6-2686\n"
    )


def test_subprocess_oncokb_layout(tests_data: Path) -> None:
    path = tests_data / "maf" / "oncokb_style.maf"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(path), "-t", "SKCM",
         "--sample", "TCGA-ZZ-0002", "--format", "tsv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()[1:]] == ["BRAF"]


_GENES = st.from_regex(r"[A-Z][A-Z0-9]{1,6}", fullmatch=True).filter(
    lambda g: g.lower() not in ("na", "nd", "none", "null", "unknown")
)
_AA = "ACDEFGHIKLMNPQRSTVWY"


@given(
    gene=_GENES,
    ref=st.sampled_from(_AA),
    alt=st.sampled_from(_AA),
    codon=st.integers(1, 3000),
    case=st.sampled_from(["Protein_Change", "HGVSp_Short", "hgvsp_short", "PROTEIN_CHANGE"]),
)
@settings(max_examples=80, deadline=None)
def test_protein_only_rows_round_trip(
    tmp_path_factory, gene: str, ref: str, alt: str, codon: int, case: str
) -> None:
    path = tmp_path_factory.mktemp("maf") / "p.maf"
    path.write_text(f"NCBI_Build\thugo_symbol\t{case}\nGRCh38\t{gene}\tp.{ref}{codon}{alt}\n")
    (a,) = read_maf(str(path), OPTS).alterations
    assert (a.gene, a.protein, a.protein_start, a.chrom) == (gene, f"{ref}{codon}{alt}", codon, "")


def test_mutation_status_germline_loh_and_wildtype_rows_are_not_tumour_variants(
    tmp_path: Path,
) -> None:
    """cBioPortal MAFs keep germline, LOH and wild-type rows beside the somatic ones
    (Mutation_Status); only Somatic, Unknown, None and empty ones are tumour variants."""
    header = (
        "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2"
        "\tHGVSp_Short\tMutation_Status\n"
    )
    rows = [
        "BRAF\t7\t140753336\tA\tT\tp.V600E\tSomatic",
        "BRCA2\t13\t32340301\tC\tT\tp.Q1037*\tGermline",
        "BRCA1\t17\t43094464\tG\tA\tp.R1203*\tLOH",
        "KRAS\t12\t25245350\tC\tT\tp.G12D\tWildtype",
        "PIK3CA\t3\t179234297\tA\tG\tp.H1047R\t",
        "EGFR\t7\t55191822\tT\tG\tp.L858R\tUnknown",
    ]
    maf = tmp_path / "status.maf"
    maf.write_text(header + "\n".join(rows) + "\n")
    r = read_maf(str(maf), OPTS)
    assert _labels(r) == ["BRAF V600E", "PIK3CA H1047R", "EGFR L858R"]
    assert set(r.qc.skipped) == {
        "MAF row marked Germline (Mutation_Status): not a tumour variant",
        "MAF row marked LOH (Mutation_Status: a germline variant whose other allele the tumour "
        "lost): not a tumour variant",
        "MAF row marked Wildtype (Mutation_Status: the sample was found not mutated there): "
        "not a variant",
    }
    assert (
        r.qc.skipped_examples["MAF row marked Germline (Mutation_Status): not a tumour variant"]
        == f"{maf}:3 (BRCA2)"
    )
    (note,) = r.qc.not_assessable
    assert note.startswith("status.maf: 2 row(s) marked Germline or LOH (Mutation_Status)")


def test_oncotator_protein_changes_reach_the_flt3_itd_and_npm1_labels(tmp_path: Path) -> None:
    """TCGA-era MAFs write Oncotator's notations in Protein_Change: an FLT3-ITD as
    ``599_600insDFREYEY`` or ``600_600D>DSS...``, NPM1 type A as ``WQ288fs``. They keep their
    positions, so the FLT3-ITD and NPM1 labels (midostaurin, gilteritinib, quizartinib,
    revumenib, ziftomenib) are reached; a change that still cannot be read is said so."""
    header = (
        "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2"
        "\tVariant_Classification\tProtein_Change\tNCBI_Build\n"
    )
    rows = [
        "FLT3\t13\t28608256\t-\tGATCTCAAACTCGAAATAGTCAAA\tIn_Frame_Ins\tp.599_600insDFREYEY\t37",
        "NPM1\t5\t170837543\t-\tTCTG\tFrame_Shift_Ins\tp.WQ288fs\t37",
        "DNMT3A\t2\t25457242\tC\tT\tMissense_Mutation\tp.R882H?\t37",
    ]
    maf = tmp_path / "laml.maf"
    maf.write_text(header + "\n".join(rows) + "\n")
    out = tmp_path / "case.json"
    args = ["annotate", str(maf), "-t", "AML", "--panel", "all", "--jurisdiction", "FDA"]
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    labels = {v["label"] for v in case["variants"]}
    assert {"FLT3 599_600insDFREYEY", "NPM1 W288fs"} <= labels
    drugs = {d for m in case["matches"] if m["label"] == "on-label" for d in m["drugs"]}
    assert {"midostaurin", "gilteritinib", "quizartinib", "revumenib", "ziftomenib"} <= drugs
    (unread,) = [n for n in case["qc"]["not_assessable"] if "could not be read" in n]
    assert "1 variant(s) whose protein change could not be read (DNMT3A" in unread


def test_a_symbol_no_gene_has_inside_a_gene_is_not_assessable(tmp_path: Path) -> None:
    """maftools' APL example names its FLT3-ITDs ``FLT3_ITD``: no gene has that symbol, so the
    row is not FLT3's and FLT3's rules were not assessed. The case says so, naming the gene the
    position lies in, rather than reporting "no catalog rule for FLT3_ITD" alone."""
    header = (
        "Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tReference_Allele"
        "\tTumor_Seq_Allele2\tVariant_Classification\n"
    )
    rows = [
        "FLT3_ITD\thg19\tchr13\t28608083\t-\tGATCTC\tITD",
        "LINC_NOT_A_GENE\thg19\tchr13\t20000\tA\tT\tIGR",  # in no gene: nothing to say
    ]
    maf = tmp_path / "apl.maf"
    maf.write_text(header + "\n".join(rows) + "\n")
    r = read_maf(str(maf), OPTS)
    (note,) = [n for n in r.qc.not_assessable if "Hugo_Symbol" in n]
    assert note.startswith(
        "apl.maf: 1 row(s) whose Hugo_Symbol is no gene symbol lie inside a gene ('FLT3_ITD' at "
        "chr13:28608083 lies in FLT3"
    )


def test_rows_outside_their_gene_are_warned_and_a_wrong_build_is_refused(tmp_path: Path) -> None:
    """A MAF's positions are checked against its genes' spans in its NCBI_Build: one row
    outside its gene is a warning; rows that fit the other build mean the label is wrong (their
    positions would be looked up in the wrong genome), which is an error naming the fix."""
    header = (
        "Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tReference_Allele"
        "\tTumor_Seq_Allele2\tHGVSp_Short\n"
    )
    grch38 = [  # BRAF V600E, KRAS G12D, EGFR L858R and PIK3CA H1047R at their GRCh38 positions
        "BRAF\tGRCh38\t7\t140753336\tA\tT\tp.V600E",
        "KRAS\tGRCh38\t12\t25245350\tC\tT\tp.G12D",
        "EGFR\tGRCh38\t7\t55191822\tT\tG\tp.L858R",
        "PIK3CA\tGRCh38\t3\t179234297\tA\tG\tp.H1047R",
    ]
    stray = "BRCA2\tGRCh38\t13\t108106473\tC\tT\tp.Q1037*"
    maf = tmp_path / "one.maf"
    maf.write_text(header + "\n".join([*grch38, stray]) + "\n")
    r = read_maf(str(maf), OPTS)
    assert "one.maf: 1 of 5 row(s) lie outside their gene in GRCh38 (BRCA2 at 13:108106473)" in (
        " ".join(r.qc.warnings)
    )
    labelled_37 = tmp_path / "wrong.maf"
    labelled_37.write_text(header + "\n".join(g.replace("GRCh38", "GRCh37") for g in grch38) + "\n")
    with pytest.raises(GenomeBuildError) as err:
        read_maf(str(labelled_37), OPTS)
    assert (
        # EGFR L858R at 7:55191822 happens to lie inside EGFR's GRCh37 span too
        "3 of 4 rows lie outside their gene in GRCh37, but 4 of 4 fit GRCh38" in err.value.message
    )
