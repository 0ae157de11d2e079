"""The case JSON written with a helper process for half of the variants (tumorboard.writers and
tumorboard.helper_process): the same bytes as one process writes, whatever the helper does.

The VCF is written here from the VCF 4.2 specification (VEP's CSQ header convention).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from vcf_text import BRAF_HEADER

from tumorboard import helper_process, writers
from tumorboard.cli import main
from tumorboard.models import CaseResult
from tumorboard.writers import VariantRows, write_case_json

needs_helper = pytest.mark.skipif(
    not helper_process.available(), reason="a helper process needs Linux and two CPUs"
)

HEADER = BRAF_HEADER


@pytest.fixture(scope="module")
def big_vcf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4,500 BRAF variants (some with non-ASCII notes), more than one process writes alone."""
    lines = [HEADER]
    for i in range(4500):
        pos = 140_700_000 + i * 7
        csq = "C|missense_variant|MODERATE|BRAF|ENST00000646891.2|protein_coding|15/18|"
        csq += f"c.{i + 1}A>C|p.Lys{i + 1}Thr|NM_004333.6"
        lines.append(f"chr7\t{pos}\t.\tA\tC\t50\tPASS\tCSQ={csq}\tAD:DP\t40,{i % 50 + 1}:90\n")
    path = tmp_path_factory.mktemp("helper") / "big.vcf"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _rows(n: int, fail_in_child: str = "") -> VariantRows:
    parent = os.getpid()

    def rows(start: int, stop: int) -> Iterator[dict[str, Any]]:
        for i in range(start, stop):
            if fail_in_child and os.getpid() != parent and i == (start + stop) // 2:
                if fail_in_child == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise OSError("injected: the disk is full")
            yield {"id": f"v{i}", "note": f"Ünïcødé ✓ {i}" * (i % 3), "vaf": i / n}

    return VariantRows(n, rows)


def _written(rows: VariantRows, case: CaseResult, fh: Any = None) -> str:
    out = fh if fh is not None else io.TextIOWrapper(io.BytesIO(), "utf-8", newline="")
    write_case_json(case, rows, out)
    if fh is None:
        out.flush()
        return out.buffer.getvalue().decode("utf-8")
    return out.getvalue()


@pytest.fixture(scope="module")
def case(big_vcf: Path) -> CaseResult:
    from tumorboard import pipeline
    from tumorboard.models import RunOptions

    return pipeline.analyse([big_vcf], RunOptions(tumor_type="SKCM", panel="all")).case


@needs_helper
@pytest.mark.parametrize("how", ["", "raise", "kill"])
@pytest.mark.parametrize("sink", ["bytes", "text"])
def test_helper_output_is_one_process_output(
    case: CaseResult, monkeypatch: pytest.MonkeyPatch, how: str, sink: str
) -> None:
    """A helper that writes its half, fails or is killed: the same text (UTF-8 included), on a
    stream with bytes below it and on a text-only stream."""
    rows = _rows(9001, how)
    monkeypatch.setattr(writers, "HELPER_MIN_VARIANTS", 10**9)
    alone = _written(rows, case)
    monkeypatch.setattr(writers, "HELPER_MIN_VARIANTS", 100)
    got = _written(rows, case, io.StringIO() if sink == "text" else None)
    assert got == alone
    document = json.loads(got)
    assert [v["id"] for v in document["variants"]] == [f"v{i}" for i in range(9001)]


def _strip(text: str) -> str:
    text = re.sub(r'"created": "[^"]*"', '"created": ""', text)
    return re.sub(r'"command": "[^"]*"', '"command": ""', text)


@pytest.mark.slow
@needs_helper
def test_cli_output_is_the_same_with_and_without_the_helper(
    big_vcf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI as a subprocess (helper: 4,500 variants) and in-process without one; to a file
    and to standard output."""
    args = ["annotate", str(big_vcf), "-t", "SKCM", "--panel", "all"]
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", *args, "-o", str(tmp_path / "a.json")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "tumorboard", *args],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    monkeypatch.setattr(writers, "HELPER_MIN_VARIANTS", 10**9)
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "b.json")])
    assert result.exit_code == 0, result.output
    helped = (tmp_path / "a.json").read_text(encoding="utf-8")
    alone = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert _strip(helped) == _strip(alone)
    assert _strip(piped.stdout) == _strip(alone)
    assert len(json.loads(helped)["variants"]) == 4500


def test_small_cases_and_plain_iterables_are_written_by_this_process(
    case: CaseResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[int] = []
    monkeypatch.setattr(helper_process, "fork", lambda: forks.append(1) or -1)
    rows = _rows(50)
    text = _written(rows, case)
    assert _written(_rows(50), case) == text
    plain = io.TextIOWrapper(io.BytesIO(), "utf-8", newline="")
    write_case_json(case, list(rows), plain)
    plain.flush()
    assert plain.buffer.getvalue().decode("utf-8") == text
    assert forks == []


def test_no_process_to_be_had_means_one_process_writes(
    case: CaseResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(5000)
    monkeypatch.setattr(writers, "HELPER_MIN_VARIANTS", 10**9)
    alone = _written(rows, case)
    monkeypatch.setattr(writers, "HELPER_MIN_VARIANTS", 100)
    monkeypatch.setattr(helper_process, "available", lambda: True)
    monkeypatch.setattr(helper_process, "fork", lambda: -1)
    assert _written(rows, case) == alone


# --- when a helper may run -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cgroup", "files", "cpus"),
    [
        ("0::/job\n", {"job/cpu.max": "100000 100000\n"}, 1.0),  # docker --cpus=1 (v2)
        ("0::/job\n", {"job/cpu.max": "250000 100000\n"}, 2.5),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),
        ("0::/\n", {}, None),  # no cpu controller file: no limit known
        (
            "4:memory:/x\n2:cpu,cpuacct:/slurm/job1\n",
            {"cpu,cpuacct/slurm/job1/cpu.cfs_quota_us": "50000\n",
             "cpu,cpuacct/slurm/job1/cpu.cfs_period_us": "100000\n"},
            0.5,
        ),  # cgroup v1, a batch job's share
        (
            "1:cpu:/\n",
            {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"},
            None,
        ),
        ("garbage", {}, None),
    ],
)  # fmt: skip
def test_cgroup_cpu_limits_are_read(
    tmp_path: Path, cgroup: str, files: dict[str, str], cpus: float | None
) -> None:
    (tmp_path / "proc").write_text(cgroup)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert helper_process.cgroup_cpus(str(tmp_path), str(tmp_path / "proc")) == cpus


def test_one_cpu_means_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform != "linux":
        assert not helper_process.available()
        return
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(helper_process, "cgroup_cpus", lambda: None)
    assert helper_process.available()
    monkeypatch.setattr(helper_process, "cgroup_cpus", lambda: 1.0)
    assert not helper_process.available()
    monkeypatch.setattr(helper_process, "cgroup_cpus", lambda: 2.0)
    assert helper_process.available()
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {3})
    assert not helper_process.available()


# --- --no-helpers: one process, the same output ------------------------------------------------
@pytest.fixture(scope="module")
def indexed(big_vcf: Path) -> tuple[Path, Path]:
    """``big_vcf`` bgzipped and indexed, and a BED of the stretch it covers (an indexed read)."""
    import pysam

    gz = big_vcf.with_suffix(".vcf.gz")
    pysam.tabix_compress(str(big_vcf), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    bed = big_vcf.with_name("stretch.bed")
    bed.write_text("chr7\t140699000\t140716000\tBRAF\nchr7\t140716000\t140740000\tBRAF\n")
    return gz, bed


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["indexed", "streamed"])
def test_no_helpers_keeps_all_work_in_one_process(
    big_vcf: Path,
    indexed: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    import pysam

    from tumorboard.readers import vcf

    gz, bed = indexed
    args = ["annotate", str(gz), "-t", "SKCM", "--genome", "GRCh38"]
    args += ["--panel", str(bed)] if kind == "indexed" else ["--panel", "all", "--no-index"]
    monkeypatch.setattr(vcf, "THREADED_MIN_BYTES", 0)  # the streamed thread for a small file
    helped = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "a.json")])
    assert helped.exit_code == 0, helped.output

    opened = pysam.VariantFile

    def no_thread(*a: Any, **kw: Any) -> Any:
        assert kw.get("threads", 1) == 1, "a decompression thread with --no-helpers"
        return opened(*a, **kw)

    def no_fork() -> int:
        raise AssertionError("a helper process with --no-helpers")

    monkeypatch.setattr(helper_process, "fork", no_fork)
    monkeypatch.setattr(pysam, "VariantFile", no_thread)
    alone = CliRunner().invoke(main, [*args, "--no-helpers", "-o", str(tmp_path / "b.json")])
    assert alone.exit_code == 0, alone.output
    first = _strip((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert first == _strip((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert len(json.loads(first)["variants"]) == 4500
    assert json.loads(first)["qc"]["used_index"] is (kind == "indexed")
