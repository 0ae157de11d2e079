"""Concurrency: 20 processes racing for the last 3 slots (SQLite and PostgreSQL), and a process
killed in the middle of an assignment."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.assign import assign_case
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import audit_entries, status, sync_definitions
from tumorboard.cohorts.registry import assignments, audit, open_registry, patients
from tumorboard.oncotree import OncoTree

pytestmark = pytest.mark.slow  # processes, whole runs: outside the fast loop (-m "not slow")

DATA = Path(__file__).parent / "data" / "cohorts"
COHORT = "IMPRESS-BRAF-V600-DT-SOLID"  # stage 1: 8 slots
PG_ENV = "TUMORBOARD_TEST_POSTGRES_URL"
_CTX: dict[str, Any] = {}


def _assign_in_child(target: str, pid: str, barrier: Any, queue: Any) -> None:
    """Child process: wait for every racer, then assign one patient (own engine)."""
    case = load_case(DATA / "ihch_braf.json")
    case = case.model_copy(update={"patient": case.patient.model_copy(update={"id": pid})})
    with open_registry(target, user=f"site-{pid}") as reg:
        barrier.wait()
        res = assign_case(
            reg,
            case,
            catalog=_CTX["catalog"],
            tree=_CTX["tree"],
            # hold each transaction open a little so that, without locking, racers would overlap
            before_commit=lambda: time.sleep(0.1),
        )
    queue.put((pid, res.status, res.queue_position))


def _prepare(target: str, n_before: int) -> None:
    _CTX.setdefault("catalog", load_catalog())
    _CTX.setdefault("tree", OncoTree.load())
    defs = [d for d in load_cohorts(catalog=_CTX["catalog"], tree=_CTX["tree"]) if d.id == COHORT]
    with open_registry(target, user="setup", create=True) as reg:
        sync_definitions(reg, defs)
    ctx = multiprocessing.get_context("fork")
    for i in range(n_before):  # fill 5 of 8 slots first
        q = ctx.Queue()
        _assign_in_child(target, f"PRE{i}", ctx.Barrier(1), q)
        assert q.get()[1] == "enrolled"


def _race(target: str, racers: int = 20) -> list[tuple[str, str, int | None]]:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(racers), ctx.Queue()
    procs = [
        ctx.Process(target=_assign_in_child, args=(target, f"R{i:02d}", barrier, queue))
        for i in range(racers)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


def _check_race(target: str) -> None:
    _prepare(target, 5)
    results = _race(target)
    enrolled = [r for r in results if r[1] == "enrolled"]
    waiting = sorted(r[2] for r in results if r[1] == "waitlisted")
    assert len(enrolled) == 3
    assert waiting == list(range(1, 18))  # 17 in a gap-free queue
    with open_registry(target) as reg:
        view = status(reg, COHORT)[0]
        assert (view.enrolled, view.slots_left, view.waitlist) == (8, 0, 17)
        actions = [a["action"] for a in audit_entries(reg, cohort_id=COHORT)]
        assert actions.count("assign.enrolled") == 8
        assert actions.count("assign.waitlisted") == 17


def test_twenty_processes_race_for_three_sqlite_slots(tmp_path: Path):
    _check_race(str(tmp_path / "race.sqlite"))


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f'{PG_ENV} is not set under CI (eval "$(bash .ci/postgres.sh)")')
        pytest.skip(f'{PG_ENV} not set (start one with: eval "$(bash .ci/postgres.sh)")')
    engine = create_engine(url)
    with engine.begin() as conn:  # a clean database for each test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.mark.postgres
def test_twenty_processes_race_for_three_postgres_slots(postgres_url: str):
    _check_race(postgres_url)


@pytest.mark.postgres
def test_postgres_registry_round_trip(postgres_url: str):
    from tumorboard.cohorts.outcomes import record_outcome

    _prepare(postgres_url, 1)
    with open_registry(postgres_url, user="pg") as reg:
        res = record_outcome(reg, "PRE0", "PR", 8, confirmed=True)
        assert res.patient_result == "benefit"
        assert res.cohort.benefit == 1


KILLED_SCRIPT = """
import time
from pathlib import Path
from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.assign import assign_case
from tumorboard.cohorts.registry import open_registry
from tumorboard.oncotree import OncoTree

case = load_case({case!r})
case = case.model_copy(update={{"patient": case.patient.model_copy(update={{"id": "KILLED"}})}})

def hold():  # inside the transaction: say so, then wait to be killed
    Path({marker!r}).write_text("in transaction")
    time.sleep(60)

with open_registry({target!r}, user="killed") as reg:
    assign_case(reg, case, catalog=load_catalog(), tree=OncoTree.load(), before_commit=hold)
"""


def test_killed_assignment_leaves_the_registry_consistent(tmp_path: Path):
    target = str(tmp_path / "kill.sqlite")
    _prepare(target, 2)
    marker = tmp_path / "inside"
    script = KILLED_SCRIPT.format(
        case=str(DATA / "ihch_braf.json"), target=target, marker=str(marker)
    )
    cmd = [sys.executable, "-c", script]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-transaction: patient and assignment inserted
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    with open_registry(target, user="after") as reg:
        with reg.transaction(write=False) as conn:
            assert conn.execute(select(patients).where(patients.c.id == "KILLED")).first() is None
            assert conn.execute(select(func.count()).select_from(assignments)).scalar() == 2
            assert (
                conn.execute(select(func.count()).where(audit.c.patient_id == "KILLED")).scalar()
                == 0
            )
        # the lock is gone: the next assignment goes through at once
        case = load_case(DATA / "ihch_braf.json")
        case = case.model_copy(update={"patient": case.patient.model_copy(update={"id": "NEXT"})})
        res = assign_case(reg, case, catalog=_CTX["catalog"], tree=_CTX["tree"])
        assert (res.status, res.cohort.slots_left) == ("enrolled", 5)
