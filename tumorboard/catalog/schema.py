"""The drug catalog schema: pydantic models for every catalog YAML file.

A catalog is a manifest (``catalog.yaml``: name, version, date, description, ``files``) plus data
files. Every data file is a mapping with any of five sections, so a small extension catalog can be
one file holding all of them:

``drugs``
    INN (lower case, the id), synonyms, brand names, ATC code, targets, class.
``biomarkers``
    Named biomarker rules (``BRAF_V600E``, ``EGFR_EX19DEL``, ``MSI_H``). ``type`` selects the rule:
    ``exact`` (protein changes), ``codon`` (any protein-altering change at a position, optionally
    restricted to some alternative amino acids), ``region`` (exon and/or codon range with a
    consequence group: EGFR exon 19 in-frame deletions, exon 20 insertions, MET exon 14 skipping),
    ``mutation`` (any protein-altering change in a gene, optionally per consequence group),
    ``loss_of_function`` (truncating, splice, deep deletion; optionally bi-allelic),
    ``amplification`` (thresholds), ``deletion`` (deep deletion), ``fusion`` (any partner or named
    partners), ``wild_type`` (documentation only: labels such as "RAS wild-type" never fire a
    match, because absence cannot be read from a variant list), ``msi_high``, ``tmb_high``
    (threshold) and ``hrd``.
``indications``
    One approval: drug or combination x biomarker x tumour types (OncoTree codes, or
    tumour-agnostic) minus exclusions x jurisdiction, with approval date and source.
``resistance``
    Biomarker -> drugs it predicts resistance to, in a scope of tumour types, with sources.
``evidence``
    Off-label and investigational evidence (trial, guideline, case series) with ESCAT and OncoKB
    levels; used when no approval applies.

Every model forbids unknown keys (``extra="forbid"``), so a typo is an error with file and line.
Dates are ISO strings (``YYYY-MM-DD``, or ``YYYY-MM`` for publications).
"""

# No ``from __future__ import annotations`` here: pydantic would compile and evaluate every
# annotation string when the classes are created, about 2 ms of every run's start-up.

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tumorboard.errors import excerpt

ESCAT_LEVELS = ("I-A", "I-B", "I-C", "II-A", "II-B", "III-A", "III-B", "IV", "V", "X")
ONCOKB_LEVELS = ("1", "2", "3A", "3B", "4", "R1", "R2")
EscatLevel = Literal["I-A", "I-B", "I-C", "II-A", "II-B", "III-A", "III-B", "IV", "V", "X"]
OncoKbLevel = Literal["1", "2", "3A", "3B", "4", "R1", "R2"]
Jurisdiction = Literal["EMA", "FDA"]

_DATE = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
_FULL_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_GENE = r"^[A-Z0-9][A-Z0-9-]*$"
_CODE = r"^[A-Z0-9_]+$"
_INN = r"^[a-z0-9][a-z0-9 -]*[a-z0-9]$"


def _date_str(value: object) -> object:
    """Accept ``datetime.date`` (plain ``yaml.safe_load``) as well as ISO strings."""
    return value.isoformat() if isinstance(value, date) else value


IsoDate = Annotated[
    str,
    BeforeValidator(_date_str),
    Field(pattern=_DATE, description="ISO date, YYYY-MM-DD (or YYYY-MM)"),
]
Gene = Annotated[str, Field(pattern=_GENE, description="HGNC symbol")]
OncoTreeCode = Annotated[str, Field(pattern=_CODE, description="OncoTree code, e.g. NSCLC")]
DrugId = Annotated[str, Field(pattern=_INN, description="Drug id: INN in lower case")]
RuleId = Annotated[str, Field(pattern=_ID, description="Biomarker rule id, e.g. BRAF_V600E")]


class _Strict(BaseModel):
    # Built on first validation, not at import (``CatalogFile`` builds every nested model).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class CatalogSource(_Strict):
    """Where a record comes from: an SmPC/EPAR, an FDA label, a guideline, a trial, a paper."""

    kind: Literal["EMA", "FDA", "guideline", "trial", "publication", "CIViC", "other"]
    document: str = Field(min_length=3, description="e.g. 'Tafinlar SmPC (EPAR)'")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    date: IsoDate = Field(description="Date of the approval, label version or publication")
    identifier: str | None = Field(
        default=None, description="EMEA/H/C/..., NDA/BLA number, NCT, PMID, DOI"
    )


class Drug(_Strict):
    """One drug; its id is the INN in lower case (``dabrafenib``)."""

    id: DrugId
    synonyms: list[str] = Field(default_factory=list, description="Code names, other spellings")
    brands: list[str] = Field(default_factory=list, description="Brand names (Tafinlar)")
    atc: str | None = Field(default=None, pattern=r"^[A-Z]\d\d[A-Z][A-Z]\d\d$")
    targets: list[Gene] = Field(default_factory=list)
    drug_class: str = Field(min_length=3, description="e.g. 'BRAF inhibitor'")


class _Rule(_Strict):
    id: RuleId
    name: str = Field(min_length=2, description="Display name, e.g. 'BRAF V600E'")
    description: str = ""


class _GeneRule(_Rule):
    gene: Gene | None = Field(default=None, description="The gene (or use genes)")
    genes: list[Gene] = Field(
        default_factory=list, description="Several genes sharing the rule (NTRK1/2/3 fusions)"
    )

    @model_validator(mode="after")
    def _one_gene_field(self) -> "_GeneRule":
        if (self.gene is None) == (not self.genes):
            raise ValueError("give either gene or genes (exactly one)")
        return self

    @property
    def all_genes(self) -> tuple[str, ...]:
        """Every gene this rule looks at."""
        return (self.gene,) if self.gene else tuple(self.genes)


class ExactRule(_GeneRule):
    """Exact protein change(s), one-letter without ``p.`` (``V600E``, ``E746_A750del``)."""

    type: Literal["exact"]
    changes: list[str] = Field(min_length=1)


class CodonRule(_GeneRule):
    """Any protein-altering change at the codon(s); ``alternatives`` restricts the new residue."""

    type: Literal["codon"]
    codons: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)
    alternatives: list[str] = Field(
        default_factory=list, description="Allowed new amino acids (one letter); empty = any"
    )


ConsequenceGroup = Literal[
    "inframe_deletion",
    "inframe_insertion",
    "inframe_indel",
    "missense",
    "protein_altering",
    "truncating",
    "splice_site",
]


class RegionRule(_GeneRule):
    """Exon and/or codon range with a consequence group (EGFR exon 19 in-frame deletions).

    ``exons`` is checked first; when the alteration has no exon number, the codon range is the
    fallback. Splice-site variants count when they sit in ``exons`` or ``introns``.
    ``rna_splice_exon`` also accepts an RNA splice variant skipping that exon (MET exon 14).
    """

    type: Literal["region"]
    exons: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    introns: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    codon_start: int | None = Field(default=None, ge=1)
    codon_end: int | None = Field(default=None, ge=1)
    consequences: list[ConsequenceGroup] = Field(min_length=1)
    rna_splice_exon: int | None = None

    @model_validator(mode="after")
    def _has_region(self) -> "RegionRule":
        if not self.exons and not self.introns and self.codon_start is None:
            raise ValueError("a region rule needs exons, introns or codon_start/codon_end")
        if (self.codon_start is None) != (self.codon_end is None):
            raise ValueError("codon_start and codon_end go together")
        if self.codon_start and self.codon_end and self.codon_end < self.codon_start:
            raise ValueError("codon_end is before codon_start")
        return self


class MutationRule(_GeneRule):
    """Any protein-altering mutation of the gene in the given consequence groups.

    Oncogenicity is not assessed by tumorboard: matches from this rule say so.
    """

    type: Literal["mutation"]
    consequences: list[ConsequenceGroup] = Field(default_factory=lambda: ["protein_altering"])  # type: ignore[arg-type]


class LossOfFunctionRule(_GeneRule):
    """Truncating or splice-site variants, or a deep deletion; ``biallelic`` needs a second hit."""

    type: Literal["loss_of_function"]
    biallelic: bool = False
    include_deep_deletion: bool = True


class AmplificationRule(_GeneRule):
    """Copy-number gain at or above a threshold (else the run's defaults)."""

    type: Literal["amplification"]
    min_copy_number: float | None = Field(default=None, gt=0)
    min_fold_change: float | None = Field(default=None, gt=0)


class DeletionRule(_GeneRule):
    """Deep (homozygous) deletion of the gene."""

    type: Literal["deletion"]


class FusionRule(_GeneRule):
    """A fusion involving ``gene`` (either side) with any partner, or with one of ``partners``.

    A named pair is ``gene`` + ``partners`` (either orientation).
    """

    type: Literal["fusion"]
    partners: list[Gene] = Field(default_factory=list)


class AnyOfRule(_Rule):
    """Any of several named rules ("activating EGFR mutations": exon 19 deletions, L858R,
    G719X, L861Q, S768I...). The documented list lives in the rule's ``description``."""

    type: Literal["any_of"]
    rules: list[RuleId] = Field(min_length=2, description="Ids of the rules it combines")


class WildTypeRule(_Rule):
    """Documentation only (e.g. 'RAS wild-type'): never fires, absence is not observable here."""

    type: Literal["wild_type"]
    genes: list[Gene] = Field(min_length=1)


class MsiHighRule(_Rule):
    type: Literal["msi_high"]
    dmmr: bool = Field(default=True, description="dMMR (IHC) is accepted as equivalent")


class TmbHighRule(_Rule):
    type: Literal["tmb_high"]
    threshold: float = Field(default=10.0, gt=0, description="mut/Mb")


class HrdRule(_Rule):
    type: Literal["hrd"]


BiomarkerRule = Annotated[
    ExactRule
    | CodonRule
    | RegionRule
    | MutationRule
    | LossOfFunctionRule
    | AmplificationRule
    | DeletionRule
    | FusionRule
    | AnyOfRule
    | WildTypeRule
    | MsiHighRule
    | TmbHighRule
    | HrdRule,
    Field(discriminator="type"),
]
BIOMARKER_TYPES = (
    "exact",
    "codon",
    "region",
    "mutation",
    "loss_of_function",
    "amplification",
    "deletion",
    "fusion",
    "any_of",
    "wild_type",
    "msi_high",
    "tmb_high",
    "hrd",
)
GENOME_WIDE_TYPES = ("msi_high", "tmb_high", "hrd")


class _Scoped(_Strict):
    """Tumour-type scope: listed OncoTree codes, or tumour-agnostic, minus exclusions."""

    tumor_types: list[OncoTreeCode] = Field(
        default_factory=list, description="OncoTree codes; descendants are covered"
    )
    tumor_agnostic: Literal["solid", "all"] | None = Field(
        default=None, description="'solid': every solid tumour; 'all': every tumour"
    )
    exclude: list[OncoTreeCode] = Field(
        default_factory=list, description="Codes (and their descendants) not covered"
    )

    @model_validator(mode="after")
    def _one_scope(self) -> "_Scoped":
        if bool(self.tumor_types) == bool(self.tumor_agnostic):
            raise ValueError("give either tumor_types or tumor_agnostic (exactly one)")
        return self


RequirementKind = Literal[
    "germline", "somatic", "ihc", "ish", "prior_therapy", "line", "histology", "other"
]


class Requirement(_Strict):
    """A label condition the molecular data cannot show, which the board must confirm.

    ``germline``: the label names germline (or somatic) origin; ``ihc``/``ish``: a protein or
    in-situ marker (HER2 IHC 3+, CD117); ``prior_therapy``/``line``: treatment history;
    ``histology``: a histological subtype the OncoTree code does not pin down. Age and grade have
    their own fields (:class:`Indication`), because patient data can contradict them.
    """

    kind: RequirementKind
    text: str = Field(
        min_length=5,
        description="What to confirm, in words, e.g. 'germline origin of the BRCA1/2 variant'",
    )


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


class Indication(_Scoped):
    """One regulatory approval (one jurisdiction, one biomarker, one drug or combination)."""

    id: RuleId
    drugs: list[DrugId] = Field(min_length=1, description="A combination lists every drug")
    biomarker: RuleId
    jurisdiction: Jurisdiction
    approval_date: IsoDate = Field(description="EC decision / FDA approval of this indication")
    approval_type: Literal["full", "conditional", "accelerated", "exceptional"] = "full"
    line_of_therapy: str = Field(default="", description="e.g. 'after platinum chemotherapy'")
    conditions: str = Field(default="", description="Other label conditions, in words")
    review: str = Field(
        default="",
        description="How the record was checked against the agency's text: what could not be "
        "verified (wording, decision day) and where the wording was read. Provenance for the "
        "board, never a label condition",
    )
    escat: EscatLevel = Field(default="I-A", description="I-A randomised, I-B single-arm, ...")
    label_text: str = Field(
        default="",
        description="The agency's own indication sentence(s) this record encodes, verbatim "
        "(FDA label section 1 / EU SmPC section 4.1)",
    )
    biomarker_words: str = Field(
        default="", description="The label's words for the biomarker (part of label_text)"
    )
    tumor_words: str = Field(
        default="", description="The label's words for the tumour (part of label_text)"
    )
    min_age_years: float | None = Field(
        default=None, ge=0, description="Youngest patients the label covers ('adult': 18)"
    )
    max_age_years: float | None = Field(
        default=None, gt=0, description="Oldest patients the label covers ('paediatric': 18)"
    )
    grades: list[Annotated[int, Field(ge=1, le=4)]] = Field(
        default_factory=list, description="Tumour grades the label names (WHO); empty = any"
    )
    requires: list[Requirement] = Field(
        default_factory=list,
        description="Label conditions the molecular data cannot show (germline origin, IHC, "
        "prior therapy...): the match is 'on-label if' these are confirmed",
    )
    sources: list[CatalogSource] = Field(min_length=1)

    @model_validator(mode="after")
    def _words_in_label(self) -> "Indication":
        for name in ("biomarker_words", "tumor_words"):
            words = getattr(self, name)
            if words and not self.label_text:
                raise ValueError(f"{name} needs label_text (the sentence it is taken from)")
            if words and _squash(words) not in _squash(self.label_text):
                raise ValueError(f"{name} {excerpt(words, 60)} is not part of label_text")
        if (
            self.min_age_years is not None
            and self.max_age_years is not None
            and self.max_age_years <= self.min_age_years
        ):
            raise ValueError("max_age_years must be above min_age_years")
        return self


class LabelRequirement(_Strict):
    """A label condition a resistance marker violates, in words, with its source.

    ``text`` names the agency, the condition and the section, e.g. "EMA label requires RAS
    wild-type (Vectibix SmPC 4.1)". A resistant match under that agency is then ``off-label``
    and says so; an on-label sensitive option of the drug is refused, because the label itself
    excludes this patient.
    """

    jurisdiction: Jurisdiction
    drugs: list[DrugId] = Field(
        default_factory=list, description="The drugs whose label says it (empty: every drug)"
    )
    text: str = Field(min_length=10, description="The condition in words, with its source")


class Resistance(_Scoped):
    """A biomarker predicting resistance to drugs within a scope of tumour types."""

    id: RuleId
    biomarker: RuleId
    drugs: list[DrugId] = Field(min_length=1, description="Each drug is flagged separately")
    monotherapy_only: bool = Field(
        default=False,
        description="Resistance to the drug given alone (BRAF inhibitor alone in colorectal "
        "cancer); combinations containing it are not flagged",
    )
    oncokb: Literal["R1", "R2"] = "R1"
    escat: EscatLevel = "I-A"
    summary: str = Field(min_length=3)
    label_requirement: list[LabelRequirement] = Field(
        default_factory=list,
        description="Label conditions this marker violates, per agency (where labels speak)",
    )
    context: list[RuleId] = Field(
        default_factory=list,
        description="Biomarker ids of the setting the resistance applies in (MET amplification "
        "against EGFR TKIs: the EGFR-activating mutations); when the case fires none of them, "
        "the flag stays and says so",
    )
    context_text: str = Field(
        default="", description="That setting in words, e.g. 'EGFR-mutant NSCLC'"
    )
    sources: list[CatalogSource] = Field(min_length=1)

    @model_validator(mode="after")
    def _requirement_drugs(self) -> "Resistance":
        for req in self.label_requirement:
            extra = sorted(set(req.drugs) - set(self.drugs))
            if extra:
                raise ValueError(f"label_requirement names drugs not in drugs: {extra}")
        if bool(self.context) != bool(self.context_text.strip()):
            raise ValueError("context and context_text go together (the ids and their words)")
        return self


class EvidenceRecord(_Scoped):
    """Off-label or investigational evidence (trial, guideline, case series, preclinical)."""

    id: RuleId
    drugs: list[DrugId] = Field(min_length=1)
    biomarker: RuleId
    effect: Literal["sensitive", "resistant"] = "sensitive"
    kind: Literal["trial", "guideline", "case_series", "case_report", "preclinical", "other"]
    escat: EscatLevel
    oncokb: OncoKbLevel | None = None
    summary: str = Field(min_length=3)
    sources: list[CatalogSource] = Field(min_length=1)


class CatalogFile(_Strict):
    """One catalog data file: any of the five sections."""

    drugs: list[Drug] = Field(default_factory=list)
    biomarkers: list[BiomarkerRule] = Field(default_factory=list)
    indications: list[Indication] = Field(default_factory=list)
    resistance: list[Resistance] = Field(default_factory=list)
    evidence: list[EvidenceRecord] = Field(default_factory=list)


class CatalogManifest(_Strict):
    """``catalog.yaml``: the catalog's identity and its data files (globs allowed, sorted)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str = Field(min_length=1)
    date: Annotated[str, BeforeValidator(_date_str), Field(pattern=_FULL_DATE)]
    description: str = ""
    licence: str = ""
    files: list[str] = Field(min_length=1)


class CatalogDocument(CatalogFile):
    """The whole catalog as one document (what ``tumorboard schema catalog`` describes)."""

    name: str
    version: str
    date: str = ""
    description: str = ""


__all__ = [
    "BIOMARKER_TYPES",
    "ESCAT_LEVELS",
    "GENOME_WIDE_TYPES",
    "ONCOKB_LEVELS",
    "AmplificationRule",
    "AnyOfRule",
    "BiomarkerRule",
    "CatalogDocument",
    "CatalogFile",
    "CatalogManifest",
    "CatalogSource",
    "CodonRule",
    "DeletionRule",
    "Drug",
    "EvidenceRecord",
    "ExactRule",
    "FusionRule",
    "HrdRule",
    "Indication",
    "LabelRequirement",
    "LossOfFunctionRule",
    "MsiHighRule",
    "MutationRule",
    "RegionRule",
    "Requirement",
    "Resistance",
    "TmbHighRule",
    "WildTypeRule",
]
