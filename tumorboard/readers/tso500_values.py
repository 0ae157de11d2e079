"""TSO500 ``[TMB]``, ``[MSI]`` and ``[GIS]`` values as biomarkers, each value checked first.

A value the assay could not have written (NaN, infinite, negative; an MSI percentage or a
Genomic Instability Score above 100) gives the biomarker status ``unknown`` with a note saying
which value was refused, and a QC warning: never ``low``, ``stable``, ``negative`` or ``high``
from a bad value. ``NA`` (or no value) is ``unknown`` as well. Text that is not a number at all is
an error naming the line (the file is not a CombinedVariantOutput as written by the assay).
"""

from __future__ import annotations

import math

from tumorboard.biomarkers import hrd_from_gis, msi_from_percent, tmb_from_value
from tumorboard.errors import RecordError
from tumorboard.models import Biomarker, RunOptions
from tumorboard.readers.base import QCCounter
from tumorboard.readers.tso500_sections import NA, CombinedVariantOutput, Section, value_problem

_TMB_KEYS = ("totaltmb", "tmb", "tmbvalue")
_MSI_KEYS = (
    "percentunstablemsisites", "percentunstablesites", "percentunstable", "msipercentunstable",
)  # fmt: skip


class Refused(ValueError):
    """A value outside what the assay reports; the message says which and why."""


def pair_number(
    section: Section, path: str, *keys: str, high: float = math.inf
) -> tuple[float | None, str]:
    """(value, key) of the first key present; :class:`Refused` for an impossible value."""
    for key in keys:
        if key not in section.pairs:
            continue
        line, value = section.pairs[key]
        if value in NA:
            return None, key
        try:
            number = float(value.rstrip("%"))
        except ValueError:
            raise RecordError(
                f"[{section.name}] {key!r} should be a number, found {value[:40]!r}",
                where=f"{path}:{line}",
                hint="repair the value or write NA when it is unknown",
            ) from None
        problem = value_problem(number, high)
        if problem:
            raise Refused(f"[{section.name}] {key} {value[:20]!r} (line {line}) is {problem}")
        return number, key
    return None, ""


def _refused(name: str, why: Refused, options: RunOptions, source: str, qc: QCCounter) -> Biomarker:
    qc.warnings.append(f"{source}: {why}; {name} not assessed")
    unit, threshold = {
        "TMB": ("mut/Mb", options.tmb_high),
        "MSI": ("% unstable sites", options.msi_high),
        "HRD": ("GIS", options.hrd_gis),
    }[name]
    return Biomarker(
        name=name,
        unit=unit,
        status="unknown",
        threshold=threshold,
        source=source,
        note=f"{why}: not assessed",
    )


def _tmb(s: Section, cvo: CombinedVariantOutput, options: RunOptions, qc: QCCounter) -> Biomarker:
    source = f"{cvo.layout} [TMB] section"
    try:
        value, _ = pair_number(s, cvo.path, *_TMB_KEYS)
        size, _ = pair_number(s, cvo.path, "codingregionsizeinmegabases", "codingregionsize")
        count, _ = pair_number(s, cvo.path, "numberofpassingeligiblevariants")
    except Refused as why:
        return _refused("TMB", why, options, source, qc)
    note = f"{count:g} eligible variants over {size:g} Mb" if count is not None and size else ""
    return tmb_from_value(value, options, source, note)


def _msi(s: Section, cvo: CombinedVariantOutput, options: RunOptions, qc: QCCounter) -> Biomarker:
    source = f"{cvo.layout} [MSI] section"
    try:
        pct, _ = pair_number(s, cvo.path, *_MSI_KEYS, high=100.0)
        usable, _ = pair_number(s, cvo.path, "usablemsisites")
    except Refused as why:
        return _refused("MSI", why, options, source, qc)
    note = f"{usable:g} usable MSI sites" if usable is not None else ""
    return msi_from_percent(pct, options, source, note)


def _gis(s: Section, cvo: CombinedVariantOutput, options: RunOptions, qc: QCCounter) -> Biomarker:
    source = f"{cvo.layout} [GIS] section"
    try:
        gis, _ = pair_number(s, cvo.path, "genomicinstabilityscore", "gis", high=100.0)
    except Refused as why:
        return _refused("HRD", why, options, source, qc)
    return hrd_from_gis(gis, options, source)


def biomarkers(cvo: CombinedVariantOutput, options: RunOptions, qc: QCCounter) -> list[Biomarker]:
    """TMB, MSI and HRD from the CVO's ``[TMB]``, ``[MSI]`` and ``[GIS]`` sections."""
    out = [_tmb(s, cvo, options, qc) for s in cvo.get("tmb")]
    out += [_msi(s, cvo, options, qc) for s in cvo.get("msi")]
    out += [_gis(s, cvo, options, qc) for s in cvo.get("gis")]
    return out


__all__ = ["Refused", "biomarkers", "pair_number"]
