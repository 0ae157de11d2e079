"""VCFs as other tools write them (a sweep of published files, 2026-11): an ALT the tumour does
not carry, FORMAT keys the header does not declare, files pysam cannot open, and files that state
no genome build. Records are written here from the VCF 4.2 specification."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main

GRCH37_PAIR = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh37\n"
    "##contig=<ID=7,length=159138663>\n"
    "##contig=<ID=12,length=133851895>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
)
KRAS_G12 = "12\t25398285\t.\tC\tA,T\t.\tPASS\t.\tGT:AD:DP\t0/2:40,0,10:50\t0/2:50,0,20:70\n"
"""KRAS codon 12 (GRCh37): the tumour carries only the second ALT (c.34G>A, G12S); the first
(c.34G>T, G12C) has no read in it."""
BRAF_NORMAL_ONLY = "7\t140453136\t.\tA\tT\t.\tPASS\t.\tGT:AD:DP\t0/1:40,38:78\t0/0:80,0:80\n"


def run(tmp_path: Path, text: str, tumour: str, *extra: str) -> tuple[int, str, dict]:
    vcf = tmp_path / "t.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", tumour, *extra, "-o", str(out)])
    return result.exit_code, result.output, json.loads(out.read_text()) if out.exists() else {}


def test_an_alt_without_tumour_reads_is_never_reported_or_matched(tmp_path: Path) -> None:
    """It was reported with VAF 0.0 and matched on-label to sotorasib and adagrasib."""
    code, output, case = run(tmp_path, GRCH37_PAIR + KRAS_G12, "LUAD")
    assert code == 0, output
    assert [(v["gene"], v["protein"], v["vaf"]) for v in case["variants"]] == [
        ("KRAS", "G12S", round(20 / 70, 4))
    ]
    assert not any(m["biomarker"] == "KRAS G12C" for m in case["matches"])
    skipped = {s["reason"]: s for s in case["qc"]["skipped"]}
    reason = "ALT not seen in the tumour sample (VAF 0: no supporting reads)"
    assert skipped[reason]["count"] == 1
    assert skipped[reason]["example"].startswith("12:25398285 'C'>'A'")


def test_a_variant_of_the_normal_only_is_not_the_tumours(tmp_path: Path) -> None:
    code, output, case = run(tmp_path, GRCH37_PAIR + BRAF_NORMAL_ONLY, "SKCM")
    assert code == 0, output
    assert case["variants"] == []
    assert case["matches"] == [] or all(m["biomarker"] != "BRAF V600E" for m in case["matches"])
    assert case["qc"]["records_read"] == 1


def test_the_same_as_a_subprocess(tmp_path: Path) -> None:
    vcf = tmp_path / "t.vcf"
    vcf.write_text(GRCH37_PAIR + KRAS_G12 + BRAF_NORMAL_ONLY)
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(vcf), "-t", "LUAD", "--format",
         "tsv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ["KRAS"]
