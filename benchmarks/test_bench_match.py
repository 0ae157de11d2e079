"""Matching speed: the catalog against a panel VCF's alterations, and a whole ``analyse`` call.

One timed call per test; the catalog, OncoTree and alterations are loaded in fixtures. The
same-gene tests (100,000 and 300,000 variants of KIT in one GIST) show matching is linear.
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


def _same_gene(n: int) -> list[Any]:
    """``n`` distinct KIT missense variants (one gene, one drug group): the worst case for
    matching, which must stay linear (each variant is one alteration of every option group)."""
    from tumorboard.alterations import Alteration

    out = []
    for i in range(n):
        codon = 500 + i % 400
        out.append(
            Alteration(
                gene="KIT",
                chrom="chr4",
                pos=54_000_000 + i,
                ref="A",
                alt="T",
                protein=f"X{codon}Y{i}",
                protein_start=codon,
                protein_end=codon,
                consequences=("missense_variant",),
                exon=11,
            )
        )
    return out


@pytest.mark.parametrize("n", [100_000, 300_000])
def test_match_same_gene_variants(benchmark, n: int) -> None:
    from tumorboard.catalog.loader import load_catalog
    from tumorboard.matching import match_case
    from tumorboard.oncotree import OncoTree

    alterations, catalog, tree = _same_gene(n), load_catalog(), OncoTree.load()
    outcome = benchmark.pedantic(
        match_case,
        args=(alterations, [], "GIST", "EMA", catalog, tree),
        rounds=1,
        iterations=1,
    )
    imatinib = [m for m in outcome.matches if m.drugs == ["imatinib"]]
    assert imatinib
    assert len(imatinib[0].variants) == n
    assert len(outcome.actionable) == n
