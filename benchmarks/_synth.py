"""Synthetic, seeded VEP-annotated tumour/normal VCF records for the benchmarks.

Only the standard library: every random choice comes from a ``random.Random`` seeded with a
string, so the same seed gives the same bytes on every machine and Python version (>= 3.2).
Records outside the panel get VEP's intergenic / non-coding annotations; records inside the
panel carry the panel gene's MANE Select transcript, a coding change and VEP's HGVS notation.
"""

from __future__ import annotations

import bisect
import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# GRCh38 primary assembly lengths (the contig lines of a real GRCh38 VCF).
GRCH38_LENGTHS: dict[str, int] = {
    "chr1": 248956422,
    "chr2": 242193529,
    "chr3": 198295559,
    "chr4": 190214555,
    "chr5": 181538259,
    "chr6": 170805979,
    "chr7": 159345973,
    "chr8": 145138636,
    "chr9": 138394717,
    "chr10": 133797422,
    "chr11": 135086622,
    "chr12": 133275309,
    "chr13": 114364328,
    "chr14": 107043718,
    "chr15": 101991189,
    "chr16": 90338345,
    "chr17": 83257441,
    "chr18": 80373285,
    "chr19": 58617616,
    "chr20": 64444167,
    "chr21": 46709983,
    "chr22": 50818468,
    "chrX": 156040895,
    "chrY": 57227415,
    "chrM": 16569,
}
CHROMS = [c for c in GRCH38_LENGTHS if c != "chrM"]

CSQ_FIELDS = [
    "Allele",
    "Consequence",
    "IMPACT",
    "SYMBOL",
    "Gene",
    "Feature_type",
    "Feature",
    "BIOTYPE",
    "EXON",
    "INTRON",
    "HGVSc",
    "HGVSp",
    "cDNA_position",
    "CDS_position",
    "Protein_position",
    "Amino_acids",
    "Codons",
    "Existing_variation",
    "DISTANCE",
    "STRAND",
    "FLAGS",
    "VARIANT_CLASS",
    "SYMBOL_SOURCE",
    "HGNC_ID",
    "CANONICAL",
    "MANE_SELECT",
    "MANE_PLUS_CLINICAL",
    "TSL",
    "APPRIS",
    "CCDS",
    "ENSP",
    "SWISSPROT",
    "TREMBL",
    "UNIPARC",
    "GENE_PHENO",
    "SIFT",
    "PolyPhen",
    "DOMAINS",
    "HGVS_OFFSET",
    "AF",
    "gnomADe_AF",
    "gnomADg_AF",
    "MAX_AF",
    "CLIN_SIG",
    "SOMATIC",
    "PHENO",
    "PUBMED",
    "PICK",
]
N_FIELDS = len(CSQ_FIELDS)
F = {name: i for i, name in enumerate(CSQ_FIELDS)}

FILTERS = (
    ("weak_evidence", "Mutation does not meet likelihood threshold"),
    ("germline", "Evidence indicates this site is germline, not somatic"),
    ("normal_artifact", "Artifact is in normal"),
    ("clustered_events", "Clustered events observed in the tumor"),
    ("strand_bias", "Evidence for alt allele comes from one read direction only"),
)
AA3 = [
    "Ala",
    "Arg",
    "Asn",
    "Asp",
    "Cys",
    "Gln",
    "Glu",
    "Gly",
    "His",
    "Ile",
    "Leu",
    "Lys",
    "Met",
    "Phe",
    "Pro",
    "Ser",
    "Thr",
    "Trp",
    "Tyr",
    "Val",
]
AA1 = "ARNDCQEGHILKMFPSTWYV"
BASES = "ACGT"


@dataclass(frozen=True, slots=True)
class Gene:
    """One panel gene: its span (0-based half-open) and MANE Select identifiers."""

    symbol: str
    chrom: str
    start: int
    end: int
    ensg: str
    enst: str
    ensp: str
    nm: str
    np: str
    strand: str


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A real, well-known hotspot (GRCh38) written with VEP's exact annotation."""

    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    cds: str
    protein: str  # three-letter, e.g. Val600Glu
    aa: str  # one-letter pair, e.g. V/E
    codons: str
    exon: str


HOTSPOTS = (
    Hotspot(
        "BRAF", "chr7", 140753336, "A", "T", "c.1799T>A", "Val600Glu", "V/E", "gTg/gAg", "15/18"
    ),
    Hotspot("KRAS", "chr12", 25245350, "C", "T", "c.35G>A", "Gly12Asp", "G/D", "gGt/gAt", "2/5"),
    Hotspot(
        "EGFR", "chr7", 55191822, "T", "G", "c.2573T>G", "Leu858Arg", "L/R", "cTg/cGg", "21/28"
    ),
    Hotspot(
        "PIK3CA", "chr3", 179234297, "A", "G", "c.3140A>G", "His1047Arg", "H/R", "cAt/cGt", "21/21"
    ),
    Hotspot("IDH1", "chr2", 208248388, "C", "T", "c.395G>A", "Arg132His", "R/H", "cGt/cAt", "4/10"),
    Hotspot("TP53", "chr17", 7675088, "C", "T", "c.524G>A", "Arg175His", "R/H", "cGc/cAc", "5/11"),
)


def load_genes(bed: Path, mane: Path) -> list[Gene]:
    """Panel genes from a BED (name = symbol) joined to MANE Select identifiers."""
    ids: dict[str, list[str]] = {}
    with gzip.open(mane, "rt", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(cols) < 14 or cols[9] != "MANE Select":
                continue
            ids[cols[3]] = [cols[1], cols[7], cols[8], cols[5], cols[6], cols[13]]
    genes = []
    for line in bed.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if line.startswith(("#", "track", "browser")) or len(cols) < 4:
            continue
        sym = cols[3]
        ensg, enst, ensp, nm, np_, strand = ids.get(sym, [""] * 5 + ["+"])
        genes.append(
            Gene(sym, cols[0], int(cols[1]), int(cols[2]), ensg, enst, ensp, nm, np_, strand)
        )
    genes.sort(key=lambda g: (CHROMS.index(g.chrom) if g.chrom in CHROMS else 99, g.start))
    return genes


class Excluder:
    """Answers 'is this position near a panel gene?' so background records stay outside."""

    def __init__(self, genes: list[Gene], pad: int) -> None:
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        for g in genes:
            self._starts.setdefault(g.chrom, []).append(g.start - pad)
            self._ends.setdefault(g.chrom, []).append(g.end + pad)
        for chrom in self._ends:  # running max makes the end list searchable with bisect
            run = 0
            ends = self._ends[chrom]
            for i, e in enumerate(ends):
                run = max(run, e)
                ends[i] = run

    def near(self, chrom: str, pos: int) -> bool:
        starts = self._starts.get(chrom)
        if not starts:
            return False
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and self._ends[chrom][i] >= pos


def vep_allele(ref: str, alt: str) -> str:
    """VEP's Allele for a biallelic record: the shared padding base removed, ``-`` if empty."""
    if len(ref) != len(alt) and ref[:1] == alt[:1]:
        return alt[1:] or "-"
    return alt


def _entry(**values: str) -> str:
    row = [""] * N_FIELDS
    for key, value in values.items():
        row[F[key]] = value
    return "|".join(row[1:])  # the Allele is prefixed per record


def background_pool(rng: random.Random, size: int = 4096) -> list[list[str]]:
    """Annotation tails (without Allele) for records outside the panel: 1-3 entries each."""
    pool: list[list[str]] = []
    for k in range(size):
        roll = rng.random()
        if roll < 0.5:
            pool.append([_entry(Consequence="intergenic_variant", IMPACT="MODIFIER", PICK="1")])
            continue
        n = 1 if roll < 0.8 else (2 if roll < 0.95 else 3)
        gene = (
            f"LINC{rng.randrange(100, 2999):05d}" if k % 2 else f"AC{rng.randrange(10**5, 10**6)}.1"
        )
        ensg = f"ENSG{rng.randrange(200000, 300000):011d}.{rng.randrange(1, 9)}"
        entries = []
        for j in range(n):
            conseq = rng.choice(
                (
                    "intron_variant&non_coding_transcript_variant",
                    "upstream_gene_variant",
                    "downstream_gene_variant",
                    "non_coding_transcript_exon_variant",
                )
            )
            entries.append(
                _entry(
                    Consequence=conseq,
                    IMPACT="MODIFIER",
                    SYMBOL=gene,
                    Gene=ensg,
                    Feature_type="Transcript",
                    Feature=f"ENST{rng.randrange(400000, 800000):011d}.{rng.randrange(1, 5)}",
                    BIOTYPE="lncRNA",
                    STRAND=rng.choice(("1", "-1")),
                    VARIANT_CLASS="SNV",
                    SYMBOL_SOURCE="Clone_based_ensembl_gene" if gene.startswith("AC") else "HGNC",
                    CANONICAL="YES" if j == 0 else "",
                    DISTANCE=str(rng.randrange(1, 5000)) if "stream" in conseq else "",
                    PICK="1" if j == 0 else "",
                )
            )
        pool.append(entries)
    return pool


def _protein_change(rng: random.Random) -> tuple[str, str, str, str, str, str]:
    """(consequence, impact, HGVSp tail, Amino_acids, Codons, Protein_position)."""
    roll = rng.random()
    pos = rng.randrange(2, 1200)
    i, j = rng.randrange(20), rng.randrange(20)
    codons = f"{rng.choice(BASES).lower()}{rng.choice(BASES)}{rng.choice(BASES).lower()}"
    if roll < 0.45:
        j = (i + 1 + j % 19) % 20
        return ("missense_variant", "MODERATE", f"p.{AA3[i]}{pos}{AA3[j]}", f"{AA1[i]}/{AA1[j]}",
                f"{codons}/{codons.upper()}", str(pos))  # fmt: skip
    if roll < 0.6:
        return ("synonymous_variant", "LOW", f"p.{AA3[i]}{pos}%3D", AA1[i], codons, str(pos))
    if roll < 0.7:
        return ("stop_gained", "HIGH", f"p.{AA3[i]}{pos}Ter", f"{AA1[i]}/*", codons, str(pos))
    if roll < 0.78:
        return ("frameshift_variant", "HIGH", f"p.{AA3[i]}{pos}{AA3[j]}fsTer{rng.randrange(2, 40)}",
                f"{AA1[i]}/X", codons, str(pos))  # fmt: skip
    if roll < 0.85:
        return ("splice_region_variant&intron_variant", "LOW", "", "", "", "")
    if roll < 0.9:
        return ("3_prime_UTR_variant", "MODIFIER", "", "", "", "")
    return ("intron_variant", "MODIFIER", "", "", "", "")


def panel_entries(rng: random.Random, gene: Gene, ref: str, alt: str) -> list[str]:
    """Annotation tails for a record inside ``gene``: MANE Select first, maybe more."""
    conseq, impact, hgvsp, aa, codons, ppos = _protein_change(rng)
    if len(ref) != len(alt) and conseq in ("missense_variant", "synonymous_variant", "stop_gained"):
        conseq, impact = "frameshift_variant", "HIGH"
        hgvsp = f"p.{AA3[rng.randrange(20)]}{ppos or rng.randrange(2, 900)}fs"
    coding = bool(hgvsp)
    cds = rng.randrange(4, 3600)
    intron = not coding and conseq != "3_prime_UTR_variant"
    offset = "+" + str(rng.randrange(3, 400)) if intron else ""
    hgvsc = f"{gene.enst}:c.{cds}{offset}{ref[-1]}>{alt[-1]}"
    n_exons = rng.randrange(3, 30)
    exon_no = rng.randrange(1, n_exons + 1)
    mane = _entry(
        Consequence=conseq,
        IMPACT=impact,
        SYMBOL=gene.symbol,
        Gene=gene.ensg,
        Feature_type="Transcript",
        Feature=gene.enst,
        BIOTYPE="protein_coding",
        EXON="" if intron else f"{exon_no}/{n_exons}",
        INTRON=f"{exon_no}/{n_exons - 1}" if intron else "",
        HGVSc=hgvsc,
        HGVSp=f"{gene.ensp}:{hgvsp}" if coding else "",
        CDS_position=str(cds) if coding else "",
        Protein_position=ppos,
        Amino_acids=aa,
        Codons=codons,
        STRAND="1" if gene.strand == "+" else "-1",
        VARIANT_CLASS="SNV" if len(ref) == len(alt) else "indel",
        SYMBOL_SOURCE="HGNC",
        CANONICAL="YES",
        MANE_SELECT=gene.nm,
        TSL="1",
        APPRIS="P1",
        ENSP=gene.ensp,
        SIFT="deleterious(0.01)" if impact == "MODERATE" else "",
        PolyPhen="probably_damaging(0.97)" if impact == "MODERATE" else "",
        PICK="1",
    )
    out = [mane]
    if rng.random() < 0.5:
        alt_tx = f"ENST{rng.randrange(400000, 700000):011d}.{rng.randrange(1, 6)}"
        out.append(
            _entry(
                Consequence="intron_variant",
                IMPACT="MODIFIER",
                SYMBOL=gene.symbol,
                Gene=gene.ensg,
                Feature_type="Transcript",
                Feature=alt_tx,
                BIOTYPE="protein_coding",
                INTRON=f"{exon_no}/{n_exons}",
                HGVSc=f"{alt_tx}:c.{cds}+{rng.randrange(3, 90)}{ref[-1]}>{alt[-1]}",
                STRAND="1" if gene.strand == "+" else "-1",
                SYMBOL_SOURCE="HGNC",
                TSL="2",
            )
        )
    if rng.random() < 0.2:
        out.append(
            _entry(
                Consequence="intron_variant&non_coding_transcript_variant",
                IMPACT="MODIFIER",
                SYMBOL=f"{gene.symbol}-AS1",
                Gene=f"ENSG{rng.randrange(200000, 300000):011d}.1",
                Feature_type="Transcript",
                Feature=f"ENST{rng.randrange(700000, 800000):011d}.1",
                BIOTYPE="lncRNA",
                STRAND="-1" if gene.strand == "+" else "1",
                SYMBOL_SOURCE="HGNC",
                CANONICAL="YES",
            )
        )
    return out


def hotspot_entries(h: Hotspot, gene: Gene | None) -> list[str]:
    """VEP's annotation of a real hotspot on its MANE Select transcript."""
    g = gene or Gene(h.gene, h.chrom, 0, 0, "", "", "", "", "", "+")
    return [
        _entry(
            Consequence="missense_variant",
            IMPACT="MODERATE",
            SYMBOL=h.gene,
            Gene=g.ensg,
            Feature_type="Transcript",
            Feature=g.enst,
            BIOTYPE="protein_coding",
            EXON=h.exon,
            HGVSc=f"{g.enst}:{h.cds}",
            HGVSp=f"{g.ensp}:p.{h.protein}",
            Protein_position="".join(c for c in h.protein if c.isdigit()),
            Amino_acids=h.aa,
            Codons=h.codons,
            STRAND="1" if g.strand == "+" else "-1",
            VARIANT_CLASS="SNV",
            SYMBOL_SOURCE="HGNC",
            CANONICAL="YES",
            MANE_SELECT=g.nm,
            ENSP=g.ensp,
            CLIN_SIG="pathogenic",
            SOMATIC="1",
            PICK="1",
        )
    ]


def random_alleles(rng: random.Random) -> tuple[str, str]:
    """REF, ALT: 90% SNV, 5% deletion, 5% insertion (left-padded like a normalised VCF)."""
    roll = rng.random()
    ref = BASES[int(roll * 1000) % 4]
    if roll < 0.9:
        return ref, BASES[(BASES.index(ref) + 1 + int(roll * 7919) % 3) % 4]
    tail = "".join(rng.choice(BASES) for _ in range(1 + int(roll * 100) % 4))
    return (ref + tail, ref) if roll < 0.95 else (ref, ref + tail)


def sample_columns(rng: random.Random, n_alts: int = 1) -> tuple[str, str, int]:
    """(NORMAL, TUMOR, INFO DP) as GT:AD:DP:AF, depths and allele fractions plausible for WGS."""
    t_dp = 20 + int(rng.random() * 80)
    n_dp = 15 + int(rng.random() * 50)
    t_alt = max(2, int(t_dp * (0.05 + rng.random() * 0.5)))
    n_alt = int(rng.random() * 1.4)
    if n_alts == 1:
        tumour = f"0/1:{t_dp - t_alt},{t_alt}:{t_dp}:{t_alt / t_dp:.3f}"
        normal = f"0/0:{n_dp - n_alt},{n_alt}:{n_dp}:{n_alt / n_dp:.3f}"
    else:
        a2 = max(1, t_alt // 3)
        tumour = f"0/1/2:{t_dp - t_alt - a2},{t_alt},{a2}:{t_dp}:{t_alt / t_dp:.3f},{a2 / t_dp:.3f}"
        normal = f"0/0:{n_dp},0,0:{n_dp}:0.000,0.000"
    return normal, tumour, t_dp + n_dp


def header_lines(source: str) -> Iterator[str]:
    """A Mutect2 + VEP style header for GRCh38 with NORMAL and TUMOR columns."""
    yield "##fileformat=VCFv4.2"
    yield '##FILTER=<ID=PASS,Description="All filters passed">'
    for name, desc in FILTERS:
        yield f'##FILTER=<ID={name},Description="{desc}">'
    yield '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">'  # noqa: E501 (a real header line, kept whole)
    yield '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">'  # noqa: E501 (a real header line, kept whole)
    yield '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">'  # noqa: E501 (a real header line, kept whole)
    yield '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'
    yield '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may have been filtered">'  # noqa: E501 (a real header line, kept whole)
    yield (
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        f'VEP. Format: {"|".join(CSQ_FIELDS)}">'
    )
    yield '##VEP="v110" time="2026-01-15 10:12:31" cache="homo_sapiens/110_GRCh38" ensembl=110.1 ensembl-variation=110.0 ensembl-io=110.0 assembly="GRCh38.p14"'  # noqa: E501 (a real header line, kept whole)
    for chrom, length in GRCH38_LENGTHS.items():
        yield f"##contig=<ID={chrom},length={length},assembly=GRCh38>"
    yield "##reference=file:///references/GRCh38/GRCh38_full_analysis_set_plus_decoy_hla.fa"
    yield f"##source={source}"
    yield "##normal_sample=NORMAL"
    yield "##tumor_sample=TUMOR"
    yield "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR"


__all__ = [
    "CHROMS",
    "CSQ_FIELDS",
    "GRCH38_LENGTHS",
    "HOTSPOTS",
    "Excluder",
    "Gene",
    "Hotspot",
    "background_pool",
    "header_lines",
    "hotspot_entries",
    "load_genes",
    "panel_entries",
    "random_alleles",
    "sample_columns",
    "vep_allele",
]
