#!/usr/bin/env python3
"""Generate ``panels/hotspots_GRCh37.tsv`` and ``panels/hotspots_GRCh38.tsv``.

Usage::

    python scripts/build_hotspots.py --shared ../shared/data          # (re)write the tables
    python scripts/build_hotspots.py --shared ../shared/data --check  # exit 1 if stale

What goes in: every **exact** protein change the drug catalog names (``type: exact`` rules in
``drug_catalog/*.yaml``), and every concrete allele CIViC lists at a **codon** the catalog names
(``type: codon``, restricted to its ``alternatives`` when given), so unannotated VCFs can be
matched by genomic coordinate.

Where coordinates come from:

* **GRCh37**: CIViC (release 2022-12-01, CC0) ``chromosome``/``start``/``reference_bases``/
  ``variant_bases`` of the variant with that gene and name (plus-strand alleles).
* **GRCh38**: the GRCh37 position shifted by the gene's GRCh37 -> GRCh38 offset, which is taken
  (a) from a transcript of the gene whose span has exactly the same length in the UMCCR GRCh37
  and hg38 transcript BEDs (the same transcript in both builds), (b) from CIViC ``EXON N`` rows
  (GRCh37 exon coordinates) that match exactly one same-length hg38 coding exon of the gene, or
  (c) from the CrossMap liftover of the PCGR example VCFs (the same calls on GRCh37 and GRCh38):
  two lifted calls bracketing the position within 2 Mb, with the same offset. Every available
  source must agree. The lifted
  position must fall inside a coding exon of the gene (UMCCR hg38 coding BED); otherwise the
  hotspot is listed as missing. Alleles are plus-strand, so they are the same in both builds.

Hotspot *codons* (``panels/hotspot_codons_<build>.tsv``): every codon of those rules (and of the
exact substitutions) is also placed as a whole, its three bases on both builds, so that any
single- or multi-nucleotide change inside it is translated at look-up time (KRAS G12C written as
a two-base change, NRAS Q61H as ``CAT`` or ``CAC``); see ``scripts/hotspot_codons.py``.

Hotspots that cannot be placed are listed in the header as ``# missing`` lines, never guessed.
Standard library plus PyYAML; output is deterministic (sorted, no dates). No OncoKB or COSMIC
content is used.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hotspot_codons import (
    REFERENCE_RESIDUES,
    fill_codon,
    mane_transcripts,
    place_codons,
    render_codons,
)

REPO = Path(__file__).resolve().parent.parent
CIVIC = "civic/civic_2022-12-01_predictive_accepted_with_coords.tsv"
SPANS37 = "gene_coords/umccr_cancer_genes.GRCh37.transcript.bed"
SPANS38 = "gene_coords/umccr_cancer_genes.hg38.transcript.bed"
CODING38 = "gene_coords/umccr_cancer_genes.hg38.coding.bed"
LIFTED = (
    ("somatic_vcf/pcgr_T001-COAD.grch37.vcf.gz", "somatic_vcf/pcgr_T001-COAD.grch38.vcf.gz"),
    ("somatic_vcf/pcgr_T001-BRCA.grch37.vcf.gz", "somatic_vcf/pcgr_T001-BRCA.grch38.vcf.gz"),
)
MAX_BRACKET = 2_000_000
COLUMNS = (
    "gene",
    "protein",
    "chrom",
    "pos",
    "ref",
    "alt",
    "transcript",
    "civic_variant_id",
    "method",
)
_EXACT = re.compile(r"^([A-Z])(\d+)([A-Z*])$")
_CIVIC_CHANGE = re.compile(
    r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?([A-Z*]|DEL|INS[A-Z]+|DUP|DELINS[A-Z]+)$"
)


def catalog_targets(catalog: Path) -> tuple[set[tuple[str, str]], dict[tuple[str, int], set[str]]]:
    """(exact (gene, change) pairs, (gene, codon) -> allowed new residues or empty = any)."""
    exact: set[tuple[str, str]] = set()
    codons: dict[tuple[str, int], set[str]] = {}
    for path in sorted(catalog.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("biomarkers", []) if isinstance(data, dict) else []:
            genes = [rule["gene"]] if rule.get("gene") else list(rule.get("genes", []))
            for gene in genes:
                if rule.get("type") == "exact":
                    exact.update((gene, c) for c in rule.get("changes", []))
                elif rule.get("type") == "codon":
                    alternatives = set(rule.get("alternatives", []) or [])
                    for codon in rule.get("codons", []):
                        key = (gene, int(codon))
                        # one rule accepting any residue makes the codon unrestricted
                        if key in codons and (not codons[key] or not alternatives):
                            codons[key] = set()
                        else:
                            codons.setdefault(key, set()).update(alternatives)
    return exact, codons


def civic_change(name: str) -> str:
    """CIViC's upper-cased name to one-letter HGVS style: ``L755_T759DEL`` -> ``L755_T759del``."""
    m = _CIVIC_CHANGE.match(name)
    if not m:
        return ""
    tail = m.group(5)
    tail = tail if len(tail) == 1 else tail[:3].lower().replace("del", "del") + tail[3:]
    if m.group(5).startswith("DELINS"):
        tail = "delins" + m.group(5)[6:]
    elif m.group(5).startswith("INS"):
        tail = "ins" + m.group(5)[3:]
    head = f"{m.group(1)}{m.group(2)}" + (f"_{m.group(3)}{m.group(4)}" if m.group(3) else "")
    return head + tail


def civic_rows(shared: Path) -> Iterator[dict[str, str]]:
    with (shared / CIVIC).open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh, delimiter="\t")


def _allele(value: str) -> str:
    return value.strip().upper() if value and value.strip() not in ("", "nan", "NaN") else "-"


def select_hotspots(shared: Path, catalog: Path) -> tuple[list[dict[str, str]], list[str]]:
    """CIViC rows (GRCh37) for the catalog's hotspots, and the catalog hotspots not found."""
    exact, codons = catalog_targets(catalog)
    found: dict[tuple[str, str, str, str, str, str], dict[str, str]] = {}
    for row in civic_rows(shared):
        if row.get("reference_build") not in ("GRCh37", "") or not row["start"]:
            continue
        gene, change = row["gene"], civic_change(row["variant"])
        ref, alt = _allele(row["reference_bases"]), _allele(row["variant_bases"])
        if not change or (ref == "-" and alt == "-"):
            continue
        m = _EXACT.match(change)
        wanted = (gene, change) in exact
        if m and not wanted and (gene, int(m.group(2))) in codons:
            alts = codons[(gene, int(m.group(2)))]
            wanted = not alts or m.group(3) in alts
        if not wanted:
            continue
        chrom, pos = row["chromosome"], str(int(float(row["start"])))
        key = (gene, change, chrom, pos, ref, alt)
        found.setdefault(
            key,
            {
                "gene": gene,
                "protein": change,
                "chrom": chrom,
                "pos": pos,
                "ref": ref,
                "alt": alt,
                "transcript": row["representative_transcript"].split(" ")[0],
                "civic_variant_id": row["variant_id"],
                "method": "CIViC GRCh37 coordinates",
            },
        )
    placed = {(r["gene"], r["protein"]) for r in found.values()}
    missing = sorted(f"{g} {c}" for g, c in exact if (g, c) not in placed)
    return sorted(found.values(), key=_sort_key), missing


def _sort_key(r: dict[str, str]) -> tuple[int, int, str, str]:
    c = r["chrom"].removeprefix("chr")
    return (int(c) if c.isdigit() else 23 if c == "X" else 24, int(r["pos"]), r["ref"], r["alt"])


# --- GRCh37 -> GRCh38 ----------------------------------------------------------------------
def _bed(path: Path) -> dict[str, list[tuple[str, int, int]]]:
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 4 and not line.startswith("#"):
            out[cols[3]].append((cols[0].removeprefix("chr"), int(cols[1]), int(cols[2])))
    return out


def span_offsets(shared: Path) -> dict[str, int]:
    """Gene -> offset from a transcript span of identical length in both builds."""
    s37, s38 = _bed(shared / SPANS37), _bed(shared / SPANS38)
    out: dict[str, int] = {}
    for gene, spans in s37.items():
        offsets = {
            b[1] - a[1]
            for a in spans
            for b in s38.get(gene, [])
            if a[0] == b[0] and a[2] - a[1] == b[2] - b[1]
        }
        if len(offsets) == 1:
            out[gene] = offsets.pop()
    return out


def exon_offsets(shared: Path) -> dict[str, int]:
    """Gene -> offset from CIViC ``EXON N`` rows (GRCh37 exon coordinates) whose length matches
    exactly one hg38 coding interval of the gene; every such exon of the gene must agree."""
    coding = _bed(shared / CODING38)
    found: dict[str, set[int]] = defaultdict(set)
    for row in civic_rows(shared):
        if not re.match(r"EXON \d+", row["variant"]) or not row["start"] or not row["stop"]:
            continue
        start, stop = int(float(row["start"])), int(float(row["stop"]))
        cands = {
            c[1] - (start - 1)
            for c in coding.get(row["gene"], [])
            if c[0] == row["chromosome"] and c[2] - c[1] == stop - start + 1
        }
        if len(cands) == 1:
            found[row["gene"]] |= cands
    return {gene: offs.pop() for gene, offs in found.items() if len(offs) == 1}


def _vcf_calls(path: Path) -> dict[tuple[str, str, str, str, str], tuple[str, int]]:
    calls: dict[tuple[str, str, str, str, str], tuple[str, int]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            calls[(c[3], c[4], c[7], c[9] if len(c) > 9 else "", c[0].removeprefix("chr"))] = (
                c[0].removeprefix("chr"),
                int(c[1]),
            )
    return calls


def lifted_anchors(shared: Path) -> dict[str, list[tuple[int, int]]]:
    """Chromosome -> sorted (GRCh37 pos, GRCh38 pos) pairs from the PCGR CrossMap liftovers."""
    anchors: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for p37, p38 in LIFTED:
        a, b = _vcf_calls(shared / p37), _vcf_calls(shared / p38)
        for key, (chrom, pos) in a.items():
            if key in b and b[key][0] == chrom:
                anchors[chrom].append((pos, b[key][1]))
    for items in anchors.values():
        items.sort()
    return anchors


def anchor_offset(anchors: dict[str, list[tuple[int, int]]], chrom: str, pos: int) -> int | None:
    """Offset when the nearest lifted calls on both sides (within 2 Mb) share it."""
    items = anchors.get(chrom, [])
    i = bisect.bisect_right(items, (pos, sys.maxsize))
    left = items[i - 1] if i > 0 else None
    right = items[i] if i < len(items) else None
    if left and left[0] == pos:
        return left[1] - left[0]
    if not left or not right or right[0] - left[0] > MAX_BRACKET:
        return None
    d1, d2 = left[1] - left[0], right[1] - right[0]
    return d1 if d1 == d2 else None


def to_grch38(rows: list[dict[str, str]], shared: Path) -> tuple[list[dict[str, str]], list[str]]:
    spans, exons = span_offsets(shared), exon_offsets(shared)
    anchors, coding = lifted_anchors(shared), _bed(shared / CODING38)
    out, missing = [], []
    for r in rows:
        pos = int(r["pos"])
        sources = {
            "same-length transcript span": spans.get(r["gene"]),
            "CIViC exon matched to a same-length hg38 coding exon": exons.get(r["gene"]),
            "PCGR CrossMap liftover anchors": anchor_offset(anchors, r["chrom"], pos),
        }
        known = {k: v for k, v in sources.items() if v is not None}
        label = f"{r['gene']} {r['protein']} ({r['chrom']}:{pos} {r['ref']}>{r['alt']} GRCh37)"
        if len(set(known.values())) > 1:
            missing.append(f"{label}: offsets disagree ({known})")
            continue
        if not known:
            missing.append(f"{label}: no offset source (span, exon or liftover)")
            continue
        offset = next(iter(known.values()))
        new = pos + offset
        if not any(c == r["chrom"] and s < new <= e for c, s, e in coding.get(r["gene"], [])):
            missing.append(f"{label}: lifted position {new} is outside the gene's coding exons")
            continue
        how = " + ".join(known) + (" agree" if len(known) > 1 else "")
        out.append(
            {
                **r,
                "chrom": f"chr{r['chrom']}",
                "pos": str(new),
                "method": f"GRCh37 + offset {offset} ({how}); in hg38 coding exon",
            }
        )
    return out, missing


# --- output -------------------------------------------------------------------------------------
def render(build: str, rows: list[dict[str, str]], missing: list[str]) -> str:
    lines = [
        f"# tumorboard hotspot coordinates, {build}: the catalog's exact protein changes and the",
        "# CIViC alleles at the codons it names, for matching unannotated VCFs by coordinate.",
        "# generated by scripts/build_hotspots.py from shared/data (do not edit by hand)",
        "# sources: CIViC 2022-12-01 predictive accepted evidence with coordinates (CC0;",
        "#   user-tq/anvcivi civic_clean/accept_var_info.tsv",
        "#   @ fabb00b2d197baccfc93f651c5b65c2f399d388c);",
        "#   drug_catalog/*.yaml (exact and codon rules)",
    ]
    if build == "GRCh38":
        lines += [
            "#   GRCh38 offsets: umccr/NGS_Utils transcript BEDs GRCh37/hg38 and hg38 coding BED",
            "#   @ c94ccf53ff0dfa8e0d49027a12a4edbeb37b1558 (MIT); sigven/pcgr example VCFs",
            "#   T001-COAD/T001-BRCA GRCh37 + CrossMap GRCh38",
            "#   @ 8cca3c0cbd211a975e1d1c452c57cc4fe25edc21 (MIT)",
        ]
    lines.append("# alleles: plus strand; indels trimmed ('-' = empty), pos = first changed base")
    lines += [f"# missing: {m}" for m in missing]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(r[c] for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


# --- whole codons ---------------------------------------------------------------------------
def codon_targets(catalog: Path) -> dict[str, set[int]]:
    """Gene -> codons of the catalog's codon rules and exact substitutions."""
    exact, codons = catalog_targets(catalog)
    out: dict[str, set[int]] = defaultdict(set)
    for gene, codon in codons:
        out[gene].add(codon)
    for gene, change in exact:
        m = _EXACT.match(change)
        if m:
            out[gene].add(int(m.group(2)))
    return out


def civic_substitutions(shared: Path) -> dict[str, list[dict[str, str]]]:
    """Gene -> CIViC substitutions with GRCh37 coordinates (protein, pos, ref, alt)."""
    out: dict[str, dict[tuple[str, str, str, str], dict[str, str]]] = defaultdict(dict)
    for row in civic_rows(shared):
        if row.get("reference_build") not in ("GRCh37", "") or not row["start"]:
            continue
        change = civic_change(row["variant"])
        ref, alt = _allele(row["reference_bases"]), _allele(row["variant_bases"])
        if not _EXACT.match(change) or "-" in (ref, alt) or len(ref) != len(alt):
            continue
        item = {"protein": change, "pos": str(int(float(row["start"]))), "ref": ref, "alt": alt}
        out[row["gene"]][(change, item["pos"], ref, alt)] = item
    return {g: [v for _, v in sorted(rows.items())] for g, rows in out.items()}


def gene_offsets(shared: Path, civic: dict[str, list[dict[str, str]]]) -> dict[str, int]:
    """Gene -> GRCh37 -> GRCh38 offset where every source available for it agrees."""
    spans, exons, anchors = span_offsets(shared), exon_offsets(shared), lifted_anchors(shared)
    chrom_of = {g: c for g, rows in _bed(shared / SPANS37).items() for c, _, _ in rows[:1]}
    out: dict[str, int] = {}
    for gene in set(spans) | set(exons) | set(civic):
        found = {v for v in (spans.get(gene), exons.get(gene)) if v is not None}
        for r in civic.get(gene, []):
            lifted = anchor_offset(anchors, chrom_of.get(gene, ""), int(r["pos"]))
            if lifted is not None:
                found.add(lifted)
        if len(found) == 1:
            out[gene] = found.pop()
    return out


def _residue(
    gene: str, codon: int, civic: dict[str, list[dict[str, str]]], exact: set[tuple[str, str]]
) -> str:
    for r in civic.get(gene, []):
        m = _EXACT.match(r["protein"])
        if m and int(m.group(2)) == codon:
            return m.group(1)
    for g, change in sorted(exact):
        m = _EXACT.match(change)
        if g == gene and m and int(m.group(2)) == codon:
            return m.group(1)
    return REFERENCE_RESIDUES.get((gene, codon), "")


def build_codons(
    shared: Path, catalog: Path
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[str]]:
    """Codon rows for GRCh38 and GRCh37, and the codons that could not be placed."""
    civic = civic_substitutions(shared)
    offsets = gene_offsets(shared, civic)
    exact, _ = catalog_targets(catalog)
    targets = codon_targets(catalog)
    rows38, missing = place_codons(targets, shared / CODING38, civic, offsets)
    mane = mane_transcripts()
    rows37 = []
    kept38 = []
    for r in rows38:
        residue = _residue(r["gene"], int(r["codon"]), civic, exact)
        if not residue:
            missing.append(f"{r['gene']} codon {r['codon']}: reference residue unknown")
            continue
        r["ref_aa"] = residue
        r["ref_codon"] = fill_codon(r["ref_codon"], residue)
        r["transcript"] = mane.get(r["gene"], "")
        off = offsets[r["gene"]]
        kept38.append({**r, "chrom": f"chr{r['chrom']}"})
        rows37.append(
            {
                **r,
                **{k: str(int(r[k]) - off) for k in ("pos1", "pos2", "pos3")},
                "method": f"GRCh38 codon - offset {off}; {r['method']}",
            }
        )
    return kept38, rows37, sorted(missing)


def build(shared: Path, catalog: Path) -> dict[str, str]:
    """File name -> content of the four generated tables."""
    rows37, missing = select_hotspots(shared, catalog)
    rows38, missing38 = to_grch38(rows37, shared)
    codons38, codons37, codon_missing = build_codons(shared, catalog)
    placed = {(r["gene"], int(r["codon"])) for r in codons38}

    def uncovered(items: list[str]) -> list[str]:
        """Missing exact changes whose codon the codon table does not place either."""
        out = []
        for m in items:
            gene, _, rest = m.partition(" ")
            hit = _EXACT.match(rest.split(" ")[0])
            if hit is None or (gene, int(hit.group(2))) not in placed:
                out.append(m)
        return out

    return {
        "hotspots_GRCh37.tsv": render("GRCh37", rows37, uncovered(missing)),
        "hotspots_GRCh38.tsv": render(
            "GRCh38", sorted(rows38, key=_sort_key), uncovered(missing + missing38)
        ),
        "hotspot_codons_GRCh37.tsv": render_codons("GRCh37", codons37, codon_missing),
        "hotspot_codons_GRCh38.tsv": render_codons("GRCh38", codons38, codon_missing),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--catalog", type=Path, default=REPO / "drug_catalog")
    parser.add_argument("--out", type=Path, default=REPO / "panels")
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build(args.shared, args.catalog).items():
        path = args.out / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}", file=sys.stderr)
    if stale:
        print(
            "stale (the catalog or shared data changed): "
            + ", ".join(stale)
            + "; regenerate with: python scripts/build_hotspots.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
