"""Benchmark fixtures: seeded inputs generated once per session, checked against checksums.

The size is ``TUMORBOARD_BENCH_SCALE`` WGS records (default: the quick scale, 40,000), so the
suites run in seconds; set it to 4000000 (after ``python benchmarks/generate.py``) for full-size
timings. Setup lives in fixtures; each test times exactly one call.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import generate


@pytest.fixture(scope="session")
def bench_scale() -> int:
    return int(os.environ.get("TUMORBOARD_BENCH_SCALE", generate.QUICK_SCALE))


@pytest.fixture(scope="session")
def bench_data(tmp_path_factory: pytest.TempPathFactory, bench_scale: int) -> dict[str, Path]:
    """Role (wgs, panel, cvo, case) -> generated file, verified against ``checksums.json``."""
    if not (generate.shared_data() / generate.MANE).is_file():
        pytest.skip("shared data not found (set TUMORBOARD_SHARED_DATA)")
    names = generate.output_names(bench_scale)
    existing = generate.DEFAULT_OUT
    if all((existing / n).exists() for n in names.values()) and bench_scale > generate.QUICK_SCALE:
        return {role: existing / name for role, name in names.items()}
    out = tmp_path_factory.mktemp("bench-data")
    sums = generate.generate(out, bench_scale)
    problems = generate.verify(sums, generate.DEFAULT_SEED, bench_scale)
    if generate.recorded(generate.DEFAULT_SEED, bench_scale) is not None and problems:
        pytest.fail(
            "benchmark inputs differ from benchmarks/checksums.json: "
            + "; ".join(problems)
            + " (if the panel BED or the generator changed on purpose, run "
            f"`python benchmarks/generate.py --scale {bench_scale} --update-checksums`)"
        )
    return {role: out / name for role, name in names.items()}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every benchmark is outside the fast loop (``-m "not slow"``); CI runs them untimed."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)
