"""IMPRESS-style cohorts: two-stage designs, the cohort registry and patient assignment.

>>> from tumorboard.cohorts import Design, characteristics
>>> round(characteristics(Design(8, 0, 24, 4), 0.30).p_positive, 4)
0.8572

Modules: ``design`` (operating characteristics, stage state machine), ``definitions`` (cohort
YAML), ``registry`` (SQLAlchemy schema, migrations, audit log, locking), ``eligibility`` and
``link`` (which cohorts fit a case), ``assign``, ``outcomes``, ``proposals``, ``manage``.
Nothing here touches a database at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tumorboard.cohorts.design import Design, alpha_power, characteristics, patient_result

if TYPE_CHECKING:
    from tumorboard.models import CaseResult, CohortStatus


def cohort_status(case: CaseResult, registry: str) -> list[CohortStatus]:
    """Cohort availability of a case for its report (read-only); see :mod:`.manage`."""
    from tumorboard.cohorts.manage import cohort_status as _status

    return _status(case, registry)


__all__ = ["Design", "alpha_power", "characteristics", "cohort_status", "patient_result"]
