"""A streamed bgzipped VCF read with a second htslib decompression thread (VcfReader._streamed):
the same alterations and QC as without it; a damaged compressed block is one clean error.

The VCF is written here from the VCF 4.2 specification (VEP's CSQ header convention); the
others are the shared data's bgzipped VCFs.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pysam
import pytest
from click.testing import CliRunner
from vcf_text import BRAF_HEADER

from tumorboard import helper_process
from tumorboard.cli import main
from tumorboard.errors import FormatError
from tumorboard.readers import vcf
from tumorboard.readers.vcf import VcfReader

HEADER = BRAF_HEADER


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """60,000 BRAF records (1.3 MB bgzipped), and a copy with a block damaged in the middle."""
    rng = random.Random(11)
    lines = [HEADER]
    for i in range(60_000):
        filt = rng.choice(("PASS", "PASS", "LowQual"))
        csq = "C|missense_variant|MODERATE|BRAF|ENST00000646891.2|protein_coding|15/18|"
        csq += f"c.{i + 1}A>C|p.Lys{i + 1}Thr|NM_004333.6"
        ad = rng.randint(1, 40)
        lines.append(
            f"chr7\t{140_000_000 + i * 3}\t.\tA\tC\t50\t{filt}\tCSQ={csq}\tAD:DP\t40,{ad}:"
            f"{40 + ad}\n"
        )
    folder = tmp_path_factory.mktemp("threads")
    plain = folder / "big.vcf"
    plain.write_text("".join(lines), encoding="utf-8")
    good = folder / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(good), force=True)
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 40):  # inside a block's deflate data, far from its ends
        data[i] ^= 0x5A
    bad = folder / "bad.vcf.gz"
    bad.write_bytes(bytes(data))
    return {"good": good, "bad": bad}


def _read(path: Path, threads: bool, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    monkeypatch.setattr(vcf, "THREADED_MIN_BYTES", 0 if threads else 1 << 62)
    with VcfReader(path, **kw) as reader:
        found = reader.read_all()
        used = reader.decompress_threads == 2
        return found, reader.qc.to_model(records_reported=len(found)), used


needs_two_cpus = pytest.mark.skipif(
    not helper_process.available(), reason="the thread is used on Linux with two CPUs"
)


@pytest.mark.slow
@needs_two_cpus
def test_the_thread_reads_what_one_thread_reads(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _read(files["good"], False, monkeypatch, genome="GRCh38")
    two = _read(files["good"], True, monkeypatch, genome="GRCh38")
    assert (one[2], two[2]) == (False, True)
    assert two[:2] == one[:2]
    assert one[1].records_read == 60_000
    assert len(one[0]) == one[1].records_read - one[1].filtered


@pytest.mark.slow
@needs_two_cpus
@pytest.mark.parametrize(
    "name",
    ["pcgr_T001-COAD.grch38.vcf.gz", "pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"],
)
def test_shared_files_stream_the_same_with_the_thread(
    shared_data: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = shared_data / "somatic_vcf" / name
    kw = {"genome": "GRCh38", "index": "never", "require_annotation": False}
    one = _read(path, False, monkeypatch, **kw)
    two = _read(path, True, monkeypatch, **kw)
    assert two[:2] == one[:2]
    assert two[2]


@pytest.mark.slow
def test_small_files_are_read_with_one_thread(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert files["good"].stat().st_size < vcf.THREADED_MIN_BYTES
    with VcfReader(files["good"], genome="GRCh38") as reader:
        reader.read_all()
        assert reader.decompress_threads == 1


@pytest.mark.slow
@pytest.mark.parametrize("threads", [False, True])
def test_a_damaged_block_is_one_clean_error(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, threads: bool
) -> None:
    """A block damaged inside a file whose end-of-file block is present: not 'the file ends
    early', not an internal error from closing the file after the failed read."""
    monkeypatch.setattr(vcf, "THREADED_MIN_BYTES", 0 if threads else 1 << 62)
    with (
        pytest.raises(FormatError, match=r"a compressed block cannot be read after chr7:14\d+ "),
        VcfReader(files["bad"], genome="GRCh38") as reader,
    ):
        reader.read_all()
    result = CliRunner().invoke(
        main, ["annotate", str(files["bad"]), "-t", "SKCM", "--panel", "all"]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Error: {files['bad']}: a compressed block cannot be read after ")
    assert lines[0].endswith("the file is damaged")
    assert lines[1] == "Hint: copy the file again; `bgzip -t FILE` tests every block"
    assert len(lines) == 2


def test_a_damaged_block_as_a_subprocess(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(files["bad"]), "-t", "SKCM",
         "--panel", "all", "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "the file is damaged" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.slow
@needs_two_cpus
def test_a_file_replaced_after_its_header_was_read_is_read_with_its_first_handle(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vcf, "THREADED_MIN_BYTES", 0)
    with VcfReader(files["good"], genome="GRCh38") as reader:
        assert reader._identity is not None
        reader._identity = (0, 0, *reader._identity[2:])  # another device and inode now
        found = reader.read_all()
        assert reader.decompress_threads == 1
    assert (
        len(found) == _read(files["good"], False, monkeypatch, genome="GRCh38")[1].records_reported
    )
