"""Matching speed: the catalog against a panel VCF's alterations, and a whole ``analyse`` call.

One timed call per test; the catalog, OncoTree and alterations are loaded in fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tumorboard.api import analyse, read_vcf
from tumorboard.models import RunOptions

OPTIONS = RunOptions(tumor_type="SKCM", panel="tso500")


@pytest.fixture(scope="module")
def loaded(bench_data: dict[str, Path]) -> dict[str, Any]:
    from tumorboard.catalog.loader import load_catalog
    from tumorboard.oncotree import OncoTree

    result = read_vcf(bench_data["panel"], OPTIONS)
    return {
        "alterations": result.alterations,
        "catalog": load_catalog(),
        "tree": OncoTree.load(),
        "panel": bench_data["panel"],
    }


def test_match_panel_alterations(benchmark, loaded: dict[str, Any]) -> None:
    from tumorboard.matching import match_case

    outcome = benchmark(
        match_case,
        loaded["alterations"],
        [],
        "SKCM",
        "EMA",
        loaded["catalog"],
        loaded["tree"],
        OPTIONS,
    )
    # the generated files carry BRAF V600E (chr7:140753336 A>T): the bundled catalog matches it
    assert any(m.gene == "BRAF" for m in outcome.matches)


def test_analyse_panel_vcf(benchmark, loaded: dict[str, Any]) -> None:
    case = benchmark(analyse, [loaded["panel"]], OPTIONS)
    assert case.qc.records_in_panel == case.qc.records_read
    assert any(v.label == "BRAF V600E" for v in case.variants)
