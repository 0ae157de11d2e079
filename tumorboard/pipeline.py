"""One patient from input files to written outputs: the road every front end walks.

``run(inputs, options, patient=..., registry=..., outputs=...)`` is called by ``annotate``,
``report``, ``batch``, ``demo`` and the library's :func:`tumorboard.analyse`. Its steps are
functions named for what they do, run in this order:

==============  ===================================================================================
step            what it does
==============  ===================================================================================
``read``        every input (positional, ``--cnv``, ``--fusions``) through its reader
                (:mod:`tumorboard.readers`); all inputs must agree on the genome build
``hotspots``    catalog hotspot alleles by genomic coordinate for unannotated VCFs
``merge``       one alteration reported by several inputs (CVO and its VCF) is kept once
``biomarkers``  TMB, MSI and HRD from the options, the assay's own values or the call set
``biallelic``   second hits, LOH and deep deletions per gene
``match``       catalog rules and label status per jurisdiction (:mod:`tumorboard.matching`)
``case``        the case document: patient, provenance, QC (variants stay raw until written)
``patient``     the patient file's details (age, sex, assay...)
``cohorts``     cohort availability from the registry
``write``       JSON, TSV and HTML outputs, all or nothing (:mod:`tumorboard.outputs`)
==============  ===================================================================================

Nothing here prints, exits the process or touches the garbage collector; the CLI pauses the
collector around its own call (``cli._base.gc_paused``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tumorboard import __version__
from tumorboard.alterations import UNREAD_PROTEIN, Alteration
from tumorboard.errors import GenomeBuildError, InputError
from tumorboard.models import CaseResult, InputFile, Patient, RunOptions, Variant, variant_dict
from tumorboard.outputs import FileDigests
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.writers import VariantRows

if TYPE_CHECKING:
    from tumorboard.catalog import Catalog
    from tumorboard.decisions.views import DecisionState
    from tumorboard.matching import MatchOutcome
    from tumorboard.models import Biomarker
    from tumorboard.oncotree import OncoNode, OncoTree
    from tumorboard.panels import Panel


@dataclass(frozen=True, slots=True)
class Declared:
    """An input whose kind the caller states (``vcf``, ``maf``, ``tso500``, ``cnv``, ``fusions``:
    a samplesheet's column); its content must agree (:data:`tumorboard.readers.DECLARED_KINDS`)."""

    path: str
    kind: str


Input = str | Path | Declared | IO[Any] | ReadResult | Iterable[Alteration]
"""What a run reads: a path, a declared path, an open file (or stdin), or in-memory records."""


# --- read ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class Inputs:
    """Everything read for one patient, before matching."""

    results: list[ReadResult] = field(default_factory=list)
    genome: str | None = None
    panel: Panel | None = None

    @property
    def alterations(self) -> list[Alteration]:
        return [a for r in self.results for a in r.alterations]


def _as_source(item: Input, options: RunOptions) -> str | Declared | ReadResult:
    """A path for a path or an open file (stdin: ``-``); a ReadResult for in-memory records.

    Records (an iterable of :class:`Alteration`, or a ready ``ReadResult``) are taken as they
    are: the caller chose them, so no panel restriction applies to them.
    """
    if isinstance(item, (ReadResult, Declared)):
        return item
    if isinstance(item, (str, Path)):
        return str(item)
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


def _agree_genome(current: str | None, new: str | None, path: str) -> str | None:
    if current and new and current != new:
        raise GenomeBuildError(
            f"this input is {new} but an earlier input is {current}",
            where=path,
            hint="all inputs of one patient must be on the same genome build",
        )
    return current or new


def read(inputs: Sequence[Input], options: RunOptions) -> Inputs:
    """Step ``read``: every input of one patient (plus ``options.cnv`` and ``options.fusions``).

    Each file's kind is sniffed from its content and read by the reader the table in
    :mod:`tumorboard.readers` names for it.
    """
    from tumorboard.panels import load_panel
    from tumorboard.readers import read as read_file

    if not inputs and not options.cnv and not options.fusions:
        raise InputError("no input files given", hint="name at least one VCF or TSO500 file")
    out = Inputs()
    for item in inputs:
        source = _as_source(item, options)
        panel = load_panel(options.panel, options.genome)
        if isinstance(source, ReadResult):
            result = source
        elif isinstance(source, Declared):
            role = source.kind if source.kind in ("cnv", "fusions") else "input"
            result = read_file(source.path, options, panel, role, declared=source.kind)  # type: ignore[arg-type]
        else:
            result = read_file(source, options, panel)
        out.genome = _agree_genome(out.genome, result.genome, result.path)
        out.results.append(result)
    out.panel = load_panel(options.panel, out.genome or options.genome)
    extra = [(p, "cnv") for p in options.cnv] + [(p, "fusions") for p in options.fusions]
    for path, role in extra:
        result = read_file(str(path), options, out.panel, role)  # type: ignore[arg-type]
        out.genome = _agree_genome(out.genome, result.genome, result.path)
        out.results.append(result)
    return out


# --- the steps after reading --------------------------------------------------------------------
def hotspots(found: Inputs, qc: QCCounter) -> None:
    """Step ``hotspots``: catalog hotspot alleles by coordinate for unannotated VCFs, and for
    MAF rows that give coordinates but no protein change."""
    for r in found.results:
        if r.kind == "maf":
            panel_build = found.panel.genome if found.panel is not None else None
            _maf_proteins(r, found.genome or panel_build, qc)
            continue
        if r.kind != "vcf" or r.annotation != "none":
            continue
        if r.genome is None:  # --panel all: no coordinates were needed to read it
            raise GenomeBuildError(
                "an unannotated VCF is matched by genomic coordinate, and neither its header "
                "nor its records state the genome build",
                where=r.path,
                hint="pass --genome GRCh37 or --genome GRCh38 (tumorboard then checks it "
                "against the REF bases at its hotspot positions)",
            )
        from tumorboard.hotspots import UNANNOTATED_NOTE, annotate_hotspots  # unannotated only

        unresolved: list[str] = []
        count = annotate_hotspots(r.alterations, r.genome, unresolved)
        if UNANNOTATED_NOTE not in qc.not_assessable:
            qc.not_assessable.append(UNANNOTATED_NOTE)
        qc.not_assessable.extend(f"{r.path}: {u} (annotate with VEP or SnpEff)" for u in unresolved)
        qc.warnings.append(
            f"{r.path}: no VEP/SnpEff annotation; {count} catalog hotspot allele(s) "
            "found by genomic coordinate"
        )
        r.annotation = "none (hotspots only)"


def _maf_proteins(r: ReadResult, genome: str | None, qc: QCCounter) -> None:
    from tumorboard.hotspots import proteins_from_hotspots

    build = r.genome or genome
    filled, left = proteins_from_hotspots(r.alterations, build)
    if filled:
        qc.warnings.append(
            f"{r.path}: {filled} row(s) without a protein change are catalog hotspot alleles "
            "by genomic coordinate (protein change from the hotspot table)"
        )
    unread = [a for a in left if any(n.endswith(UNREAD_PROTEIN) for n in a.notes)]
    missing = [a for a in left if a not in unread]
    why = (
        "not catalog hotspot alleles at their coordinates"
        if build
        else "no genome build (NCBI_Build or --genome) to look their coordinates up"
    )
    if missing:
        qc.not_assessable.append(
            f"{r.path}: {len(missing)} variant(s) with coordinates but no protein change "
            f"({_genes_shown(missing)}): exact and codon rules (e.g. BRAF V600E) not assessable "
            f"for them ({why}); give HGVSp_Short or Protein_Change"
        )
        for a in missing:
            a.notes.append("no protein change in the MAF: exact and codon rules not assessable")
    if unread:
        qc.not_assessable.append(
            f"{r.path}: {len(unread)} variant(s) whose protein change could not be read "
            f"({_genes_shown(unread)}; the variant notes quote it): exact, codon and region rules "
            f"not assessable for them ({why}); give the change in HGVS form (HGVSp_Short)"
        )


def _genes_shown(alterations: list[Alteration]) -> str:
    genes = sorted({a.gene for a in alterations})
    return ", ".join(genes[:8]) + (f" and {len(genes) - 8} more" if len(genes) > 8 else "")


def merge(found: Inputs, qc: QCCounter) -> None:
    """Step ``merge``: an alteration reported more than once is kept once (noted); a gene
    called both amplified and deeply deleted keeps neither call (not assessable)."""
    from tumorboard.biomarkers import drop_conflicting_copy_numbers, merge_duplicates

    dropped = merge_duplicates(found.results)
    if dropped:
        qc.warnings.append(
            f"{dropped} alteration(s) reported more than once were merged (see notes)"
        )
    for line in drop_conflicting_copy_numbers(found.results):
        if line not in qc.not_assessable:
            qc.not_assessable.append(line)


def biomarkers(found: Inputs, options: RunOptions, qc: QCCounter | None = None) -> list[Biomarker]:
    """Step ``biomarkers``: TMB, MSI and HRD (options > the assay's values > computed).

    TMB is computed only from a call set whose footprint is known
    (:func:`tumorboard.biomarkers.tmb_blockers`); otherwise it is not assessable, and
    ``qc.not_assessable`` says why, as it does for any biomarker an input leaves unknown (a
    refused value, a tool that could not call it, inputs that disagree).
    """
    from tumorboard.biomarkers import resolve_biomarkers, tmb_blockers

    distrust = {tool: why for r in found.results for tool, why in r.distrust.items()}
    markers = resolve_biomarkers(
        [_distrusted(b, distrust) for r in found.results for b in r.biomarkers],
        found.alterations,
        found.panel,
        options,
        small_variant_input=any(r.kind in ("vcf", "maf") for r in found.results),
        blockers=tmb_blockers(found.results),
    )
    unknown = [f"{b.name}: {b.note}" for b in markers if b.status == "unknown" and b.note]
    if qc is not None:
        qc.not_assessable.extend(n for n in unknown if n not in qc.not_assessable)
    return markers


def _distrusted(b: Biomarker, distrust: dict[str, str]) -> Biomarker:
    """``b`` as ``unknown`` when its tool's values cannot be relied on in this case (a PURPLE QC
    failure), with the reason; else ``b``."""
    why = next((w for tool, w in distrust.items() if b.source.startswith(tool + " ")), "")
    if not why or b.status == "unknown":
        return b
    return b.model_copy(update={"status": "unknown", "note": f"{why}: not assessed"})


def biallelic(found: Inputs, options: RunOptions) -> dict[str, str]:
    """Step ``biallelic``: alteration key -> why it is bi-allelic (also noted on it)."""
    from tumorboard.biomarkers import mark_biallelic

    loh: dict[str, str] = {}
    for r in found.results:
        loh.update(r.loh)
    return mark_biallelic(found.alterations, loh, options)


def match(
    alterations: Sequence[Alteration],
    markers: Sequence[Biomarker],
    code: str,
    options: RunOptions,
    catalog: Catalog,
    tree: OncoTree,
) -> MatchOutcome:
    """Step ``match``: catalog rules and label status for the patient's tumour type."""
    from tumorboard.matching import match_case

    return match_case(alterations, markers, code, options.jurisdiction, catalog, tree, options)


# --- the case -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Analysis:
    """One analysed case whose variants are still raw alterations.

    ``case`` holds everything but the variants; :meth:`variant_dicts` yields them as plain
    values (annotate streams them into its output without building a model per variant);
    :meth:`result` gives the complete :class:`CaseResult`.
    """

    case: CaseResult
    alterations: list[Alteration]
    outcome: MatchOutcome
    biallelic: set[str]

    def variant_dicts(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """The variants ``start:stop`` (all by default) as plain dicts, in order."""
        note_text, actionable = self.outcome.note_text, self.outcome.actionable
        marked = self.biallelic
        for a in self.alterations[start:stop]:
            key = a.key
            yield variant_dict(a, note_text(a), key in actionable, True if key in marked else None)

    def variant_rows(self, helpers: bool = True) -> VariantRows:
        """The variants for the writers (any stretch of them: :class:`VariantRows`)."""
        return VariantRows(len(self.alterations), self.variant_dicts, helpers)

    def result(self) -> CaseResult:
        """The whole case, variants included (validated models)."""
        variants = [Variant.model_construct(**d) for d in self.variant_dicts()]
        return self.case.model_copy(update={"variants": variants})


def _input_files(results: Sequence[ReadResult], digests: FileDigests) -> list[InputFile]:
    files = []
    for r in results:
        digest = digests.get(r.path) if r.path != "-" and Path(r.path).is_file() else None
        files.append(InputFile(path=r.path, kind=r.kind, sha256=digest))
    return files


def _sample_rules(results: Sequence[ReadResult]) -> str:
    """How each input's sample was chosen: the rule alone for one input, else ``file: rule``."""
    rules = [(Path(r.path).name, r.sample_rule) for r in results if r.sample_rule]
    if len(rules) == 1 and len(results) == 1:
        return rules[0][1]
    return "; ".join(f"{name}: {rule}" for name, rule in rules)


def _absence_caveats(found: Inputs, qc: QCCounter, options: RunOptions) -> list[str]:
    """What the case cannot show absent: records that failed FILTER (not reported, so a
    resistance marker among them is not ruled out), and inputs that hold no record at all (an
    empty or failed assay, not a negative result)."""
    out = []
    if qc.filtered and not options.include_filtered:
        out.append(
            f"{qc.filtered} record(s) failing FILTER were not assessed: a variant among them is "
            "not ruled out (e.g. RAS wild-type, the condition of anti-EGFR antibodies, is not "
            "established by this case); --include-filtered reports them"
        )
    empty = [r.path for r in found.results if r.path and r.qc.records_read == 0]
    if empty:
        out.append(
            f"no record in {', '.join(Path(p).name for p in empty)}: an empty or failed assay "
            "result, not a negative one; no alteration can be ruled out from it"
        )
    return out


def _file_names(inputs: Sequence[Input], options: RunOptions) -> list[str]:
    """The run's input files named by path (positional, ``--cnv``, ``--fusions``)."""
    names = [
        i.path if isinstance(i, Declared) else str(i)
        for i in inputs
        if isinstance(i, (str, Path, Declared))
    ]
    return [*names, *options.cnv, *options.fusions]


def analyse(inputs: Sequence[Input], options: RunOptions) -> Analysis:
    """Steps ``read`` to ``case``: one patient's inputs analysed, variants still raw."""
    from tumorboard.oncotree import OncoTree

    tree = OncoTree.load()
    node = tree.resolve(options.tumor_type)
    digests = FileDigests(_file_names(inputs, options))  # hashed while they are read
    try:
        return _analyse(inputs, options, tree, node, digests)
    finally:
        digests.close()


def _analyse(
    inputs: Sequence[Input],
    options: RunOptions,
    tree: OncoTree,
    node: OncoNode,
    digests: FileDigests,
) -> Analysis:
    from tumorboard.catalog import load_catalog

    found = read(inputs, options)
    qc = QCCounter()
    for r in found.results:
        qc.merge(r.qc)
    hotspots(found, qc)
    merge(found, qc)
    markers = biomarkers(found, options, qc)
    marks = biallelic(found, options)
    catalog = load_catalog(options.catalog or None, options.catalog_extend, oncotree=tree)
    alterations = found.alterations
    outcome = match(alterations, markers, node.code, options, catalog, tree)
    for item in [*outcome.not_assessable, *_absence_caveats(found, qc, options)]:
        if item not in qc.not_assessable:
            qc.not_assessable.append(item)
    first = found.results[0] if found.results else None
    panel = found.panel
    panel_name = panel.name if panel is not None else options.panel
    case = CaseResult(
        tumorboard_version=__version__,
        created=datetime.now(timezone.utc),
        patient=Patient(
            id=options.patient_id,
            tumor_type=node.code,
            tumor_type_name=node.name,
            lineage=[n.code for n in tree.lineage(node.code)],
            sample=first.sample if first else "",
        ),
        genome=found.genome or options.genome or "",
        panel=panel_name,
        jurisdiction=options.jurisdiction,
        catalog=catalog.info,
        oncotree_version=tree.version,
        inputs=_input_files(found.results, digests),
        variants=[],
        biomarkers=markers,
        matches=outcome.matches,
        qc=qc.to_model(
            records_reported=len(alterations),
            panel=panel_name,
            panel_genes=panel.gene_count if panel is not None else 0,
            panel_footprint_bp=panel.footprint_bp if panel is not None else None,
            genome=found.genome or "",
            sample=first.sample if first else "",
            sample_rule=_sample_rules(found.results),
            annotation=first.annotation if first else "",
            used_index=any(r.used_index for r in found.results),
        ),
        command=options.command,
    )
    return Analysis(case, alterations, outcome, set(marks))


# --- patient, cohorts, outputs ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outputs:
    """The files a run writes (``None``: not wanted; ``-``: standard output)."""

    json: str | None = None
    tsv: str | None = None
    html: str | None = None
    lang: str = "en"
    templates: str | None = None

    def paths(self) -> list[str]:
        return [p for p in (self.json, self.tsv, self.html) if p is not None]


@dataclass(slots=True)
class CaseRun:
    """What :func:`run` produced: the analysis, the finished case (when built) and the files."""

    analysis: Analysis
    case: CaseResult | None = None
    written: list[Path] = field(default_factory=list)
    decision: DecisionState | None = None
    """The board's decision from the registry (the report's decision section)."""

    def result(self) -> CaseResult:
        """The whole case (built once)."""
        if self.case is None:
            self.case = self.analysis.result()
        return self.case


def with_patient_limits(options: RunOptions, path: str | Path) -> RunOptions:
    """The options with the patient file's age and grade (``patient_age``, ``tumor_grade``)
    where the options do not set them: labels' age and grade limits are checked against them."""
    from tumorboard.casefile import patient_limits

    found = {k: v for k, v in patient_limits(path).items() if getattr(options, k) is None}
    return options.model_copy(update=found) if found else options


def patient(analysis: Analysis, path: str | Path, cli_id: str) -> None:
    """Step ``patient``: the patient file's details in the case header."""
    from tumorboard.casefile import apply_patient

    analysis.case = apply_patient(analysis.case, path, cli_id=cli_id)


def cohorts(run_: CaseRun, registry: str) -> None:
    """Step ``cohorts``: cohort availability and the board's decision from the registry."""
    from tumorboard.casefile import add_cohort_status

    run_.case = add_cohort_status(run_.result(), registry)
    from tumorboard.decisions.store import registry_decision

    run_.decision = registry_decision(registry, run_.case.patient.id)


def write(
    run_: CaseRun, outputs: Outputs, inputs: Sequence[str], helpers: bool = True
) -> list[Path]:
    """Step ``write``: every wanted output, all or nothing (never over an input); ``helpers``:
    whether a helper process may write part of a large case (``RunOptions.helpers``)."""
    from tumorboard.outputs import OutputSet
    from tumorboard.writers import write_case_json, write_variants_tsv

    if not outputs.paths():
        return []
    full = run_.case
    case = full if full is not None else run_.analysis.case

    def variants() -> VariantRows:
        if full is None:
            return run_.analysis.variant_rows(helpers)
        dumped = full.variants

        def rows(start: int, stop: int) -> Iterator[dict[str, Any]]:
            return (v.model_dump() for v in dumped[start:stop])

        return VariantRows(len(dumped), rows, helpers)

    with OutputSet(outputs.paths(), inputs=inputs) as out:
        if outputs.json is not None:
            with out.open(outputs.json) as fh:
                write_case_json(case, variants(), fh)
        if outputs.tsv is not None:
            with out.open(outputs.tsv) as fh:
                write_variants_tsv(case.matches, variants(), fh)
        if outputs.html is not None:
            from tumorboard.report import render_html

            html = render_html(
                run_.result(),
                lang=outputs.lang,
                templates=outputs.templates,
                decision=run_.decision,
            )
            with out.open(outputs.html) as fh:
                fh.write(html)
    return out.written


def run(
    inputs: Sequence[Input],
    options: RunOptions,
    *,
    patient_file: str | Path | None = None,
    registry: str | None = None,
    outputs: Outputs | None = None,
) -> CaseRun:
    """Analyse one patient and write the wanted outputs; see the module docstring."""
    if patient_file is not None:
        options = with_patient_limits(options, patient_file)
    done = CaseRun(analyse(inputs, options))
    if patient_file is not None:
        patient(done.analysis, patient_file, options.patient_id)
    if registry is not None:
        cohorts(done, registry)
    if outputs is not None:
        names = _file_names(inputs, options)
        if patient_file is not None:
            names.append(str(patient_file))
        done.written = write(done, outputs, names, options.helpers)
    return done


__all__ = [
    "Analysis",
    "CaseRun",
    "Declared",
    "Input",
    "Inputs",
    "Outputs",
    "analyse",
    "biallelic",
    "biomarkers",
    "cohorts",
    "hotspots",
    "match",
    "merge",
    "patient",
    "read",
    "run",
    "write",
]
