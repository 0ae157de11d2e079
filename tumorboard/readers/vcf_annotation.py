"""VEP CSQ, SnpEff ANN/EFF, Hartwig PAVE and GATK Funcotator parsing: allele matching per ALT
and the transcript choice.

Operates on strings from INFO only (no pysam import): the header's field order, one record's
entries, one ALT at a time.

Every entry must have exactly the fields the header declares (VEP's ``Format:`` list; SnpEff
ANN's 16; SnpEff EFF's list, whose optional ``ERRORS``/``WARNINGS`` may follow): an entry with
more or fewer is never read, because its values would be taken for other fields (a protein
change of another transcript). :meth:`Annotation.malformed` finds them; the reader skips the
record and says why.

The protein change comes from the entry's HGVS protein notation (``protein_source``
``hgvsp``); without one (VEP run without ``--hgvs``, SnpEff without HGVS), from VEP's
``Protein_position``/``Amino_acids``/``Codons`` (``vep_fields``) or SnpEff EFF's
``Amino_Acid_Change``/``Codon_Change`` (``snpeff_fields``), see
:mod:`tumorboard.readers.protein_fields`. SnpEff ANN without ``HGVS.p`` states only the
position (``AA.pos``): the change's positions are kept, its residues are unknown.

Hartwig's PAVE (the PURPLE somatic VCF of the Hartwig pipeline and nf-core/oncoanalyser) writes
INFO ``PAVE_TI``: one ``Gene|GeneName|Transcript|Effects|SpliceRegion|HGVS.c|HGVS.p`` entry per
transcript, named in its header; it names no allele, so a record's entries belong to its one ALT
(a multi-allelic record's ALTs are skipped: no entry says which is whose). GATK Funcotator
writes INFO ``FUNCOTATION``: one ``[...]`` entry per transcript (``#``-joined) in one group per
ALT, its Gencode fields named in the header (:func:`funcotations`, :func:`funcotator_effects`).
ANNOVAR's ``table_annovar.pl -vcfinput`` writes one INFO key per column of a gene-based database
(``Func.refGene``, ``Gene.refGene``, ``GeneDetail.refGene``, ``ExonicFunc.refGene``,
``AAChange.refGene``) in one ``ANNOVAR_DATE`` ... ``ALLELE_END`` block per ALT; its transcripts
are rewritten here as entries of the same shape (:func:`annovar_entries`).
Docs: ``docs/domain.md`` §11.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from sys import intern
from typing import TYPE_CHECKING

from tumorboard.alterations import Alteration, ProteinChange, parse_exon, parse_protein_change
from tumorboard.errors import AnnotationError
from tumorboard.readers.protein_fields import from_snpeff_eff, from_vep
from tumorboard.readers.text import info_value
from tumorboard.resources import panels_dir

if TYPE_CHECKING:
    from pysam import VariantHeader

ANN_FIELDS = (
    "Allele",
    "Annotation",
    "Annotation_Impact",
    "Gene_Name",
    "Gene_ID",
    "Feature_Type",
    "Feature_ID",
    "Transcript_BioType",
    "Rank",
    "HGVS.c",
    "HGVS.p",
    "cDNA.pos/len",
    "CDS.pos/len",
    "AA.pos/len",
    "Distance",
    "Errors",
)

# SnpEff EFF (``Effect ( Effect_Impact | ... )``): header names -> the CSQ names used here
_EFF_NAMES = {
    "effect": "Consequence",
    "effect_impact": "IMPACT",
    "codon_change": "Codons",
    "amino_acid_change": "Amino_acids",
    "gene_name": "SYMBOL",
    "transcript_biotype": "BIOTYPE",
    "gene_biotype": "BIOTYPE",
    "transcript_id": "Feature",
    "transcript": "Feature",
    "exon_rank": "EXON",
    "exon": "EXON",
    "genotype": "ALLELE_NUM",
    "genotype_number": "ALLELE_NUM",
}
# SnpEff's "classic" effect names (``-classic``, SnpEff 3) -> Sequence Ontology terms, as the
# SnpEff manual's effect table pairs them
_CLASSIC = {
    "NON_SYNONYMOUS_CODING": "missense_variant",
    "NON_SYNONYMOUS_START": "initiator_codon_variant",
    "SYNONYMOUS_CODING": "synonymous_variant",
    "SYNONYMOUS_STOP": "stop_retained_variant",
    "SYNONYMOUS_START": "start_retained_variant",
    "NON_SYNONYMOUS_STOP": "stop_retained_variant",
    "STOP_GAINED": "stop_gained",
    "STOP_LOST": "stop_lost",
    "START_LOST": "start_lost",
    "FRAME_SHIFT": "frameshift_variant",
    "CODON_CHANGE": "coding_sequence_variant",
    "CODON_INSERTION": "conservative_inframe_insertion",
    "CODON_DELETION": "conservative_inframe_deletion",
    "CODON_CHANGE_PLUS_CODON_INSERTION": "disruptive_inframe_insertion",
    "CODON_CHANGE_PLUS_CODON_DELETION": "disruptive_inframe_deletion",
    "SPLICE_SITE_ACCEPTOR": "splice_acceptor_variant",
    "SPLICE_SITE_DONOR": "splice_donor_variant",
    "SPLICE_SITE_REGION": "splice_region_variant",
    "EXON_DELETED": "exon_loss_variant",
    "INTRON": "intron_variant",
    "UTR_5_PRIME": "5_prime_UTR_variant",
    "UTR_3_PRIME": "3_prime_UTR_variant",
    "UPSTREAM": "upstream_gene_variant",
    "DOWNSTREAM": "downstream_gene_variant",
    "INTERGENIC": "intergenic_region",
    "EXON": "non_coding_transcript_exon_variant",
}


def vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """VEP's allele strings for each ALT.

    When the alleles differ in length and all share the first base (VCF padding), VEP removes
    that base from every allele and writes ``-`` for an empty one.
    """
    if len(alts) == 1 and len(alts[0]) == len(ref):
        return [alts[0]]  # SNV/MNV: the common case, nothing to trim
    first = ref[:1]
    if any(len(a) != len(ref) for a in alts) and all(a[:1] == first for a in alts):
        return [a[1:] or "-" for a in alts]
    return list(alts)


class Annotation:
    """Parses CSQ/ANN/EFF entries for one record; chooses the transcript per ALT."""

    def __init__(
        self,
        tag: str,
        fields: Sequence[str],
        optional: int = 0,
        key: str | None = None,
        database: str = "",
    ) -> None:
        self.tag = tag
        """The annotation's layout: CSQ (VEP's, by its Format list), ANN, EFF, PAVE_TI ..."""
        self.key = key or tag
        """The INFO key holding it: ``ANN`` for VEP run with ``--vcf_info_field ANN``."""
        self.database = database
        """ANNOVAR's gene-based database whose keys are read (``refGene``, ``ensGene`` ...)."""
        self.fields = list(fields)
        self.n = len(self.fields)
        self.optional = optional
        """Trailing fields an entry may leave out (EFF's ``ERRORS``/``WARNINGS``)."""
        idx = {name: i for i, name in enumerate(self.fields)}
        get = idx.get
        self.i_allele: int | None
        self.i_allele_num: int | None
        self.i_conseq: int | None
        self.i_impact: int | None
        self.i_symbol: int | None
        self.i_feature: int | None
        self.i_biotype: int | None
        self.i_exon: int | None
        self.i_intron: int | None
        self.i_hgvsc: int | None
        self.i_hgvsp: int | None
        self.i_canonical: int | None
        self.i_mane: int | None
        self.i_position: int | None
        self.i_amino: int | None
        self.i_codons: int | None
        self.i_secondary: int | None = None
        if tag == "ANN":  # SnpEff ANN: 16 fixed fields
            self.i_allele, self.i_allele_num = 0, None
            self.i_conseq, self.i_impact, self.i_symbol = 1, 2, 3
            self.i_feature, self.i_biotype, self.i_exon, self.i_intron = 6, 7, 8, None
            self.i_hgvsc, self.i_hgvsp = 9, 10
            self.i_canonical, self.i_mane = None, None
            self.i_position, self.i_amino, self.i_codons = 13, None, None
        else:  # VEP CSQ by its Format list; EFF mapped onto the same names
            self.i_allele = get("Allele")
            self.i_allele_num = get("ALLELE_NUM")
            self.i_conseq = get("Consequence")
            self.i_impact = get("IMPACT")
            self.i_symbol = get("SYMBOL")
            self.i_feature = get("Feature")
            self.i_biotype = get("BIOTYPE")
            self.i_exon = get("EXON")
            self.i_intron = get("INTRON")
            self.i_hgvsc = get("HGVSc")
            self.i_hgvsp = get("HGVSp")
            self.i_canonical = get("CANONICAL")
            self.i_mane = get("MANE_SELECT", get("MANE"))
            self.i_position = get("Protein_position")
            self.i_amino = get("Amino_acids")
            self.i_codons = get("Codons")
        self.i_secondary = get("SecondaryClassification") if tag == "FUNCOTATION" else None
        self._layout()
        self._effects = _eff_effects if tag == "EFF" else _consequences
        self.bad = ""
        """Set by :meth:`entries_for` when an entry's field count is not the header's."""
        if self.i_symbol is None or self.i_conseq is None:
            missing = "SYMBOL" if self.i_symbol is None else "Consequence"
            raise AnnotationError(
                f"the {tag} header has no {missing} field",
                hint="annotate with VEP using --symbol (or SnpEff) so genes are named",
            )

    def _layout(self) -> None:
        used = [
            i
            for i in (
                self.i_allele, self.i_allele_num, self.i_conseq, self.i_impact, self.i_symbol,
                self.i_feature, self.i_biotype, self.i_exon, self.i_intron, self.i_hgvsc,
                self.i_hgvsp, self.i_canonical, self.i_mane, self.i_position, self.i_amino,
                self.i_codons, self.i_secondary,
            )
            if i is not None
        ]  # fmt: skip
        self.split_limit = max(used) + 1 if used else 1  # split off the fields after these
        # when the annotation lacks a field ``fill`` reads, entries are padded to ``width``: the
        # last slot is always "" and stands in for it, so ``fill`` indexes without checks (a
        # split at ``split_limit`` leaves the unread rest in slot ``split_limit``); otherwise a
        # well-formed entry already has every slot read
        blank = self.split_limit + 1

        def slot(i: int | None) -> int:
            return blank if i is None else i

        self.f_symbol, self.f_feature, self.f_conseq = (
            slot(self.i_symbol), slot(self.i_feature), slot(self.i_conseq)
        )  # fmt: skip
        self.f_impact, self.f_hgvsc, self.f_hgvsp = (
            slot(self.i_impact), slot(self.i_hgvsc), slot(self.i_hgvsp)
        )  # fmt: skip
        self.f_exon, self.f_intron = slot(self.i_exon), slot(self.i_intron)
        self.f_position, self.f_amino, self.f_codons = (
            slot(self.i_position), slot(self.i_amino), slot(self.i_codons)
        )  # fmt: skip
        self._slots = (
            self.f_symbol, self.f_feature, self.f_conseq, self.f_impact, self.f_hgvsc,
            self.f_hgvsp, self.f_exon, self.f_intron,
        )  # fmt: skip
        padded = blank in (*self._slots, self.f_position, self.f_amino, self.f_codons)
        self.width = self.split_limit + 2 if padded else self.split_limit

    def entries_text(self, info: str) -> Sequence[str]:
        """The record's entries from its INFO column (EFF's rewritten, see :meth:`values`)."""
        if self.tag == "ANNOVAR":
            return annovar_entries(info, self.database)
        raw = info_value(info, self.key)
        if self.tag == "EFF":
            return self.values(raw)
        if self.tag == "FUNCOTATION":
            return funcotations(raw)
        return raw.split(",") if raw else ()

    def values(self, raw: str | None) -> list[str]:
        """The record's entries (EFF's ``Effect(a|b)`` rewritten as ``Effect|a|b``)."""
        if not raw:
            return []
        values = raw.split(",")
        if self.tag != "EFF":
            return values
        out = []
        for value in values:
            name, paren, rest = value.partition("(")
            out.append(f"{name}|{rest[:-1]}" if paren and rest.endswith(")") else value)
        return out

    def malformed(self, values: Sequence[str]) -> str:
        """The first entry whose field count differs from the header's, described; ``""``."""
        need = self.n - 1
        for value in values:
            seps = value.count("|")
            if seps != need and not (self.optional and need < seps <= need + self.optional):
                return f"{seps + 1} fields where the header's Format has {self.n}"
        return ""

    def entries_for(
        self, values: Sequence[str], alt_index: int, vep_allele: str, alt: str, n_alts: int = 2
    ) -> list[list[str]]:
        """The split entries that belong to ALT number ``alt_index`` (0-based).

        Entries are split only up to the last field tumorboard reads (a VEP CSQ may carry 80+
        fields); with a single ALT and no ``ALLELE_NUM`` every entry belongs to it.
        """
        out: list[list[str]] = []
        by_alt: list[list[str]] = []  # entries naming the raw ALT instead of VEP's allele string
        ia, inum, need, limit = self.i_allele, self.i_allele_num, self.width, self.split_limit
        single = n_alts == 1 and inum is None
        if ia is None and inum is None and not single:
            return []  # PAVE: entries name no allele; with several ALTs none is whose
        # a well-formed entry splits into ``limit`` fields and a rest of ``tail`` separators
        # (or into exactly ``n`` fields when the last field is read): counted on the rest only
        n, tail = self.n, self.n - limit - 1
        self.bad = ""
        for value in values:
            parts = value.split("|", limit)
            if (parts[limit].count("|") != tail if len(parts) > limit else len(parts) != n) and (
                self.malformed((value,))
            ):
                self.bad = self.malformed((value,))
                return []
            if len(parts) < need:
                parts.extend([""] * (need - len(parts)))
            if single:
                out.append(parts)
            elif inum is not None and parts[inum]:
                if parts[inum] == str(alt_index + 1) or parts[inum] == alt:
                    out.append(parts)
            elif ia is None or parts[ia] == vep_allele:
                out.append(parts)
            elif parts[ia] == alt:
                by_alt.append(parts)
        # The raw ALT is a fallback only: with REF GA and ALTs G,GG, VEP's strings are '-' and
        # 'G', so the second ALT's entries also spell the first ALT
        return out or by_alt

    def choose(
        self, entries: list[list[str]], panel_genes: frozenset[str] | None
    ) -> tuple[list[str], str]:
        """Pick one entry: MANE Select, canonical, first protein-coding, first."""
        isym = self.i_symbol
        assert isym is not None
        if self.tag == "FUNCOTATION" and len(entries) > 1:
            # an allele may carry extra groups with empty Gencode fields (GATK issues 5822, 8858)
            entries = [e for e in entries if e[isym] or e[self.f_conseq]] or entries
        if panel_genes is not None and len(entries) > 1:  # one entry: it is the choice
            in_panel = [e for e in entries if e[isym] in panel_genes]
            if in_panel:
                entries = in_panel
        if self.i_mane is not None:
            for e in entries:
                if e[self.i_mane]:
                    return e, "mane_select"
        elif self.i_feature is not None:
            # no MANE field (older VEP, SnpEff): recognise MANE Select by its transcript id
            mane = mane_select_ids()
            for e in entries:
                if e[self.i_feature].split(".", 1)[0] in mane:
                    return e, "mane_select_table"
        if self.i_canonical is not None:
            for e in entries:
                if e[self.i_canonical] in ("YES", "1"):
                    return e, "canonical"
        if self.i_biotype is not None:
            for e in entries:
                if e[self.i_biotype] == "protein_coding":
                    return e, "first_protein_coding"
        return entries[0], "first"

    def fill(self, alt: Alteration, entry: list[str], rule: str) -> None:
        """Copy the chosen entry's annotation onto the alteration (entries come padded)."""
        f_symbol, f_feature, f_conseq, f_impact, f_hgvsc, f_hgvsp, f_exon, f_intron = self._slots
        symbol = entry[f_symbol]
        if symbol == "Unknown" and self.tag == "FUNCOTATION":
            symbol = ""  # Funcotator's word for an intergenic variant (IGR)
        alt.gene = intern(symbol) or alt.gene  # repeated strings: share one copy
        alt.transcript = intern(entry[f_feature])
        alt.transcript_rule = rule
        conseq = entry[f_conseq]
        if self.tag == "FUNCOTATION":
            secondary = entry[self.i_secondary] if self.i_secondary is not None else ""
            alt.consequences = funcotator_effects(conseq, secondary)
        else:
            alt.consequences = self._effects(conseq)
        alt.impact = intern(entry[f_impact])
        hgvsc = entry[f_hgvsc]
        alt.hgvsc = hgvsc[hgvsc.rfind(":") + 1 :]
        exon = entry[f_exon]
        if self.tag == "ANN":
            # SnpEff Rank is 'exon/total' for exonic and intron rank for intronic effects
            if "intron" in conseq:
                alt.intron = parse_exon(exon)
            else:
                alt.exon = parse_exon(exon)
        else:
            alt.exon = parse_exon(exon) if exon else None
            intron = entry[f_intron]
            alt.intron = parse_exon(intron) if intron else None
        hgvsp = entry[f_hgvsp]
        if self.tag == "EFF":
            hgvsp = self._eff_hgvs(alt, entry)
        change = parse_protein_change(hgvsp) if hgvsp else None
        source = "hgvsp"
        if change is None:
            change, source = self._from_fields(alt, entry)
        if change is not None:
            alt.protein, alt.protein_3 = change.one, change.three
            alt.protein_start, alt.protein_end = change.start, change.end
            alt.protein_source = source if change.one else ""

    def _eff_hgvs(self, alt: Alteration, entry: list[str]) -> str:
        """EFF's ``Amino_Acid_Change`` in HGVS mode (``p.Gly12Cys/c.34G>T``): its HGVS p."""
        aa = entry[self.f_amino]
        if not aa.startswith(("p.", "c.", "n.")):
            return ""
        hgvsp, _, hgvsc = aa.partition("/")
        if hgvsp.startswith(("c.", "n.")):
            hgvsp, hgvsc = "", hgvsp
        if hgvsc and not alt.hgvsc:
            alt.hgvsc = hgvsc
        return hgvsp

    def _from_fields(self, alt: Alteration, entry: list[str]) -> tuple[ProteinChange | None, str]:
        """The change from VEP's or SnpEff's position/residue fields (``None``: not stated)."""
        if self.tag == "CSQ":
            position, amino = entry[self.f_position], entry[self.f_amino]
            if position and amino:
                return from_vep(position, amino, entry[self.f_codons], alt.consequences), (
                    "vep_fields"
                )
            return None, ""
        if self.tag == "EFF":
            amino = entry[self.f_amino]
            if amino and not amino.startswith(("p.", "c.", "n.")):
                return from_snpeff_eff(amino, entry[self.f_codons], alt.consequences), (
                    "snpeff_fields"
                )
            return None, ""
        position = entry[self.f_position].split("/", 1)[0]  # ANN: AA.pos / AA.length
        if (
            position.isascii() and position.isdigit() and int(position) > 0
        ):  # the position only: no residues
            start = int(position)
            return ProteinChange(one="", three="", start=start, end=start, ref_aa=""), ""
        return None, ""


def funcotations(raw: str | None) -> list[str]:
    """Funcotator's entries, each numbered by its ALT (``|n`` appended: ``ALLELE_NUM``).

    ``FUNCOTATION=[a|b|...]#[...],[...]``: one comma-separated group per ALT (``Number=A``;
    commas inside values are written ``_%2C_``), one bracketed entry per transcript joined by
    ``#``. Only the outer brackets are removed: values may hold brackets of their own.
    """
    out: list[str] = []
    for n, group in enumerate(raw.split(",") if raw else (), start=1):
        for entry in group.split("]#["):
            out.append(f"{entry.removeprefix('[').removesuffix(']')}|{n}")
    return out


@lru_cache(maxsize=1)
def mane_select_ids() -> frozenset[str]:
    """Ensembl and RefSeq ids (no version) of MANE Select transcripts (``panels/mane_select.tsv``,
    generated from MANE v1.0 by ``scripts/build_tables.py``)."""
    ids: set[str] = set()
    path = panels_dir() / "mane_select.tsv"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(("#", "symbol\t")):
                continue
            _, ensembl, refseq = line.rstrip("\n").split("\t")
            ids.update(i for i in (ensembl, refseq) if i)
    return frozenset(ids)


@lru_cache(maxsize=4096)
def _consequences(text: str) -> tuple[str, ...]:
    """``missense_variant&splice_region_variant`` as a tuple (shared between records)."""
    return tuple(intern(c) for c in text.split("&") if c)


@lru_cache(maxsize=1024)
def _eff_effects(text: str) -> tuple[str, ...]:
    """EFF effects (``&`` or ``+`` joined; classic names mapped to Sequence Ontology terms)."""
    terms = re.split(r"[&+]", text)
    return tuple(intern(_CLASSIC.get(t, t.lower() if t.isupper() else t)) for t in terms if t)


def _eff_fields(description: str) -> tuple[list[str], int]:
    """EFF field names from the header's Format (``Effect ( A | B [ | ERRORS | WARNINGS ] )``)
    and how many optional trailing fields there are."""
    m = re.search(r"Format:\s*'?([^'\"]+)", description)
    text = m.group(1) if m else ""
    optional = 0
    if "[" in text:
        text, _, tail = text.partition("[")
        optional = len([t for t in tail.replace("]", "").replace(")", "").split("|") if t.strip()])
    names = [t.strip() for t in re.split(r"[(|)]", text) if t.strip()]
    if not names or names[0].lower() != "effect":
        raise AnnotationError(
            "the EFF header line has no 'Format: Effect ( ... )' list of fields",
            hint="the EFF INFO header must be the one SnpEff writes",
        )
    return [_EFF_NAMES.get(n.lower(), n) for n in names], optional


# Hartwig PAVE's per-transcript impacts (``PAVE_TI``): header names -> the CSQ names used here
_PAVE_NAMES = {
    "Gene": "Gene",
    "GeneName": "SYMBOL",
    "Transcript": "Feature",
    "Effects": "Consequence",
    "SpliceRegion": "SpliceRegion",
    "HGVS.c": "HGVSc",
    "HGVS.p": "HGVSp",
}


def _pave_fields(description: str) -> list[str]:
    """PAVE_TI field names from its header (``Transcript impact [Gene|GeneName|...]``)."""
    m = re.search(r"\[([^\]]+)\]", description)
    names = [n.strip() for n in m.group(1).split("|")] if m else []
    if "GeneName" not in names or "Effects" not in names:
        raise AnnotationError(
            "the PAVE_TI header line has no '[Gene|GeneName|Transcript|Effects|...]' field list",
            hint="the PAVE_TI INFO header must be the one Hartwig's PAVE writes",
        )
    return [_PAVE_NAMES.get(n, n) for n in names]


# GATK Funcotator's Gencode fields (``Gencode_<version>_<name>``) -> the CSQ names used here
_FUNCOTATOR_NAMES = {
    "hugoSymbol": "SYMBOL",
    "variantClassification": "Consequence",
    "secondaryVariantClassification": "SecondaryClassification",
    "annotationTranscript": "Feature",
    "transcriptExon": "EXON",
    "cDnaChange": "HGVSc",
    "proteinChange": "HGVSp",
}
_GENCODE_FIELD = re.compile(r"Gencode_\d+_(\w+)")
# Funcotator's variant classifications (MAF-like) -> Sequence Ontology terms
_FUNCOTATOR_SO = {
    "MISSENSE": "missense_variant",
    "NONSENSE": "stop_gained",
    "NONSTOP": "stop_lost",
    "SILENT": "synonymous_variant",
    "FRAME_SHIFT_INS": "frameshift_variant",
    "FRAME_SHIFT_DEL": "frameshift_variant",
    "IN_FRAME_INS": "inframe_insertion",
    "IN_FRAME_DEL": "inframe_deletion",
    "START_CODON_SNP": "start_lost",
    "START_CODON_INS": "start_lost",
    "START_CODON_DEL": "start_lost",
    "DE_NOVO_START_IN_FRAME": "5_prime_UTR_variant",
    "DE_NOVO_START_OUT_FRAME": "5_prime_UTR_variant",
    "FIVE_PRIME_UTR": "5_prime_UTR_variant",
    "THREE_PRIME_UTR": "3_prime_UTR_variant",
    "FIVE_PRIME_FLANK": "upstream_gene_variant",
    "THREE_PRIME_FLANK": "downstream_gene_variant",
    "INTRON": "intron_variant",
    "IGR": "intergenic_variant",
    "RNA": "non_coding_transcript_exon_variant",
    "LINCRNA": "non_coding_transcript_exon_variant",
}


def funcotator_effects(classification: str, secondary: str) -> tuple[str, ...]:
    """SO terms for a Funcotator classification. ``SPLICE_SITE`` (within the splice-site window,
    2 bases by default, of an exon boundary) says what the change is in its secondary
    classification: intronic (or unstated), a splice donor/acceptor change, as a MAF's
    ``Splice_Site``; in the exon, a splice-region variant with that coding change, never a
    truncating one on the word alone."""
    if classification == "SPLICE_SITE":
        if secondary in ("", "INTRON"):
            return ("splice_donor_variant",)
        return ("splice_region_variant", *funcotator_effects(secondary, ""))
    term = _FUNCOTATOR_SO.get(classification)
    return (term,) if term else ()


def _funcotator_fields(description: str) -> list[str]:
    """Field names from the FUNCOTATION header (``... Funcotation fields are: A|B|...``), the
    Gencode ones mapped, and ``ALLELE_NUM`` added (entries are numbered per ALT on reading)."""
    _, sep, names_text = description.partition(": ")
    names = names_text.strip().split("|") if sep else []
    out = []
    for name in names:
        m = _GENCODE_FIELD.fullmatch(name.strip())
        out.append(_FUNCOTATOR_NAMES.get(m.group(1), name) if m else name)
    if "SYMBOL" not in out or "Consequence" not in out:
        raise AnnotationError(
            "the FUNCOTATION header line lists no Gencode hugoSymbol and variantClassification "
            "fields ('Funcotation fields are: Gencode_<version>_hugoSymbol|...')",
            hint="annotate with Funcotator's Gencode data source, or with VEP or SnpEff",
        )
    return [*out, "ALLELE_NUM"]


# ANNOVAR (``table_annovar.pl -vcfinput``): gene-based columns as INFO keys, per ALT -------------
ANNOVAR_FIELDS = ("SYMBOL", "Feature", "EXON", "HGVSc", "HGVSp", "Consequence", "ALLELE_NUM")
"""The entries :func:`annovar_entries` builds, one per transcript (or per gene)."""
ANNOVAR_COLUMNS = ("Func", "Gene", "ExonicFunc", "AAChange")
"""The gene-based columns a database must have for its annotation to be read."""
ANNOVAR_DATABASES = ("refGeneWithVer", "refGene", "ensGene", "knownGene")
"""Gene-based databases in the order tried: RefSeq first (MANE Select is recognised by id)."""
# ANNOVAR's ExonicFunc words (spaces written as underscores in the VCF) -> Sequence Ontology
_ANNOVAR_EXONIC = {
    "nonsynonymous SNV": "missense_variant",
    "synonymous SNV": "synonymous_variant",
    "stopgain": "stop_gained",
    "stoploss": "stop_lost",
    "startloss": "start_lost",
    "frameshift insertion": "frameshift_variant",
    "frameshift deletion": "frameshift_variant",
    "frameshift block substitution": "frameshift_variant",
    "frameshift substitution": "frameshift_variant",
    "nonframeshift insertion": "inframe_insertion",
    "nonframeshift deletion": "inframe_deletion",
    "nonframeshift block substitution": "protein_altering_variant",
    "nonframeshift substitution": "protein_altering_variant",
}
# ANNOVAR's Func regions other than exonic and splicing -> Sequence Ontology
_ANNOVAR_REGION = {
    "ncRNA_exonic": "non_coding_transcript_exon_variant",
    "ncRNA_intronic": "intron_variant",
    "ncRNA_splicing": "splice_region_variant",
    "ncRNA_UTR5": "5_prime_UTR_variant",
    "ncRNA_UTR3": "3_prime_UTR_variant",
    "UTR5": "5_prime_UTR_variant",
    "UTR3": "3_prime_UTR_variant",
    "intronic": "intron_variant",
    "upstream": "upstream_gene_variant",
    "downstream": "downstream_gene_variant",
    "intergenic": "intergenic_variant",
}
_ANNOVAR_SPLICE = re.compile(r"c\.-?\*?\d+([+-])(\d+)")
_ANNOVAR_SNV = re.compile(r"c\.([ACGT])(\d+)([ACGT])")


def _annovar_value(text: str) -> str:
    """An ANNOVAR INFO value as written in its table (``\\x3b`` is ``;``, ``\\x3d`` ``=``;
    ``.`` empty; ``|`` cannot be an entry's field separator)."""
    text = text.replace("\\x3b", ";").replace("\\x3d", "=").replace("|", "/")
    return "" if text == "." else text


def _annovar_hgvsc(c: str) -> str:
    """ANNOVAR's ``c.T1799A`` as HGVS (``c.1799T>A``); other notations as written."""
    m = _ANNOVAR_SNV.fullmatch(c)
    return f"c.{m.group(2)}{m.group(1)}>{m.group(3)}" if m else c


def _annovar_splice(c: str) -> str:
    """The splice term of an intronic change: +1/+2 donor, -1/-2 acceptor, else the region."""
    m = _ANNOVAR_SPLICE.match(c)
    if m is None:
        return "splice_region_variant"
    if int(m.group(2)) > 2:
        return "splice_region_variant"
    return "splice_donor_variant" if m.group(1) == "+" else "splice_acceptor_variant"


def annovar_entries(info: str, database: str) -> list[str]:
    """ANNOVAR's annotation of a record as entries of :data:`ANNOVAR_FIELDS`, numbered by ALT.

    Each ``ANNOVAR_DATE`` ... ``ALLELE_END`` block is one ALT (in order). An exonic change gives
    one entry per ``AAChange`` item (``GENE:TRANSCRIPT:exonN:c.X:p.Y``; ANNOVAR's ``X`` for a
    stop written ``*``), with the gene's ``ExonicFunc``; a splicing change one per
    ``GeneDetail`` item (``TRANSCRIPT:exonN:c.N+1G>A``), donor or acceptor only at +/-1 and 2;
    any other region one entry for the gene (none named for an intergenic change).
    """
    blocks: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for item in info.split(";"):
        key, _, value = item.partition("=")
        if key == "ANNOVAR_DATE":
            current = {}
            blocks.append(current)
        elif key == "ALLELE_END":
            current = None
        elif current is not None and key.endswith("." + database):
            current[key[: -len(database) - 1]] = _annovar_value(value)
    out: list[str] = []
    for n, block in enumerate(blocks, start=1):
        out.extend(_annovar_block(block, n))
    return out


def _annovar_block(block: dict[str, str], allele: int) -> list[str]:
    regions = [r for r in block.get("Func", "").split(";") if r]
    genes = [g for g in block.get("Gene", "").split(";") if g]
    exonic = _ANNOVAR_EXONIC.get(block.get("ExonicFunc", "").replace("_", " "), "")
    out: list[str] = []

    def entry(gene: str, feature: str, exon: str, c: str, p: str, terms: list[str]) -> None:
        conseq = "&".join(dict.fromkeys(t for t in terms if t))
        out.append(f"{gene}|{feature}|{exon}|{_annovar_hgvsc(c)}|{p}|{conseq}|{allele}")

    splicing = "splicing" in regions
    details = {
        parts[0]: parts for parts in (d.split(":") for d in block.get("GeneDetail", "").split(","))
    }
    changes = [c.split(":") for c in block.get("AAChange", "").split(",") if ":" in c]
    if "exonic" in regions and changes:
        for parts in changes:
            gene, feature = parts[0], parts[1] if len(parts) > 1 else ""
            exon = parts[2].removeprefix("exon") if len(parts) > 2 else ""
            c = parts[3] if len(parts) > 3 else ""
            p = parts[4].replace("X", "*") if len(parts) > 4 and parts[4].startswith("p.") else ""
            detail = details.get(feature, [])
            splice = _annovar_splice(detail[2]) if splicing and len(detail) >= 3 else ""
            entry(gene, feature, exon, c, p, [exonic, splice])
        return out
    if splicing and any(len(d) >= 3 for d in details.values()):
        for feature, parts in details.items():
            if len(parts) >= 3:
                exon = parts[1].removeprefix("exon")
                entry(genes[0] if genes else "", feature, exon, parts[2], "", [
                    _annovar_splice(parts[2])
                ])  # fmt: skip
        return out
    terms = [_ANNOVAR_REGION.get(r, "") for r in regions]
    if splicing:
        terms.append("splice_region_variant")  # no transcript detail: the exact site unknown
    if "exonic" in regions:
        terms.append(exonic)
    gene = "" if regions == ["intergenic"] or not genes else genes[0]
    entry(gene, "", "", "", "", terms)
    return out


def _annovar_database(info_keys: Sequence[str]) -> str | None:
    """The first gene-based database whose four columns the header declares."""
    keys = set(info_keys)
    for database in ANNOVAR_DATABASES:
        if all(f"{column}.{database}" in keys for column in ANNOVAR_COLUMNS):
            return database
    return None


def _vep_fields(description: str) -> list[str]:
    """The field names of VEP's ``Format: A|B|...`` header description (``[]``: none)."""
    m = re.search(r"Format:\s*([^\"]+)", description)
    return [f.strip() for f in m.group(1).strip().split("|")] if m else []


def annotation_from_header(header: VariantHeader) -> Annotation | None:
    info = header.info
    if "CSQ" in info:
        fields = _vep_fields(info["CSQ"].description or "")
        if not fields:
            raise AnnotationError(
                "the CSQ header line has no 'Format: ...' list of fields",
                hint="the CSQ INFO header must be the one VEP writes",
            )
        return Annotation("CSQ", fields)
    if "ANN" in info:
        # VEP writes its CSQ under ANN with --vcf_info_field ANN ("for compatibility with other
        # tools such as snpEff"): its Format list, not SnpEff's 16 fixed fields
        names = _vep_fields(info["ANN"].description or "")
        if "Consequence" in names:
            return Annotation("CSQ", names, key="ANN")
        return Annotation("ANN", ANN_FIELDS)
    if "EFF" in info:
        names, optional = _eff_fields(info["EFF"].description or "")
        return Annotation("EFF", names, optional)
    if "PAVE_TI" in info:
        return Annotation("PAVE_TI", _pave_fields(info["PAVE_TI"].description or ""))
    if "FUNCOTATION" in info:
        return Annotation("FUNCOTATION", _funcotator_fields(info["FUNCOTATION"].description or ""))
    database = _annovar_database(list(info)) if "ANNOVAR_DATE" in info else None
    if database is not None:
        return Annotation("ANNOVAR", ANNOVAR_FIELDS, database=database)
    return None


__all__ = [
    "ANNOVAR_FIELDS",
    "ANN_FIELDS",
    "Annotation",
    "annotation_from_header",
    "annovar_entries",
    "mane_select_ids",
    "vep_alleles",
]
