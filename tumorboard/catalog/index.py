"""The loaded catalog and its lookup indexes (built once per load, read on the hot path).

``Catalog.rules_for_gene(gene)`` is a dict lookup; genome-wide rules (MSI, TMB, HRD) are keyed by
their type. ``any_of`` rules are reached from their members (``any_of_parents``): when a member
fires, so does every ``any_of`` rule listing it (directly or through another ``any_of``).
Indications, resistance and evidence records are indexed by biomarker id and by drug.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from tumorboard.catalog.schema import (
    GENOME_WIDE_TYPES,
    AnyOfRule,
    BiomarkerRule,
    Drug,
    EvidenceRecord,
    HrdRule,
    Indication,
    MsiHighRule,
    Resistance,
    TmbHighRule,
    WildTypeRule,
)
from tumorboard.models import CatalogInfo

_R = TypeVar("_R", Indication, Resistance, EvidenceRecord)


@dataclass(slots=True)
class Catalog:
    """A validated, merged catalog with its indexes. Build it with :func:`load_catalog`."""

    info: CatalogInfo
    date: str = ""
    description: str = ""
    files: list[str] = field(default_factory=list)
    drugs: dict[str, Drug] = field(default_factory=dict)
    biomarkers: dict[str, BiomarkerRule] = field(default_factory=dict)
    indications: list[Indication] = field(default_factory=list)
    resistance: list[Resistance] = field(default_factory=list)
    evidence: list[EvidenceRecord] = field(default_factory=list)
    where: dict[str, str] = field(default_factory=dict)
    """Record id (drug, biomarker, indication, ...) -> ``file:line`` where it is defined."""
    by_gene: dict[str, list[BiomarkerRule]] = field(default_factory=dict)
    genome_wide: dict[str, list[BiomarkerRule]] = field(default_factory=dict)
    any_of_parents: dict[str, list[AnyOfRule]] = field(default_factory=dict)
    """Rule id -> the ``any_of`` rules listing it as a member."""
    indications_by_biomarker: dict[str, list[Indication]] = field(default_factory=dict)
    indications_by_drug: dict[str, list[Indication]] = field(default_factory=dict)
    resistance_by_biomarker: dict[str, list[Resistance]] = field(default_factory=dict)
    evidence_by_biomarker: dict[str, list[EvidenceRecord]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def sha256(self) -> str:
        return self.info.sha256

    def rules_for_gene(self, gene: str) -> list[BiomarkerRule]:
        """Gene-level biomarker rules for ``gene`` (empty list when none)."""
        return self.by_gene.get(gene, [])

    def genes(self) -> set[str]:
        """Every gene with at least one rule."""
        return set(self.by_gene)

    def build_index(self) -> None:
        """(Re)build every lookup dict from the record lists."""
        by_gene: dict[str, list[BiomarkerRule]] = defaultdict(list)
        genome_wide: dict[str, list[BiomarkerRule]] = defaultdict(list)
        for rule in self.biomarkers.values():
            if rule.type in GENOME_WIDE_TYPES:
                genome_wide[rule.type].append(rule)
            elif not isinstance(rule, (MsiHighRule, TmbHighRule, HrdRule, WildTypeRule, AnyOfRule)):
                for gene in rule.all_genes:
                    by_gene[gene].append(rule)
        self.by_gene = dict(by_gene)
        self.genome_wide = dict(genome_wide)
        parents: dict[str, list[AnyOfRule]] = defaultdict(list)
        for rule in self.biomarkers.values():
            if isinstance(rule, AnyOfRule):
                for member in dict.fromkeys(rule.rules):
                    parents[member].append(rule)
        self.any_of_parents = dict(parents)
        self.indications_by_biomarker = _group(self.indications, "biomarker")
        self.resistance_by_biomarker = _group(self.resistance, "biomarker")
        self.evidence_by_biomarker = _group(self.evidence, "biomarker")
        by_drug: dict[str, list[Indication]] = defaultdict(list)
        for ind in self.indications:
            for drug in ind.drugs:
                by_drug[drug].append(ind)
        self.indications_by_drug = dict(by_drug)


def _group(records: list[_R], attr: str) -> dict[str, list[_R]]:
    out: dict[str, list[_R]] = defaultdict(list)
    for record in records:
        out[getattr(record, attr)].append(record)
    return dict(out)


__all__ = ["Catalog"]
