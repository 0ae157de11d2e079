"""What every reader returns, and the QC counters readers fill while streaming."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tumorboard.alterations import Alteration
from tumorboard.models import QC, Biomarker, SkippedRecord


@dataclass(slots=True)
class QCCounter:
    """Mutable counters filled on the hot path, turned into a ``QC`` model at the end."""

    records_read: int = 0
    outside_panel: int = 0
    """Records read and left out for lying outside the panel (readers count these)."""
    filtered: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, str] = field(default_factory=dict)
    transcript_rules: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    not_assessable: list[str] = field(default_factory=list)

    @property
    def records_in_panel(self) -> int:
        """Records not left out for the panel (skipped and filtered ones included)."""
        return self.records_read - self.outside_panel

    def skip(self, reason: str, example: str = "") -> None:
        """Count one skipped record (never drop silently), remembering a first example."""
        self.skipped[reason] += 1
        if example and reason not in self.skipped_examples:
            self.skipped_examples[reason] = example

    def skipped_models(self) -> list[SkippedRecord]:
        return [
            SkippedRecord(reason=r, count=n, example=self.skipped_examples.get(r, ""))
            for r, n in sorted(self.skipped.items())
        ]

    def merge(self, other: QCCounter) -> None:
        self.records_read += other.records_read
        self.outside_panel += other.outside_panel
        self.filtered += other.filtered
        self.skipped.update(other.skipped)
        for k, v in other.skipped_examples.items():
            self.skipped_examples.setdefault(k, v)
        self.transcript_rules.update(other.transcript_rules)
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)
        self.not_assessable.extend(n for n in other.not_assessable if n not in self.not_assessable)

    def to_model(self, **extra: object) -> QC:
        return QC(
            records_read=self.records_read,
            records_in_panel=self.records_in_panel,
            filtered=self.filtered,
            skipped=self.skipped_models(),
            transcript_rules=dict(self.transcript_rules),
            warnings=list(self.warnings),
            not_assessable=list(self.not_assessable),
            **extra,
        )


@dataclass(slots=True)
class ReadResult:
    """The outcome of reading one input file."""

    kind: str
    """vcf, tso500, cnv, fusions, maf, ..."""
    path: str
    alterations: list[Alteration] = field(default_factory=list)
    biomarkers: list[Biomarker] = field(default_factory=list)
    qc: QCCounter = field(default_factory=QCCounter)
    sample: str = ""
    sample_rule: str = ""
    genome: str | None = None
    annotation: str = ""
    used_index: bool = False
    loh: dict[str, str] = field(default_factory=dict)
    """Genes with loss of heterozygosity (segment files), gene -> evidence; for bi-allelic marks."""
    call_set: str = ""
    """For TMB: ``panel`` when the reader saw that every record lies in the panel's targets (the
    panel assay's own call set, whose footprint is known), else why not (``""``: not stated;
    see :mod:`tumorboard.biomarkers`)."""
    distrust: dict[str, str] = field(default_factory=dict)
    """Tools whose values in this case cannot be relied on, tool -> why (a PURPLE QC failure):
    the case's biomarkers from that tool are ``unknown`` with the reason."""


__all__ = ["QCCounter", "ReadResult"]
