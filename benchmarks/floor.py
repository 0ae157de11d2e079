"""The floor: the least work a pysam + Python program can do to write a panel's variants as JSON.

Fetches the BED's regions through the index, keeps PASS records, takes the MANE Select CSQ entry
(else the first), reads the tumour sample's AD and writes gene, coordinates, HGVS, VAF, depth and
FILTER per variant with orjson. No catalog, OncoTree, matching, biomarkers, QC, validation or
error handling: no real tool can do less. It shows what part of a time budget Python start-up,
htslib reading and per-record Python already take before any of tumorboard's work.

    python benchmarks/floor.py panel_50k.vcf.gz --regions panel.bed -o out.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson
import pysam

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pysam_loop import read_regions


def floor(path: str, regions: list[tuple[str, int, int]], out: Path) -> int:
    """Write the variants; return how many were written."""
    vf = pysam.VariantFile(path)
    desc = vf.header.info["CSQ"].description
    fields = desc.split("Format: ", 1)[1].rstrip('"').split("|")
    i_sym, i_mane, i_hgvsc, i_hgvsp = (
        fields.index(k) for k in ("SYMBOL", "MANE_SELECT", "HGVSc", "HGVSp")
    )
    limit = max(i_sym, i_mane, i_hgvsc, i_hgvsp) + 1
    tumour = next((r.value for r in vf.header.records if r.key == "tumor_sample"), "TUMOR")
    column = 9 + list(vf.header.samples).index(tumour)
    dumps = orjson.dumps
    n = 0
    with out.open("wb") as fh:
        fh.write(b'{"variants": [')
        sep = b"\n"
        for chrom, start, end in regions:
            for rec in vf.fetch(chrom, start, end):
                cols = str(rec).rstrip("\n").split("\t")
                if cols[6] != "PASS":
                    continue
                info = cols[7]
                csq = info[info.find("CSQ=") + 4 :].split(";", 1)[0]
                entries = [e.split("|", limit) for e in csq.split(",")]
                entry = next((e for e in entries if e[i_mane]), entries[0])
                keys = cols[8].split(":")
                values = cols[column].split(":")
                ad = [int(x) for x in values[keys.index("AD")].split(",")]
                depth = sum(ad)
                record = {
                    "gene": entry[i_sym],
                    "chrom": cols[0],
                    "pos": int(cols[1]),
                    "ref": cols[3],
                    "alt": cols[4],
                    "hgvsc": entry[i_hgvsc],
                    "hgvsp": entry[i_hgvsp],
                    "vaf": ad[1] / depth if depth else None,
                    "depth": depth,
                    "filter": cols[6],
                }
                fh.write(sep)
                fh.write(dumps(record))
                sep = b",\n"
                n += 1
        fh.write(b"\n]}\n")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description="the floor for a panel VCF -> JSON program")
    parser.add_argument("vcf")
    parser.add_argument("--regions", type=Path, required=True, help="BED of the panel")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    print(floor(args.vcf, read_regions(args.regions), args.output))


if __name__ == "__main__":
    main()
