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
SCARHRD = ("telomericai", "lst", "hrdsum")
"""scarHRD's ``<sample>_HRDresults.txt``: ``HRD``, ``Telomeric AI``, ``LST``, ``HRD-sum``."""
MANTIS_STATUS = ("averagemetricvalueabbr", "value", "threshold", "status")
"""MANTIS's ``<output>.status``: one row per metric, with the run's threshold and call."""
MANTIS_LOCI = ("locus", "normalreads", "tumorreads", "difference")
"""MANTIS's main output: one row per locus and an ``Average`` row, no call."""
DRAGEN_HRD = ("lohscore", "taiscore", "lstscore", "hrdscore")
"""DRAGEN's ``hrdscore.csv`` (comma-separated): ``Sample,LOH_Score,TAI_Score,LST_Score,
HRD_Score``."""
TSO500_TMB_KEYS = ("TmbPerMb", "AdjustedTmbPerMb")
"""Keys of the TSO500 (DRAGEN TSO500) ``tmb.json``, which is refused."""
PURPLE_QC_LINE = "QCStatus\t"
"""The first line of PURPLE's ``<tumour>.purple.qc`` (key, tab, value; no header)."""
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
    if set(SCARHRD) <= keys:
        return "scarHRD"
    if set(MANTIS_STATUS) <= keys:
        return "MANTIS"
    if set(MANTIS_LOCI) <= keys:
        return "MANTIS loci"
    return None


__all__ = [
    "CHORD",
    "CHORD_STATUS",
    "DRAGEN_HRD",
    "DRAGEN_MSI_KEYS",
    "DRAGEN_TMB_LINE",
    "MANTIS_LOCI",
    "MANTIS_STATUS",
    "MSISENSOR",
    "MSISENSOR_UNSTABLE",
    "PURPLE_MSI",
    "PURPLE_QC_LINE",
    "PURPLE_TMB",
    "SCARHRD",
    "TSO500_TMB_KEYS",
    "biomarker_tool",
    "json_tool",
]


def json_tool(data: object) -> str | None:
    """The tool whose biomarker JSON this is (DRAGEN MSI, or TSO500 TMB, which is refused), or
    ``None``."""
    if isinstance(data, dict) and all(k in data for k in DRAGEN_MSI_KEYS):
        return "DRAGEN MSI"
    if isinstance(data, dict) and any(k in data for k in TSO500_TMB_KEYS):
        return "TSO500 TMB"
    return None
