"""tumorboard: precision-oncology molecular tumour board toolkit.

Stream tumour variants, match them against a versioned drug catalog (on-label vs off-label by
OncoTree and jurisdiction), assign IMPRESS-style cohorts and render tumour-board reports.

>>> import tumorboard
>>> case = tumorboard.analyse(["tumour.vcf.gz"], tumorboard.RunOptions(tumor_type="LUAD"))
>>> [m.biomarker for m in case.matches]

The public names below are imported lazily on first use, so ``import tumorboard`` does no I/O
and loads no heavy dependency.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Alteration": "tumorboard.alterations",
    "Biomarker": "tumorboard.models",
    "CaseResult": "tumorboard.models",
    "Evidence": "tumorboard.models",
    "Match": "tumorboard.models",
    "OncoTree": "tumorboard.oncotree",
    "Panel": "tumorboard.panels",
    "Patient": "tumorboard.models",
    "RunOptions": "tumorboard.models",
    "Source": "tumorboard.models",
    "TumorBoardError": "tumorboard.errors",
    "Variant": "tumorboard.models",
    "analyse": "tumorboard.api",
    "cases_frame": "tumorboard.api",
    "collect": "tumorboard.api",
    "load_panel": "tumorboard.panels",
    "open_vcf": "tumorboard.api",
}

__all__ = [
    "Alteration",
    "Biomarker",
    "CaseResult",
    "Evidence",
    "Match",
    "OncoTree",
    "Panel",
    "Patient",
    "RunOptions",
    "Source",
    "TumorBoardError",
    "Variant",
    "__version__",
    "analyse",
    "cases_frame",
    "collect",
    "load_panel",
    "open_vcf",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from tumorboard.alterations import Alteration
    from tumorboard.api import analyse, cases_frame, collect, open_vcf
    from tumorboard.errors import TumorBoardError
    from tumorboard.models import (
        Biomarker,
        CaseResult,
        Evidence,
        Match,
        Patient,
        RunOptions,
        Source,
        Variant,
    )
    from tumorboard.oncotree import OncoTree
    from tumorboard.panels import Panel, load_panel


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'tumorboard' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
