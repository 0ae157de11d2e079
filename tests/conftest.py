"""Shared fixtures: where the public test data lives, CLI runners."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
TESTS_DATA = Path(__file__).resolve().parent / "data"


# Hypothesis profiles: "ci" (derandomised: the same examples on every run, the default, so the
# README's test command gives the same result on every machine, CI included) and "dev" (random
# examples, to look for new failures: HYPOTHESIS_PROFILE=dev; a fresh clone's random run once
# found a refusal the registry state machine did not expect). HYPOTHESIS_PROFILE names one.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


def _shared_data_dir() -> Path:
    env = os.environ.get("TUMORBOARD_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data folder (``../shared/data`` or ``$TUMORBOARD_SHARED_DATA``).

    Skips the test when it is absent, except under ``CI=true``, where that is a failure.
    """
    path = _shared_data_dir()
    if not (path / "MANIFEST.tsv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data not found at {path} (set TUMORBOARD_SHARED_DATA)")
        pytest.skip(f"shared data not found at {path} (set TUMORBOARD_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def tests_data() -> Path:
    """Small fixtures written for these tests (``tests/data``)."""
    return TESTS_DATA


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the label-truth summary (rows, on-label recall, false on-label claims, per area)."""
    import sys

    module = sys.modules.get("test_label_truth") or sys.modules.get("tests.test_label_truth")
    summary = getattr(module, "SUMMARY", None)
    lines = summary.lines() if summary is not None else []
    if lines:
        terminalreporter.section("label truth")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start tumorboard as a process (``*subprocess*``) or run a whole batch (the
    corpus's samplesheet rows) are ``slow``: the fast loop (``-m "not slow"``, under a minute)
    leaves them to the full run, which CI makes."""
    for item in items:
        name = item.name.lower()
        if "subprocess" in name or "[samplesheet-" in name:
            item.add_marker(pytest.mark.slow)
