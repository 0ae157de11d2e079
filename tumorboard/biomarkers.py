"""Genome-wide biomarkers (TMB, MSI, HRD) and bi-allelic inactivation.

Each :class:`~tumorboard.models.Biomarker` states its value, its threshold and where it came from.
Precedence: a value given on the command line (``--tmb``, ``--msi``, ``--hrd``) wins over a value
in an input file (TSO500 ``[TMB]``/``[MSI]``/``[GIS]``, the biomarker files of
:mod:`tumorboard.readers.genome_wide`), which wins over a value computed here. Inputs that
disagree (one high or positive, the other low, stable or negative) make the biomarker
``unknown`` with both values (docs/domain.md §12); a command-line value that an input
contradicts is kept, with the input's value in its note.

**Where TMB is measurable.** A mutation count means something only over the footprint the
calls were made on. TMB is therefore computed only from the panel assay's own call set
(:func:`tmb_blockers`):

* a MAF never gives a TMB: it is a list of selected variants (filtered, often by consequence
  or by a study's rules), and the footprint it was called over is not stated;
* a VCF gives one only when the reader saw that every record lies inside the panel's targets
  (``ReadResult.call_set == "panel"``: streamed, no record outside the panel; or indexed, the
  index's record count per contig equals the records fetched in the panel's regions). A record
  outside the targets shows the file is another assay's call set (whole exome or genome): its
  calls were made and filtered for that assay, and a panel's TMB cut-off does not carry over
  to a count of them inside the panel's targets. A VCF restricted by gene symbol (no genome
  build) or read with ``--panel all`` has no known footprint either.

Otherwise TMB is ``unknown`` with the reason, and listed in ``qc.not_assessable``; ``--tmb``
(or the assay's own ``[TMB]`` value) is the way to give one (docs/domain.md §11).

**TMB rule** (computed only when no TMB is given, from annotated small variants, following the
TSO500/DRAGEN conventions): count distinct PASS small variants in the panel that

* are SNVs or indels (MNVs excluded) with a coding consequence (synonymous included),
* have VAF >= 5 % and depth >= 50 reads when the input states them,
* are not in the clonal-haematopoiesis genes ASXL1, DNMT3A, PPM1D, TET2,

and divide by the panel's coding footprint in megabases (``Panel.footprint_bp``; TSO500 GRCh38
coding exons 1.305 Mb, the same footprint used for GRCh37). Not applied, because the inputs do
not carry it: Illumina's exclusion of variants with a COSMIC count above 50 and its germline
database filter; run tumour/normal calls or give ``--tmb`` for a validated value. Unannotated
input cannot tell coding from non-coding variants, so TMB is then ``unknown``.

**Bi-allelic inactivation**: a loss-of-function variant (stop gained, frameshift, splice
donor/acceptor, start lost) is bi-allelic when the same gene also has loss of heterozygosity (a
segment with minor copy number 0, or the input's zygosity), a second loss-of-function variant,
or a deep deletion; a deep deletion alone is bi-allelic (both copies lost).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from tumorboard.alterations import (
    AMPLIFICATION,
    CODING_CONSEQUENCES,
    DELETION,
    MUTATION,
    TRUNCATING_CONSEQUENCES,
    Alteration,
)
from tumorboard.models import Biomarker, RunOptions

if TYPE_CHECKING:
    from tumorboard.panels import Panel
    from tumorboard.readers.base import ReadResult

TMB_MIN_VAF = 0.05
TMB_MIN_DEPTH = 50
CLONAL_HAEMATOPOIESIS_GENES = frozenset({"ASXL1", "DNMT3A", "PPM1D", "TET2"})
CLI = "command line"


def _fmt(value: float) -> str:
    return f"{value:g}"


def _thresholded(
    name: Literal["TMB", "MSI"],
    unit: str,
    value: float | None,
    threshold: float,
    low: str,
    source: str,
    note: str,
    missing: str,
) -> Biomarker:
    """A biomarker whose status is ``high`` at or above ``threshold``, else ``low``."""
    if value is None:
        return Biomarker(
            name=name, unit=unit, status="unknown", threshold=threshold, source=source,
            note=note or missing,
        )  # fmt: skip
    return Biomarker(
        name=name,
        value=round(value, 2),
        unit=unit,
        status="high" if value >= threshold else low,
        threshold=threshold,
        source=source,
        note=note,
    )


def tmb_from_value(
    value: float | None, options: RunOptions, source: str, note: str = ""
) -> Biomarker:
    """A TMB biomarker from a given value (mut/Mb) and the TMB-high threshold."""
    return _thresholded(
        "TMB", "mut/Mb", value, options.tmb_high, "low", source, note, "no TMB value in the input"
    )


def msi_from_percent(
    percent: float | None, options: RunOptions, source: str, note: str = ""
) -> Biomarker:
    """MSI status from the percentage of unstable sites (TSO500) and the MSI-high threshold."""
    return _thresholded(
        "MSI", "% unstable sites", percent, options.msi_high, "stable", source, note,
        "no percentage of unstable sites in the input",
    )  # fmt: skip


def hrd_from_gis(gis: float | None, options: RunOptions, source: str) -> Biomarker:
    """HRD status from a Genomic Instability Score and ``options.hrd_gis`` (default 42)."""
    if gis is None:
        return Biomarker(
            name="HRD",
            unit="GIS",
            status="unknown",
            threshold=options.hrd_gis,
            source=source,
            note="no Genomic Instability Score in the input",
        )
    status = "positive" if gis >= options.hrd_gis else "negative"
    return Biomarker(
        name="HRD",
        value=round(gis, 2),
        unit="GIS",
        status=status,
        threshold=options.hrd_gis,
        source=source,
    )


def _from_cli(options: RunOptions) -> dict[str, Biomarker]:
    out: dict[str, Biomarker] = {}
    if options.tmb is not None:
        out["TMB"] = tmb_from_value(options.tmb, options, f"{CLI} (--tmb {_fmt(options.tmb)})")
    if options.msi is not None:
        out["MSI"] = Biomarker(
            name="MSI", status=options.msi, source=f"{CLI} (--msi {options.msi})"
        )
    if options.hrd is not None:
        out["HRD"] = Biomarker(
            name="HRD", status=options.hrd, source=f"{CLI} (--hrd {options.hrd})"
        )
    return out


# --- TMB computation -----------------------------------------------------------------------------
def is_tmb_eligible(a: Alteration) -> bool:
    """Does this small variant count towards TMB (see the module docstring)?"""
    if a.kind != MUTATION or not a.annotated or not a.is_passing:
        return False
    if CODING_CONSEQUENCES.isdisjoint(a.consequences) or a.gene in CLONAL_HAEMATOPOIESIS_GENES:
        return False  # not coding (most of a panel's variants), or a CH gene
    ref, alt = a.ref, a.alt
    if len(ref) == len(alt) and len(ref) > 1:
        return False  # MNV
    vaf, depth = a.vaf, a.depth
    if vaf is not None and vaf < TMB_MIN_VAF:
        return False
    return not (depth is not None and depth < TMB_MIN_DEPTH)


def compute_tmb(
    alterations: Iterable[Alteration], panel: Panel | None, options: RunOptions
) -> Biomarker:
    """TMB from annotated small variants over the panel's coding footprint."""
    source = "computed from the small variants (tumorboard TMB rule)"
    footprint = getattr(panel, "footprint_bp", None)
    if not footprint:
        name = getattr(panel, "name", "none")
        return tmb_from_value(
            None,
            options,
            source,
            f"panel {name} has no coding footprint; "
            "give --tmb or use a panel with one (e.g. tso500)",
        )
    small = [a for a in alterations if a.kind == MUTATION]
    if small and not any(a.annotated for a in small):
        return tmb_from_value(
            None,
            options,
            source,
            "unannotated input: coding status unknown (annotate with VEP or SnpEff, or give --tmb)",
        )
    keys = {(a.chrom, a.pos, a.ref, a.alt) for a in small if is_tmb_eligible(a)}
    mb = footprint / 1e6
    note = (
        f"{len(keys)} eligible variants / {mb:.3f} Mb (PASS coding SNVs and indels, VAF >= "
        f"{TMB_MIN_VAF:g}, depth >= {TMB_MIN_DEPTH}, CH genes excluded; COSMIC and germline "
        "database filters not applied)"
    )
    return tmb_from_value(len(keys) / mb, options, source, note)


def tmb_blockers(results: Iterable[ReadResult]) -> list[str]:
    """Why the small-variant inputs cannot give a TMB (see the module docstring); ``[]`` when
    every one is the panel's own call set."""
    out = []
    for r in results:
        if r.kind == "maf":
            out.append(
                f"{r.path}: a MAF is a list of selected variants, not a call set whose "
                "footprint is known"
            )
        elif r.kind == "vcf" and r.call_set != "panel":
            reason = r.call_set or "the footprint the calls cover is not known"
            out.append(f"{r.path}: {reason}")
    return out


_SAYS = {"high": "high", "positive": "high", "stable": "low", "low": "low", "negative": "low"}


def _says(b: Biomarker) -> str:
    """What a biomarker says for matching: ``high`` (MSI-high, TMB-high, HRD-positive), ``low``
    or ``""`` (unknown)."""
    return _SAYS.get(b.status.lower(), "")


def _stated(b: Biomarker) -> str:
    value = f" ({_fmt(b.value)}{b.unit and ' ' + b.unit})" if b.value is not None else ""
    return f"{b.source}: {b.status}{value}"


def _noted(b: Biomarker, note: str) -> Biomarker:
    if not note or note in b.note:
        return b
    return b.model_copy(update={"note": f"{b.note}; {note}" if b.note else note})


_CONFIRM = {
    "MSI": "confirm MSI/MMR status with a validated test (MMR IHC or an MSI assay) and give --msi",
    "TMB": "confirm with a validated TMB and give --tmb",
    "HRD": "confirm with a validated HRD test and give --hrd",
}


def _disagree(seen: Sequence[Biomarker]) -> Biomarker:
    """Inputs that disagree (one high, another low): ``unknown``, never one of them silently;
    every value seen is in the note (a third input cannot settle it either)."""
    first = seen[0]
    same_unit = all(b.unit == first.unit for b in seen)
    return Biomarker(
        name=first.name,
        unit=first.unit if same_unit else "",
        status="unknown",
        threshold=first.threshold if same_unit else None,
        source="; ".join(b.source for b in seen),
        note="the inputs disagree: "
        + "; ".join(_stated(b) for b in seen)
        + f": {_CONFIRM[first.name]}",
        confirm=next((b.confirm for b in seen if b.confirm), ""),
    )


def resolve_biomarkers(
    from_inputs: Sequence[Biomarker],
    alterations: Sequence[Alteration],
    panel: Panel | None,
    options: RunOptions,
    *,
    small_variant_input: bool,
    blockers: Sequence[str] = (),
) -> list[Biomarker]:
    """TMB, MSI and HRD for the case: command line, then inputs, then computed TMB.

    ``blockers`` (:func:`tmb_blockers`) make a computed TMB ``unknown`` with their reasons.
    """
    chosen = _from_cli(options)
    given = set(chosen)
    disputed: dict[str, list[Biomarker]] = {}  # biomarker -> the known values seen so far
    for b in from_inputs:
        current = chosen.get(b.name)
        if current is None:
            chosen[b.name] = b
        elif b.name in given:
            if _says(b) and _says(b) != _says(current):
                chosen[b.name] = _noted(current, f"{_stated(b)}; the command line's value is used")
        elif b.name in disputed:
            if _says(b):
                disputed[b.name].append(b)
                chosen[b.name] = _disagree(disputed[b.name])
        elif current.status == "unknown" and b.status != "unknown":
            chosen[b.name] = _noted(b, current.note and f"{current.source}: {current.note}")
        elif b.status != "unknown" and _says(b) != _says(current):
            disputed[b.name] = [current, b]
            chosen[b.name] = _disagree(disputed[b.name])
        elif b.status != "unknown" and (b.value, b.source) != (current.value, current.source):
            chosen[b.name] = _noted(current, f"also {_stated(b)}")
    if "TMB" not in chosen and small_variant_input:
        if blockers:
            chosen["TMB"] = tmb_from_value(
                None,
                options,
                "not assessable: the inputs are not the panel's own call set",
                "; ".join(blockers) + "; give --tmb (a validated TMB) or the assay's own value",
            )
        else:
            chosen["TMB"] = compute_tmb(alterations, panel, options)
    return [chosen[k] for k in ("TMB", "MSI", "HRD") if k in chosen]


# --- bi-allelic inactivation ---------------------------------------------------------------------
def is_loss_of_function(a: Alteration) -> bool:
    """Stop gained, frameshift, splice donor/acceptor, start lost (by SO term or protein)."""
    if a.kind != MUTATION or not a.is_passing:
        return False
    if not TRUNCATING_CONSEQUENCES.isdisjoint(a.consequences):
        return True
    protein = a.protein
    return bool(protein) and (protein.endswith("*") or "fs" in protein)


def is_deep_deletion(a: Alteration, options: RunOptions) -> bool:
    if a.kind != DELETION:
        return False
    return a.copy_number is None or a.copy_number < options.deep_deletion_copy_number


def mark_biallelic(
    alterations: Sequence[Alteration], loh: dict[str, str], options: RunOptions
) -> dict[str, str]:
    """Mark bi-allelic inactivation per gene; returns alteration key -> reason (also a note)."""
    by_gene: dict[str, list[Alteration]] = {}
    for a in alterations:
        kind = a.kind
        if (kind == MUTATION and is_loss_of_function(a)) or (
            kind == DELETION and is_deep_deletion(a, options)
        ):
            by_gene.setdefault(a.gene, []).append(a)
    marks: dict[str, str] = {}
    for gene, hits in by_gene.items():
        lof_by_key = {a.key: a for a in hits if a.kind == MUTATION}
        lof = list(lof_by_key.items())
        deep = [a for a in hits if a.kind == DELETION]
        for a in deep:
            marks[a.key] = "deep deletion (both copies lost)"
        for i, (key, a) in enumerate(lof):
            other = lof[1][1] if i == 0 and len(lof) > 1 else (lof[0][1] if i else None)
            reason = _second_hit(a, other, deep, loh.get(gene, ""))
            if reason:
                marks[key] = reason
    for hits in by_gene.values():  # every marked alteration is one of these
        for a in hits:
            mark = marks.get(a.key)
            if mark is not None:
                a.notes.append(f"bi-allelic: {mark}")
    return marks


def _second_hit(a: Alteration, other: Alteration | None, deep: list[Alteration], loh: str) -> str:
    """Why ``a`` is bi-allelic: another loss-of-function variant of the gene, a deep deletion,
    or loss of heterozygosity; ``""`` when there is no second hit."""
    if other is not None:
        return f"second loss-of-function variant {other.label}"
    if deep:
        return "loss-of-function variant with a deep deletion of the gene"
    if loh:
        if not a.zygosity:
            a.zygosity = "LOH"  # the gene's LOH, as matching reads it from the variant
        return f"loss-of-function variant with {loh}"
    if a.zygosity in ("LOH", "homozygous"):
        return f"loss-of-function variant, {a.zygosity} in the input"
    return ""


def merge_duplicates(results: Sequence[ReadResult]) -> int:
    """Keep one alteration per key across inputs (the annotated one with a protein change first).

    The same variant often arrives twice (TSO500 CVO and its VCF, a fusion in the CVO and in a
    fusion file); the kept one notes the other sources. Returns how many were dropped.
    """
    best: dict[str, Alteration] = {}
    total = 0
    for r in results:
        total += len(r.alterations)
        for a in r.alterations:
            key = a.key
            kept = best.get(key)
            if kept is None or _rank(a) < _rank(kept):
                best[key] = a
    if len(best) == total:
        return 0  # every key once: nothing to merge
    dropped = 0
    for r in results:
        keep = []
        for a in r.alterations:
            winner = best[a.key]
            if winner is a:
                keep.append(a)
                continue
            dropped += 1
            note = f"also reported by {a.source}:{a.record}"
            if note not in winner.notes:
                winner.notes.append(note)
        r.alterations[:] = keep
    return dropped


def drop_conflicting_copy_numbers(results: Sequence[ReadResult]) -> list[str]:
    """Remove the copy-number calls of a gene called both amplified and deeply deleted (by one
    input's rows, or by two inputs): neither can be trusted, so no rule on them is assessed.
    Returns the ``qc.not_assessable`` lines naming each such gene and where its calls came from.
    """
    kinds: dict[str, dict[str, list[Alteration]]] = {}
    for r in results:
        for a in r.alterations:
            if a.kind in (AMPLIFICATION, DELETION):
                kinds.setdefault(a.gene, {}).setdefault(a.kind, []).append(a)
    conflicting = {g for g, by_kind in kinds.items() if len(by_kind) == 2}
    if not conflicting:
        return []
    lines = []
    for gene in sorted(conflicting):
        calls = "; ".join(
            f"{a.kind} at {a.source}:{a.record}{_level(a)}"
            for kind in (AMPLIFICATION, DELETION)
            for a in kinds[gene][kind]
        )
        lines.append(
            f"{gene} copy number contradicts itself ({calls}): neither call is reported, and "
            f"rules on {gene} amplification or deletion were not assessed; check the "
            "copy-number calls"
        )
    for r in results:
        r.alterations[:] = [
            a
            for a in r.alterations
            if not (a.gene in conflicting and a.kind in (AMPLIFICATION, DELETION))
        ]
    return lines


def _level(a: Alteration) -> str:
    if a.copy_number is not None:
        return f", copy number {a.copy_number:g}"
    if a.fold_change is not None:
        return f", fold change {a.fold_change:g}"
    return ""


def _rank(a: Alteration) -> tuple[int, int]:
    return (0 if a.annotated else 1, 0 if a.protein else 1)


__all__ = [
    "CLONAL_HAEMATOPOIESIS_GENES",
    "TMB_MIN_DEPTH",
    "TMB_MIN_VAF",
    "compute_tmb",
    "drop_conflicting_copy_numbers",
    "hrd_from_gis",
    "is_deep_deletion",
    "is_loss_of_function",
    "is_tmb_eligible",
    "mark_biallelic",
    "merge_duplicates",
    "msi_from_percent",
    "resolve_biomarkers",
    "tmb_blockers",
    "tmb_from_value",
]
