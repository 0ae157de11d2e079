"""The baseline: a bare pysam loop reading what tumorboard reads from every record.

Reads CHROM, POS, REF, ALT, FILTER, INFO/CSQ and the tumour sample's FORMAT AD and DP, and does
nothing else. With ``--regions BED`` it fetches those regions through the index instead of
streaming the whole file. Prints the number of records read.

    python benchmarks/pysam_loop.py wgs_4m.vcf.gz [--regions panel.bed]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysam


def read_regions(bed: Path) -> list[tuple[str, int, int]]:
    """BED intervals (0-based half-open), comment and track lines skipped."""
    out = []
    for line in bed.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "track", "browser")):
            continue
        chrom, start, end = line.split("\t")[:3]
        out.append((chrom, int(start), int(end)))
    return out


def records(vf: Any, regions: list[tuple[str, int, int]] | None) -> Iterator[Any]:
    if regions is None:
        yield from vf
        return
    for chrom, start, end in regions:
        yield from vf.fetch(chrom, start, end)


def loop(path: str, regions: list[tuple[str, int, int]] | None = None) -> int:
    """Read the fields of every record; return how many records were read."""
    with pysam.VariantFile(path) as vf:
        tumour = "TUMOR"
        for rec in vf.header.records:
            if rec.key == "tumor_sample":
                tumour = rec.value
        n = 0
        for rec in records(vf, regions):
            _ = (rec.chrom, rec.pos, rec.ref, rec.alts, list(rec.filter.keys()))
            _ = rec.info.get("CSQ")
            call = rec.samples[tumour]
            _ = (call.get("AD"), call.get("DP"))
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description="bare pysam loop (benchmark baseline)")
    parser.add_argument("vcf")
    parser.add_argument("--regions", type=Path, help="BED: fetch these regions via the index")
    args = parser.parse_args()
    print(loop(args.vcf, read_regions(args.regions) if args.regions else None))


if __name__ == "__main__":
    main()
