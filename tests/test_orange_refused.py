"""Hartwig's ORANGE report JSON is refused with the files to give instead, never misread.

ORANGE's layout differs between versions (4.x ``purple.reportableSomaticVariants`` with
``{year, month, day}`` dates on one line; 5.0 ``purple.somaticVariants``, ISO dates, pretty
printed, optionally gzipped), and ORANGE 4.x run with ``convert_germline_to_somatic`` lists
germline findings among the somatic ones without a mark, so a reader could mix a patient's
germline variants into the tumour's. The fixtures are written here from the key names of
hmftools' orange-datamodel (no ORANGE output is copied).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

V4 = {
    "sampleId": "TUMOR01T",
    "samplingDate": {"year": 2025, "month": 4, "day": 22},
    "experimentType": "WHOLE_GENOME",
    "configuredPrimaryTumor": [],
    "refGenomeVersion": "V37",
    "pipelineVersion": "6.0",
    "purple": {"fit": {"purity": 0.6, "ploidy": 3.1}, "reportableSomaticVariants": []},
    "linx": {"reportableSomaticFusions": []},
}
V5 = {**{k: v for k, v in V4.items() if k != "purple"}, "samplingDate": "2026-01-20",
      "referenceId": "TUMOR01R", "purple": {"somaticVariants": []}}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "gz"),
    [
        ("v4.orange.json", json.dumps(V4, separators=(",", ":")), False),
        ("v5.orange.json", json.dumps(V5, indent=2), False),
        ("v5.orange.json.gz", json.dumps(V5, indent=2), True),
        # before 3.0 the date was experimentDate
        ("v2.orange.json", json.dumps({"sampleId": "T", "experimentDate": {"year": 2022},
                                       "refGenomeVersion": "V38"}), False),
    ],
)  # fmt: skip
def test_orange_json_is_refused_naming_the_files_to_give(
    tmp_path: Path, name: str, text: str, gz: bool
) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    out = tmp_path / "case.json"
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "SKCM", "-o", str(out)])
    assert result.exit_code == 1
    error, hint = result.output.strip().splitlines()[-2:]
    assert error.startswith("Error: ")
    assert "Hartwig ORANGE report" in error
    assert "convert_germline_to_somatic" in error
    assert hint.startswith("Hint: ")
    assert "purple.somatic.vcf.gz" in hint
    assert "linx.fusion.tsv" in hint
    assert not out.exists()


def test_other_json_keeps_the_generic_message(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"sampleId": "T", "variants": []}))
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(path), "-t", "SKCM"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "cannot tell the file's format" in done.stderr
    assert "ORANGE" not in done.stderr
