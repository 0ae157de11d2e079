"""The drug catalog: schema, YAML loading with file:line errors, gene index, version hash.

>>> from tumorboard.catalog import load_catalog
>>> catalog = load_catalog()            # the bundled drug_catalog/  # doctest: +SKIP
>>> catalog.rules_for_gene("BRAF")      # dict lookup, built once  # doctest: +SKIP
"""

from __future__ import annotations

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.loader import check_catalog, load_catalog

__all__ = ["Catalog", "check_catalog", "load_catalog"]
