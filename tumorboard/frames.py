"""Cases and cohorts as pandas DataFrames, for pipeline engineers and the study board.

pandas is an optional dependency (``pip install 'tumorboard[tables]'``) and is imported only
here, only when a frame is asked for: ``annotate`` and ``report`` never pay for it.

>>> import tumorboard
>>> case = tumorboard.analyse(["tumour.vcf.gz"], tumorboard.RunOptions(tumor_type="LUAD"))
>>> case.to_frame("matches")                      # one row per drug option
>>> tumorboard.cases_frame(["a.json", "b.json"])  # every patient's variants, one table

Columns follow the models: a variant frame has the :class:`~tumorboard.models.Variant` fields
(consequences joined with ``&``), a match frame the :class:`~tumorboard.models.Match` fields
flattened (``evidence_level``, ``evidence_scale``, ``drugs`` joined with ``+``); both start
with ``patient_id`` and ``tumor_type``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tumorboard.errors import TumorBoardError

if TYPE_CHECKING:
    import pandas as pd

    from tumorboard.cohorts.lifecycle import CohortView
    from tumorboard.models import CaseResult, Match, Variant

FrameKind = Literal["variants", "matches"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise TumorBoardError(
            "pandas is not installed",
            hint="pip install 'tumorboard[tables]' (pandas, plus openpyxl for Excel and "
            "pyarrow for Parquet)",
        ) from exc
    return pandas


def _variant_row(v: Variant) -> dict[str, Any]:
    row = v.model_dump()
    row["consequences"] = "&".join(v.consequences)
    return row


def _match_row(m: Match) -> dict[str, Any]:
    row = m.model_dump(exclude={"evidence", "sources", "drugs", "variants", "notes"})
    row["drugs"] = "+".join(m.drugs)
    row["evidence_scale"] = m.evidence.scale
    row["evidence_level"] = m.evidence.level
    row["evidence_rank"] = m.evidence.rank
    row["oncokb"] = m.evidence.oncokb
    row["variants"] = ";".join(m.variants)
    row["sources"] = "; ".join(f"{s.document} ({s.date})" for s in m.sources)
    row["notes"] = "; ".join(m.notes)
    row["approved_tumor_types"] = ",".join(m.approved_tumor_types)
    return row


def _rows(case: CaseResult, kind: FrameKind) -> Iterable[dict[str, Any]]:
    head = {"patient_id": case.patient.id, "tumor_type": case.patient.tumor_type}
    if kind == "variants":
        return ({**head, **_variant_row(v)} for v in case.variants)
    return ({**head, "rank": i, **_match_row(m)} for i, m in enumerate(case.matches, 1))


def case_frame(case: CaseResult, kind: FrameKind = "variants") -> pd.DataFrame:
    """One case's variants or matches as a DataFrame (what ``CaseResult.to_frame`` returns)."""
    return cases_frame([case], kind)


def cases_frame(cases: Iterable[CaseResult], kind: FrameKind = "variants") -> pd.DataFrame:
    """Variants or matches of many patients in one DataFrame (``tumorboard.cases_frame`` also
    takes case JSON paths)."""
    if kind not in ("variants", "matches"):
        raise TumorBoardError(f"unknown frame kind {kind!r}", hint="use variants or matches")
    pandas = _pandas()
    rows: list[dict[str, Any]] = []
    for case in cases:
        rows.extend(_rows(case, kind))
    frame: pd.DataFrame = pandas.DataFrame.from_records(rows)
    return frame


def cohorts_frame(views: Sequence[CohortView]) -> pd.DataFrame:
    """``tumorboard cohort status`` as a DataFrame (one row per cohort)."""
    pandas = _pandas()
    rows = []
    for v in views:
        row = v.as_dict()
        row["drugs"] = "+".join(v.drugs)
        row["notes"] = "; ".join(v.notes)
        rows.append(row)
    frame: pd.DataFrame = pandas.DataFrame.from_records(rows)
    return frame


EXPORT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".xlsx": "excel", ".parquet": "parquet"}


def write_frame(frame: pd.DataFrame, path: str | Path, *, inputs: Sequence[str] = ()) -> Path:
    """Write a frame as CSV/TSV, Excel or Parquet (chosen by the suffix), atomically.

    Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first)
    are written with a leading apostrophe in CSV/TSV and Excel. ``inputs``: the files the
    frame comes from (never overwritten; see :class:`tumorboard.outputs.OutputSet`).
    """
    from tumorboard.errors import OutputError
    from tumorboard.outputs import atomic_binary_output, spreadsheet_safe

    target = Path(path)
    kind = EXPORT_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise OutputError(
            f"cannot tell the table format from {target.suffix or 'no suffix'!r}",
            where=str(target),
            hint="name the file .csv, .tsv, .xlsx or .parquet",
        )
    if kind != "parquet":
        frame = frame.map(spreadsheet_safe)
    with atomic_binary_output(target, inputs=inputs) as fh:
        try:
            if kind in ("csv", "tsv"):
                frame.to_csv(fh, sep="," if kind == "csv" else "\t", index=False)
            elif kind == "excel":
                frame.to_excel(fh, index=False, engine="openpyxl")
            else:
                frame.to_parquet(fh, index=False)
        except ImportError as exc:
            raise OutputError(
                f"writing {kind} needs an optional package ({exc.name or exc})",
                where=str(target),
                hint="pip install 'tumorboard[tables]'",
            ) from exc
    return target


__all__ = ["EXPORT_FORMATS", "case_frame", "cases_frame", "cohorts_frame", "write_frame"]
