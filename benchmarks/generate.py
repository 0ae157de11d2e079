"""Seeded benchmark inputs, guarded by checksums (like pydantic's north-star benchmark).

Writes into ``--out`` (default ``benchmarks/data/``, git-ignored):

* ``wgs_<n>.vcf.gz`` (+ ``.tbi``): a VEP-annotated tumour/normal WGS-sized VCF, GRCh38, about 1%
  of records inside TSO500 panel genes (with the right SYMBOL) plus real hotspots;
* ``panel_<n>.vcf.gz`` (+ ``.tbi``): every record inside the panel (a panel-sequencing VCF);
* ``tso500_CombinedVariantOutput.tsv``: a TSO500 Local App v2.2 CombinedVariantOutput;
* ``case_500.json``: a CaseResult with 500 variants and 50 matches, for rendering.

``--scale N`` sets the WGS record count (default 4,000,000, quick mode 40,000); the panel VCF has
N/80 records (50,000 at the default). The md5 of each output (of the *uncompressed* text for
``.vcf.gz``, so zlib versions do not matter) is checked against ``benchmarks/checksums.json``
after generation; ``--update-checksums`` records new ones.

Usage::

    python benchmarks/generate.py                 # full size, a few minutes
    python benchmarks/generate.py --scale 40000   # quick mode, seconds
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pysam

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _synth
from benchmarks._synth import CHROMS, GRCH38_LENGTHS, HOTSPOTS, Gene

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data"
CHECKSUMS = HERE / "checksums.json"
DEFAULT_SEED = 20260101
DEFAULT_SCALE = 4_000_000
QUICK_SCALE = 40_000
PANEL_FRACTION = 0.01
# tumorboard's own TSO500 BED (what `--panel tso500` uses); the shared derived BED before it lands.
REPO_PANEL_BED = HERE.parent / "panels" / "tso500" / "GRCh38.bed"
SHARED_PANEL_BED = "panel_bed/TSO500_DNA_genes.GRCh38.MANE_select_spans.derived.bed"
MANE = "gene_coords/MANE.GRCh38.v1.0.summary.txt.gz"
# Background records keep this far from any panel interval.
EXCLUSION_PAD = 1_000


def shared_data() -> Path:
    """The shared public data folder (``TUMORBOARD_SHARED_DATA`` or ``../shared/data``)."""
    env = os.environ.get("TUMORBOARD_SHARED_DATA")
    return Path(env) if env else HERE.parent.parent / "shared" / "data"


def panel_bed() -> Path:
    """The TSO500 BED the in-panel records are placed in (and the background avoids)."""
    return REPO_PANEL_BED if REPO_PANEL_BED.exists() else shared_data() / SHARED_PANEL_BED


def human(n: int) -> str:
    """4000000 -> '4m', 50000 -> '50k', 500 -> '500'."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def output_names(scale: int) -> dict[str, str]:
    """Role -> file name for one scale."""
    return {
        "wgs": f"wgs_{human(scale)}.vcf.gz",
        "panel": f"panel_{human(panel_size(scale))}.vcf.gz",
        "cvo": "tso500_CombinedVariantOutput.tsv",
        "case": "case_500.json",
    }


def panel_size(scale: int) -> int:
    return max(100, scale // 80)


class VcfWriter:
    """Buffered bgzip writer that also hashes the uncompressed text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.md5 = hashlib.md5()
        self._fh = pysam.BGZFile(str(path), "wb")
        self._buf: list[str] = []
        self.records = 0

    def lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self._buf.append(line)
        if len(self._buf) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            data = ("\n".join(self._buf) + "\n").encode()
            self.md5.update(data)
            self._fh.write(data)
            self._buf.clear()

    def close(self) -> str:
        self.flush()
        self._fh.close()
        pysam.tabix_index(str(self.path), preset="vcf", force=True)
        return self.md5.hexdigest()


def _split(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` by ``weights``."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _pick_genes(rng: random.Random, genes: list[Gene], n: int) -> dict[str, list[tuple[int, Gene]]]:
    """``n`` in-panel positions, genes weighted by span, grouped by chromosome."""
    spans = [g.end - g.start for g in genes]
    chosen = rng.choices(genes, weights=spans, k=n)
    by_chrom: dict[str, list[tuple[int, Gene]]] = {}
    for g in chosen:
        by_chrom.setdefault(g.chrom, []).append((rng.randrange(g.start + 1, g.end + 1), g))
    return by_chrom


def _record(
    chrom: str, pos: int, ref: str, alt: str, tails: list[str], rng: random.Random, passing: bool
) -> str:
    allele = _synth.vep_allele(ref, alt)
    csq = ",".join(allele + "|" + t for t in tails)
    normal, tumour, dp = _synth.sample_columns(rng)
    filt = "PASS" if rng.random() < 0.8 or passing else _synth.FILTERS[rng.randrange(5)][0]
    rid = f"rs{rng.randrange(10**6, 10**9)}" if rng.random() < 0.1 else "."
    return (
        f"{chrom}\t{pos}\t{rid}\t{ref}\t{alt}\t.\t{filt}\tDP={dp};CSQ={csq}\t"
        f"GT:AD:DP:AF\t{normal}\t{tumour}"
    )


def _multiallelic(chrom: str, pos: int, tails: list[str], rng: random.Random) -> str:
    ref = _synth.BASES[pos % 4]
    alts = [b for b in _synth.BASES if b != ref][:2]
    csq = ",".join(f"{a}|{t}" for a in alts for t in tails)
    normal, tumour, dp = _synth.sample_columns(rng, n_alts=2)
    return (
        f"{chrom}\t{pos}\t.\t{ref}\t{','.join(alts)}\t.\tPASS\tDP={dp};CSQ={csq}\t"
        f"GT:AD:DP:AF\t{normal}\t{tumour}"
    )


def write_vcf(
    path: Path, n_background: int, n_panel: int, genes: list[Gene], seed: str, hotspots: bool
) -> str:
    """Write one sorted, bgzipped, indexed VCF; return the md5 of its text."""
    rng = random.Random(seed)
    pool = _synth.background_pool(rng)
    by_gene = {g.symbol: g for g in genes}
    excluder = _synth.Excluder(genes, EXCLUSION_PAD)
    counts = _split(n_background, [GRCH38_LENGTHS[c] for c in CHROMS])
    panel_sites = _pick_genes(rng, genes, n_panel)
    out = VcfWriter(path)
    out.lines(_synth.header_lines(f"tumorboard benchmarks/generate.py seed={seed} (synthetic)"))
    for chrom, count in zip(CHROMS, counts, strict=True):
        length = GRCH38_LENGTHS[chrom]
        sites: list[tuple[int, int, object]] = []
        while len(sites) < count:
            pos = rng.randrange(1, length - 10)
            if not excluder.near(chrom, pos):
                sites.append((pos, 0, None))
        sites.extend((pos, 1, g) for pos, g in panel_sites.get(chrom, []))
        if hotspots:
            sites.extend((h.pos, 2, h) for h in HOTSPOTS if h.chrom == chrom)
        sites.sort(key=lambda s: (s[0], s[1]))
        out.lines(_site_line(chrom, pos, kind, obj, rng, pool, by_gene) for pos, kind, obj in sites)
    return out.close()


def _site_line(
    chrom: str,
    pos: int,
    kind: int,
    obj: object,
    rng: random.Random,
    pool: list[list[str]],
    by_gene: dict[str, Gene],
) -> str:
    if kind == 2:
        h: _synth.Hotspot = obj  # type: ignore[assignment]
        return _record(
            chrom, pos, h.ref, h.alt, _synth.hotspot_entries(h, by_gene.get(h.gene)), rng, True
        )
    if kind == 1:
        ref, alt = _synth.random_alleles(rng)
        tails = _synth.panel_entries(rng, obj, ref, alt)  # type: ignore[arg-type]
        return _record(chrom, pos, ref, alt, tails, rng, False)
    tails = pool[rng.randrange(len(pool))]
    if rng.random() < 0.002:
        return _multiallelic(chrom, pos, tails, rng)
    ref, alt = _synth.random_alleles(rng)
    return _record(chrom, pos, ref, alt, tails, rng, False)


def md5_file(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def generate(out: Path, scale: int = DEFAULT_SCALE, seed: int = DEFAULT_SEED) -> dict[str, str]:
    """Write every benchmark input into ``out``; return {file name: md5}."""
    from benchmarks import _cvo_case

    out.mkdir(parents=True, exist_ok=True)
    data = shared_data()
    bed = panel_bed()
    genes = _synth.load_genes(bed, data / MANE)
    names = output_names(scale)
    n_panel_wgs = round(scale * PANEL_FRACTION) - len(HOTSPOTS)
    # the panel BED decides where records go: a changed BED explains changed outputs
    sums: dict[str, str] = {f"input panel BED {bed.name}": md5_file(bed)}
    sums[names["wgs"]] = write_vcf(
        out / names["wgs"],
        scale - n_panel_wgs - len(HOTSPOTS),
        n_panel_wgs,
        genes,
        f"{seed}:wgs",
        True,
    )
    n_panel = panel_size(scale)
    sums[names["panel"]] = write_vcf(
        out / names["panel"], 0, n_panel - len(HOTSPOTS), genes, f"{seed}:panel", True
    )
    _cvo_case.write_cvo(out / names["cvo"], genes, random.Random(f"{seed}:cvo"))
    sums[names["cvo"]] = md5_file(out / names["cvo"])
    _cvo_case.write_case(out / names["case"], genes, random.Random(f"{seed}:case"))
    sums[names["case"]] = md5_file(out / names["case"])
    return sums


def checksum_key(seed: int, scale: int) -> str:
    return f"seed={seed} scale={scale}"


def recorded(seed: int, scale: int, path: Path = CHECKSUMS) -> dict[str, str] | None:
    """Checksums recorded for this seed and scale, or None."""
    if not path.exists():
        return None
    table: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return table.get(checksum_key(seed, scale))


def verify(sums: dict[str, str], seed: int, scale: int, path: Path = CHECKSUMS) -> list[str]:
    """Problems (empty when every output matches its recorded md5)."""
    want = recorded(seed, scale, path)
    if want is None:
        return [f"no checksums recorded for {checksum_key(seed, scale)} in {path.name}"]
    return [
        f"{name}: md5 {sums.get(name)} != recorded {md5}"
        for name, md5 in sorted(want.items())
        if sums.get(name) != md5
    ]


def update(sums: dict[str, str], seed: int, scale: int, path: Path = CHECKSUMS) -> None:
    table = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    table[checksum_key(seed, scale)] = dict(sorted(sums.items()))
    path.write_text(json.dumps(dict(sorted(table.items())), indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="WGS records")
    parser.add_argument("--quick", action="store_true", help=f"same as --scale {QUICK_SCALE}")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--update-checksums", action="store_true")
    args = parser.parse_args(argv)
    scale = QUICK_SCALE if args.quick else args.scale
    if scale < 1000:
        parser.error("--scale must be at least 1000")
    started = time.perf_counter()
    sums = generate(args.out, scale, args.seed)
    n = sum(1 for k in sums if not k.startswith("input "))
    print(f"wrote {n} files to {args.out} in {time.perf_counter() - started:.1f} s")
    if args.update_checksums:
        update(sums, args.seed, scale)
        print(f"recorded checksums for {checksum_key(args.seed, scale)}")
        return 0
    problems = verify(sums, args.seed, scale)
    for p in problems:
        print(f"checksum: {p}", file=sys.stderr)
    if problems and recorded(args.seed, scale) is not None:
        return 1
    print("checksums: " + ("OK" if not problems else "none recorded (use --update-checksums)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
