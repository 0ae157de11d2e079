"""Parsing speed: streaming and indexed VCF reads restricted to the TSO500 panel, and a TSO500 CVO.

One timed call per test; inputs come from the session fixtures in ``conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tumorboard.api import read_vcf
from tumorboard.models import RunOptions

OPTIONS = RunOptions(tumor_type="LUAD", panel="tso500")


@pytest.fixture(scope="module")
def warm(bench_data: dict[str, Path]) -> dict[str, Path]:
    """Load the panel and the readers once, so the timed calls measure reading alone."""
    read_vcf(bench_data["panel"], OPTIONS)
    return bench_data


def test_parse_wgs_streaming(benchmark, warm: dict[str, Path]) -> None:
    result = benchmark(read_vcf, warm["wgs"], OPTIONS.model_copy(update={"index": "never"}))
    assert not result.used_index
    assert result.qc.records_in_panel > 0
    assert result.qc.records_read > 50 * result.qc.records_in_panel


def test_parse_wgs_indexed(benchmark, warm: dict[str, Path]) -> None:
    result = benchmark(read_vcf, warm["wgs"], OPTIONS.model_copy(update={"index": "require"}))
    assert result.used_index
    assert result.qc.records_in_panel > 0
    assert {a.gene for a in result.alterations} >= {"BRAF", "KRAS", "EGFR"}


def test_parse_panel_vcf(benchmark, warm: dict[str, Path]) -> None:
    result = benchmark(read_vcf, warm["panel"], OPTIONS.model_copy(update={"index": "never"}))
    assert result.qc.records_in_panel == result.qc.records_read


def test_parse_tso500_cvo(benchmark, warm: dict[str, Path]) -> None:
    from tumorboard.readers.tso500 import read_tso500

    result = benchmark(read_tso500, str(warm["cvo"]), OPTIONS)
    assert len(result.alterations) >= 400
    assert {b.name for b in result.biomarkers} == {"TMB", "MSI"}
