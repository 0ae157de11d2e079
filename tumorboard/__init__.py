"""tumorboard: precision-oncology molecular tumour board toolkit.

Stream tumour variants, match them against a versioned drug catalog (on-label vs off-label by
OncoTree and jurisdiction), assign IMPRESS-style cohorts and render tumour-board reports.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
