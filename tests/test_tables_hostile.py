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
