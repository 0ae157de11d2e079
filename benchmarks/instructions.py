"""Instructions, not seconds: tumorboard and the floor counted by valgrind on the same files.

Wall time on a shared machine moves by tens of percent between runs (on this project's machine
the floor alone took 0.65 to 0.99 s on the same file in one afternoon). The number of
instructions a process executes barely moves: valgrind's cachegrind counts them (about 30 times
slower than a normal run). The ratio tumorboard / floor in instructions is the part of the speed
targets the code controls; the wall-time ratio of ``compare.py`` comes out higher, because
tumorboard holds and writes more data than the floor (memory traffic, not instructions).
On two or more CPUs tumorboard's helper processes (:mod:`tumorboard.helper_process`) run beside
its main process, which waits for them: the main process's count is the critical path, and the
same command with ``--no-helpers`` (one process) counts all the work.

    python benchmarks/instructions.py            # full-size files: about 3 minutes
    python benchmarks/instructions.py --quick    # quick-scale files (generated if absent)

Needs ``valgrind`` (Debian package ``valgrind``) and ``bcftools`` (record counts, as in
``compare.py``). Prints one table; nothing here asserts a count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import compare, generate

KEYS = ("tb_index", "floor_index", "tb_panel", "floor_panel")
_REFS = re.compile(r"==(\d+)==\s+I\s+refs:\s+([\d,]+)")
_PID = re.compile(r"==(\d+)==")


def count(argv: list[str]) -> int:
    """Instructions executed by ``argv``'s own process (not its helper processes).

    valgrind counts a forked child from the parent's count at the fork, so a child's total is
    not its own work: only the process started first is read.
    """
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            *argv,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = {int(pid): int(n.replace(",", "")) for pid, n in _REFS.findall(done.stderr)}
    first = _PID.search(done.stderr)
    if done.returncode != 0 or first is None or int(first[1]) not in found:
        msg = f"valgrind could not count {argv[:4]}: {done.stderr[-300:]}"
        raise RuntimeError(msg)
    return found[int(first[1])]


def table(counts: dict[str, tuple[str, int, int | None]]) -> str:
    rows = [
        "| command | instructions, main process (billions) | vs the floor "
        "| one process, --no-helpers (billions) | vs the floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, (label, own, alone) in counts.items():
        floor = counts.get("floor_" + key.split("_", 1)[1])
        mine = floor is not None and not key.startswith("floor")
        ratio = f"{own / floor[1]:.2f}x" if floor and mine else ""
        one = f"{alone / 1e9:.2f}" if alone is not None else ""
        ratio_one = f"{alone / floor[1]:.2f}x" if floor and mine and alone is not None else ""
        rows.append(f"| {label} | {own / 1e9:.2f} | {ratio} | {one} | {ratio_one} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT)
    parser.add_argument("--scale", type=int, default=generate.DEFAULT_SCALE)
    parser.add_argument("--quick", action="store_true", help="small files (generated if absent)")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("valgrind", "bcftools") if shutil.which(tool) is None]
    if missing:
        print(f"instructions.py needs {' and '.join(missing)} on PATH", file=sys.stderr)
        return 2
    scale = generate.QUICK_SCALE if args.quick else args.scale
    names = generate.output_names(scale)
    if not (args.data / names["wgs"]).exists():
        if not args.quick:
            missing_file = args.data / names["wgs"]
            print(f"{missing_file} missing: run benchmarks/generate.py", file=sys.stderr)
            return 2
        generate.generate(args.data, scale)
    compare.byte_compile()  # as an installed package has it
    with tempfile.TemporaryDirectory(prefix="tb-instructions-") as tmp:
        by_key = {b.key: b for b in compare.benches(args.data, scale, Path(tmp))}
        counts = {
            k: (
                by_key[k].label,
                count(by_key[k].argv),
                count([*by_key[k].argv, "--no-helpers"]) if k.startswith("tb_") else None,
            )
            for k in KEYS
        }
    print(table(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
