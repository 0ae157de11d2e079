"""Fusion input: PCGR/STAR-Fusion/Arriba/cBioPortal/OncoKB tables, VCF breakends, gene-pair
notations, partner-unknown calls, read support and one patient per file (issues 4, 12, 13)."""

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
from tumorboard.errors import SampleError, TruncatedInputError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.detect import detect_format
from tumorboard.readers.fusions import Pair, parse_pair, splice_variant, split_pair


def read_fusions(path: str, options: RunOptions, panel=None):
    """A --fusions file through the reader table (the panel of the options when none is given)."""
    return read(path, options, panel or load_panel(options.panel, options.genome), "fusions")


OPTS = RunOptions(tumor_type="LUAD")


def _fusions(result) -> list[tuple[str, str, int | None]]:
    return [(a.gene, a.gene3, a.supporting_reads) for a in result.alterations]


def test_pcgr_fusions(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.fusions.tsv"
    assert detect_format(str(path)) == "fusions"
    r = read_fusions(str(path), OPTS)
    assert _fusions(r)[:2] == [("NTRK1", "TPM3", 55), ("EML4", "ALK", 100)]
    assert len(r.alterations) == 9
    eml4 = r.alterations[1]
    assert (eml4.breakpoints, eml4.chrom, eml4.pos) == ("2:42295554;2:29223528", "2", 42295554)
    assert eml4.label == "EML4::ALK fusion"


def test_star_fusion(tests_data: Path) -> None:
    r = read_fusions(
        str(tests_data / "fusions" / "star-fusion.fusion_predictions.abridged.tsv"), OPTS
    )
    # 5' gene from LeftGene (Ensembl id dropped); reads = junction + spanning
    assert _fusions(r) == [("EML4", "ALK", 70), ("SLC34A2", "ROS1", 18)]


def test_arriba_ambiguous_partner_counted(tests_data: Path) -> None:
    r = read_fusions(str(tests_data / "fusions" / "arriba.tsv"), OPTS)
    assert _fusions(r) == [("CD74", "ROS1", 29)]
    assert r.qc.skipped == {"fusion partner ambiguous (several candidate genes)": 1}


def test_gene_pairs(tests_data: Path) -> None:
    r = read_fusions(str(tests_data / "fusions" / "pairs.tsv"), OPTS)
    assert _fusions(r) == [("NKX2-1", "ALK", 5), ("EML4", "ALK", 9)]
    assert r.qc.skipped_examples == {
        "fusion gene pair not understood (expected 5'::3', 5'--3', 5'/3', 5':3' or 5'-3')":
            f"{tests_data / 'fusions' / 'pairs.tsv'}:3 ('WEIRD')"
    }  # fmt: skip


def test_bnd_vcf(tests_data: Path) -> None:
    path = tests_data / "fusions" / "manta_bnd.vcf"
    assert detect_format(str(path)) == "sv_vcf"
    r = read_fusions(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert _fusions(r) == [("CCDC6", "RET", 41)]
    assert r.alterations[0].notes == [
        "from VCF breakends: partner order as the breakends appear; "
        "5'/3' orientation not determined"
    ]
    assert r.qc.filtered == 2
    # bnd_5's mate is missing: paired with its ALT's position, chr7:2000, and no gene is at
    # either end
    assert r.qc.skipped == {"breakend pair with no gene at either end": 1}


def test_bad_read_counts_are_skipped(tests_data: Path) -> None:
    path = tests_data / "fusions" / "support.tsv"
    r = read_fusions(str(path), OPTS)
    assert _fusions(r) == [("TPM3", "NTRK1", 7)]
    assert r.qc.skipped_examples == {
        "fusion read support below --min-fusion-reads 2": f"EML4::ALK fusion, 1 read(s) ({path}:2)",
        "fusion read count is negative": f"{path}:3 ('-3')",
        "fusion read count is not a number": f"{path}:4 ('many')",
        "fusion read count is not a whole number": f"{path}:5 ('2.5')",
        "gene-pair column and gene columns disagree": f"{path}:7 (ETV6--NTRK3 vs CD2AP::NTRK3)",
    }
    relaxed = read_fusions(str(path), RunOptions(tumor_type="LUAD", min_fusion_reads=0))
    assert _fusions(relaxed) == [("EML4", "ALK", 1), ("TPM3", "NTRK1", 7)]


def test_cli_min_fusion_reads(tests_data: Path) -> None:
    path = tests_data / "fusions" / "support.tsv"
    base = ["annotate", "-t", "LUAD", "--fusions", str(path), "--format", "tsv"]
    default = CliRunner().invoke(main, base)
    strict = CliRunner().invoke(main, [*base, "--min-fusion-reads", "8"])
    relaxed = CliRunner().invoke(main, [*base, "--min-fusion-reads", "1"])
    assert default.exit_code == strict.exit_code == relaxed.exit_code == 0
    genes = [
        [ln.split("\t")[0] for ln in r.output.splitlines()[1:]] for r in (default, strict, relaxed)
    ]
    assert genes == [["TPM3"], [], ["EML4", "TPM3"]]
    bad = CliRunner().invoke(main, [*base, "--min-fusion-reads", "-1"])
    assert bad.exit_code == 2
    assert "-1 is not in the range x>=0" in bad.output


def test_fusions_subprocess(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.fusions.tsv"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", "--fusions", str(path), "-t", "LUAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    case = json.loads(proc.stdout)
    assert {v["gene3"] for v in case["variants"]} >= {"ALK", "RET", "TPM3"}


def test_splice_variant_exons() -> None:
    assert splice_variant("MET", "13-15").exon == 14
    assert splice_variant("MET", "Exon 14").exon == 14
    egfr = splice_variant("EGFR", "1-8")
    assert (egfr.exon, egfr.notes[-1]) == (2, "EGFRvIII (exons 2-7 deleted)")


_GENE = st.from_regex(r"[A-Z][A-Z0-9]{1,7}", fullmatch=True)


@given(g5=_GENE, g3=_GENE, sep=st.sampled_from(["::", "--", "/"]))
@settings(max_examples=150, deadline=None)
def test_split_pair_round_trip(g5: str, g3: str, sep: str) -> None:
    if g5 == g3:  # the same gene twice is an intragenic call: one gene, partner unknown
        assert split_pair(f"{g5}{sep}{g3}") is None
        assert parse_pair(f"{g5}{sep}{g3}") == parse_pair(f"{g5}-intragenic")
        return
    assert split_pair(f"{g5}{sep}{g3}") == (g5, g3)
    assert split_pair(f"{g5}^ENSG0001{sep}{g3}(exon 20)") == (g5, g3)


# --- notations, partner unknown, one patient ---------------------------------------------------
def test_notations(tests_data: Path) -> None:
    path = tests_data / "fusions" / "notations.tsv"
    r = read_fusions(str(path), OPTS)
    assert [(a.gene, a.gene3) for a in r.alterations] == [
        ("EML4", "ALK"), ("CCDC6", "RET"), ("NTRK3", ""), ("FGFR2", ""), ("ALK", ""),
        ("EGFR", ""), ("MET", ""), ("NKX2-1", "ALK"), ("ROS1", ""),
    ]  # fmt: skip
    notes = {a.label: a.notes for a in r.alterations}
    assert notes["EML4::ALK fusion"] == [
        "written EML4-ALK (single dash): 5'/3' order as written, not checked"
    ]
    assert notes["NTRK3 fusion"] == [
        "fusion partner unknown: the input names only the 3' gene NTRK3 (5' missing)"
    ]
    assert notes["FGFR2 fusion"] == [
        "fusion partner unknown: the input names only the 5' gene FGFR2 (3' missing)"
    ]
    assert notes["EGFR fusion"] == [
        "intragenic rearrangement of EGFR (no second gene named): read as EGFR fusion, partner "
        "unknown; confirm an expressed in-frame fusion before acting on it"
    ]
    assert notes["ROS1 fusion"] == ["fusion partner unknown: the input names only ROS1"]
    assert r.qc.skipped_examples == {
        "fusion gene pair not understood (expected 5'::3', 5'--3', 5'/3', 5':3' or 5'-3')":
            f"{path}:10 ('FOO1-BAR2')"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EML4-ALK", ("EML4", "ALK")),
        ("EML4--ALK", ("EML4", "ALK")),
        ("EML4::ALK", ("EML4", "ALK")),
        ("EML4/ALK", ("EML4", "ALK")),
        ("TPM3-NTRK1", ("TPM3", "NTRK1")),
        ("ETV6-RUNX1 fusion", ("ETV6", "RUNX1")),
        ("HLA-A-ALK", ("HLA-A", "ALK")),
        ("NKX2-1--ALK", ("NKX2-1", "ALK")),
        ("--NTRK3", ("", "NTRK3")),
        ("FGFR2--", ("FGFR2", "")),
        ("::RET", ("", "RET")),
        ("MLL2-intragenic", ("MLL2", "")),
        ("ERBB2 intragenic", ("ERBB2", "")),
        ("BRAF::BRAF", ("BRAF", "")),
        ("ALK", ("ALK", "")),
    ],
)
def test_parse_pair(text: str, expected: tuple[str, str]) -> None:
    pair = parse_pair(text)
    assert isinstance(pair, Pair)
    assert (pair.gene5, pair.gene3) == expected


@pytest.mark.parametrize("text", ["WEIRD", "--", "EML4 ALK", "FOO1-BAR2", "A::B::C", ""])
def test_parse_pair_refuses(text: str) -> None:
    assert isinstance(parse_pair(text), str)


def test_partner_unknown_matches_any_partner_rules(tests_data: Path) -> None:
    """PCGR GRCh37 writes --NTRK3: an NTRK3 fusion with unknown partner still meets the
    tumour-agnostic NTRK rule (larotrectinib), with the caveat in the variant's note."""
    path = tests_data / "fusions" / "notations.tsv"
    result = CliRunner().invoke(main, ["annotate", "-t", "THPA", "--fusions", str(path)])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    ntrk3 = next(v for v in case["variants"] if v["label"] == "NTRK3 fusion")
    assert ntrk3["gene3"] == ""
    assert "partner unknown" in ntrk3["note"]
    drugs = {d for m in case["matches"] if ntrk3["id"] in m["variants"] for d in m["drugs"]}
    assert "larotrectinib" in drugs


def test_glioblastoma_patient_never_inherits_another_patients_fusion(tests_data: Path) -> None:
    path = tests_data / "fusions" / "oncokb_fusions.txt"
    args = ["annotate", "-t", "GB", "--fusions", str(path), "--sample", "GLIO-PATIENT-02"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert [v["label"] for v in case["variants"]] == ["EGFR fusion", "FGFR3::TACC3 fusion"]
    assert not {"alectinib", "crizotinib", "lorlatinib"} & {
        d for m in case["matches"] for d in m["drugs"]
    }
    assert case["qc"]["sample_rule"] == "--sample GLIO-PATIENT-02 (exact id)"
    assert case["qc"]["warnings"][0] == (
        "oncokb_fusions.txt: 1 row(s) of other samples left out (kept GLIO-PATIENT-02)"
    )
    unsure = CliRunner().invoke(main, ["annotate", "-t", "GB", "--fusions", str(path)])
    assert unsure.exit_code == 1
    assert unsure.output == (
        f"Error: {path}: the fusion file holds 2 samples: GLIO-PATIENT-02, LUNG-PATIENT-01\n"
        "Hint: pass --sample ID: the exact id, or a TCGA barcode prefix such as TCGA-A6-2686\n"
    )


def test_cbioportal_sv(tests_data: Path) -> None:
    path = tests_data / "fusions" / "cbioportal_sv.txt"
    r = read_fusions(str(path), RunOptions(tumor_type="PRAD", sample="TCGA-ZZ-0008"))
    assert _fusions(r) == [("TMPRSS2", "ERG", 59), ("CD74", "ROS1", 22)]
    assert r.sample == "TCGA-ZZ-0008-01"
    assert r.qc.skipped == {"germline structural variant (SV_Status GERMLINE)": 1}
    assert r.alterations[1].notes == [
        "structural variant class TRANSLOCATION read as a fusion of the named genes"
    ]
    with pytest.raises(SampleError, match="sample 'TCGA-ZZ-0010' is not in the fusion file"):
        read_fusions(str(path), RunOptions(tumor_type="PRAD", sample="TCGA-ZZ-0010"))


def test_all_rows_bad_still_reports_them(tests_data: Path) -> None:
    path = tests_data / "fusions" / "bad_reads.tsv"
    result = CliRunner().invoke(main, ["annotate", "-t", "LUAD", "--fusions", str(path)])
    assert result.exit_code == 0, result.output
    qc = json.loads(result.output)["qc"]
    assert qc["skipped"] == [
        {"reason": "fusion read count is not a number", "count": 1, "example": f"{path}:2 ('many')"}
    ]


def test_truncated_fusion_table(tmp_path: Path) -> None:
    path = tmp_path / "f.tsv"
    path.write_text("FusionGene\tLeftBreakpoint\tRightBreakpoint\tSplitReads\nEML4--ALK\t2:1\t2:2\t9"
                    "\nCCDC6--RET\t10:5")  # fmt: skip
    with pytest.raises(TruncatedInputError) as err:
        read_fusions(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:3: the file ends inside its last line (2 of 4 columns) "
        "(hint: the file was cut short; copy or export it again)"
    )


_PARTNERS = st.sampled_from(
    sorted(["ALK", "RET", "ROS1", "NTRK1", "NTRK3", "FGFR2", "EML4", "KIF5B"])
)


@given(g5=_PARTNERS, g3=_PARTNERS, sep=st.sampled_from(["::", "--", "-", "/"]))
@settings(max_examples=80, deadline=None)
def test_parse_pair_known_genes(g5: str, g3: str, sep: str) -> None:
    pair = parse_pair(f"{g5}{sep}{g3}")
    assert isinstance(pair, Pair)
    assert (pair.gene5, pair.gene3) == ((g5, g3) if g5 != g3 else (g5, ""))
    partial = parse_pair(f"{sep}{g3}") if sep != "-" else parse_pair(f"--{g3}")
    assert isinstance(partial, Pair)
    assert (partial.gene5, partial.gene3) == ("", g3)


# --- breakpoints, breakend ALTs and read counts (issue 13 point 1) --------------------------------
FUSION_HEADER = "FusionGene\tLeftBreakpoint\tRightBreakpoint\tSplitReads\n"


@pytest.mark.parametrize(
    ("left", "reason"),
    [
        ("chr2:x:?", "fusion breakpoint is not chrom:pos or chrom:pos:strand"),
        ("five", "fusion breakpoint is not chrom:pos or chrom:pos:strand"),
        ("chr2:42295554:?", "fusion breakpoint is not chrom:pos or chrom:pos:strand"),
        ("2:0", "fusion breakpoint position is not 1 to 3e9"),
        ("2:9999999999", "fusion breakpoint position is not 1 to 3e9"),
    ],
)
def test_bad_breakpoint_skips_the_row(tmp_path: Path, left: str, reason: str) -> None:
    """A garbage breakpoint was read as position 0; now the row is skipped with its reason."""
    path = tmp_path / "f.tsv"
    path.write_text(
        FUSION_HEADER + f"EML4--ALK\t{left}\t2:29223528\t9\nCCDC6--RET\t10:5\t10:6\t12\n"
    )
    r = read_fusions(str(path), OPTS)
    assert _fusions(r) == [("CCDC6", "RET", 12)]
    assert r.qc.skipped_examples == {reason: f"{path}:2 ({left!r})"}


def test_breakpoint_forms_read(tmp_path: Path) -> None:
    """chrom:pos (PCGR, Arriba) and chrom:pos:strand (STAR-Fusion) give the 5' position."""
    path = tmp_path / "f.tsv"
    path.write_text(
        FUSION_HEADER + "EML4--ALK\tchr2:42295554:+\tchr2:29223528:-\t9\n"
        "CCDC6--RET\t10:59798614\t10:43116592\t12\n"
    )
    r = read_fusions(str(path), OPTS)
    assert [(a.chrom, a.pos) for a in r.alterations] == [("chr2", 42295554), ("10", 59798614)]
    assert not r.qc.skipped


def test_star_fusion_last_line_without_newline_is_noted(tests_data: Path, tmp_path: Path) -> None:
    """The last line was cut inside its annots column: read (every value checked parses) and
    the missing newline noted, never silent."""
    text = (tests_data / "fusions" / "star-fusion.fusion_predictions.abridged.tsv").read_text()
    path = tmp_path / "star.tsv"
    path.write_text(text.rstrip("\n")[:-6])
    r = read_fusions(str(path), OPTS)
    assert _fusions(r) == [("EML4", "ALK", 70), ("SLC34A2", "ROS1", 18)]
    assert r.qc.warnings == [
        "star.tsv:3: the file does not end with a newline; its last line was read as it stands: "
        "check that the file is complete"
    ]


def _bnd(tests_data: Path, tmp_path: Path, old: str, new: str, *, end: str = "\n") -> Path:
    text = (tests_data / "fusions" / "manta_bnd.vcf").read_text()
    assert old in text
    path = tmp_path / "bnd.vcf"
    path.write_text(text.replace(old, new).rstrip("\n") + end)
    return path


@pytest.mark.parametrize(
    ("old", "new", "reason", "example"),
    [
        (
            "G]chr10:43116592]",
            "G]chr10",
            "breakend ALT is malformed (expected t[chrom:pos[, t]chrom:pos], ]chrom:pos]t or "
            "[chrom:pos[t)",
            " ALT 'G]chr10'",
        ),
        (
            "G]chr10:43116592]",
            "G]chr10:43116592[",
            "breakend ALT is malformed (expected t[chrom:pos[, t]chrom:pos], ]chrom:pos]t or "
            "[chrom:pos[t)",
            " ALT 'G]chr10:43116592['",
        ),
        (
            "G]chr10:43116592]",
            "G]chr10:0]",
            "breakend ALT mate position is not a position (1 to 3e9)",
            " 'G]chr10:0]'",
        ),
        ("SR\t30,41", "SR\t-30,-41", "breakend read count (SR) is negative", " SR='-30,-41'"),
        ("SR\t30,41", "SR\t30,many", "breakend read count (SR) is not a number", " SR='30,many'"),
    ],
)
def test_bad_breakend_skips_the_record(
    tests_data: Path, tmp_path: Path, old: str, new: str, reason: str, example: str
) -> None:
    """The record is skipped with its reason; its mate, left alone, is counted as such."""
    path = _bnd(tests_data, tmp_path, old, new)
    r = read_fusions(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert r.alterations == []
    assert r.qc.skipped == {
        reason: 1,
        "breakend whose mate record was skipped (the pair is not read)": 1,
        "breakend pair with no gene at either end": 1,  # bnd_5, paired with its ALT's position
    }
    assert r.qc.skipped_examples[reason] == f"{path}:9 (chr10:59798614){example}"


@pytest.mark.parametrize("alt", ["G]chr10:43116592]", "G[chr10:43116592[", "]chr10:43116592]G",
                                 "[chr10:43116592[G"])  # fmt: skip
def test_the_four_breakend_forms_are_read(tests_data: Path, tmp_path: Path, alt: str) -> None:
    path = _bnd(tests_data, tmp_path, "G]chr10:43116592]", alt)
    r = read_fusions(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert _fusions(r) == [("CCDC6", "RET", 41)]


def test_breakend_vcf_without_final_newline_is_an_error(tests_data: Path, tmp_path: Path) -> None:
    path = _bnd(tests_data, tmp_path, "SR\t1,2", "SR\t1,2", end="")
    result = CliRunner().invoke(main, ["annotate", "-t", "LUAD", "--fusions", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:13: the file does not end with a newline: its last record may be cut "
        "short\nHint: if the file is complete, add the final newline (echo >> FILE); otherwise "
        "copy it again or re-run the caller\n"
    )


def test_breakend_vcf_build_from_its_header(tests_data: Path, tmp_path: Path) -> None:
    """The header's ##reference=GRCh38 is the file's build: it is the case's when the run names
    none, and a GRCh37 run refuses the file (one Error/Hint) instead of placing its breakends."""
    path = tests_data / "fusions" / "manta_bnd.vcf"
    r = read_fusions(str(path), OPTS, load_panel("tso500", None))
    assert (r.genome, _fusions(r)) == ("GRCh38", [("CCDC6", "RET", 41)])
    result = CliRunner().invoke(
        main, ["annotate", "-t", "LUAD", "--genome", "GRCh37", "--fusions", str(path)]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: the run's genome build is GRCh37 (--genome or another input) but this "
        "file is GRCh38 (from ##reference=GRCh38)\nHint: give every input of the patient on one "
        "build (--genome GRCh38), or lift this file over to GRCh37\n"
    )
    unnamed = _bnd(tests_data, tmp_path, "##reference=GRCh38\n", "")
    assert read_fusions(str(unnamed), OPTS, load_panel("tso500", None)).genome is None


def test_an_intragenic_call_is_on_label_only_if_confirmed_as_a_fusion(tmp_path: Path) -> None:
    """STAR-Fusion's ALK--ALK is an intragenic rearrangement, not an ALK fusion with a partner:
    an approval for ALK-positive NSCLC holds only if the board confirms an expressed fusion. A
    named fusion of the same gene beside it needs no such confirmation."""
    path = tmp_path / "f.tsv"
    path.write_text("FusionName\tJunctionReadCount\tSpanningFragCount\nALK--ALK\t20\t5\n")

    def alectinib(fusions: Path) -> dict:
        args = ["annotate", "--fusions", str(fusions), "-t", "LUAD", "--genome", "GRCh38"]
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "c.json")])
        assert result.exit_code == 0, result.output
        matches = json.loads((tmp_path / "c.json").read_text())["matches"]
        return next(m for m in matches if m["drugs"] == ["alectinib"])

    doubtful = alectinib(path)
    assert doubtful["label"] == "on-label"
    confirm = (
        "the intragenic rearrangement of ALK the input names is an expressed in-frame ALK fusion"
    )
    assert any(r.startswith(confirm) for r in doubtful["requires"]), doubtful["requires"]
    assert confirm in doubtful["label_text"]
    both = tmp_path / "g.tsv"
    both.write_text(path.read_text() + "EML4--ALK\t30\t8\n")
    sound = alectinib(both)
    assert not any(r.startswith(confirm) for r in sound["requires"])
