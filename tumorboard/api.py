"""Entry points shared by the CLI and library users.

``analyse(inputs, options) -> CaseResult`` reads every input of one patient, restricts it to the
panel, matches the catalog and returns the whole case. ``iter_alterations`` streams alterations
for callers that want constant memory (e.g. TSV output of a whole genome). Nothing here prints or
exits the process.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tumorboard import __version__
from tumorboard.alterations import Alteration
from tumorboard.errors import GenomeBuildError, InputError
from tumorboard.models import (
    CaseResult,
    InputFile,
    Patient,
    RunOptions,
    Variant,
    trusted_variant,
)
from tumorboard.outputs import sha256_file
from tumorboard.readers.base import QCCounter, ReadResult

if TYPE_CHECKING:
    from tumorboard.matching import MatchOutcome

InputLike = str | Path
"""An input path; ``collect``/``analyse`` also take open files and iterables of records."""


Input = InputLike | IO[Any] | ReadResult | Iterable[Alteration]
"""What ``collect``/``analyse`` read: a path, an open file (or stdin), or in-memory records."""


def _as_source(item: Any, options: RunOptions) -> InputLike | ReadResult:
    """A path for a path or an open file (stdin: ``-``); a ReadResult for in-memory records.

    Records (an iterable of :class:`Alteration`, or a ready ``ReadResult``) are taken as they
    are: the caller chose them, so no panel restriction applies to them.
    """
    if isinstance(item, (str, Path, ReadResult)):
        return item
    if item is sys.stdin or item is getattr(sys.stdin, "buffer", None):
        return "-"
    if hasattr(item, "read"):
        name = getattr(item, "name", None)
        if isinstance(name, str) and Path(name).is_file():
            return name
        raise InputError(
            "an open file without a file name on disk cannot be read",
            where=repr(item)[:80],
            hint="pass its path, or write the data to a temporary file first",
        )
    try:
        records = list(item)
    except TypeError:
        records = None
    if records is None or not all(isinstance(a, Alteration) for a in records):
        raise InputError(
            f"cannot read an input of type {type(item).__name__}",
            hint="give a path, an open file, or an iterable of tumorboard.Alteration records",
        )
    qc = QCCounter(records_read=len(records))
    return ReadResult("records", "<records>", records, qc=qc, genome=options.genome)


@dataclass(slots=True)
class CollectedInputs:
    """Everything read for one patient, before matching."""

    results: list[ReadResult] = field(default_factory=list)
    genome: str | None = None
    panel: Any = None

    @property
    def alterations(self) -> list[Alteration]:
        return [a for r in self.results for a in r.alterations]


def _panel_for(spec: str, genome: str | None) -> Any:
    """The panel for ``genome``; with ``None`` a genes-only panel (restricts by gene symbol)."""
    from tumorboard.panels import load_panel

    return load_panel(spec, genome)


def _agree_genome(current: str | None, new: str | None, path: str) -> str | None:
    if current and new and current != new:
        raise GenomeBuildError(
            f"this input is {new} but an earlier input is {current}",
            where=path,
            hint="all inputs of one patient must be on the same genome build",
        )
    return current or new


def read_vcf(path: InputLike, options: RunOptions, *, index: str = "auto") -> ReadResult:
    """Read one VCF/BCF fully (panel-restricted) into a :class:`ReadResult`."""
    with open_vcf(path, options, index=index) as reader:
        alterations = list(reader)
        return ReadResult(
            kind="vcf",
            path=str(path),
            alterations=alterations,
            qc=reader.qc,
            sample=reader.sample,
            sample_rule=reader.sample_rule,
            genome=reader.genome,
            annotation=reader.annotation_kind,
            used_index=reader.used_index,
        )


@contextlib.contextmanager
def open_vcf(path: InputLike, options: RunOptions, *, index: str = "auto") -> Iterator[Any]:
    """Open a VCF restricted to the options' panel; yields the reader (iterate it once)."""
    from tumorboard.readers.vcf import VcfReader

    with VcfReader(
        path,
        sample=options.sample,
        genome=options.genome,
        include_filtered=options.include_filtered,
        index=index,
        require_annotation=False,  # unannotated input: hotspot table (tumorboard.hotspots)
    ) as reader:
        reader.restrict(_panel_for(options.panel, reader.genome))
        yield reader


def collect(
    inputs: Sequence[Input], options: RunOptions, *, index: str = "auto"
) -> CollectedInputs:
    """Read every input of one patient (variant files plus ``options.cnv``/``fusions``).

    Each input's format is sniffed (:func:`tumorboard.readers.detect.detect_format`): VCF/BCF,
    TSO500 CombinedVariantOutput, MAF, CNV or fusion files, in any combination.
    """
    from tumorboard.readers.detect import read_extra, read_input

    if not inputs and not options.cnv and not options.fusions:
        raise InputError("no input files given", hint="name at least one VCF or TSO500 file")
    out = CollectedInputs()
    for item in inputs:
        path = _as_source(item, options)
        if isinstance(path, ReadResult):
            result = path
        else:
            result = read_input(path, options, index=index, read_vcf=read_vcf)
        out.genome = _agree_genome(out.genome, result.genome, str(path))
        out.results.append(result)
    out.panel = _panel_for(options.panel, out.genome or options.genome)
    for result in read_extra(options, out.panel):
        out.genome = _agree_genome(out.genome, result.genome, result.path)
        out.results.append(result)
    return out


def _variant(
    a: Alteration, note: str = "", actionable: bool = False, biallelic: bool | None = None
) -> Variant:
    """The reported form of an alteration (built without re-validation: see trusted_variant)."""
    return trusted_variant(variant_dict(a, note, actionable, biallelic))


def variant_dict(
    a: Alteration, note: str = "", actionable: bool = False, biallelic: bool | None = None
) -> dict[str, Any]:
    """The fields of :class:`~tumorboard.models.Variant` for one alteration, as plain values."""
    return {
        "id": a.key,
        "gene": a.gene,
        "kind": a.kind,
        "label": a.label,
        "chrom": a.chrom,
        "pos": a.pos,
        "ref": a.ref,
        "alt": a.alt,
        "protein": a.protein,
        "protein_3": a.protein_3,
        "hgvsc": a.hgvsc,
        "transcript": a.transcript,
        "transcript_rule": a.transcript_rule,
        "consequences": list(a.consequences),
        "impact": a.impact,
        "exon": a.exon,
        "intron": a.intron,
        "vaf": round(a.vaf, 4) if a.vaf is not None else None,
        "vaf_source": a.vaf_source,
        "depth": a.depth,
        "filter": a.filter,
        "filtered": not a.is_passing,
        "copy_number": a.copy_number,
        "fold_change": a.fold_change,
        "gene3": a.gene3,
        "breakpoints": a.breakpoints,
        "supporting_reads": a.supporting_reads,
        "zygosity": a.zygosity,
        "biallelic": biallelic,
        "annotated": a.annotated,
        "source": a.source,
        "record": a.record,
        "actionable": actionable,
        "note": note,
    }


def _inputs(paths: Sequence[InputLike], kinds: Sequence[str]) -> list[InputFile]:
    files = []
    for path, kind in zip(paths, kinds, strict=True):
        p = str(path)
        digest = sha256_file(p) if p != "-" and Path(p).is_file() else None
        files.append(InputFile(path=p, kind=kind, sha256=digest))
    return files


@dataclass(slots=True)
class Analysis:
    """One analysed case before its variants are turned into models.

    ``case`` holds everything but the variants; ``variant_dicts()`` yields them as plain values
    (the annotate command streams them into its JSON without building a model per variant);
    ``result()`` gives the complete :class:`CaseResult`.
    """

    case: CaseResult
    alterations: list[Alteration]
    outcome: MatchOutcome
    biallelic: set[str]

    def variant_dicts(self) -> Iterator[dict[str, Any]]:
        notes_for, actionable = self.outcome.notes_for, self.outcome.actionable
        biallelic = self.biallelic
        for a in self.alterations:
            key = a.key
            yield variant_dict(
                a,
                note="; ".join(dict.fromkeys([*a.notes, *notes_for(a)])),
                actionable=key in actionable,
                biallelic=True if key in biallelic else None,
            )

    def result(self) -> CaseResult:
        with gc_paused():
            variants = [trusted_variant(d) for d in self.variant_dicts()]
            return self.case.model_copy(update={"variants": variants})


def analyse(inputs: Sequence[Input], options: RunOptions, *, index: str = "auto") -> CaseResult:
    """Analyse one patient's inputs and return the whole case (never exits the process)."""
    return prepare(inputs, options, index=index).result()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk read (restored afterwards).

    Reading a panel VCF allocates tens of thousands of small, acyclic, long-lived objects; each
    allocation burst makes the collector re-scan every live one (about a third of the read time
    at 40,000 variants). Reference counting still frees them; the few cycles other code may form
    meanwhile are collected once the collector is back on. Nests: an inner pause leaves an outer
    one in force.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def prepare(inputs: Sequence[Input], options: RunOptions, *, index: str = "auto") -> Analysis:
    """Read, restrict, match: everything :func:`analyse` does, with the variants still raw."""
    with gc_paused():
        return _prepare(inputs, options, index)


def _prepare(inputs: Sequence[Input], options: RunOptions, index: str) -> Analysis:
    from tumorboard.biomarkers import finish_case
    from tumorboard.catalog import load_catalog
    from tumorboard.matching import match_case
    from tumorboard.oncotree import OncoTree

    tree = OncoTree.load()
    node = tree.resolve(options.tumor_type)
    collected = collect(inputs, options, index=index)
    qc = QCCounter()
    for r in collected.results:
        qc.merge(r.qc)
    first = collected.results[0] if collected.results else None
    panel = collected.panel
    biomarkers, biallelic = finish_case(collected.results, panel, options, qc)
    catalog = load_catalog(options.catalog or None, options.catalog_extend, oncotree=tree)
    alterations = collected.alterations
    outcome = match_case(
        alterations, biomarkers, node.code, options.jurisdiction, catalog, tree, options
    )
    for item in outcome.not_assessable:
        if item not in qc.not_assessable:
            qc.not_assessable.append(item)
    patient = Patient(
        id=options.patient_id,
        tumor_type=node.code,
        tumor_type_name=node.name,
        lineage=[n.code for n in tree.lineage(node.code)],
        sample=first.sample if first else "",
    )
    case = CaseResult(
        tumorboard_version=__version__,
        created=datetime.now(timezone.utc),
        patient=patient,
        genome=collected.genome or options.genome or "",
        panel=getattr(panel, "name", options.panel),
        jurisdiction=options.jurisdiction,
        catalog=catalog.info,
        oncotree_version=tree.version,
        inputs=_inputs([r.path for r in collected.results], [r.kind for r in collected.results]),
        variants=[],
        biomarkers=biomarkers,
        matches=outcome.matches,
        qc=qc.to_model(
            records_reported=len(alterations),
            panel=getattr(panel, "name", options.panel),
            panel_genes=getattr(panel, "gene_count", 0),
            panel_footprint_bp=getattr(panel, "footprint_bp", None),
            genome=collected.genome or "",
            sample=first.sample if first else "",
            sample_rule=first.sample_rule if first else "",
            annotation=first.annotation if first else "",
            used_index=any(r.used_index for r in collected.results),
        ),
        command=options.command,
    )
    return Analysis(case, alterations, outcome, set(biallelic))


__all__ = [
    "Analysis",
    "CollectedInputs",
    "analyse",
    "collect",
    "gc_paused",
    "open_vcf",
    "prepare",
    "read_vcf",
    "variant_dict",
]
