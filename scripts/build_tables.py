#!/usr/bin/env python3
"""Regenerate the tables tumorboard ships from the public data in ``shared/data``.

Usage::

    python scripts/build_tables.py --shared ../shared/data          # (re)write the tables
    python scripts/build_tables.py --shared ../shared/data --check  # exit 1 if any is stale

Standard library only; the output is deterministic (sorted, no dates), so ``--check`` can compare
byte for byte. Every generated file starts with ``#`` comment lines naming its sources (repository,
path, commit, licence, from ``MANIFEST.tsv``).

Generated:

* ``panels/gene_aliases.tsv``: previous -> current HGNC symbols seen in the sources.
* ``panels/genes_GRCh38.bed``, ``panels/genes_GRCh37.bed``: one padded gene-level span per gene
  (the table behind ``--panel genes.txt``).
* ``panels/<panel>/{genes.txt,GRCh38.bed,GRCh37.bed,coding_GRCh38.bed,panel.json}`` for the
  bundled panels (TSO500, TST170, MSK-IMPACT, FoundationOne CDx gene lists).
* ``tumorboard/data/oncotree_2025_10_03.tsv``: the OncoTree hierarchy, one node per row.

Gene spans (GRCh38): the MANE Select v1.0 transcript span, widened to cover the gene's UMCCR
coding exons; genes without MANE Select fall back to the UMCCR principal-transcript spans, then
to the UMCCR Ensembl 107 gene spans. GRCh37: the UMCCR GRCh37 principal-transcript spans. Every
span is padded by ``FLANK_BP`` on both sides so promoter hotspots (TERT C228T/C250T lie ~45-70 bp
beyond the MANE transcript start) and splice regions are inside the panel.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLANK_BP = 1000
BUILDS = ("GRCh37", "GRCh38")

# HGNC previous symbols used by one source while another uses the current one, which the
# coordinate comparison below cannot pair (GRCh37 file vs the GRCh38 files). Source: HGNC.
CURATED_ALIASES = {
    "C11orf30": "EMSY",
    "C2orf44": "WDCP",
    "CASC5": "KNL1",
    "FAM175A": "ABRAXAS1",
    "FAM46C": "TENT5C",
    "FAM58A": "CCNQ",
    "GPR124": "ADGRA2",
    "KIAA1598": "SHTN1",
    "LHFP": "LHFPL6",
    "MKL1": "MRTFA",
    "MLLT4": "AFDN",
    "MRE11A": "MRE11",
    "PAK7": "PAK5",
    "PARK2": "PRKN",
    "RFWD2": "COP1",
    "SETD8": "KMT5A",
    "TCEB1": "ELOC",
    "WHSC1": "NSD2",
    "WHSC1L1": "NSD3",
    "WISP3": "CCN6",
}

PANELS = {
    "tso500": {
        "file": "panel_bed/TSO500_DNA_523genes.txt",
        "title": "TruSight Oncology 500 (DNA)",
        "description": "Illumina TruSight Oncology 500 DNA content: 523 genes, plus TMB and MSI.",
    },
    "tst170": {
        "file": "panel_bed/TST170_genes.txt",
        "title": "TruSight Tumor 170 (DNA)",
        "description": "Illumina TruSight Tumor 170 DNA gene list (older Illumina panel).",
    },
    "msk_impact": {
        "file": "panel_bed/MSK_IMPACT_genes.txt",
        "title": "MSK-IMPACT",
        "description": "MSK-IMPACT gene list (UMCCR-curated).",
    },
    "foundationone": {
        "file": "panel_bed/FoundationOne_genes.txt",
        "title": "FoundationOne CDx",
        "description": "FoundationOne CDx gene list.",
    },
}

SRC_MANE = "gene_coords/MANE.GRCh38.v1.0.summary.txt.gz"
SRC_MANE_TSO = "panel_bed/TSO500_DNA_genes.GRCh38.MANE_select_spans.derived.bed"
SRC_U38 = "gene_coords/umccr_cancer_genes.hg38.transcript.bed"
SRC_E107 = "gene_coords/umccr_cancer_genes.hg38.ensembl107.bed"
SRC_CODING = "gene_coords/umccr_cancer_genes.hg38.coding.bed"
SRC_U37 = "gene_coords/umccr_cancer_genes.GRCh37.transcript.bed"
SRC_ONCOTREE = "oncotree/oncotree_2025_10_03.json"
ONCOTREE_OUT = "tumorboard/data/oncotree_2025_10_03.tsv"

Interval = tuple[str, int, int]


class BuildError(Exception):
    """The shared data is not what this script expects."""


# -- reading ---------------------------------------------------------------------------------------
def read_manifest(shared: Path) -> dict[str, dict[str, str]]:
    """MANIFEST.tsv rows keyed by ``topic/file``."""
    rows: dict[str, dict[str, str]] = {}
    lines = (shared / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        fields = dict(zip(header, line.split("\t"), strict=False))
        rows[f"{fields['topic']}/{fields['file']}"] = fields
    return rows


def provenance(manifest: dict[str, dict[str, str]], key: str) -> str:
    """One line naming a source file's repository, path, commit and licence."""
    row = manifest.get(key)
    if row is None:
        raise BuildError(f"{key} is not listed in MANIFEST.tsv")
    return f"{key}: {row['source_repo']} {row['path']} @ {row['commit']}; licence: {row['licence']}"


def read_gene_list(path: Path) -> list[str]:
    """Gene symbols, one per line, in file order, without duplicates."""
    genes: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        gene = line.strip()
        if gene and not gene.startswith("#") and gene not in genes:
            genes.append(gene)
    return genes


def chr_name(chrom: str, build: str) -> str:
    """Contig name in the build's shipped style (GRCh38 ``chr7``/``chrM``, GRCh37 ``7``/``MT``)."""
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    if bare in ("M", "MT"):
        bare = "MT"
    if build == "GRCh38":
        return "chrM" if bare == "MT" else f"chr{bare}"
    return bare


def read_bed_spans(path: Path, build: str) -> dict[str, dict[str, list[int]]]:
    """Per gene, per contig: the hull ``[start, end]`` of all its BED intervals."""
    spans: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t")
        chrom, start, end, gene = chr_name(f[0], build), int(f[1]), int(f[2]), f[3].strip()
        hull = spans[gene].setdefault(chrom, [start, end])
        hull[0], hull[1] = min(hull[0], start), max(hull[1], end)
    return spans


def read_mane(path: Path) -> dict[str, dict[str, list[int]]]:
    """MANE Select transcript spans (GRCh38, 0-based) per symbol."""
    spans: dict[str, dict[str, list[int]]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if f[9] != "MANE Select":
                continue
            spans[f[3]] = {chr_name(f[10], "GRCh38"): [int(f[11]) - 1, int(f[12])]}
    return spans


def read_coding(path: Path) -> dict[str, list[Interval]]:
    """UMCCR coding-exon intervals (GRCh38) per gene."""
    coding: dict[str, list[Interval]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            f = line.split("\t")
            coding[f[3].strip()].append((chr_name(f[0], "GRCh38"), int(f[1]), int(f[2])))
    return coding


# -- aliases ---------------------------------------------------------------------------------------
def coordinate_aliases(
    old: dict[str, dict[str, list[int]]], new: dict[str, dict[str, list[int]]]
) -> dict[str, str]:
    """Pair symbols only in ``old`` with symbols only in ``new`` whose spans overlap mostly.

    Both files are GRCh38; a gene renamed by HGNC between them keeps its coordinates, so a
    one-to-one pair of mutual >= 50 % overlaps is a rename (H3F3A -> H3-3A, SEPT9 -> SEPTIN9).
    """
    only_old = sorted(set(old) - set(new))
    only_new = sorted(set(new) - set(old))
    pairs: dict[str, list[str]] = {}
    for a in only_old:
        pairs[a] = [b for b in only_new if _mutual_overlap(old[a], new[b])]
    used: dict[str, int] = defaultdict(int)
    for cands in pairs.values():
        for b in cands:
            used[b] += 1
    return {a: c[0] for a, c in pairs.items() if len(c) == 1 and used[c[0]] == 1}


def _mutual_overlap(a: dict[str, list[int]], b: dict[str, list[int]]) -> bool:
    for chrom, (s1, e1) in a.items():
        if chrom in b:
            s2, e2 = b[chrom]
            ov = min(e1, e2) - max(s1, s2)
            if ov > 0 and ov >= 0.5 * (e1 - s1) and ov >= 0.5 * (e2 - s2):
                return True
    return False


def mane_tso_aliases(path: Path) -> dict[str, str]:
    """``MANE_symbol=`` notes of the MANE-derived TSO500 BED: panel symbol -> MANE symbol."""
    aliases: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) > 4 and "MANE_symbol=" in f[4]:
            aliases[f[3]] = f[4].split("MANE_symbol=")[1].split("|")[0]
    return aliases


# -- gene tables -----------------------------------------------------------------------------------
class Sources:
    """All inputs, read once."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.manifest = read_manifest(shared)
        self.mane = read_mane(shared / SRC_MANE)
        self.u38 = read_bed_spans(shared / SRC_U38, "GRCh38")
        self.e107 = read_bed_spans(shared / SRC_E107, "GRCh38")
        self.u37 = read_bed_spans(shared / SRC_U37, "GRCh37")
        self.coding = read_coding(shared / SRC_CODING)
        aliases = dict(CURATED_ALIASES)
        aliases.update(coordinate_aliases(self.u38, self.e107))
        aliases.update(mane_tso_aliases(shared / SRC_MANE_TSO))
        self.aliases = {old: new for old, new in aliases.items() if old != new}
        self.tables = {"GRCh38": self._table38(), "GRCh37": self._table37()}

    def current(self, gene: str) -> str:
        """The current symbol of ``gene`` (itself when not a known previous symbol)."""
        return self.aliases.get(gene, gene)

    def _table38(self) -> dict[str, tuple[dict[str, list[int]], str]]:
        table: dict[str, tuple[dict[str, list[int]], str]] = {}
        for source, name in ((self.e107, "ensembl107"), (self.u38, "umccr"), (self.mane, "MANE")):
            for gene, spans in source.items():
                table[self.current(gene)] = ({c: list(s) for c, s in spans.items()}, name)
        for gene, exons in self.coding.items():
            entry = table.get(self.current(gene))
            if entry is None:
                continue
            for chrom, start, end in exons:
                hull = entry[0].get(chrom)
                if hull is not None:
                    hull[0], hull[1] = min(hull[0], start), max(hull[1], end)
        return table

    def _table37(self) -> dict[str, tuple[dict[str, list[int]], str]]:
        return {self.current(g): (s, "umccr") for g, s in self.u37.items()}

    def lookup(self, gene: str, build: str) -> dict[str, list[int]] | None:
        """Unpadded spans of ``gene`` in ``build``, by its own or its current symbol."""
        entry = self.tables[build].get(self.current(gene))
        return entry[0] if entry else None

    def coding_of(self, gene: str) -> list[Interval]:
        """GRCh38 coding exons of ``gene`` under any of its symbols."""
        cur = self.current(gene)
        out: list[Interval] = []
        for name, exons in self.coding.items():
            if self.current(name) == cur:
                out.extend(exons)
        return out


def chrom_key(chrom: str) -> tuple[int, str]:
    """Natural contig order: 1..22, X, Y, M/MT, then the rest alphabetically."""
    bare = chrom[3:] if chrom.startswith("chr") else chrom
    if bare.isdigit():
        return (int(bare), "")
    order = {"X": 23, "Y": 24, "M": 25, "MT": 25}
    return (order.get(bare, 26), bare)


def sort_bed(rows: Iterable[tuple[str, int, int, str]]) -> list[tuple[str, int, int, str]]:
    """Sort BED rows by natural contig order, start, end, name."""
    return sorted(rows, key=lambda r: (chrom_key(r[0]), r[1], r[2], r[3]))


def merge(intervals: Iterable[Interval]) -> list[tuple[str, int, int, str]]:
    """Merge overlapping or touching intervals (rows named ``.``), in natural contig order."""
    out: list[tuple[str, int, int, str]] = []
    for chrom, start, end in sorted(intervals, key=lambda r: (chrom_key(r[0]), r[1], r[2])):
        if out and out[-1][0] == chrom and start <= out[-1][2]:
            out[-1] = (chrom, out[-1][1], max(out[-1][2], end), ".")
        else:
            out.append((chrom, start, end, "."))
    return out


def padded_rows(
    src: Sources, genes: Iterable[str], build: str
) -> tuple[list[tuple[str, int, int, str]], list[str]]:
    """Padded gene-span BED rows named by the given symbols, and the genes with no coordinates."""
    rows, missing = [], []
    for gene in genes:
        spans = src.lookup(gene, build)
        if spans is None:
            missing.append(gene)
            continue
        for chrom, (start, end) in spans.items():
            rows.append((chrom, max(0, start - FLANK_BP), end + FLANK_BP, gene))
    return sort_bed(rows), missing


def bed_text(header: list[str], rows: list[tuple[str, int, int, str]], bed3: bool = False) -> str:
    """A BED file: ``#`` header lines, then tab-separated rows."""
    lines = [f"# {h}" if h else "#" for h in header]
    for chrom, start, end, name in rows:
        lines.append(f"{chrom}\t{start}\t{end}" if bed3 else f"{chrom}\t{start}\t{end}\t{name}")
    return "\n".join(lines) + "\n"


# -- outputs ---------------------------------------------------------------------------------------
def gene_source_lines(src: Sources, build: str) -> list[str]:
    """Provenance header lines for the gene coordinates of ``build``."""
    m = src.manifest
    if build == "GRCh37":
        keys = [SRC_U37]
    else:
        keys = [SRC_MANE, SRC_MANE_TSO, SRC_U38, SRC_E107, SRC_CODING]
    lines = [f"  {provenance(m, k)}" for k in keys]
    lines.append("  symbol renames: panels/gene_aliases.tsv (HGNC previous -> current symbols)")
    return ["sources:", *lines]


def common_header(title: str) -> list[str]:
    return [
        title,
        "generated by scripts/build_tables.py from shared/data (do not edit by hand)",
        f"coordinates: BED, 0-based half-open; gene spans padded by {FLANK_BP} bp each side",
        "DERIVED approximation from public gene coordinates, NOT a vendor's manifest",
    ]


def build_gene_tables(src: Sources) -> dict[str, str]:
    files: dict[str, str] = {}
    for build in BUILDS:
        genes = sorted(src.tables[build])
        rows, _ = padded_rows(src, genes, build)
        header = common_header(f"tumorboard gene table, {build}: {len(genes)} genes")
        files[f"panels/genes_{build}.bed"] = bed_text(header + gene_source_lines(src, build), rows)
    alias_lines = [
        "# previous HGNC symbol -> current symbol, as met in the gene-coordinate sources",
        "# generated by scripts/build_tables.py; pairs from the MANE-derived TSO500 BED notes,",
        "# GRCh38 coordinate identity (UMCCR transcript vs Ensembl 107 spans) and HGNC (curated)",
        "previous\tcurrent",
    ] + [f"{a}\t{b}" for a, b in sorted(src.aliases.items())]
    files["panels/gene_aliases.tsv"] = "\n".join(alias_lines) + "\n"
    return files


def build_panel(src: Sources, name: str, spec: dict[str, str]) -> dict[str, str]:
    """genes.txt, per-build BEDs, the GRCh38 coding BED and panel.json of one bundled panel."""
    genes = read_gene_list(src.shared / spec["file"])
    gene_prov = provenance(src.manifest, spec["file"])
    files: dict[str, str] = {}
    files[f"panels/{name}/genes.txt"] = (
        "\n".join([f"# {spec['title']}: {len(genes)} genes", f"# source: {gene_prov}", *genes])
        + "\n"
    )
    missing: dict[str, list[str]] = {}
    for build in BUILDS:
        rows, missing[build] = padded_rows(src, genes, build)
        header = common_header(f"{spec['title']} gene-level targets, {build}")
        header += [f"genes: {gene_prov}", *gene_source_lines(src, build)]
        header.append("missing genes: " + (", ".join(missing[build]) or "none"))
        files[f"panels/{name}/{build}.bed"] = bed_text(header, rows)
    exons = [iv for g in genes for iv in src.coding_of(g)]
    coding = merge(exons)
    coding_missing = [g for g in genes if not src.coding_of(g)]
    footprint = sum(e - s for _, s, e, _ in coding)
    header = [
        f"{spec['title']} coding exons (merged), GRCh38: {footprint} bp; the TMB footprint",
        "generated by scripts/build_tables.py from shared/data (do not edit by hand)",
        "DERIVED approximation from UMCCR coding exons, NOT a vendor's manifest",
        f"genes: {gene_prov}",
        f"exons: {provenance(src.manifest, SRC_CODING)}",
        "genes without coding exons here: " + (", ".join(coding_missing) or "none"),
    ]
    files[f"panels/{name}/coding_GRCh38.bed"] = bed_text(header, coding, bed3=True)
    meta = panel_json(src, name, spec, genes, missing, footprint, coding_missing, gene_prov)
    files[f"panels/{name}/panel.json"] = json.dumps(meta, indent=2, sort_keys=False) + "\n"
    return files


def panel_json(
    src: Sources,
    name: str,
    spec: dict[str, str],
    genes: list[str],
    missing: dict[str, list[str]],
    footprint: int,
    coding_missing: list[str],
    gene_prov: str,
) -> dict[str, object]:
    return {
        "name": name,
        "title": spec["title"],
        "description": spec["description"],
        "derived": (
            "DERIVED approximation: gene-level spans of the listed genes from public gene "
            "coordinates (MANE Select / UMCCR), padded by "
            f"{FLANK_BP} bp; this is NOT the vendor's capture manifest"
        ),
        "gene_count": len(genes),
        "flank_bp": FLANK_BP,
        "builds": {
            b: {
                "bed": f"{b}.bed",
                "genes_with_coordinates": len(genes) - len(missing[b]),
                "missing_genes": missing[b],
                "coding_bed": "coding_GRCh38.bed" if b == "GRCh38" else None,
                "footprint_bp": footprint if b == "GRCh38" else None,
            }
            for b in BUILDS
        },
        "footprint_note": (
            "footprint_bp = merged coding exons (UMCCR CDS, GRCh38) of the panel genes; no "
            "GRCh37 coding exons are in the sources, and exon lengths do not change between "
            "builds, so tumorboard uses the GRCh38 footprint for GRCh37 too. Illumina's own "
            "TSO500 TMB region (~1.27 Mb after filtering) is smaller."
        ),
        "genes_without_coding_exons": coding_missing,
        "provenance": {
            "gene_list": gene_prov,
            "GRCh38": [x.strip() for x in gene_source_lines(src, "GRCh38")[1:]],
            "GRCh37": [x.strip() for x in gene_source_lines(src, "GRCh37")[1:]],
        },
    }


def check_mane_tso(src: Sources) -> None:
    """The TSO500 GRCh38 spans must contain the MANE-derived TSO500 BED's spans."""
    for line in (src.shared / SRC_MANE_TSO).read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        spans = src.lookup(f[3], "GRCh38")
        hull = spans.get(f[0]) if spans else None
        if hull is None or hull[0] > int(f[1]) or hull[1] < int(f[2]):
            raise BuildError(f"{SRC_MANE_TSO}: {f[3]} {f[0]}:{f[1]}-{f[2]} not covered ({hull})")


# -- OncoTree --------------------------------------------------------------------------------------
ONCO_COLUMNS = (
    "code", "name", "main_type", "tissue", "parent", "level",
    "history", "precursors", "revocations", "umls", "nci",
)  # fmt: skip


def build_oncotree(src: Sources) -> dict[str, str]:
    data = json.loads((src.shared / SRC_ONCOTREE).read_text(encoding="utf-8"))
    rows: list[str] = []

    def clean(value: object) -> str:
        text = "" if value is None else str(value)
        return text.replace("\t", " ").replace("\n", " ").strip()

    def walk(node: dict[str, object]) -> None:
        refs = node.get("externalReferences") or {}
        assert isinstance(refs, dict)
        fields = [
            node["code"], node["name"], node.get("mainType"), node.get("tissue"),
            node.get("parent"), node.get("level"),
            ",".join(node.get("history") or []),  # type: ignore[arg-type]
            ",".join(node.get("precursors") or []),  # type: ignore[arg-type]
            ",".join(node.get("revocations") or []),  # type: ignore[arg-type]
            ",".join(refs.get("UMLS") or []), ",".join(refs.get("NCI") or []),
        ]  # fmt: skip
        rows.append("\t".join(clean(v) for v in fields))
        children = node.get("children") or {}
        assert isinstance(children, dict)
        for code in sorted(children):
            walk(children[code])

    walk(data["TISSUE"])
    header = [
        f"# OncoTree 2025_10_03: {len(rows)} nodes (root TISSUE included), one per row",
        "# OncoTree by Memorial Sloan Kettering Cancer Center (MSKCC), https://oncotree.mskcc.org,"
        " licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        f"# source: {provenance(src.manifest, SRC_ONCOTREE)}",
        "# changes: flattened to TSV by scripts/build_tables.py (colour dropped; lists joined"
        " with commas); do not edit by hand",
        "\t".join(ONCO_COLUMNS),
    ]
    return {ONCOTREE_OUT: "\n".join(header + rows) + "\n"}


# -- driver ----------------------------------------------------------------------------------------
def build_mane_transcripts(src: Sources) -> dict[str, str]:
    """MANE Select transcript ids (Ensembl and RefSeq, versions dropped) of the cancer genes.

    Lets the VCF reader recognise the MANE Select entry of an annotation that has no MANE field
    (older VEP, SnpEff): the panels' genes plus the GRCh37 cancer-gene table, about 1,300 genes.
    """
    wanted = {src.current(g) for g in src.tables["GRCh37"]}
    for spec in PANELS.values():
        wanted |= {src.current(g) for g in read_gene_list(src.shared / spec["file"])}
    rows = []
    with gzip.open(src.shared / SRC_MANE, "rt", encoding="utf-8") as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=True))
            if row["MANE_status"] != "MANE Select" or row["symbol"] not in wanted:
                continue
            ens, ref = row["Ensembl_nuc"].split(".")[0], row["RefSeq_nuc"].split(".")[0]
            rows.append(f"{row['symbol']}\t{ens}\t{ref}")
    lines = [
        f"# tumorboard MANE Select transcripts: {len(rows)} cancer and panel genes",
        "# generated by scripts/build_tables.py from shared/data (do not edit by hand)",
        f"# {provenance(src.manifest, SRC_MANE)}",
        "# ids without version: annotations of either build carry their own versions",
        "symbol\tensembl_transcript\trefseq_transcript",
        *sorted(rows),
    ]
    return {"panels/mane_select.tsv": "\n".join(lines) + "\n"}


def build_all(shared: Path) -> dict[str, str]:
    """Every generated file: repository-relative path -> text."""
    src = Sources(shared)
    check_mane_tso(src)
    files = build_gene_tables(src)
    for name, spec in PANELS.items():
        files.update(build_panel(src, name, spec))
    files.update(build_oncotree(src))
    files.update(build_mane_transcripts(src))
    return files


def stale_files(files: dict[str, str], out: Path) -> list[str]:
    """Paths whose committed text differs from the generated text (or that are missing)."""
    stale = []
    for rel, text in sorted(files.items()):
        path = out / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(rel)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO, help="repository root to write into")
    parser.add_argument("--check", action="store_true", help="verify, do not write")
    args = parser.parse_args(argv)
    if not (args.shared / "MANIFEST.tsv").is_file():
        print(f"error: no MANIFEST.tsv in {args.shared}", file=sys.stderr)
        return 2
    try:
        files = build_all(args.shared)
    except (BuildError, OSError, KeyError, ValueError, IndexError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = stale_files(files, args.out)
    if args.check:
        for rel in stale:
            print(f"stale: {rel}", file=sys.stderr)
        print(f"{len(files) - len(stale)} of {len(files)} tables up to date")
        return 1 if stale else 0
    for rel in stale:
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(files[rel], encoding="utf-8")
        tmp.replace(path)
        print(f"wrote {rel}")
    print(f"{len(files)} tables, {len(stale)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
