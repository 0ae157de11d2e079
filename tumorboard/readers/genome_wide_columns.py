"""Header columns of the genome-wide biomarker files (PURPLE purity, CHORD, MSIsensor), shared by
the sniffer (:mod:`tumorboard.readers.detect`) and the reader
(:mod:`tumorboard.readers.genome_wide`). Names are normalised keys (lower case, no
punctuation: :func:`tumorboard.readers.text.norm_column`)."""

from __future__ import annotations

PURPLE_MSI = ("msindelspermb", "msstatus")
PURPLE_TMB = ("tmbpermb", "tmbstatus")
CHORD = ("phrd",)
CHORD_STATUS = ("hrstatus", "ishrd")
MSISENSOR = ("totalnumberofsites",)
MSISENSOR_UNSTABLE = ("numberofsomaticsites", "numberofunstablesites")
"""MSIsensor, MSIsensor2 and MSIsensor-pro up to 1.2 write ``Number_of_Somatic_Sites``;
MSIsensor-pro 1.3 ``Number_of_Unstable_Sites``."""
DRAGEN_TMB_LINE = "TMB SUMMARY,"
"""The first field of every line of DRAGEN's ``tmb.metrics.csv``."""
DRAGEN_MSI_KEYS = ("PercentageUnstableSites", "TotalMicrosatelliteSitesAssessed")
"""Keys of DRAGEN's ``microsat_output.json`` (TSO500's ``msi.json``)."""


def biomarker_tool(keys: set[str]) -> str | None:
    """The tool whose biomarker table has these header columns, or ``None``."""
    if "purity" in keys and (set(PURPLE_MSI) <= keys or set(PURPLE_TMB) <= keys):
        return "PURPLE"
    if set(CHORD) <= keys and keys & set(CHORD_STATUS):
        return "CHORD"
    if set(MSISENSOR) <= keys and keys & set(MSISENSOR_UNSTABLE):
        return "MSIsensor"
    return None


__all__ = [
    "CHORD",
    "CHORD_STATUS",
    "DRAGEN_MSI_KEYS",
    "DRAGEN_TMB_LINE",
    "MSISENSOR",
    "MSISENSOR_UNSTABLE",
    "PURPLE_MSI",
    "PURPLE_TMB",
    "biomarker_tool",
    "json_tool",
]


def json_tool(data: object) -> str | None:
    """The tool whose biomarker JSON this is (DRAGEN MSI), or ``None``."""
    if isinstance(data, dict) and all(k in data for k in DRAGEN_MSI_KEYS):
        return "DRAGEN MSI"
    return None
