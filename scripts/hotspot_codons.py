"""Genomic layout of the catalog's hotspot codons, for ``scripts/build_hotspots.py``.

For every codon a catalog rule names (``codon`` rules and the codons of ``exact``
substitutions), the three genomic positions of its bases on GRCh38 and GRCh37, the strand, and
the reference bases that are known, so that *any* single- or multi-nucleotide change inside the
codon can be translated (``tumorboard.hotspots``), not only the alleles CIViC happens to list.

How a codon is placed (GRCh38 first):

1. **The gene's coding sequence**, walked from its start codon along the coding exons of the
   UMCCR hg38 coding BED. The BED merges the gene's transcripts; only the exons every listed
   transcript shares are walked (an exon listed fewer times than the most-listed one belongs to
   some transcripts only, e.g. KRAS exon 4A/4B), so a codon is placed only while the walk is
   still inside the shared exons.
2. **Checked against CIViC**: every CIViC substitution of the gene with coordinates (GRCh37,
   shifted by the gene's GRCh37 -> GRCh38 offset) must fall on a base of its codon in the walk,
   and the genetic code must allow its reference/variant residues from its reference/variant
   bases there. One disagreement rejects the gene's walk (alternative exons the BED does not
   tell apart, isoforms numbered differently).
3. **Without a walk**, a codon is placed from CIViC alone: its own substitutions (the genetic
   code says which base of the codon each one changes; all must agree on one layout), or the
   nearest CIViC codon in the same coding exon (positions counted within that exon).
4. **GRCh37** positions are the GRCh38 ones minus the gene's offset (the same offset sources as
   the allele table: a same-length transcript span, a CIViC exon, the PCGR liftover anchors).

Reference bases come from CIViC (its ``reference_bases``) and from the genetic code where every
codon of the reference residue has the same base there (Gly is ``GGN``: bases 1 and 2 known);
other bases are ``N`` and are read from the VCF record's REF at look-up time.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tumorboard.hotspots import CODE, complement

_SUBST = re.compile(r"^([A-Z])(\d+)([A-Z*])$")


def fixed_bases(residue: str) -> str:
    """The codon bases every codon of ``residue`` shares (``N`` where they differ)."""
    codons = [c for c, aa in CODE.items() if aa == residue]
    return "".join(
        codons[0][i] if all(c[i] == codons[0][i] for c in codons) else "N" for i in range(3)
    )


def _coding_intervals(path: Path) -> dict[str, tuple[str, str, list[tuple[int, int]], bool]]:
    """Gene -> (chrom, strand, shared coding exons 5'->3' as 1-based closed intervals, whether
    the BED lists one transcript whose coding length is a whole number of codons)."""
    rows: dict[str, Counter[tuple[str, str, int, int]]] = defaultdict(Counter)
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 6 and not line.startswith("#"):
            rows[cols[3]][
                (cols[0].removeprefix("chr"), cols[5], int(cols[1]) + 1, int(cols[2]))
            ] += 1
    out = {}
    for gene, counts in rows.items():
        top = max(counts.values())
        shared = sorted(k for k, n in counts.items() if n == top)
        if len({(c, s) for c, s, _, _ in shared}) != 1:
            continue
        chrom, strand = shared[0][0], shared[0][1]
        spans = [(a, b) for _, _, a, b in shared]
        if any(a2 <= b1 for (_, b1), (a2, _) in pairwise(spans)):
            continue  # overlapping shared exons: not one transcript's structure
        single = top == 1 and sum(b - a + 1 for a, b in spans) % 3 == 0
        out[gene] = (chrom, strand, spans if strand == "+" else spans[::-1], single)
    return out


def codon_positions(strand: str, spans: list[tuple[int, int]], codon: int) -> list[int] | None:
    """Genomic positions of the codon's bases 1-3 (transcript order), walking ``spans``."""
    wanted = [(codon - 1) * 3 + k for k in range(3)]  # 0-based coding offsets
    out: list[int] = []
    seen = 0
    for start, end in spans:
        length = end - start + 1
        for off in wanted:
            if seen <= off < seen + length:
                i = off - seen
                out.append(start + i if strand == "+" else end - i)
        seen += length
    return out if len(out) == 3 else None


def _fits(ref_aa: str, alt_aa: str, index: int, ref_base: str, alt_base: str) -> bool:
    """Can a codon of ``ref_aa`` with ``ref_base`` at ``index`` become ``alt_aa`` there?"""
    for codon, aa in CODE.items():
        if aa == ref_aa and codon[index] == ref_base:
            new = codon[:index] + alt_base + codon[index + 1 :]
            if CODE[new] == alt_aa:
                return True
    return False


def check_walk(
    strand: str, spans: list[tuple[int, int]], rows: Iterable[dict[str, str]], offset: int
) -> tuple[list[str], dict[int, str]]:
    """CIViC substitutions against the walk: (disagreements, genomic pos -> plus-strand base)."""
    problems: list[str] = []
    known: dict[int, str] = {}
    for r in rows:
        m = _SUBST.match(r["protein"])
        if m is None:
            continue
        ref_aa, codon, alt_aa = m.group(1), int(m.group(2)), m.group(3)
        where = codon_positions(strand, spans, codon)
        if where is None:
            continue  # beyond the shared exons: not checked, not placed
        pos = int(r["pos"]) + offset
        for i, (rb, ab) in enumerate(zip(r["ref"], r["alt"], strict=False)):
            g = pos + i
            if g not in where:
                problems.append(f"{r['protein']} base {g} is outside codon {codon} {where}")
                continue
            known[g] = rb
            tb, ta = (rb, ab) if strand == "+" else (complement(rb), complement(ab))
            if (
                rb != ab
                and len(r["ref"]) == 1
                and not _fits(ref_aa, alt_aa, where.index(g), tb, ta)
            ):
                problems.append(f"{r['protein']} {rb}>{ab} at codon base {where.index(g) + 1}")
    return problems, known


def _all_intervals(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Gene -> every coding exon of the BED (1-based closed), any transcript."""
    out: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 6 and not line.startswith("#"):
            out[cols[3]].add((int(cols[1]) + 1, int(cols[2])))
    return {g: sorted(v) for g, v in out.items()}


def anchor_bases(rows: Iterable[dict[str, str]], offset: int) -> dict[int, str]:
    """GRCh38 position -> plus-strand reference base, from CIViC substitutions."""
    out: dict[int, str] = {}
    for r in rows:
        for i, base in enumerate(r["ref"]):
            out[int(r["pos"]) + offset + i] = base
    return out


def _layouts(strand: str, row: dict[str, str], offset: int) -> set[int]:
    """Positions of codon base 1 that a CIViC substitution allows (genetic code)."""
    m = _SUBST.match(row["protein"])
    if m is None:
        return set()
    ref_aa, alt_aa = m.group(1), m.group(3)
    step = 1 if strand == "+" else -1
    pos = int(row["pos"]) + offset
    ref, alt = row["ref"], row["alt"]
    if strand == "-":  # transcript order: the last genomic base comes first
        ref, alt, pos = complement(ref)[::-1], complement(alt)[::-1], pos + len(ref) - 1
    out = set()
    for k in range(3 - len(ref) + 1):
        for codon, aa in CODE.items():
            if aa != ref_aa or codon[k : k + len(ref)] != ref:
                continue
            if CODE[codon[:k] + alt + codon[k + len(alt) :]] == alt_aa:
                out.add(pos - k * step)
                break
    return out


def anchored(
    strand: str, spans: list[tuple[int, int]], rows: list[dict[str, str]], offset: int, codon: int
) -> tuple[list[int] | None, str]:
    """Codon positions from CIViC substitutions at the codon, or at the nearest CIViC codon in
    the same coding exon; ``(None, why)`` when neither places it."""
    step = 1 if strand == "+" else -1
    by_codon: dict[int, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        m = _SUBST.match(r["protein"])
        if m:
            by_codon[int(m.group(2))].append(r)
    for near in sorted(by_codon, key=lambda c: (abs(c - codon), c)):
        firsts = set.intersection(*(_layouts(strand, r, offset) for r in by_codon[near]))
        if len(firsts) != 1:
            continue
        first = firsts.pop() + (codon - near) * 3 * step
        where = [first + k * step for k in range(3)]
        exon = [s for s in spans if s[0] <= min(where) and max(where) <= s[1]]
        anchor = [s for s in spans if s[0] <= first - (codon - near) * 3 * step <= s[1]]
        if exon and anchor and exon[0] in anchor:
            what = "at the codon" if near == codon else f"at codon {near}, same coding exon"
            return where, f"CIViC substitution(s) {what} (genetic code)"
    return None, "no CIViC substitution at the codon or in its coding exon"


def place_codons(
    targets: dict[str, set[int]],
    coding_bed: Path,
    civic: dict[str, list[dict[str, str]]],
    offsets: dict[str, int],
) -> tuple[list[dict[str, str]], list[str]]:
    """GRCh38 codon rows for ``gene -> codons`` and the codons that could not be placed."""
    genes = _coding_intervals(coding_bed)
    all_spans = _all_intervals(coding_bed)
    rows: list[dict[str, str]] = []
    missing: list[str] = []
    for gene in sorted(targets):
        codons = sorted(targets[gene])
        offset = offsets.get(gene)
        if gene not in genes or offset is None:
            why = "no GRCh37 -> GRCh38 offset" if gene in genes else "not in the hg38 coding BED"
            missing += [f"{gene} codon {c}: {why}" for c in codons]
            continue
        chrom, strand, spans, single = genes[gene]
        rows_of = civic.get(gene, [])
        problems, _ = check_walk(strand, spans, rows_of, offset)
        known = anchor_bases(rows_of, offset)
        checked = len([r for r in rows_of if _SUBST.match(r["protein"])])
        how = f"hg38 coding-exon walk, checked against {checked} CIViC substitution(s)"
        if not checked:
            how = "hg38 coding-exon walk of the BED's one transcript (whole codons; no CIViC check)"
            if not single:
                problems.append("no CIViC substitution to check the walk of several transcripts")
        for codon in codons:
            where = None if problems else codon_positions(strand, spans, codon)
            method = how
            if where is None:
                where, method = anchored(strand, all_spans.get(gene, []), rows_of, offset, codon)
            if where is None:
                walk = (
                    f"the coding-exon walk disagrees ({problems[0]})"
                    if problems
                    else ("beyond the exons all transcripts share")
                )
                missing.append(f"{gene} codon {codon}: {method}; {walk}")
                continue
            rows.append(
                {
                    "gene": gene,
                    "codon": str(codon),
                    "ref_aa": "",
                    "chrom": chrom,
                    "strand": strand,
                    "pos1": str(where[0]),
                    "pos2": str(where[1]),
                    "pos3": str(where[2]),
                    "ref_codon": _codon_bases(where, strand, known),
                    "method": method,
                }
            )
    return rows, missing


def _codon_bases(where: list[int], strand: str, known: dict[int, str]) -> str:
    """Reference codon (transcript orientation) from CIViC's bases; ``N`` where none."""
    bases = "".join(known.get(g, "N") for g in where)
    return bases if strand == "+" else complement(bases)


# --- output of the codon tables -------------------------------------------------------
CODON_COLUMNS = (
    "gene", "codon", "ref_aa", "chrom", "strand", "pos1", "pos2", "pos3", "ref_codon",
    "transcript", "method",
)  # fmt: skip
REFERENCE_RESIDUES = {
    ("KRAS", 59): "A", ("KRAS", 117): "K", ("KRAS", 146): "A",
    ("NRAS", 59): "A", ("NRAS", 117): "K", ("NRAS", 146): "A",
    ("IDH2", 140): "R", ("IDH2", 172): "R", ("ESR1", 380): "E",
}  # fmt: skip
"""Reference residues of codons the catalog names by number only (no CIViC substitution there):
UniProt P01116 (KRAS), P01111 (NRAS), P48735 (IDH2), P03372 (ESR1) sequences."""


def fill_codon(codon: str, residue: str) -> str:
    fixed = fixed_bases(residue)
    return "".join(c if c != "N" else f for c, f in zip(codon, fixed, strict=True))


def mane_transcripts() -> dict[str, str]:
    out = {}
    for line in (
        (Path(__file__).resolve().parent.parent / "panels" / "mane_select.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
    ):
        cols = line.split("\t")
        if len(cols) == 3 and not line.startswith(("#", "symbol\t")):
            out[cols[0]] = cols[1]
    return out


def render_codons(build: str, rows: list[dict[str, str]], missing: list[str]) -> str:
    lines = [
        f"# tumorboard hotspot codons, {build}: the three genomic bases of every codon the drug",
        "# catalog names, so any change inside the codon can be translated (unannotated VCFs).",
        "# generated by scripts/build_hotspots.py from shared/data (do not edit by hand)",
        "# sources: umccr/NGS_Utils umccr_cancer_genes.hg38.coding.bed (coding exons, strand)",
        "#   @ c94ccf53ff0dfa8e0d49027a12a4edbeb37b1558 (MIT); CIViC 2022-12-01 predictive",
        "#   accepted evidence with coordinates (CC0; user-tq/anvcivi civic_clean/",
        "#   accept_var_info.tsv @ fabb00b2d197baccfc93f651c5b65c2f399d388c): codon checks and",
        "#   reference bases; MANE v1.0 transcript ids (NCBI/EMBL-EBI public data);",
        "#   GRCh37 = GRCh38 - the gene's offset (see hotspots_GRCh38.tsv); reference residues",
        "#   of codons without CIViC substitutions: UniProt P01116, P01111, P48735, P03372",
        "# columns: pos1..pos3 = genomic positions of codon bases 1-3 (transcript order);",
        "#   ref_codon in transcript orientation, N = not known here (read from the VCF's REF)",
    ]
    lines += [f"# missing: {m}" for m in missing]
    lines.append("\t".join(CODON_COLUMNS))
    key = lambda r: (_chrom_order(r["chrom"]), int(r["pos1"]), r["gene"])  # noqa: E731
    lines += ["\t".join(r[c] for c in CODON_COLUMNS) for r in sorted(rows, key=key)]
    return "\n".join(lines) + "\n"


def _chrom_order(chrom: str) -> int:
    c = chrom.removeprefix("chr")
    return int(c) if c.isdigit() else 23 if c == "X" else 24


__all__ = [
    "CODE",
    "CODON_COLUMNS",
    "REFERENCE_RESIDUES",
    "check_walk",
    "codon_positions",
    "complement",
    "fill_codon",
    "fixed_bases",
    "mane_transcripts",
    "place_codons",
    "render_codons",
]
