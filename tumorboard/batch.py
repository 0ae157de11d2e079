"""Batch mode: every patient of a samplesheet, in parallel processes, with a run summary.

The samplesheet (:mod:`tumorboard.samplesheet`) names each patient's files and options.
:func:`run_batch` analyses each row in its own worker process (``jobs`` at a time), writes
``<patient_id>.json`` and ``<patient_id>.html`` into the output folder, then ``summary.tsv``,
``agenda.html`` and ``manifest.json``. One sample's failure is recorded with its reason and
never stops the others. A re-run skips a patient whose inputs (sha256), catalog files, options
and tumorboard version are unchanged since its last successful run (``manifest.json``).
Nothing here prints or exits the process.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tumorboard import __version__
from tumorboard.errors import InputError, InputNotFoundError, TumorBoardError
from tumorboard.models import CaseResult, RunOptions
from tumorboard.outputs import sha256_file
from tumorboard.samplesheet import Sample, read_samplesheet

SUMMARY_COLUMNS = (
    "patient_id",
    "tumor_type",
    "status",
    "reason",
    "variants",
    "matches",
    "on_label",
    "off_label",
    "resistance",
    "top_option",
    "seconds",
    "json",
    "report",
)
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class SampleOutcome:
    """What happened to one sample: ``ok``, ``skipped`` (unchanged) or ``failed``."""

    patient_id: str
    tumor_type: str
    status: str
    reason: str = ""
    seconds: float = 0.0
    json_path: str = ""
    report_path: str = ""
    fingerprint: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class BatchResult:
    """The outcome of a batch run; ``ok`` is True when no sample failed."""

    outcomes: tuple[SampleOutcome, ...]
    outdir: Path
    summary: Path
    agenda: Path | None

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


# --- one sample (runs in a worker process) ------------------------------------------------------
def options_for(sample: Sample, common: Mapping[str, Any]) -> RunOptions:
    """The RunOptions of one sample: the batch-wide options plus the row's own values."""
    return RunOptions(**{**common, **sample.options()})


def catalog_fingerprint(common: Mapping[str, Any]) -> str:
    """sha256 over every catalog file in use (bundled or given): any edit changes it."""
    from tumorboard.resources import catalog_dir

    roots = [Path(p) for p in common.get("catalog") or [catalog_dir()]]
    roots += [Path(p) for p in common.get("catalog_extend") or []]
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else [root]
        for f in files:
            digest.update(str(f.relative_to(root) if root.is_dir() else f.name).encode())
            digest.update(sha256_file(f).encode() if f.is_file() else b"missing")
    return digest.hexdigest()


def fingerprint(sample: Sample, options: RunOptions, catalog: str, lang: str) -> dict[str, Any]:
    """What decides whether a sample's outputs are still current."""
    files = {p: (sha256_file(p) if Path(p).is_file() else "missing") for p in sample.files}
    panel = Path(options.panel)
    if panel.is_file():
        files[str(panel)] = sha256_file(panel)
    opts = options.model_dump(exclude={"command"})
    return {
        "tumorboard_version": __version__,
        "catalog_sha256": catalog,
        "inputs": files,
        "options_sha256": hashlib.sha256(json.dumps(opts, sort_keys=True).encode()).hexdigest(),
        "lang": lang,
    }


@dataclass(frozen=True)
class _Task:
    sample: Sample
    common: dict[str, Any]
    outdir: str
    lang: str
    catalog: str
    registry: str | None = None


def run_sample(task: _Task) -> SampleOutcome:
    """Analyse one sample and write its JSON and report; failures become an outcome."""
    s = task.sample
    started = time.perf_counter()
    out = Path(task.outdir)
    json_path, html_path = out / f"{s.patient_id}.json", out / f"{s.patient_id}.html"
    try:
        for p in s.files:
            if not Path(p).is_file():
                raise InputNotFoundError("input file not found", where=p, hint=f"see {s.where}")
        options = options_for(s, task.common)
        prints = fingerprint(s, options, task.catalog, task.lang)
        from tumorboard.gcpause import gc_paused
        from tumorboard.pipeline import Declared, Input, Outputs, run

        inputs: list[Input] = [*s.inputs, *(Declared(p, kind) for kind, p in s.declared)]
        outputs = Outputs(json=str(json_path), html=str(html_path), lang=task.lang)
        with gc_paused():  # a worker process of ours; the run is dropped before it ends
            done = run(
                inputs, options, patient_file=s.patient, registry=task.registry, outputs=outputs
            )
            del done
    except TumorBoardError as exc:
        return _failed(s, str(exc), started)
    except Exception as exc:  # a bug must not stop the other samples
        return _failed(s, f"internal error: {type(exc).__name__}: {exc}", started)
    return _outcome(s, "ok", "", started, out, prints)


def _outcome(
    s: Sample, status: str, why: str, started: float, out: Path, prints: dict[str, Any]
) -> SampleOutcome:
    paths = (str(out / f"{s.patient_id}.json"), str(out / f"{s.patient_id}.html"))
    took = time.perf_counter() - started if started else 0.0
    return SampleOutcome(s.patient_id, s.tumor_type, status, why, took, *paths, prints)


def _failed(s: Sample, reason: str, started: float) -> SampleOutcome:
    return SampleOutcome(
        s.patient_id, s.tumor_type, "failed", reason, time.perf_counter() - started
    )


# --- the run ------------------------------------------------------------------------------------
Progress = Callable[[SampleOutcome], None]
CRASHED = (
    "the worker process died (killed, out of memory, or a crash inside a C library); "
    "run this patient alone with `tumorboard annotate` to see why"
)


def run_batch(
    samples: Sequence[Sample],
    outdir: str | Path,
    *,
    jobs: int = 1,
    common: Mapping[str, Any] | None = None,
    lang: str = "en",
    force: bool = False,
    on_done: Progress | None = None,
    title: str = "",
    registry: str | None = None,
    inputs: Sequence[str] = (),
) -> BatchResult:
    """Analyse every sample (``jobs`` worker processes), write outputs, summary and manifest.

    ``common`` holds :class:`RunOptions` fields shared by all samples (panel, genome, catalog,
    thresholds...); a row's own columns override it. ``registry`` fills each case's cohort
    status from a cohort registry. ``on_done`` is called
    in this process once per sample as it finishes (for progress bars). ``inputs``: more files
    no output may replace (the samplesheet). Never raises for one sample's failure; raises
    :class:`TumorBoardError` only for problems of the run itself, before anything is written:
    an invalid patient id, an output that would replace an input file or is not a regular file.
    """
    out = Path(outdir)
    protected = _check_outputs(samples, out, inputs)
    _check_outdir(out)
    shared = dict(common or {})
    _check_common(shared)
    catalog = catalog_fingerprint(shared)
    manifest = _load_manifest(out)
    done: dict[str, SampleOutcome] = {}
    todo: list[_Task] = []
    for s in samples:
        prev = manifest.get(s.patient_id)
        if not force and prev is not None and _unchanged(s, prev, shared, catalog, lang, out):
            done[s.patient_id] = _skipped(s, out, prev)
            if on_done:
                on_done(done[s.patient_id])
        else:
            todo.append(_Task(s, shared, str(out), lang, catalog, registry))
    for outcome in _execute(todo, max(1, jobs)):
        done[outcome.patient_id] = outcome
        if on_done:
            on_done(outcome)
    outcomes = tuple(done[s.patient_id] for s in samples)
    summary, agenda = write_run_outputs(
        outcomes, out, lang=lang, title=title, manifest=manifest, inputs=protected
    )
    return BatchResult(outcomes, out, summary, agenda)


RUN_FILES = ("summary.tsv", "agenda.html", MANIFEST)


def _check_outputs(samples: Sequence[Sample], out: Path, inputs: Sequence[str]) -> list[str]:
    """Refuse the run before it starts when an output would replace an input (any patient's,
    or the samplesheet) or something that is not a regular file, or a patient id could name
    one of the run's own files. Returns every input (for the outputs' permissions)."""
    from tumorboard.ids import check_patient_id
    from tumorboard.outputs import OutputSet

    for s in samples:
        check_patient_id(s.patient_id, s.where or None)
    every = [*inputs, *(f for s in samples for f in s.files)]
    if out.is_dir():  # a folder still to be made holds nothing to protect
        planned = [str(out / name) for name in RUN_FILES]
        planned += [str(out / f"{s.patient_id}.{e}") for s in samples for e in ("json", "html")]
        OutputSet(planned, inputs=every)
    return every


def _check_outdir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from tumorboard.errors import OutputError

        raise OutputError(
            f"cannot create the output folder ({exc.strerror})",
            where=str(out),
            hint="choose another -o folder",
        ) from exc


def _check_common(common: dict[str, Any]) -> None:
    from pydantic import ValidationError

    try:
        RunOptions(tumor_type="NA", **common)
    except (ValidationError, TypeError) as exc:
        raise InputError(f"invalid batch options: {exc}", hint="see RunOptions") from exc


def _unchanged(
    s: Sample,
    prev: Mapping[str, Any],
    common: Mapping[str, Any],
    catalog: str,
    lang: str,
    out: Path,
) -> bool:
    outputs = (out / f"{s.patient_id}.json", out / f"{s.patient_id}.html")
    if not all(p.is_file() for p in outputs):
        return False
    try:
        now = fingerprint(s, options_for(s, common), catalog, lang)
    except (TumorBoardError, ValueError, OSError):
        return False
    return now == prev


def _skipped(s: Sample, out: Path, prints: dict[str, Any]) -> SampleOutcome:
    return _outcome(s, "skipped", "unchanged since the last run", 0.0, out, prints)


def _execute(tasks: Sequence[_Task], jobs: int) -> Iterable[SampleOutcome]:
    """Run tasks in worker processes; a task whose worker died is retried alone once."""
    if not tasks:
        return
    broken: list[_Task] = []
    yield from _pool_run(tasks, min(jobs, len(tasks)), broken)
    for task in list(broken):
        again: list[_Task] = []
        yield from _pool_run([task], 1, again)
        if again:
            yield _failed(task.sample, CRASHED, time.perf_counter())


def _pool_run(tasks: Sequence[_Task], workers: int, broken: list[_Task]) -> Iterable[SampleOutcome]:
    from concurrent.futures import as_completed

    from tumorboard.signals import install_termination_handlers

    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=install_termination_handlers
    )
    try:
        futures: dict[Future[SampleOutcome], _Task] = {pool.submit(run_sample, t): t for t in tasks}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                yield fut.result()
            except BrokenProcessPool:
                broken.append(task)
            except Exception as exc:  # e.g. a result that cannot be pickled
                yield _failed(task.sample, f"internal error: {type(exc).__name__}: {exc}", 0.0)
    except BaseException:  # a signal or Ctrl-C: stop the workers (they remove their temp files)
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# --- manifest, summary, agenda ------------------------------------------------------------------
def _load_manifest(out: Path) -> dict[str, dict[str, Any]]:
    from tumorboard.bounded import load_json, read_text

    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = load_json(read_text(path, "batch manifest"), "batch manifest", str(path), "")
        samples = data["samples"]
    except (TumorBoardError, KeyError, TypeError):
        return {}  # unreadable: everything runs again, and the manifest is rewritten
    if not isinstance(samples, dict):
        return {}
    return {k: v for k, v in samples.items() if isinstance(v, dict)}


def _manifest_text(manifest: dict[str, dict[str, Any]], outcomes: Sequence[SampleOutcome]) -> str:
    for o in outcomes:
        if o.status == "failed":
            manifest.pop(o.patient_id, None)
        else:
            manifest[o.patient_id] = o.fingerprint
    doc = {"tumorboard_version": __version__, "samples": dict(sorted(manifest.items()))}
    return json.dumps(doc, indent=2) + "\n"


def _digest(o: SampleOutcome) -> tuple[dict[str, Any], CaseResult | None]:
    """A sample's summary row, and its case slimmed to what the agenda shows (matched variants).

    Each case is read once; only the slim copy is kept, so a large batch stays small in memory.
    """
    row: dict[str, Any] = {
        "patient_id": o.patient_id, "tumor_type": o.tumor_type, "status": o.status,
        "reason": " ".join(o.reason.split()), "seconds": f"{o.seconds:.2f}",
    }  # fmt: skip
    if o.status == "failed" or not o.json_path:
        return row, None
    from tumorboard.casefile import load_case

    try:
        case = load_case(o.json_path)
    except TumorBoardError as exc:
        row.update(status="failed", reason=f"cannot read the case: {exc}")
        return row, None
    from tumorboard.ranking import option_text, top_option

    sensitive = [m for m in case.matches if m.effect == "sensitive"]
    row.update(
        variants=len(case.variants),
        matches=len(case.matches),
        on_label=sum(1 for m in sensitive if m.label == "on-label"),
        off_label=sum(1 for m in sensitive if m.label == "off-label"),
        resistance=len(case.matches) - len(sensitive),
        top_option=option_text(top_option(case)),
        json=Path(o.json_path).name,
        report=Path(o.report_path).name,
    )
    matched = {v for m in case.matches for v in m.variants}
    slim = case.model_copy(update={"variants": [v for v in case.variants if v.id in matched]})
    return row, slim


def write_run_outputs(
    outcomes: Sequence[SampleOutcome],
    out: Path,
    *,
    lang: str = "en",
    title: str = "",
    manifest: dict[str, dict[str, Any]] | None = None,
    inputs: Sequence[str] = (),
) -> tuple[Path, Path | None]:
    """``summary.tsv`` (a row per sample), ``agenda.html`` (every analysed patient) and, when
    ``manifest`` is given, ``manifest.json``: written together, all or nothing."""
    from tumorboard.outputs import OutputSet, spreadsheet_safe
    from tumorboard.report import render_agenda

    summary, agenda = out / "summary.tsv", out / "agenda.html"
    cases: list[tuple[CaseResult, str]] = []
    text = io.StringIO()
    writer = csv.DictWriter(text, SUMMARY_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for o in outcomes:
        row, case = _digest(o)
        writer.writerow({c: spreadsheet_safe(row.get(c, "")) for c in SUMMARY_COLUMNS})
        if case is not None:
            cases.append((case, Path(o.report_path).name))
    files = {summary: text.getvalue()}
    if cases:
        files[agenda] = render_agenda(cases, lang=lang, title=title or "Tumour board")
    if manifest is not None:
        files[out / MANIFEST] = _manifest_text(manifest, outcomes)
    with OutputSet([str(p) for p in files], inputs=inputs) as written:
        for path, content in files.items():
            with written.open(str(path)) as fh:
                fh.write(content)
    return summary, (agenda if cases else None)


__all__ = [
    "BatchResult",
    "Sample",
    "SampleOutcome",
    "catalog_fingerprint",
    "fingerprint",
    "options_for",
    "read_samplesheet",
    "run_batch",
    "run_sample",
    "write_run_outputs",
]
