"""Fusion and RNA splice-variant input: fusion and SV tables, STAR-Fusion, Arriba (VCF breakends:
:mod:`tumorboard.readers.sv_vcf`).

Every fusion keeps its orientation: ``Alteration.gene`` is the 5' partner and ``gene3`` the 3'
partner, as the input orders them (``FusionGene`` ``EML4--ALK``, STAR-Fusion ``LeftGene`` /
``RightGene``, Arriba ``gene1``/``gene2``, cBioPortal SV ``Site1_Hugo_Symbol`` /
``Site2_Hugo_Symbol``, OncoKB annotator ``Fusion`` or ``GeneA``/``GeneB``, TSO500 ``Gene Pair``).

Gene-pair notations (:func:`parse_pair`): ``EML4::ALK`` (HGVS/ISCN), ``EML4--ALK`` (STAR-Fusion,
PCGR), ``EML4/ALK``, and ``EML4-ALK`` with a single dash (OncoKB, TSO500 Local App), resolved
against the bundled gene tables because symbols such as ``NKX2-1`` contain dashes (a split is
taken when exactly one split gives two known genes, or the only dash leaves at least one known
gene; anything else is skipped as ambiguous). STAR-Fusion's ``^ENSG...`` suffixes, ``(exon)``
annotations and a trailing word ``fusion`` are dropped.

**Partner unknown.** A call naming one gene only (``--ALK``, ``FGFR2--``, a lone known symbol),
an intragenic call (``GENE-intragenic``, ``GENE::GENE``) becomes "GENE fusion, partner unknown":
``gene`` is the named gene, ``gene3`` is empty and a note says what is unknown. Catalog rules for
a fusion of that gene with any partner still match it; named-pair rules cannot.

**Callers' doubts.** A call whose fusion strand Arriba could not determine (``strand1`` or
``strand2`` ``+/.``) keeps the file's gene order with a note that the 5'/3' order is unknown; a
``confidence`` of ``low`` is noted too (Arriba: more likely an artefact); so are CICERO's
``sv_ort`` ``?`` (5'/3' order unknown) and ``rating`` LQ or RT, and JAFFA's doubtful classes.

**Read support.** Supporting reads are the sum of disjoint read kinds when the file has them
(STAR-Fusion junction + spanning fragments, Arriba split reads of both partners + discordant
mates, cBioPortal tumour split + paired-end reads), else one total column (CTAT-LR-Fusion's
``num_LR``), else the larger of CICERO's ``readsA``/``readsB``, else, in nf-core fusion-report's
``fusions.csv``, the best-supported tool's reads (the read kinds of its ``key: value`` cell
summed). A file whose calls give no read count (DRAGEN's ``Score``) keeps them, and
``qc.not_assessable`` says once that ``--min-fusion-reads`` was not applied to them. Calls with
fewer than ``RunOptions.min_fusion_reads`` (``--min-fusion-reads``, default 2: the minimum
STAR-Fusion (``--min_sum_frags``) and Arriba (``-S``) report by default) are counted in
``qc.skipped``, not reported. Negative, fractional or non-numeric counts skip
their row with the reason. TSO500 ``[Fusions]`` are the assay's validated calls and are not
re-thresholded.

**One patient.** A table with a sample column (``Tumor_Sample_Barcode``, ``Sample_Id`` ...) is
restricted to ``--sample`` (:func:`tumorboard.readers.table.choose_sample`).

**Breakpoints** (``LeftBreakpoint``/``RightBreakpoint``, Arriba ``breakpoint1``/``breakpoint2``
...) are ``chrom:pos`` or, as STAR-Fusion writes them, ``chrom:pos:strand`` (``+``/``-``); any
other text, or a position outside 1 to 3e9, skips the row with its reason.

**Damaged files.** A row with fewer cells than the header, or with values past its last column, is
skipped with its reason; a last line
without a final newline that fails to parse is an error (the file was cut inside it), one that
parses is read with a QC warning, as is a file with a header and no rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.alterations import FUSION, SPLICE_VARIANT, Alteration
from tumorboard.errors import FormatError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.table import (
    MAX_POSITION,
    NA_VALUES,
    OVERLONG,
    SAMPLE_COLUMNS,
    Table,
    count,
    excerpt,
    other_samples_note,
    read_table,
    restrict,
    table_notes,
    truncation_error,
)
from tumorboard.readers.text import norm_column

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_PAIR_SEPARATORS = ("::", "--", "/", "|", ":")
"""``:`` last: JAFFA writes ``BCR:ABL1``."""
_EXON_SUFFIX = re.compile(r"\([^)]*\)")
_FUSION_WORD = re.compile(r"\s+(fusion|fusions|rearrangement)$", re.IGNORECASE)
_INTRAGENIC = re.compile(r"^(\S+?)[-_ ]+intragenic$", re.IGNORECASE)
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.@_-]*")
NOT_UNDERSTOOD = "fusion gene pair not understood (expected 5'::3', 5'--3', 5'/3', 5':3' or 5'-3')"


@cache
def _known_genes() -> frozenset[str]:
    from tumorboard.panels import gene_aliases, gene_table

    genes = set(gene_table("GRCh38")) | set(gene_table("GRCh37"))
    to_current, _ = gene_aliases()
    return frozenset(genes | set(to_current))


def _clean_gene(text: str) -> str:
    return _EXON_SUFFIX.sub("", text).split("^", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class Pair:
    """The partners of a fusion call: 5' and 3' gene (``""`` when the input names only one)."""

    gene5: str
    gene3: str
    notes: tuple[str, ...] = ()
    confirm: str = ""
    """What an on-label match through the call must confirm (:attr:`Alteration.confirm`)."""


def _intragenic(gene: str) -> Pair:
    return Pair(
        gene,
        "",
        (
            f"intragenic rearrangement of {gene} (no second gene named): read as {gene} fusion, "
            "partner unknown; confirm an expressed in-frame fusion before acting on it",
        ),
        f"the intragenic rearrangement of {gene} the input names is an expressed in-frame "
        f"{gene} fusion (by RNA or FISH)",
    )


def _partial(gene5: str, gene3: str) -> Pair:
    side, gene = ("3'", gene3) if gene3 else ("5'", gene5)
    other = "5'" if gene3 else "3'"
    note = f"fusion partner unknown: the input names only the {side} gene {gene} ({other} missing)"
    return Pair(gene5, gene3, (note,))


def _two(left: str, right: str) -> Pair | str:
    left, right = _clean_gene(left), _clean_gene(right)
    if not left and not right:
        return NOT_UNDERSTOOD
    if not all(_SYMBOL.fullmatch(g) for g in (left, right) if g):
        return NOT_UNDERSTOOD
    if left == right:
        return _intragenic(left)
    if not left or not right:
        return _partial(left, right)
    return Pair(left, right)


def pair_of_genes(gene5: str, gene3: str) -> Pair | str:
    """The pair of two gene symbols (``""``: none at that end; the same gene twice:
    intragenic), or the reason it is none."""
    return _two(gene5, gene3)


def _single_dash(text: str) -> Pair | str:
    known = _known_genes()
    if text in known:
        return Pair(text, "", (f"fusion partner unknown: the input names only {text}",))
    splits = [(text[:i], text[i + 1 :]) for i, ch in enumerate(text) if ch == "-"]
    good = [s for s in splits if s[0] in known and s[1] in known]
    if len(good) == 1:
        return _dashed(_two(*good[0]))
    if len(good) > 1:
        return "fusion gene pair ambiguous (several ways to split it into two known genes)"
    if len(splits) == 1 and all(splits[0]) and (splits[0][0] in known or splits[0][1] in known):
        return _dashed(_two(*splits[0]))
    return NOT_UNDERSTOOD


def _dashed(pair: Pair | str) -> Pair | str:
    if isinstance(pair, str) or not pair.gene3:
        return pair
    note = f"written {pair.gene5}-{pair.gene3} (single dash): 5'/3' order as written, not checked"
    return Pair(pair.gene5, pair.gene3, (*pair.notes, note), pair.confirm)


def parse_pair(text: str) -> Pair | str:
    """The partners named by a gene-pair string, or the reason it cannot be read.

    The TSO500 Local App appends the other genes at a breakpoint after a semicolon
    (``CD74-ROS1;GOPC``: GOPC overlaps ROS1): the pair before it is read, the rest noted.
    """
    head, semicolon, rest = text.partition(";")
    if semicolon and rest.strip():
        pair = parse_pair(head)
        if isinstance(pair, str):
            return pair
        also = ", ".join(g.strip() for g in rest.split(";") if g.strip())
        note = f"the input also names {also} at a breakpoint ({text.strip()})"
        return Pair(pair.gene5, pair.gene3, (*pair.notes, note))
    clean = _FUSION_WORD.sub("", _EXON_SUFFIX.sub("", text.strip())).strip()
    m = _INTRAGENIC.match(clean)
    if m:
        return _intragenic(_clean_gene(m.group(1)))
    for sep in _PAIR_SEPARATORS:
        if sep in clean:
            left, _, right = clean.partition(sep)
            return _two(left, right)
    if " " in clean or not clean:
        return NOT_UNDERSTOOD
    return _single_dash(_clean_gene(clean))


def split_pair(pair: str) -> tuple[str, str] | None:
    """``EML4--ALK`` / ``EML4::ALK`` / ``EML4/ALK`` / ``EML4-ALK`` -> (5' gene, 3' gene).

    ``None`` unless the text names two different genes.
    """
    parsed = parse_pair(pair)
    if isinstance(parsed, str) or not parsed.gene5 or not parsed.gene3:
        return None
    return parsed.gene5, parsed.gene3


THREE_PRIME_DRIVERS = frozenset(
    {"ALK", "ROS1", "RET", "NTRK1", "NTRK2", "NTRK3", "BRAF", "RAF1", "MET", "NRG1", "ABL1",
     "PDGFRA", "PDGFRB", "JAK2"}
)  # fmt: skip
"""Genes whose oncogenic fusions keep their 3' end (the kinase domain; NRG1's EGF-like domain)
behind another gene's 5' end: EML4::ALK, CD74::ROS1, KIF5B::RET, ETV6::NTRK3, KIAA1549::BRAF,
BCR::ABL1, FIP1L1::PDGFRA (docs/domain.md, section 7)."""


def fusion_of(pair: Pair) -> Alteration:
    """The fusion :class:`Alteration` of a parsed pair (partner-unknown calls included)."""
    gene = pair.gene5 or pair.gene3
    a = Alteration(gene=gene, kind=FUSION, gene3=pair.gene3 if pair.gene5 else "")
    a.notes.extend(pair.notes)
    a.confirm = pair.confirm
    if pair.gene5 in THREE_PRIME_DRIVERS and pair.gene3 and pair.gene3 not in THREE_PRIME_DRIVERS:
        a.notes.append(
            f"{pair.gene5} is the 5' partner here: its oncogenic fusions keep its 3' end (the "
            "kinase domain), which this product would lack (a reciprocal product, or the order "
            "was not determined): confirm the fusion and its orientation"
        )
    return a


def fusion_from_pair(pair: str, *, qc: QCCounter, where: str) -> Alteration | None:
    """A fusion :class:`Alteration` from a gene-pair string, or ``None`` (counted in ``qc``)."""
    parsed = parse_pair(pair)
    if isinstance(parsed, str):
        qc.skip(parsed, f"{excerpt(pair)} ({where})")
        return None
    return fusion_of(parsed)


_RANGE = re.compile(r"(\d+)\s*(?:-|_|to)\s*(\d+)")
_OF_TOTAL = re.compile(r"\s*(\d+)(?:\s*-\s*(\d+))?\s*/\s*(\d+)\s*")
"""TSO500's skipped exons out of the transcript's exon count: ``14/21``, ``2-7/28``."""


def splice_variant(gene: str, exon_text: str) -> Alteration:
    """An RNA splice variant; ``exon`` is the (first) skipped exon.

    ``14`` -> exon 14; a junction ``13-15`` (exons joined) -> exon 14 skipped; EGFR ``1-8``
    (exons 2-7 skipped, EGFRvIII) -> exon 2 with a note naming the whole range. With the exon
    count after a slash, as the TSO500 Local App writes it, the numbers are the skipped exons:
    ``14/21`` -> exon 14, EGFR ``2-7/28`` -> exons 2-7 (EGFRvIII).
    """
    a = Alteration(gene=gene, kind=SPLICE_VARIANT)
    text = exon_text.strip()
    of_total = _OF_TOTAL.fullmatch(text)
    m = None if of_total else _RANGE.search(text)
    if of_total:  # the skipped exons themselves, then the exon count
        first = int(of_total.group(1))
        last = int(of_total.group(2) or first)
        a.exon = first
        span = f"exon {first}" if first == last else f"exons {first}-{last}"
        a.notes.append(f"{span} skipped (of {of_total.group(3)} exons, as written: {text})")
        if gene == "EGFR" and (first, last) == (2, 7):
            a.notes.append("EGFRvIII (exons 2-7 deleted)")
    elif m:
        first, last = int(m.group(1)), int(m.group(2))
        skipped = (first + 1, last - 1) if last - first >= 2 else (first, last)
        a.exon = skipped[0]
        span = (
            f"exon {skipped[0]}" if skipped[0] == skipped[1] else f"exons {skipped[0]}-{skipped[1]}"
        )
        a.notes.append(f"{span} skipped (junction of exons {first} and {last})")
        if gene == "EGFR" and skipped == (2, 7):
            a.notes.append("EGFRvIII (exons 2-7 deleted)")
    elif text:
        digits = re.search(r"\d+", text)
        a.exon = int(digits.group(0)) if digits else None
        a.notes.append(f"affected exon(s) as given: {text}")
    if gene == "MET" and a.exon == 14:
        a.notes.append("MET exon 14 skipping")
    return a


# --- TSV readers --------------------------------------------------------------------------------
_PAIR_COLS = ("fusiongene", "fusionname", "genepair", "fusion", "fusionpair", "fusiongenes")
_GENE5_COLS = ("gene1", "5gene", "leftgene", "gene5", "genea", "5primegene", "headgene",
               "site1hugosymbol", "gene1symbol5endfusionpartner")  # fmt: skip
_GENE3_COLS = ("gene2", "3gene", "rightgene", "gene3", "geneb", "3primegene", "tailgene",
               "site2hugosymbol", "gene2symbol3endfusionpartner")  # fmt: skip
"""... FusionCatcher's ``Gene_1_symbol(5end_fusion_partner)`` / ``Gene_2_symbol(3end_...)``."""
_BP5_COLS = ("leftbreakpoint", "breakpoint1", "5breakpoint", "breakpointa", "bp1",
             "fusionpointforgene15endfusionpartner")  # fmt: skip
_BP3_COLS = ("rightbreakpoint", "breakpoint2", "3breakpoint", "breakpointb", "bp2",
             "fusionpointforgene23endfusionpartner")  # fmt: skip
LINX_KEY = "fiveprimebreakendid"
"""HMF LINX ``*.linx.fusion.tsv``: 5' and 3' genes in ``geneStart``/``geneEnd`` (names too
generic to read in other tables), its own filter in ``reported``."""
# read-support columns of disjoint kinds, summed: STAR-Fusion junction + spanning (new and old
# names), Arriba split reads of both partners + discordant mates, cBioPortal SV tumour split +
# paired-end reads; else one total column
_SUM_COLS = (
    "junctionreadcount", "spanningfragcount", "junctionreads", "spanningfrags", "splitreads1",
    "splitreads2", "discordantmates", "tumorsplitreadcount", "tumorpairedendreadcount",
    "spanningpairs", "spanninguniquereads", "spanningreads",
)  # fmt: skip
"""... FusionCatcher's ``Spanning_pairs`` + ``Spanning_unique_reads``; JAFFA's ``spanning pairs``
+ ``spanning reads``."""
_TOTAL_COLS = (
    "splitreads", "fusionsupportingreads", "supportingreads", "reads", "totalreads",
    "tumorvariantcount", "numlr",
)  # fmt: skip
"""One total, used when the summed columns are absent or give no value in a row (cBioPortal SV:
``Tumor_Split_Read_Count``/``Tumor_Paired_End_Read_Count`` are often NA beside
``Tumor_Variant_Count``); CTAT-LR-Fusion's ``num_LR`` (long reads supporting the fusion)."""
_EITHER_COLS = ("readsa", "readsb")
"""CICERO's junction reads at breakpoint A and at B: the larger is read (the same reads may be
counted at both ends, so they are not summed)."""
CICERO_KEY = "svort"
"""CICERO ``final_fusions.txt``: ``sv_ort`` (``>``, or ``?`` when the contig's orientation has no
confident biological meaning) beside ``rating`` (HQ known fusion, RT read-through, LQ others)."""
FUSION_REPORT_KEY = "explainedfii"
"""nf-core fusion-report ``fusions.csv``: ``Fusion``, ``Databases``, ``Fusion Indication Index
(FII)``, ``Explained FII``, then one column per tool whose cell is ``key: value`` pairs."""
_FUSION_REPORT_OWN = ("fusion", "databases", "fusionindicationindexfii", "explainedfii")
_TOOL_READ_KEYS = frozenset({
    "splitreads1", "splitreads2", "discordantmates",  # Arriba
    "junctionreads", "spanningreads",  # STAR-Fusion; JAFFA's spanning reads
    "spanningpairs", "spanninguniquereads",  # FusionCatcher; JAFFA's spanning pairs
    "numlr",  # CTAT-LR-Fusion
    "discordantreads",  # EricScript (with junction_reads)
    "paircount", "splitcount",  # pizzly
})  # fmt: skip
"""The read kinds fusion-report copies into a tool's cell (its parsers), summed per tool; DRAGEN's
and SQUID's ``score`` is not a read count."""
_SV_STATUS = ("svstatus",)
_SV_CLASS = ("svtype", "class")
_STRANDS = ("strand1genefusion", "strand2genefusion")  # Arriba: "+/-" = gene strand/fusion strand
_CONFIDENCE = ("confidence",)  # Arriba: low, medium, high
_CLASSIFICATION = ("classification",)  # JAFFA: HighConfidence ... PotentialRegularTranscript


class _Skip(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _columns(table: Table) -> dict[str, Any]:
    cols: dict[str, Any] = {
        "pair": table.col(*_PAIR_COLS),
        "g5": table.col(*_GENE5_COLS),
        "g3": table.col(*_GENE3_COLS),
        "bp5": table.col(*_BP5_COLS),
        "bp3": table.col(*_BP3_COLS),
        "sample": table.col(*SAMPLE_COLUMNS),
        "status": table.col(*_SV_STATUS),
        "class": table.col(*_SV_CLASS),
        "strands": [table.col(name) for name in _STRANDS],
        "confidence": table.col(*_CONFIDENCE),
        "classification": table.col(*_CLASSIFICATION),
    }
    summed = [table.keys.index(c) for c in _SUM_COLS if c in table.keys]
    total = table.col(*_TOTAL_COLS)
    cols["support"] = summed or [i for i in [total] if i is not None]
    cols["total"] = total if summed else None
    either = [table.col(c) for c in _EITHER_COLS]
    cols["either"] = [] if cols["support"] or None in either else either
    cols["tools"] = []
    if table.has(FUSION_REPORT_KEY) and not cols["support"]:
        own = {table.col(c) for c in _FUSION_REPORT_OWN}
        cols["tools"] = [i for i in range(len(table.keys)) if i not in own]
    cicero = table.has(CICERO_KEY)
    cols["svort"] = table.col(CICERO_KEY)
    cols["rating"] = table.col("rating") if cicero else None
    cols["reported"] = None
    if table.has(LINX_KEY):
        cols["g5"], cols["g3"] = table.col("genestart"), table.col("geneend")
        cols["reported"] = table.col("reported")
    if cols["pair"] is None and cols["g5"] is None and cols["g3"] is None:
        raise FormatError(
            "no gene-pair column (FusionGene, #FusionName, Gene Pair, Fusion) nor gene1/gene2 "
            "columns",
            where=table.path,
            hint="name the columns FusionGene (5'--3') or gene1 and gene2",
        )
    return cols


def _cell(cells: list[str], i: int | None) -> str:
    value = cells[i].strip() if i is not None and i < len(cells) else ""
    return "" if value.lower() in NA_VALUES else value


def _pair_of(cells: list[str], cols: dict[str, Any]) -> Pair:
    g5, g3 = _clean_gene(_cell(cells, cols["g5"])), _clean_gene(_cell(cells, cols["g3"]))
    if "," in g5 + g3:
        raise _Skip("fusion partner ambiguous (several candidate genes)", f"{g5}::{g3}")
    text = _cell(cells, cols["pair"])
    named = parse_pair(text) if text else None
    if isinstance(named, str):
        raise _Skip(named, excerpt(text))
    if g5 or g3:
        by_genes = _two(g5, g3)
        if isinstance(by_genes, str):
            raise _Skip(by_genes, f"{g5}::{g3}")
        if named is not None and (named.gene5, named.gene3) != (by_genes.gene5, by_genes.gene3):
            raise _Skip("gene-pair column and gene columns disagree", f"{text} vs {g5}::{g3}")
        return by_genes
    if named is None:
        raise _Skip("fusion row without genes")
    return named


def _support(cells: list[str], cols: dict[str, Any]) -> int | None:
    found = _counts(cells, cols["support"])
    if found is None and cols["total"] is not None:  # the summed kinds are NA in this row
        found = _counts(cells, [cols["total"]])
    if found is None and cols["either"]:  # CICERO: the larger of readsA, readsB
        ends = [n for i in cols["either"] if (n := _counts(cells, [i])) is not None]
        found = max(ends) if ends else None
    if found is None and cols["tools"]:  # fusion-report: the best-supported tool's reads
        per_tool = [n for i in cols["tools"] if (n := _tool_reads(_cell(cells, i))) is not None]
        found = max(per_tool) if per_tool else None
    return found


def _tool_reads(text: str) -> int | None:
    """The reads of one tool's fusion-report cell (``split_reads1: 88,split_reads2: 97,...``):
    the sum of its read kinds (:data:`_TOOL_READ_KEYS`), ``None`` when it gives none."""
    counts = []
    for part in text.split(","):
        key, colon, value = part.partition(":")
        if not colon or norm_column(key) not in _TOOL_READ_KEYS:
            continue
        parsed = count(value.strip())
        if parsed.problem:
            raise _Skip(f"fusion read count is {parsed.problem}", excerpt(part.strip()))
        if parsed.value is not None:
            counts.append(int(parsed.value))
    return sum(counts) if counts else None


def _counts(cells: list[str], columns: list[int]) -> int | None:
    """The sum of the read counts in ``columns`` (``None``: none gives a value)."""
    counts = []
    for i in columns:
        text = cells[i].strip() if i < len(cells) else ""
        if text == "-":
            continue  # JAFFA: a read kind not counted in its mode (no value, not zero)
        parsed = count(text)
        if parsed.problem:
            raise _Skip(f"fusion read count is {parsed.problem}", excerpt(text))
        if parsed.value is not None:
            counts.append(int(parsed.value))
    return sum(counts) if counts else None


def _row_fusion(cells: list[str], cols: dict[str, Any]) -> Alteration:
    if _cell(cells, cols["status"]).upper() == "GERMLINE":
        raise _Skip("germline structural variant (SV_Status GERMLINE)")
    if cols["reported"] is not None and _cell(cells, cols["reported"]).lower() != "true":
        raise _Skip("LINX fusion not reported (reported = false: not a known or promiscuous pair)")
    a = fusion_of(_pair_of(cells, cols))
    sv_class = _cell(cells, cols["class"])
    if sv_class and sv_class.upper() != "FUSION":
        a.notes.append(f"structural variant class {sv_class} read as a fusion of the named genes")
    _caller_doubts(a, cells, cols)
    bps = [b for b in (_cell(cells, cols["bp5"]), _cell(cells, cols["bp3"])) if b]
    places = [_breakpoint(b) for b in bps]
    a.breakpoints = ";".join(bps)
    a.supporting_reads = _support(cells, cols)
    if places:
        a.chrom, a.pos = places[0]
    return a


def _caller_doubts(a: Alteration, cells: list[str], cols: dict[str, Any]) -> None:
    """The caller's own doubts, kept beside the call. Arriba: a fusion strand it could not
    determine (``+/.``: the order of gene1 and gene2 is then not known to be 5' to 3'), and its
    ``confidence`` when low (more likely an artefact). JAFFA: its ``LowConfidence`` and
    ``PotentialRegularTranscript`` classes."""
    unknown = [
        i + 1
        for i, col in enumerate(cols["strands"])
        if col is not None and _cell(cells, col).partition("/")[2] == "."
    ]
    if unknown and a.gene3:
        a.notes.append(
            "5'/3' order unknown: Arriba could not determine the fusion transcript's strand "
            f"(strand{'/'.join(map(str, unknown))} '.'); {a.gene}::{a.gene3} is the file's order"
        )
    if _cell(cells, cols["confidence"]).lower() == "low":
        a.notes.append("Arriba confidence low (more likely an artefact): confirm the fusion")
    _cicero_doubts(a, cells, cols)
    jaffa = _cell(cells, cols["classification"])
    if jaffa.lower() == "lowconfidence":
        a.notes.append("JAFFA classification LowConfidence: confirm the fusion")
    elif jaffa.lower() == "potentialregulartranscript":
        a.notes.append(
            "JAFFA classification PotentialRegularTranscript (may be a normal transcript, such "
            "as a read-through, rather than a fusion): confirm the fusion"
        )


def _cicero_doubts(a: Alteration, cells: list[str], cols: dict[str, Any]) -> None:
    """CICERO's: ``sv_ort`` ``?`` (the assembled contig's orientation has no confident biological
    meaning, so geneA/geneB are not known to be 5'/3'), ``rating`` LQ (neither a known fusion,
    rated HQ, nor a read-through, RT) and RT."""
    if _cell(cells, cols["svort"]) == "?" and a.gene3:
        a.notes.append(
            "5'/3' order unknown: CICERO's contig orientation has no confident biological meaning "
            f"(sv_ort '?'); {a.gene}::{a.gene3} is the file's order"
        )
    rating = _cell(cells, cols["rating"]).upper()
    if rating == "LQ":
        a.notes.append(
            "CICERO rating LQ (not a known fusion, which CICERO rates HQ): confirm the fusion"
        )
    elif rating == "RT":
        a.notes.append(
            "CICERO rating RT (read-through: may be a normal transcript rather than a fusion): "
            "confirm the fusion"
        )


_BREAKPOINT = re.compile(r"([\w.-]{1,60}):([0-9]{1,10})(?::[+-])?")


def _breakpoint(text: str) -> tuple[str, int]:
    """(chrom, pos) of a ``chrom:pos`` or ``chrom:pos:strand`` breakpoint; else :class:`_Skip`."""
    m = _BREAKPOINT.fullmatch(text)
    if m is None:
        raise _Skip("fusion breakpoint is not chrom:pos or chrom:pos:strand", excerpt(text))
    if not 1 <= int(m.group(2)) <= MAX_POSITION:
        raise _Skip("fusion breakpoint position is not 1 to 3e9", excerpt(text))
    return m.group(1), int(m.group(2))


def below_min_reads(a: Alteration, options: RunOptions, qc: QCCounter, where: str) -> bool:
    """Count (and report True for) a call below ``--min-fusion-reads``."""
    if a.supporting_reads is None or a.supporting_reads >= options.min_fusion_reads:
        return False
    qc.skip(
        f"fusion read support below --min-fusion-reads {options.min_fusion_reads}",
        f"{a.label}, {a.supporting_reads} read(s) ({where})",
    )
    return True


def _read_table(path: str, options: RunOptions, result: ReadResult) -> None:
    table = read_table(path)
    if table is None:
        raise FormatError("no header line", where=path, hint="a fusion table starts with a header")
    cols = _columns(table)
    choice, rows, left_out = restrict(table, cols["sample"], options.sample, "fusion file")
    result.sample, result.sample_rule = choice.sample, choice.rule
    if choice.unnamed:
        cols["sample"] = None
    name = Path(path).name
    if left_out:
        result.qc.warnings.append(other_samples_note(name, left_out, choice))
    width = len(table.header)
    for n, cells in rows:
        where = f"{path}:{n}"
        result.qc.records_read += 1
        try:
            if len(cells) < width:
                detail = f"{len(cells)} of {width}"
                raise _Skip("fusion row has fewer cells than the header", detail)
            if extra := table.overlong(cells):
                raise _Skip(OVERLONG.format(what="fusion"), extra)
            if cols["sample"] is not None and not _cell(cells, cols["sample"]):
                raise _Skip("fusion row without a sample id")
            a = _row_fusion(cells, cols)
        except _Skip as skip:
            if table.truncated(n):
                raise truncation_error(table, n, len(cells), skip.reason) from None
            result.qc.skip(skip.reason, f"{where} ({skip.detail})" if skip.detail else where)
            continue
        if below_min_reads(a, options, result.qc, where):
            continue
        a.source, a.record = name, n
        result.alterations.append(a)
    result.qc.warnings.extend(table_notes(table, "fusions"))
    unread = sum(a.supporting_reads is None for a in result.alterations)
    if unread:
        why = " (a Score is not a read count)" if table.has("score") else ""
        note = unread_reads_note(name, unread, len(result.alterations), options, why)
        result.qc.not_assessable.append(note)


def unread_reads_note(
    name: str, unread: int, calls: int, options: RunOptions, why: str = ""
) -> str:
    """The ``qc.not_assessable`` line of a fusion file with calls that give no read count."""
    which = "its" if unread == calls else f"{unread} of its"
    return (
        f"{name}: --min-fusion-reads {options.min_fusion_reads} not applied to {which} {calls} "
        f"fusion call(s): the file gives no read count for them{why}; they are kept unchecked"
    )


def read_fusion_table(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a fusion or SV table (PCGR, STAR-Fusion, Arriba, cBioPortal SV, OncoKB, generic)."""
    result = ReadResult(kind="fusions", path=path, annotation="fusions")
    _read_table(path, options, result)
    return result


__all__ = [
    "NOT_UNDERSTOOD",
    "Pair",
    "below_min_reads",
    "fusion_from_pair",
    "fusion_of",
    "pair_of_genes",
    "parse_pair",
    "read_fusion_table",
    "splice_variant",
    "split_pair",
    "unread_reads_note",
]
