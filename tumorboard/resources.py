"""Locate the data shipped with tumorboard (panels, drug catalog, templates).

In a wheel the top-level ``panels/``, ``drug_catalog/`` and ``templates/`` folders are installed
as ``tumorboard/_data/<name>``; in a source checkout (editable install, tests) they sit beside
the package. No I/O happens at import time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder of shipped data called ``name`` (``panels``, ``drug_catalog``, ...)."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    msg = f"tumorboard data folder {name!r} not found (looked in {installed} and {checkout})"
    raise FileNotFoundError(msg)


def panels_dir() -> Path:
    """Folder with the bundled panel gene lists and BEDs."""
    return data_dir("panels")


def catalog_dir() -> Path:
    """Folder with the bundled drug catalog and cohort definitions."""
    return data_dir("drug_catalog")


def templates_dir() -> Path:
    """Folder with the bundled Jinja2 report templates."""
    return data_dir("templates")
