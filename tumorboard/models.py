"""Frozen pydantic models at tumorboard's boundaries (JSON output, reports, registry input).

Built only for what is reported, never per VCF record. ``CaseResult`` is the whole case: the
JSON sidecar, the report context and the registry's input are all this one object.
"""

# No ``from __future__ import annotations`` here: pydantic would compile and evaluate every
# annotation string when the classes are created, about 2 ms of every run's start-up.

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import pandas as pd

    from tumorboard.alterations import Alteration

from tumorboard.labelstatus import Label

Jurisdiction = Literal["EMA", "FDA"]
Effect = Literal["sensitive", "resistant"]


class _Frozen(BaseModel):
    # defer_build: validators and serializers are built on first use, not at import; a run
    # needs only the few models it validates or writes (``CaseResult`` builds its nested ones).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Source(_Frozen):
    """Where a claim comes from: a label, a guideline, a trial or a publication."""

    kind: str = Field(description="EMA, FDA, guideline, trial, publication, CIViC, ...")
    document: str = Field(description="e.g. 'Tafinlar SmPC (EPAR)', 'NCCN NSCLC v3.2024'")
    url: str | None = None
    date: str = Field(description="ISO date (YYYY-MM-DD or YYYY-MM) of the approval/version")
    identifier: str | None = Field(default=None, description="PMID, NCT, EMEA/H/C number...")


class Evidence(_Frozen):
    """Evidence level of a match, on its primary scale, with equivalents where known."""

    scale: str = Field(description="Primary scale, 'ESCAT'")
    level: str = Field(description="Level on that scale, e.g. 'I-A', 'III-A'")
    oncokb: str | None = Field(default=None, description="OncoKB-like level: 1, 2, 3A, 3B, 4, R1")
    amp: str | None = Field(default=None, description="AMP/ASCO/CAP tier: I-A, I-B, II-C, II-D")
    rank: int = Field(description="Sort key; lower is stronger evidence")


class Variant(_Frozen):
    """One reported alteration (small variant, CNV, fusion, splice variant).

    The one definition of a reported variant: the case JSON (:func:`variant_dict`), the TSV
    columns (:data:`TSV_COLUMNS`) and the cohort registry's rebuilt alterations
    (:func:`tumorboard.cohorts.link.alteration_from_variant`) all follow these fields. Every
    field that is not computed (:data:`COMPUTED_FIELDS`) is an attribute of the same name of
    :class:`tumorboard.alterations.Alteration`.
    """

    id: str = Field(description="Stable key within the case, referenced by matches")
    gene: str
    kind: str
    label: str = Field(description="Short human label, e.g. 'BRAF V600E'")
    chrom: str = ""
    pos: int = 0
    ref: str = ""
    alt: str = ""
    transcript: str = ""
    transcript_rule: str = ""
    hgvsc: str = ""
    protein: str = ""
    protein_3: str = ""
    protein_source: str = Field(
        default="",
        description="hgvsp, vep_fields, snpeff_fields, input, hotspot_table, or '' (none)",
    )
    consequences: list[str] = Field(default_factory=list)
    impact: str = ""
    exon: int | None = None
    intron: int | None = None
    vaf: float | None = None
    vaf_source: str = ""
    depth: int | None = None
    filter: str = "PASS"
    filtered: bool = False
    annotated: bool = True
    copy_number: float | None = None
    fold_change: float | None = None
    gene3: str = ""
    breakpoints: str = ""
    supporting_reads: int | None = None
    zygosity: str = ""
    biallelic: bool | None = Field(default=None, description="True when a second hit/LOH is seen")
    source: str = ""
    record: int = 0
    actionable: bool = False
    note: str = Field(default="", description="Why not actionable, or other remarks")


COMPUTED_FIELDS = frozenset(
    {"id", "consequences", "vaf", "filtered", "biallelic", "actionable", "note"}
)
"""Variant fields computed when a variant is reported (the others are Alteration attributes)."""

COPIED_FIELDS = tuple(name for name in Variant.model_fields if name not in COMPUTED_FIELDS)
"""Variant fields copied from the :class:`~tumorboard.alterations.Alteration` attribute of the
same name, in the model's order."""

NOT_IN_TSV = frozenset(
    {"id", "label", "impact", "filtered", "breakpoints", "supporting_reads", "zygosity"}
    | {"biallelic", "source", "record"}
)
TSV_COLUMNS: tuple[str, ...] = tuple(
    col
    for name in Variant.model_fields
    if name not in NOT_IN_TSV
    for col in (("matches", name) if name == "note" else (name,))
)
"""``annotate --format tsv`` columns: the Variant fields in their order, plus ``matches``."""


def variant_dict(
    a: "Alteration", note: str = "", actionable: bool = False, biallelic: bool | None = None
) -> dict[str, Any]:
    """The fields of :class:`Variant` for one alteration, as plain values (no validation): the
    copied fields in the model's order, then ``id``, ``consequences``, ``vaf`` (rounded to 4
    places), ``filtered``, ``biallelic``, ``actionable`` and ``note``.

    Spelled out as one dict display, which Python builds from a constant key tuple: 2.8 us
    per variant against 3.8 us for ``dict(zip(names, attrgetter(*names)(a)))`` (timeit), and
    28,000 against 33,500 instructions (valgrind), on the largest single step of writing a
    40,000-variant case. ``tests/test_hot_paths.py`` holds its keys to
    :data:`COPIED_FIELDS` + the computed ones, in the model's order.
    """
    vaf = a.vaf
    return {
        "gene": a.gene,
        "kind": a.kind,
        "label": a.label,
        "chrom": a.chrom,
        "pos": a.pos,
        "ref": a.ref,
        "alt": a.alt,
        "transcript": a.transcript,
        "transcript_rule": a.transcript_rule,
        "hgvsc": a.hgvsc,
        "protein": a.protein,
        "protein_3": a.protein_3,
        "protein_source": a.protein_source,
        "impact": a.impact,
        "exon": a.exon,
        "intron": a.intron,
        "vaf_source": a.vaf_source,
        "depth": a.depth,
        "filter": a.filter,
        "annotated": a.annotated,
        "copy_number": a.copy_number,
        "fold_change": a.fold_change,
        "gene3": a.gene3,
        "breakpoints": a.breakpoints,
        "supporting_reads": a.supporting_reads,
        "zygosity": a.zygosity,
        "source": a.source,
        "record": a.record,
        "id": a.key,
        "consequences": list(a.consequences),
        "vaf": round(vaf, 4) if vaf is not None else None,
        "filtered": not a.is_passing,
        "biallelic": biallelic,
        "actionable": actionable,
        "note": note,
    }


class Biomarker(_Frozen):
    """A genome-wide biomarker: TMB, MSI or HRD."""

    name: Literal["TMB", "MSI", "HRD"]
    value: float | None = None
    unit: str = ""
    status: str = Field(description="high / low / stable / positive / negative / unknown")
    threshold: float | None = None
    source: str = Field(description="Where the value came from, e.g. 'TSO500 [TMB] section'")
    note: str = ""
    confirm: str = Field(
        default="",
        description="What an on-label claim resting on this biomarker must confirm because of "
        "how it was measured (e.g. an HRD call by another method than the label's test); "
        "empty when nothing",
    )


class Match(_Frozen):
    """One catalog match for this patient: a drug option (or a resistance flag)."""

    gene: str
    biomarker: str = Field(description="e.g. 'BRAF V600E', 'ERBB2 amplification', 'MSI-high'")
    drugs: list[str] = Field(description="Lower-case INNs; a combination lists all")
    label: Label
    effect: Effect
    jurisdiction: Jurisdiction
    evidence: Evidence
    rule: str = Field(description="In words: which biomarker rule fired and why the label holds")
    sources: list[Source]
    variants: list[str] = Field(default_factory=list, description="Variant ids it came from")
    indication_id: str | None = Field(default=None, description="Catalog record that fired")
    approved_tumor_types: list[str] = Field(
        default_factory=list, description="OncoTree codes of the approval (or 'SOLID')"
    )
    conditions: str = Field(default="", description="Line of therapy and other label conditions")
    review: str = Field(
        default="",
        description="The catalog record's review note: what of it could not be checked against "
        "the agency's text (wording, decision day). Provenance, not a label condition",
    )
    notes: list[str] = Field(default_factory=list)
    requires: list[str] = Field(
        default_factory=list,
        description="What the board must confirm for an on-label claim, in words (germline "
        "origin, IHC, prior therapy, age or grade not given...): 'on-label if' these hold",
    )
    label_text: str = Field(
        default="",
        description="The label status as it must be shown: 'on-label if <conditions>' when "
        "requires is non-empty, else the label itself",
    )
    agency_status: list[str] = Field(
        default_factory=list,
        description="What the catalog holds, one line per agency, the run's jurisdiction first "
        "('EMA: approved for MEL, NSCLC' / 'EMA: no approval in the catalog for this biomarker "
        "and drug(s)')",
    )
    resistance_level: Literal["R1", "R2"] | None = Field(
        default=None,
        description="Sensitive options only: the strongest resistance marker (OncoKB level) "
        "found against one of its drugs; such options rank after unaffected ones",
    )

    @model_validator(mode="before")
    @classmethod
    def _label_text(cls, data: Any) -> Any:
        """Derive ``label_text`` when it is not given (cases written before it existed)."""
        if isinstance(data, dict) and not data.get("label_text"):
            data = dict(data)
            data["label_text"] = label_text(str(data.get("label", "")), data.get("requires") or [])
        return data


def label_text(label: str, requires: list[str]) -> str:
    """``on-label if A; B`` when an on-label claim needs confirming, else ``label``."""
    if label == "on-label" and requires:
        return "on-label if " + "; ".join(requires)
    return label


class CatalogInfo(_Frozen):
    name: str
    version: str
    sha256: str


class InputFile(_Frozen):
    path: str
    kind: str = Field(description="vcf, tso500, cnv, fusions, maf, ...")
    sha256: str | None = None


class SkippedRecord(_Frozen):
    reason: str
    count: int
    example: str = ""


class QC(_Frozen):
    """What was read, kept, filtered and skipped, and what could not be assessed."""

    records_read: int = 0
    records_in_panel: int = Field(
        default=0,
        description="Records not left out for lying outside the panel (skipped and filtered "
        "ones included); records_read - records_in_panel are outside it",
    )
    records_reported: int = 0
    filtered: int = Field(default=0, description="Records failing FILTER (dropped or flagged)")
    skipped: list[SkippedRecord] = Field(default_factory=list)
    transcript_rules: dict[str, int] = Field(default_factory=dict)
    panel: str = ""
    panel_genes: int = 0
    panel_footprint_bp: int | None = None
    genome: str = ""
    sample: str = ""
    sample_rule: str = Field(default="", description="--sample, ##tumor_sample, only sample")
    annotation: str = Field(default="", description="VEP CSQ, SnpEff ANN, none (hotspots only)")
    used_index: bool = False
    not_assessable: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class Patient(_Frozen):
    id: str
    tumor_type: str = Field(description="OncoTree code")
    tumor_type_name: str = ""
    lineage: list[str] = Field(default_factory=list, description="Codes from TISSUE down")
    sample: str = ""
    sex: str | None = None
    age: int | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class CohortStatus(_Frozen):
    """Cohort availability for one match or the case (filled from the registry)."""

    cohort_id: str
    status: str = Field(description="enrolled / waitlisted / proposed / eligible / none ...")
    stage: int | None = None
    slots_left: int | None = None
    stage_size: int | None = None
    queue_position: int | None = None
    text: str = Field(default="", description="In words, for the report")
    drugs: list[str] = Field(
        default_factory=list, description="The cohort's drug(s); links it to a match's drugs"
    )
    biomarker: str = Field(default="", description="The cohort's molecular profile, if known")


class CaseResult(_Frozen):
    """The whole case: what the JSON sidecar holds and what the report renders."""

    tumorboard_version: str
    created: datetime
    patient: Patient
    genome: str = ""
    panel: str = ""
    jurisdiction: Jurisdiction = "EMA"
    catalog: CatalogInfo
    oncotree_version: str = ""
    inputs: list[InputFile] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    biomarkers: list[Biomarker] = Field(default_factory=list)
    matches: list[Match] = Field(default_factory=list)
    cohorts: list[CohortStatus] = Field(default_factory=list)
    qc: QC = Field(default_factory=QC)
    command: str = ""
    top_option: Match | None = Field(
        default=None,
        description="The strongest sensitive option (tumorboard.ranking.top_option): the one "
        "the report summary, the agenda, summary.tsv and cohort assignment name. Always "
        "recomputed from matches, which are kept in ranked order",
    )

    @model_validator(mode="after")
    def _ranked(self) -> "CaseResult":
        """Keep ``matches`` in :func:`tumorboard.ranking.rank_matches` order, and ``top_option``
        its first sensitive option, however the case was built or read."""
        from tumorboard.ranking import rank_matches, top_of

        ranked = rank_matches(self.matches)
        object.__setattr__(self, "matches", ranked)
        object.__setattr__(self, "top_option", top_of(ranked))
        return self

    def to_frame(self, kind: Literal["variants", "matches"] = "variants") -> "pd.DataFrame":
        """This case's variants or matches as a pandas DataFrame (``tumorboard[tables]``)."""
        from tumorboard.frames import case_frame

        return case_frame(self, kind)


class RunOptions(_Frozen):
    """Everything a run needs; built by the CLI and by library callers alike."""

    tumor_type: str = Field(description="OncoTree code of the patient's tumour")
    patient_id: str = "anonymous"
    sample: str | None = Field(
        default=None,
        description="This patient's sample in multi-sample files (VCF column, MAF/CNA/fusion "
        "sample id; tables also take a TCGA barcode prefix)",
    )
    panel: str = Field(default="tso500", description="tso500, all, or a .bed / .txt path")
    genome: Literal["GRCh37", "GRCh38"] | None = Field(
        default=None, description="Expected genome build; checked against the input header"
    )
    include_filtered: bool = False
    helpers: bool = Field(
        default=True,
        description="Use a second CPU through short-lived helper processes where the machine "
        "gives one (Linux, 2+ CPUs): results are the same without them",
    )
    index: Literal["auto", "require", "never"] = Field(
        default="auto",
        description="VCF index: use one when present (auto), require one, or stream (never)",
    )
    jurisdiction: Jurisdiction = "EMA"
    catalog: list[str] = Field(
        default_factory=list, description="Catalog paths replacing the bundled one"
    )
    catalog_extend: list[str] = Field(
        default_factory=list, description="Catalog paths added to the bundled (or given) one"
    )
    cnv: list[str] = Field(default_factory=list, description="CNV files (TSV, VCF, segments)")
    fusions: list[str] = Field(default_factory=list, description="Fusion files (TSV, VCF BND)")
    tmb: float | None = Field(
        default=None, ge=0, lt=10_000, allow_inf_nan=False, description="TMB (mut/Mb) given"
    )
    msi: Literal["high", "stable"] | None = None
    hrd: Literal["positive", "negative"] | None = None
    patient_age: float | None = Field(
        default=None,
        ge=0,
        lt=130,
        description="Age in years (patient file 'age'); checked "
        "against the age limits of labels, unknown makes such a match 'on-label if'",
    )
    tumor_grade: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="WHO grade (patient file 'grade'); checked against "
        "labels naming a grade, unknown makes such a match 'on-label if'",
    )
    tmb_high: float = Field(
        default=10.0, gt=0, allow_inf_nan=False, description="TMB-high threshold, mut/Mb"
    )
    msi_high: float = Field(
        default=20.0, gt=0, le=100, allow_inf_nan=False, description="MSI-high threshold, %"
    )
    amp_copy_number: float = Field(
        default=6.0, gt=0, allow_inf_nan=False, description="Amplification: copy number >="
    )
    amp_fold_change: float = Field(
        default=2.0, gt=0, allow_inf_nan=False, description="Amplification: fold change >="
    )
    deep_deletion_copy_number: float = Field(
        default=0.5, gt=0, allow_inf_nan=False, description="Deep deletion: CN <"
    )
    hrd_gis: float = Field(
        default=42.0,
        gt=0,
        allow_inf_nan=False,
        description="HRD-positive: Genomic Instability Score >= (TSO500 [GIS])",
    )
    min_fusion_reads: int = Field(
        default=2,
        ge=0,
        description="Fusion files: calls with fewer supporting reads are counted, not reported "
        "(2: the minimum STAR-Fusion and Arriba report by default)",
    )
    command: str = Field(default="", description="Command line, recorded in provenance")


__all__ = [
    "COMPUTED_FIELDS",
    "QC",
    "TSV_COLUMNS",
    "Biomarker",
    "CaseResult",
    "CatalogInfo",
    "CohortStatus",
    "Effect",
    "Evidence",
    "InputFile",
    "Jurisdiction",
    "Label",
    "Match",
    "Patient",
    "RunOptions",
    "SkippedRecord",
    "Source",
    "Variant",
    "label_text",
    "variant_dict",
]
