"""Run tumorboard against bcftools and a bare pysam loop, on the same files, in one run.

Every command runs as its own child process; wall time is measured around it and peak RSS comes
from ``os.wait4`` (the child's ``ru_maxrss``, which covers its own children too, so a shell
pipeline reports its largest member). Commands run round-robin, ``--repeats`` times after one
untimed warm-up round (page cache), and the table reports medians.

    python benchmarks/compare.py                        # full size (benchmarks/generate.py first)
    python benchmarks/compare.py --quick --repeats 1    # quick mode: small files, seconds
    python benchmarks/compare.py --write-readme         # record the table in benchmarks/README.md

Targets (relative to ``floor.py`` and bcftools on the same files, in one run) are checked and
printed, each as the median of the per-round ratios (with the rounds' range); ``--check`` makes
a missed target exit 1. Nothing here asserts timings in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import generate

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START, END = "<!-- latest-results:start -->", "<!-- latest-results:end -->"


@dataclass
class Bench:
    """One command and its measurements."""

    key: str
    label: str
    argv: list[str]
    records: int  # records the command is expected to read, for records/s
    shell: bool = False
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    output: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def rate(self) -> float:
        return self.records / self.median if self.median > 0 else 0.0

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024


def run_once(bench: Bench) -> tuple[float, int, str]:
    """Run one command; return (seconds, peak RSS in kB, stdout). Fails loudly on error.

    Call it in a fresh process (see :func:`measure`): ``RUSAGE_CHILDREN.ru_maxrss`` is the
    maximum over every child reaped so far, so there it is this command's alone.
    """
    import resource

    argv = ["bash", "-o", "pipefail", "-c", bench.argv[0]] if bench.shell else bench.argv
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        msg = f"{bench.label} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}"
        raise RuntimeError(msg)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, rss, proc.stdout.decode().strip()


GNU_TIME = "/usr/bin/time"


def measure(bench: Bench) -> tuple[float, int, str]:
    """Run ``bench`` once; (seconds, peak RSS kB, stdout).

    With GNU time (``/usr/bin/time``) the RSS is the command's own, measured by a tiny parent.
    Without it, a fresh Python helper runs the command and reads ``RUSAGE_CHILDREN``; Linux
    carries the spawning process's RSS into the child's peak, so that fallback overstates small
    commands by the helper's ~10 MB.
    """
    if Path(GNU_TIME).exists():
        return _measure_gnu_time(bench)
    code = (
        "import json,sys;from benchmarks.compare import Bench,run_once;"
        "b=Bench(**json.loads(sys.argv[1]));print(json.dumps(run_once(b)))"
    )
    spec = json.dumps(
        {
            "key": bench.key,
            "label": bench.label,
            "argv": bench.argv,
            "records": bench.records,
            "shell": bench.shell,
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", code, spec],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    seconds, rss, out = json.loads(done.stdout)
    return float(seconds), int(rss), str(out)


def _measure_gnu_time(bench: Bench) -> tuple[float, int, str]:
    argv = ["bash", "-o", "pipefail", "-c", bench.argv[0]] if bench.shell else bench.argv
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        started = time.perf_counter()
        proc = subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", stats.name, *argv], capture_output=True, check=False
        )
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            msg = f"{bench.label} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}"
            raise RuntimeError(msg)
        rss = int(Path(stats.name).read_text().split()[-1])
    return elapsed, rss, proc.stdout.decode().strip()


def write_panel_bed(out: Path) -> Path:
    """tumorboard's TSO500 BED as plain BED (the regions `--panel tso500` fetches)."""
    src = generate.panel_bed()
    bed = out / "panel.bed"
    lines = [ln for ln in src.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    bed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bed


def count_records(path: Path, bed: Path | None = None) -> int:
    """Records in a VCF (inside ``bed``), counted by bcftools as a stream."""
    cmd = ["bcftools", "view", "-H", *(["-R", str(bed)] if bed else []), str(path)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        n = sum(block.count(b"\n") for block in iter(lambda: proc.stdout.read(1 << 20), b""))
    if proc.returncode != 0:
        msg = f"bcftools could not read {path}"
        raise RuntimeError(msg)
    return n


def benches(data: Path, scale: int, tmp: Path) -> list[Bench]:
    """The commands, on the same files."""
    names = generate.output_names(scale)
    wgs, panel = data / names["wgs"], data / names["panel"]
    bed = write_panel_bed(tmp)
    n_wgs, n_in = count_records(wgs), count_records(wgs, bed)
    n_panel = count_records(panel)
    py, tb = sys.executable, [sys.executable, "-m", "tumorboard", "annotate"]
    opts = ["-t", "LUAD", "--panel", "tso500", "--format", "json"]
    loop = str(HERE / "pysam_loop.py")
    floor = str(HERE / "floor.py")
    q = shlex.quote
    return [
        Bench(
            "tb_stream",
            "tumorboard annotate (streaming, --no-index)",
            [*tb, str(wgs), *opts, "--no-index", "-o", str(tmp / "s.json")],
            n_wgs,
        ),
        Bench("pysam_stream", "bare pysam loop (streaming)", [py, loop, str(wgs)], n_wgs),
        Bench(
            "bcf_stream",
            "bcftools view -H FILE | wc -l",
            [f"bcftools view -H {q(str(wgs))} | wc -l"],
            n_wgs,
            shell=True,
        ),
        Bench(
            "tb_index",
            "tumorboard annotate (indexed, --index)",
            [*tb, str(wgs), *opts, "--index", "-o", str(tmp / "i.json")],
            n_in,
        ),
        Bench(
            "pysam_index",
            "bare pysam loop (indexed, panel regions)",
            [py, loop, str(wgs), "--regions", str(bed)],
            n_in,
        ),
        Bench(
            "floor_index",
            "floor: bare pysam + orjson, panel regions -> JSON (floor.py)",
            [py, floor, str(wgs), "--regions", str(bed), "-o", str(tmp / "fi.json")],
            n_in,
        ),
        Bench(
            "bcf_index",
            "bcftools view -H -R panel.bed FILE | wc -l",
            [f"bcftools view -H -R {q(str(bed))} {q(str(wgs))} | wc -l"],
            n_in,
            shell=True,
        ),
        Bench(
            "tb_panel",
            f"tumorboard annotate {names['panel']} -> JSON",
            [*tb, str(panel), *opts, "-o", str(tmp / "p.json")],
            n_panel,
        ),
        Bench(
            "floor_panel",
            f"floor: bare pysam + orjson, {names['panel']} -> JSON (floor.py)",
            [py, floor, str(panel), "--regions", str(bed), "-o", str(tmp / "fp.json")],
            n_panel,
        ),
        Bench(
            "bcf_panel",
            f"bcftools view -H {names['panel']} | wc -l",
            [f"bcftools view -H {q(str(panel))} | wc -l"],
            n_panel,
            shell=True,
        ),
    ]


def byte_compile() -> None:
    """Byte-compile tumorboard and these scripts, as installing a package does.

    With ``PYTHONDONTWRITEBYTECODE`` set (some CI and container images), Python would compile
    every module from source in every timed run (about 0.06 s of tumorboard's start-up) and
    never keep the result; an installed package has its bytecode from the start.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("tumorboard")
    locations = spec.submodule_search_locations if spec is not None else None
    folders = [HERE, *(Path(p) for p in locations or [])]
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)


def run_all(items: list[Bench], repeats: int, warmup: bool = True) -> None:
    """Round-robin: warm-up round (untimed, after byte-compiling), then ``repeats`` timed
    rounds."""
    if warmup:
        byte_compile()
        for b in items:
            measure(b)
    for _ in range(repeats):
        for b in items:
            seconds, rss, out = measure(b)
            b.times.append(seconds)
            b.rss_kb.append(rss)
            b.output = out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    bcf = subprocess.run(["bcftools", "--version"], capture_output=True, text=True, check=False)
    import pysam

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; pysam {pysam.__version__}; "
        f"{bcf.stdout.splitlines()[0] if bcf.stdout else 'bcftools ?'}"
    )


def table(items: list[Bench]) -> str:
    by = {b.key: b for b in items}
    ref = {"stream": by["bcf_stream"], "index": by["bcf_index"], "panel": by["bcf_panel"]}
    pys = {"stream": by["pysam_stream"], "index": by["pysam_index"]}
    rows = [
        "| command | records | median s | records/s | peak RSS MB | time vs bcftools "
        "| time vs pysam |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in items:
        group = b.key.split("_", 1)[1]
        vs_bcf = f"{b.median / ref[group].median:.2f}x"
        vs_py = f"{b.median / pys[group].median:.2f}x" if group in pys else ""
        rows.append(
            f"| {b.label} | {b.records:,} | {b.median:.3f} | {b.rate:,.0f} | {b.peak_mb:.1f} | "
            f"{vs_bcf} | {vs_py} |"
        )
    return "\n".join(rows)


def targets(items: list[Bench]) -> list[tuple[str, bool, str]]:
    """The targets (what, met, measured): relative to the floor program and to bcftools, on the
    same files in the same run (the maintainers' decision on the foundation issue)."""
    by = {b.key: b for b in items}
    stream = paired(by["bcf_stream"], by["tb_stream"])  # records/s: bcftools' time / ours
    index = paired(by["tb_index"], by["floor_index"])
    panel = paired(by["tb_panel"], by["floor_panel"])
    rss = max(by[k].peak_mb for k in ("tb_stream", "tb_index", "tb_panel"))
    return [
        ("streaming records/s >= 0.9x bcftools view", stream[0] >= 0.9, spread(stream)),
        ("indexed panel read of the 4M file <= 2x floor.py", index[0] <= 2.0, spread(index)),
        ("50k panel file to written JSON <= 2x floor.py", panel[0] <= 2.0, spread(panel)),
        ("tumorboard peak RSS < 100 MB on the 4M file", rss < 100, f"{rss:.1f} MB"),
    ]


def paired(num: Bench, den: Bench) -> tuple[float, float, float]:
    """The ratio of two commands' times round by round (median, lowest, highest).

    Both commands of a ratio ran in the same round, minutes apart at most; a machine that slows
    down or speeds up between rounds (a shared VM: tens of percent) moves both, so the ratio per
    round is steadier than the ratio of the two medians, which may come from different rounds.
    """
    ratios = [a / b for a, b in zip(num.times, den.times, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def spread(ratio: tuple[float, float, float]) -> str:
    mid, low, high = ratio
    return f"{mid:.2f}x" if low == high else f"{mid:.2f}x (rounds {low:.2f}-{high:.2f}x)"


def report(items: list[Bench], scale: int, repeats: int) -> str:
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on: {machine()}.",
        f"Files from `benchmarks/generate.py --scale {scale}` (seed {generate.DEFAULT_SEED}); "
        f"median of {repeats} run(s) after a warm-up round; each command a fresh process.",
        "",
        table(items),
        "",
        "| target | met | measured |",
        "|---|---|---|",
    ]
    lines += [f"| {what} | {'yes' if ok else 'NO'} | {got} |" for what, ok, got in targets(items)]
    return "\n".join(lines)


def write_readme(text: str, path: Path = README) -> None:
    body = path.read_text(encoding="utf-8")
    if START not in body or END not in body:
        msg = f"{path} has no {START} ... {END} markers"
        raise SystemExit(msg)
    head, rest = body.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT)
    parser.add_argument("--scale", type=int, default=generate.DEFAULT_SCALE)
    parser.add_argument("--quick", action="store_true", help="small files (generated if absent)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if shutil.which("bcftools") is None:
        print("compare.py needs bcftools on PATH (apt-get install bcftools)", file=sys.stderr)
        return 2
    scale = generate.QUICK_SCALE if args.quick else args.scale
    names = generate.output_names(scale)
    if not (args.data / names["wgs"]).exists():
        if not args.quick:
            print(
                f"{args.data / names['wgs']} missing: run benchmarks/generate.py", file=sys.stderr
            )
            return 2
        generate.generate(args.data, scale)
    with tempfile.TemporaryDirectory(prefix="tb-compare-") as tmp:
        items = benches(args.data, scale, Path(tmp))
        run_all(items, args.repeats)
    text = report(items, scale, args.repeats)
    print(text)
    if args.write_readme:
        write_readme(text)
    missed = [t for t in targets(items) if not t[1]]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
