"""Snapshot ``tumorboard annotate`` outputs, to show a change leaves them byte-identical.

Runs ``annotate`` (JSON and TSV, several option sets) as a subprocess on every VCF and table of
the shared data (``$TUMORBOARD_SHARED_DATA``), the repository's test VCFs and, with ``--data``,
the benchmark files (the 50,000-record panel VCF; the 4M-record file indexed and streamed). Each
output is written to ``OUT/<name>.json|.tsv`` with the JSON's ``created`` time blanked (the
only field that changes between runs), and the exit code and stderr to ``OUT/<name>.err``.

    python benchmarks/outputs.py /tmp/before                      # before the change
    python benchmarks/outputs.py /tmp/after --compare /tmp/before  # after: lists differences

``--compare`` exits 1 when any file differs or is missing.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("TUMORBOARD_SHARED_DATA", ROOT.parent / "shared" / "data"))
WORK = Path(tempfile.gettempdir()) / "tumorboard-outputs"
_CREATED = re.compile(rb'^  "created": "[^"]*",$', re.M)

# option sets: (tag, options); every input runs with each
OPTION_SETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("luad-ema-json", ("-t", "LUAD", "--format", "json")),
    ("coad-fda-all-filtered-tsv", ("-t", "COAD", "--jurisdiction", "FDA", "--panel", "all",
                                   "--include-filtered", "--format", "tsv")),
    ("brca-all-json", ("-t", "BRCA", "--panel", "all", "--format", "json")),
)  # fmt: skip


def inputs(data: Path | None) -> list[tuple[str, Path, tuple[str, ...]]]:
    """(name, path, extra options) of every input."""
    found: list[Path] = []
    if SHARED.is_dir():
        for pattern in ("somatic_vcf/**/*.vcf", "somatic_vcf/**/*.vcf.gz", "benchmark/*.vcf.gz"):
            found += sorted(SHARED.glob(pattern))
        found += sorted(SHARED.glob("somatic_vcf/**/*.maf"))
    for pattern in ("tests/data/vcf/*.vcf", "tests/golden/*/*.vcf", "tests/data/report/*.vcf"):
        found += sorted(ROOT.glob(pattern))
    found += sorted(ROOT.glob("tests/data/tso500/*CombinedVariantOutput*.tsv"))
    out = [(p.name, p, ()) for p in found]
    if data is not None:
        panel, wgs = data / "panel_50k.vcf.gz", data / "wgs_4m.vcf.gz"
        out.append(("panel_50k", panel, ()))
        out.append(("wgs_4m-index", wgs, ("--index",)))
        out.append(("wgs_4m-stream", wgs, ("--no-index",)))
        out.append(("tso500_cvo_bench", data / "tso500_CombinedVariantOutput.tsv", ()))
    return out


def snapshot(out: Path, data: Path | None, quick: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    for name, path, extra in inputs(data):
        sets = OPTION_SETS[:1] if quick or name.startswith("wgs_4m") else OPTION_SETS
        for tag, opts in sets:
            stem = f"{name}.{tag}"
            suffix = ".tsv" if "tsv" in opts else ".json"
            target = out / (stem + suffix)
            work = WORK / f"output{suffix}"  # one path: the JSON records the command line
            work.unlink(missing_ok=True)
            target.unlink(missing_ok=True)  # a run that now fails leaves no earlier output
            argv = [sys.executable, "-m", "tumorboard", "annotate", str(path), *opts, *extra]
            done = subprocess.run(
                [*argv, "-o", str(work)], capture_output=True, cwd=ROOT, check=False
            )
            (out / f"{stem}.err").write_bytes(
                f"exit {done.returncode}\n".encode() + done.stderr.replace(str(path).encode(), b"")
            )
            if work.exists():
                target.write_bytes(_CREATED.sub(b'  "created": "",', work.read_bytes()))
            print(f"{stem}: exit {done.returncode}", flush=True)


def compare(after: Path, before: Path) -> int:
    names = sorted(p.name for p in after.iterdir())  # a --quick snapshot: its own files
    bad = 0
    for name in names:
        a, b = after / name, before / name
        if not (a.exists() and b.exists()) or not filecmp.cmp(a, b, shallow=False):
            print(f"DIFFERS: {name}")
            bad += 1
    print(f"{len(names)} files compared, {bad} differ")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, help="benchmark files (benchmarks/generate.py)")
    parser.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    parser.add_argument("--quick", action="store_true", help="one option set per input")
    args = parser.parse_args()
    snapshot(args.out, args.data, args.quick)
    return compare(args.out, args.compare) if args.compare else 0


if __name__ == "__main__":
    raise SystemExit(main())
