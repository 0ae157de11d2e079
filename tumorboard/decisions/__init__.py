"""The board's decision for a patient: recorded in the cohort registry, amended with history.

A decision names what the molecular tumour board recommends: one or more of the case's ranked
drug options (by rank number or drug set) and/or one of the choices without a drug (no targeted
option, clinical trial elsewhere, re-biopsy, germline testing), the rationale, the meeting date,
the catalog the case was analysed with and who recorded it. A decision is never overwritten: an
amendment is a new version that supersedes the previous one, and both stay in the registry and
the audit log.

Modules: ``views`` (typed decisions and the label status helper, pure), ``choices`` (turning
``--option`` values into choices), ``store`` (the registry: record, amend, history),
``text`` (tables for the command line), ``letter`` (the recommendation letter, HTML and PDF)
and ``pdf`` (headless Chromium). Nothing is imported here, so importing the package is free.
"""

from __future__ import annotations
