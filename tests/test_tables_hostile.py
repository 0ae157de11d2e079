"""A generated corpus of malformed tables (MAF, CNA, segments, fusion and SV tables, TSO500 CVOs,
CNV and breakend VCFs) through ``annotate`` (issue 13 points 1 and 7).

Each case takes one of the fixtures, damages a few lines (a cell replaced by a hostile value, a
row cut short or lengthened, a line repeated or cut inside, the file cut anywhere) and checks the
outcome: exit 0 with a JSON case, or exit 1 with exactly one ``Error:`` and one ``Hint:`` line;
never an internal error (exit 3) or a traceback. The seed is fixed, so a failure names its case.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

TESTS_DATA = Path(__file__).resolve().parent / "data"
SOURCES = [
    ("maf/oncokb_style.maf", "", "TCGA-ZZ-0001"),
    ("maf/moalmanac_style.maf", "", None),
    ("maf/cbioportal_mutations.txt", "", "TCGA-ZZ-0003-01"),
    ("maf/bad_rows.maf", "", None),
    ("cnv/cbioportal_cna_matrix.txt", "--cnv", "TCGA-ZZ-0006-01"),
    ("cnv/cbioportal_cna_long.txt", "--cnv", "TCGA-ZZ-0005-01"),
    ("cnv/words_long.txt", "--cnv", "P1"),
    ("cnv/genes.tsv", "--cnv", None),
    ("cnv/two_samples.seg", "--cnv", "TUMOUR-A"),
    ("cnv/PT-0042_CopyNumberVariants.vcf", "--cnv", None),
    ("fusions/notations.tsv", "--fusions", None),
    ("fusions/oncokb_fusions.txt", "--fusions", "GLIO-PATIENT-02"),
    ("fusions/cbioportal_sv.txt", "--fusions", "TCGA-ZZ-0008-01"),
    ("fusions/star-fusion.fusion_predictions.abridged.tsv", "--fusions", None),
    ("fusions/arriba.tsv", "--fusions", None),
    ("fusions/manta_bnd.vcf", "--fusions", None),
    ("tso500/PT-0042_CombinedVariantOutput.tsv", "", None),
    ("tso500/PT-0077_CombinedVariantOutput.tsv", "", None),
]
HOSTILE = [
    "", "NaN", "nan", "-1", "-0.3", "35.2", "inf", "-inf", "1e999", "9" * 30, "0", "1.5", "NA",
    "--", "::", "-", "X!", "é", "\x00", " ", "[TMB]", "#", "p.", "chr0", "2", "-2", "Gain",
]  # fmt: skip
CASES = 120


def _damage(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(lines))
        cells = lines[k].split("\t")
        op = rng.random()
        if op < 0.5:
            cells[rng.randrange(len(cells))] = rng.choice(HOSTILE)
            lines[k] = "\t".join(cells)
        elif op < 0.65:
            lines[k] = "\t".join(cells[: rng.randrange(len(cells) + 1)])
        elif op < 0.75:
            lines[k] = "\t".join([*cells, rng.choice(HOSTILE)])
        elif op < 0.85:
            lines.insert(k, lines[k])
        else:
            lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
    out = "\n".join(lines)
    return out[: rng.randrange(len(out) + 1)] if rng.random() < 0.2 else out


def _case(i: int, folder: Path) -> tuple[list[str], Path]:
    rng = random.Random(i)
    name, role, sample = SOURCES[i % len(SOURCES)]
    source = TESTS_DATA / name
    path = folder / f"case{i}{source.suffix}"
    path.write_text(_damage(source.read_text(encoding="utf-8"), rng), encoding="utf-8")
    args = ["annotate", "-t", "LUAD", "--genome", "GRCh38" if "seg" in name else "GRCh37"]
    if "tso500" in name:
        args = args[:3]  # the CVO states no build
    if sample:
        args += ["--sample", sample]
    return [*args, *([role] if role else []), str(path)], path


@pytest.mark.parametrize("i", range(CASES))
def test_damaged_table(i: int, tmp_path: Path) -> None:
    args, path = _case(i, tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), (args, result.output[-500:], repr(result.exception))
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        lines = result.output.splitlines()
        assert len(lines) == 2, result.output
        assert lines[0].startswith("Error: ")
        assert lines[1].startswith("Hint: ")
        assert len(lines[0]) < 400  # a short, escaped excerpt at most, never the file's content
    else:
        case = json.loads(result.output)
        assert case["inputs"][0]["path"] == str(path)


# --- rows longer than their header (a tab inside a cell shifts every cell after it) ---

_MAF_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tt_depth"
    "\tt_alt_count\tHGVSp_Short\n"
)


def test_maf_row_with_values_past_the_header_is_skipped(tmp_path: Path) -> None:
    """A gene cell split by a stray tab would put the chromosome in the gene column and every
    value one column late: the row is skipped with its line, never read shifted. A trailing
    empty cell is no value and keeps its row."""
    from cli_run import annotate, write

    maf = write(
        tmp_path,
        "shifted.maf",
        _MAF_HEADER
        + "BRAF\t7\t140753336\tA\tT\t100\t30\tp.V600E\t\n"  # trailing tab: read
        + "KR\tAS\t12\t25245350\tC\tT\t50\t3\tp.G12D\n",  # shifted: skipped
    )
    code, output, case = annotate(
        [str(maf), "-t", "COAD", "--panel", "all", "-o", str(tmp_path / "o.json")]
    )
    assert code == 0, output
    assert [v["label"] for v in case["variants"]] == ["BRAF V600E"]
    skipped = case["qc"]["skipped"]
    assert any(
        "MAF row has values past the header's last column" in s["reason"]
        and s["example"].endswith("shifted.maf:3 (9 of 8)")
        for s in skipped
    ), skipped


def test_fusion_row_with_values_past_the_header_is_skipped(tmp_path: Path) -> None:
    from cli_run import annotate, write

    vcf = write(
        tmp_path,
        "empty.vcf",
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    )
    fusions = write(
        tmp_path,
        "fusions.tsv",
        "FusionName\tJunctionReadCount\tSpanningFragCount\n"
        "EML4--ALK\t48\t22\n"
        "CD74--ROS1\t5\t3\tsomething a later column holds\n",
    )
    args = [str(vcf), "--fusions", str(fusions), "-t", "LUAD", "--genome", "GRCh38"]
    args += ["-o", str(tmp_path / "o.json")]
    code, output, case = annotate(args)
    assert code == 0, output
    assert [v["label"] for v in case["variants"]] == ["EML4::ALK fusion"]
    assert any(
        "fusion row has values past the header's last column" in s["reason"]
        for s in case["qc"]["skipped"]
    ), case["qc"]["skipped"]


def test_one_row_biomarker_file_with_values_past_the_header_is_an_error(tmp_path: Path) -> None:
    """PURPLE's purity file holds one row: shifted, its MSI or TMB value would be another
    column's number, so the file is refused (one Error: and one Hint: line)."""
    from cli_run import refused, write

    names = (
        "purity normFactor score diploidProportion ploidy gender status polyclonalProportion "
        "minPurity maxPurity minPloidy maxPloidy minDiploidProportion maxDiploidProportion "
        "somaticPenalty wholeGenomeDuplication msIndelsPerMb msStatus tml tmlStatus tmbPerMb "
        "tmbStatus svTumorMutationalBurden"
    )
    header = "\t".join(names.split()) + "\n"
    cells = [
        "0.6",
        "1.0",
        "0.1",
        "0.9",
        "2.1",
        "FEMALE",
        "NORMAL",
        "0",
        "0.5",
        "0.7",
        "2",
        "2.2",
        "0.8",
        "1",
        "0",
        "false",
        "0.1",
        "MSS",
        "100",
        "LOW",
        "3.0",
        "LOW",
        "10",
    ]
    cells.insert(5, "extra")
    purity = write(tmp_path, "T.purple.purity.tsv", header + "\t".join(cells) + "\n")
    vcf = write(
        tmp_path,
        "empty.vcf",
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    )
    out = tmp_path / "o.json"
    lines = refused([str(vcf), str(purity), "-t", "LUAD", "--genome", "GRCh38", "-o", str(out)])
    assert "past the header's last column (24 of 23 cells)" in lines[0]


def test_a_table_none_of_whose_rows_can_be_read_is_an_error(tmp_path: Path) -> None:
    """An older layout of a tool's table (a header column the rows lack) or segments without
    coordinates: every row skipped would read as "no fusions" / "no copy-number changes" of a
    file never read. One Error: and one Hint: line instead, and no output."""
    from cli_run import refused, write

    fusions = write(
        tmp_path,
        "old.FFPM",
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tTrinityGG\n"
        "EML4--ALK\t12\t4\n"
        "CD74--ROS1\t9\t2\n",
    )
    segments = write(
        tmp_path,
        "buggy.seg",
        "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
        "T1\t17\t\t\t40\t1.9\n"
        "T1\t9\t\t\t30\t-2.5\n",
    )
    for option, path in (("--fusions", fusions), ("--cnv", segments)):
        out = tmp_path / "o.json"
        lines = refused([option, str(path), "-t", "LUAD", "--genome", "GRCh38", "-o", str(out)])
        assert "no row could be read: all 2 were skipped" in lines[0]


def test_a_table_whose_rows_are_only_left_out_is_read(tmp_path: Path) -> None:
    """Rows read and left out (below the read threshold) are no damage: the case says so."""
    from cli_run import annotate, write

    fusions = write(tmp_path, "f.tsv", "FusionName\tJunctionReadCount\nEML4--ALK\t1\n")
    args = ["--fusions", str(fusions), "-t", "LUAD", "--genome", "GRCh38"]
    code, output, case = annotate([*args, "-o", str(tmp_path / "o.json")])
    assert code == 0, output
    assert case["variants"] == []
    assert case["qc"]["skipped"]
