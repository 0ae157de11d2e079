"""The benchmark generator and comparison script at quick scale: checksums and behaviour.

No timing is asserted. The timed suites themselves run with::

    python -m pytest benchmarks --benchmark-disable     # each benchmark once (CI)
    python -m pytest benchmarks --benchmark-enable      # timed, quick scale
    TUMORBOARD_BENCH_SCALE=4000000 python -m pytest benchmarks --benchmark-enable
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import compare, generate, instructions
from tumorboard.api import read_vcf
from tumorboard.models import CaseResult, RunOptions

pytestmark = pytest.mark.slow  # processes, whole runs: outside the fast loop (-m "not slow")

SCALE = generate.QUICK_SCALE


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, object]:
    out = tmp_path_factory.mktemp("quick")
    sums = generate.generate(out, SCALE)
    return {"out": out, "sums": sums, "names": generate.output_names(SCALE)}


def test_quick_outputs_match_recorded_checksums(quick: dict[str, object]) -> None:
    assert generate.verify(quick["sums"], generate.DEFAULT_SEED, SCALE) == []  # type: ignore[arg-type]
    names = quick["names"]
    assert names == {
        "wgs": "wgs_40k.vcf.gz",
        "panel": "panel_500.vcf.gz",
        "cvo": "tso500_CombinedVariantOutput.tsv",
        "case": "case_500.json",
    }


def test_generation_is_deterministic_and_seeded(quick: dict[str, object], tmp_path: Path) -> None:
    again = generate.generate(tmp_path / "a", SCALE)
    assert again == quick["sums"]
    other = generate.generate(tmp_path / "b", SCALE, seed=7)
    changed = {k for k in again if again[k] != other[k]}
    assert changed >= {"wgs_40k.vcf.gz", "panel_500.vcf.gz", "case_500.json"}


def test_verify_reports_a_changed_output(quick: dict[str, object], tmp_path: Path) -> None:
    sums = dict(quick["sums"])  # type: ignore[call-overload]
    sums["case_500.json"] = "0" * 32
    problems = generate.verify(sums, generate.DEFAULT_SEED, SCALE)
    assert len(problems) == 1
    assert problems[0].startswith("case_500.json: md5 00000000000000000000000000000000 != ")
    assert generate.verify(sums, 1, SCALE) == [
        "no checksums recorded for seed=1 scale=40000 in checksums.json"
    ]
    table = tmp_path / "sums.json"
    generate.update(sums, 1, SCALE, table)
    assert generate.verify(sums, 1, SCALE, table) == []


def test_wgs_vcf_is_realistic_and_one_percent_in_panel(quick: dict[str, object]) -> None:
    out: Path = quick["out"]  # type: ignore[assignment]
    wgs = out / "wgs_40k.vcf.gz"
    assert Path(f"{wgs}.tbi").is_file()
    with gzip.open(wgs, "rt") as fh:
        header = [line for line in (next(fh) for _ in range(60)) if line.startswith("#")]
    assert "##contig=<ID=chr1,length=248956422,assembly=GRCh38>\n" in header
    assert any(line.startswith("##reference=") for line in header)
    csq = next(line for line in header if line.startswith("##INFO=<ID=CSQ"))
    fields = csq.split("Format: ")[1].split('"')[0].split("|")
    assert len(fields) >= 40
    assert {"Allele", "SYMBOL", "HGVSp", "CANONICAL", "MANE_SELECT"} <= set(fields)
    assert header[-1] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
    options = RunOptions(tumor_type="LUAD", panel="tso500", include_filtered=True)
    streamed = read_vcf(wgs, options.model_copy(update={"index": "never"}))
    assert streamed.qc.records_read == SCALE
    assert streamed.qc.records_in_panel == SCALE // 100
    assert streamed.sample == "TUMOR"
    labels = {a.label for a in streamed.alterations}
    assert {"BRAF V600E", "KRAS G12D", "EGFR L858R", "PIK3CA H1047R", "IDH1 R132H"} <= labels
    indexed = read_vcf(wgs, options.model_copy(update={"index": "require"}))
    assert indexed.used_index
    assert [a.key for a in indexed.alterations] == [a.key for a in streamed.alterations]


def test_panel_vcf_cvo_and_case(quick: dict[str, object]) -> None:
    out: Path = quick["out"]  # type: ignore[assignment]
    panel = read_vcf(out / "panel_500.vcf.gz", RunOptions(tumor_type="LUAD", index="never"))
    assert panel.qc.records_read == panel.qc.records_in_panel == 500
    cvo = (out / "tso500_CombinedVariantOutput.tsv").read_text()
    assert cvo.startswith("TruSight Oncology 500 - Combined Variant Output\n")
    assert "BRAF\tchr7\t140753336\tA\tT\t" in cvo
    assert "NP_004324.2:p.(Val600Glu)" in cvo
    case = CaseResult.model_validate_json((out / "case_500.json").read_text())
    assert len(case.variants) == 500
    assert len(case.matches) == 50
    ids = {v.id for v in case.variants}
    assert all(set(m.variants) <= ids for m in case.matches)


def test_generate_script_checks_checksums(tmp_path: Path, shared_data: Path) -> None:
    script = Path(generate.__file__)
    cmd = [sys.executable, str(script), "--quick", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "checksums: OK"


@pytest.fixture(scope="module")
def bcftools() -> str:
    path = shutil.which("bcftools")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("bcftools is not installed (the CI script installs it)")
        pytest.skip("bcftools is not installed")
    return path


def test_compare_quick_run_prints_every_row(
    quick: dict[str, object], bcftools: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out: Path = quick["out"]  # type: ignore[assignment]
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{compare.START}\nold\n{compare.END}\ntail\n")
    code = compare.main(["--data", str(out), "--quick", "--repeats", "1"])
    assert code == 0
    text = capsys.readouterr().out
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 10 + 1 + 4  # table header, 10 commands, target header, 4 targets
    assert "| 50k panel file to written JSON <= 2x floor.py |" in text
    assert "| tumorboard annotate (streaming, --no-index) | 40,000 |" in text
    assert "| bcftools view -H -R panel.bed FILE | wc -l | 400 |" in text
    compare.write_readme("new table", readme)
    assert readme.read_text() == f"# x\n\n{compare.START}\nnew table\n{compare.END}\ntail\n"


def test_target_ratio_is_taken_round_by_round() -> None:
    """A machine that slows down in one round moves both commands of that round: the ratio per
    round stays 1.5x. When one round's floor is slow alone, the ratio of the two medians would
    say 3.0x (ours 3.0 s from round 2, the floor's 1.0 s from round 1); the median per round
    says 1.5x and shows the range."""
    ours = compare.Bench("tb_panel", "ours", [], 1, times=[1.5, 3.0, 6.0])
    floor = compare.Bench("floor_panel", "floor", [], 1, times=[1.0, 2.0, 4.0])
    assert compare.paired(ours, floor) == (1.5, 1.5, 1.5)
    assert compare.spread((1.5, 1.5, 1.5)) == "1.50x"
    floor.times = [1.0, 1.0, 4.0]
    assert compare.paired(ours, floor) == (1.5, 1.5, 3.0)
    assert compare.spread(compare.paired(ours, floor)) == "1.50x (rounds 1.50-3.00x)"


def test_instructions_quick_run_counts_both_programs(
    quick: dict[str, object], bcftools: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``instructions.py`` (valgrind's instruction counts: the noise-free view of the floor
    targets) prints tumorboard and the floor on the same files, with the ratio."""
    if shutil.which("valgrind") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("valgrind is not installed (the CI script installs it)")
        pytest.skip("valgrind is not installed")
    out: Path = quick["out"]  # type: ignore[assignment]
    assert instructions.main(["--data", str(out), "--quick"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("| ")]
    assert len(rows) == 1 + 4
    counts = {r.split(" | ")[0][2:]: r.split(" | ") for r in rows[1:]}
    tb = counts["tumorboard annotate panel_500.vcf.gz -> JSON"]
    floor = counts["floor: bare pysam + orjson, panel_500.vcf.gz -> JSON (floor.py)"]
    assert float(tb[1]) > float(floor[1]) > 0.1  # billions: a whole Python process each
    assert tb[2].strip(" |").endswith("x")
    assert float(tb[3]) >= float(tb[1]) * 0.95  # one process does all the work (--no-helpers)
    assert floor[3].strip() == ""  # the floor has no helpers to turn off


def test_pysam_loop_counts_records(quick: dict[str, object], tmp_path: Path) -> None:
    out: Path = quick["out"]  # type: ignore[assignment]
    bed = compare.write_panel_bed(tmp_path)
    loop = str(Path(compare.__file__).with_name("pysam_loop.py"))
    wgs = str(out / "wgs_40k.vcf.gz")
    streamed = subprocess.run([sys.executable, loop, wgs], capture_output=True, text=True)
    fetched = subprocess.run(
        [sys.executable, loop, wgs, "--regions", str(bed)], capture_output=True, text=True
    )
    assert streamed.stdout == f"{SCALE}\n"
    assert fetched.stdout == f"{SCALE // 100}\n"


def test_floor_writes_the_variants_tumorboard_reports(
    quick: dict[str, object], tmp_path: Path
) -> None:
    """floor.py (the lower bound in compare.py) does the same reading job as annotate."""
    out: Path = quick["out"]  # type: ignore[assignment]
    bed = compare.write_panel_bed(tmp_path)
    floor = str(Path(compare.__file__).with_name("floor.py"))
    panel = str(out / "panel_500.vcf.gz")
    done = subprocess.run(
        [sys.executable, floor, panel, "--regions", str(bed), "-o", str(tmp_path / "f.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    floor_variants = json.loads((tmp_path / "f.json").read_text())["variants"]
    assert done.stdout == f"{len(floor_variants)}\n"
    tb = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", panel, "-t", "LUAD", "--panel", "tso500"],
        capture_output=True,
        text=True,
    )
    assert tb.returncode == 0, tb.stderr
    reported = json.loads(tb.stdout)["variants"]
    assert len(floor_variants) > 300
    assert {(v["chrom"], v["pos"]) for v in floor_variants} == {
        (v["chrom"], v["pos"]) for v in reported
    }
    by_pos = {(v["chrom"], v["pos"]): v for v in reported}
    for v in floor_variants:
        assert by_pos[(v["chrom"], v["pos"])]["gene"] == v["gene"]
