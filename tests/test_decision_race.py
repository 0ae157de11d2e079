"""Decisions under concurrency (SQLite and PostgreSQL): twenty processes amending one patient's
decision at once leave a gap-free version history; racing first records leave exactly one; a
process killed in the middle of recording or amending leaves nothing behind."""

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
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import audit_entries, sync_definitions
from tumorboard.cohorts.registry import audit, decisions, open_registry, patients
from tumorboard.decisions.choices import resolve
from tumorboard.decisions.store import decision_state, record_decision
from tumorboard.errors import DecisionError
from tumorboard.oncotree import OncoTree

pytestmark = pytest.mark.slow  # processes, whole runs: outside the fast loop (-m "not slow")

DATA = Path(__file__).parent / "data" / "cohorts"
PG_ENV = "TUMORBOARD_TEST_POSTGRES_URL"
CTX: dict[str, Any] = {}


def _case(pid: str) -> Any:
    case = load_case(DATA / "ihch_braf.json")
    return case.model_copy(update={"patient": case.patient.model_copy(update={"id": pid})})


def _record(target: str, pid: str, rationale: str, amend: bool, barrier: Any, queue: Any) -> None:
    """Child process: wait for every racer, then record or amend (own engine)."""
    case = _case(pid)
    with open_registry(target, user=f"site-{rationale}") as reg:
        barrier.wait()
        try:
            done = record_decision(
                reg,
                case,
                resolve(case, ["1"]),
                rationale=rationale,
                amend=amend,
                catalog=CTX["catalog"],
                tree=CTX["tree"],
                # hold each transaction open a little so that, without locking, racers overlap
                before_commit=lambda: time.sleep(0.05),
            )
        except DecisionError as exc:
            queue.put(("refused", exc.message))
            return
    queue.put(("ok", done.decision.version))


def _prepare(target: str) -> None:
    CTX.setdefault("catalog", load_catalog())
    CTX.setdefault("tree", OncoTree.load())
    defs = load_cohorts(DATA / "small.yaml", catalog=CTX["catalog"], tree=CTX["tree"])
    with open_registry(target, user="setup", create=True) as reg:
        sync_definitions(reg, defs)


def _race(target: str, pid: str, amend: bool, racers: int) -> list[tuple[str, Any]]:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(racers), ctx.Queue()
    procs = [
        ctx.Process(target=_record, args=(target, pid, f"r{i:02d}", amend, barrier, queue))
        for i in range(racers)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


def _check_amend_race(target: str) -> None:
    _prepare(target)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    _record(target, "RACE", "first", False, ctx.Barrier(1), queue)
    assert queue.get() == ("ok", 1)
    results = _race(target, "RACE", amend=True, racers=20)
    assert sorted(v for status, v in results if status == "ok") == list(range(2, 22))
    with open_registry(target) as reg:
        history = decision_state(reg, "RACE").history
        actions = [a["action"] for a in audit_entries(reg, patient_id="RACE")]
    assert [d.version for d in history] == list(range(1, 22))  # gap-free
    assert [d.superseded_by for d in history] == [*range(2, 22), None]  # one current
    assert len({d.rationale for d in history}) == 21  # every amendment kept
    assert actions.count("decision.record") == 1
    assert actions.count("decision.amend") == 20


def _check_first_record_race(target: str) -> None:
    _prepare(target)
    results = _race(target, "FIRST", amend=False, racers=10)
    assert [r for r in results if r[0] == "ok"] == [("ok", 1)]
    refused = [message for status, message in results if status == "refused"]
    assert len(refused) == 9
    assert all(m.startswith("a decision is already recorded for patient FIRST") for m in refused)
    with open_registry(target) as reg:
        actions = [a["action"] for a in audit_entries(reg, patient_id="FIRST")]
        assert [d.version for d in decision_state(reg, "FIRST").history] == [1]
    assert actions == ["patient.register", "decision.record"]


def test_twenty_processes_amend_one_decision_sqlite(tmp_path: Path) -> None:
    _check_amend_race(str(tmp_path / "race.sqlite"))


def test_racing_first_records_leave_one_sqlite(tmp_path: Path) -> None:
    _check_first_record_race(str(tmp_path / "first.sqlite"))


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
def test_twenty_processes_amend_one_decision_postgres(postgres_url: str) -> None:
    _check_amend_race(postgres_url)


@pytest.mark.postgres
def test_racing_first_records_leave_one_postgres(postgres_url: str) -> None:
    _check_first_record_race(postgres_url)


KILLED_SCRIPT = """
import time
from pathlib import Path
from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.registry import open_registry
from tumorboard.decisions.choices import resolve
from tumorboard.decisions.store import record_decision
from tumorboard.oncotree import OncoTree

case = load_case({case!r})
case = case.model_copy(update={{"patient": case.patient.model_copy(update={{"id": {pid!r}}})}})

def hold():  # inside the transaction: say so, then wait to be killed
    Path({marker!r}).write_text("in transaction")
    time.sleep(60)

with open_registry({target!r}, user="killed") as reg:
    record_decision(reg, case, resolve(case, ["re-biopsy"]), rationale="killed",
                    amend={amend!r}, catalog=load_catalog(), tree=OncoTree.load(),
                    before_commit=hold)
"""


def _kill_mid_transaction(tmp_path: Path, target: str, pid: str, amend: bool) -> None:
    marker = tmp_path / f"inside-{pid}"
    script = KILLED_SCRIPT.format(
        case=str(DATA / "ihch_braf.json"), target=target, marker=str(marker), pid=pid, amend=amend
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-transaction: rows and audit inserted, not committed
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def test_killed_record_leaves_nothing(tmp_path: Path) -> None:
    target = str(tmp_path / "kill.sqlite")
    _prepare(target)
    _kill_mid_transaction(tmp_path, target, "KILLED", amend=False)
    with open_registry(target, user="after") as reg:
        with reg.transaction(write=False) as conn:
            assert conn.execute(select(patients).where(patients.c.id == "KILLED")).first() is None
            assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 0
            count = select(func.count()).where(audit.c.patient_id == "KILLED")
            assert conn.execute(count).scalar() == 0
        # the lock is gone: the next decision goes through at once
        case = _case("KILLED")
        done = record_decision(
            reg, case, resolve(case, ["1"]), rationale="after", catalog=None, tree=OncoTree.load()
        )
        assert done.decision.version == 1


def test_killed_amendment_keeps_the_current_version(tmp_path: Path) -> None:
    target = str(tmp_path / "kill.sqlite")
    _prepare(target)
    case = _case("KEPT")
    with open_registry(target, user="dr-a") as reg:
        record_decision(
            reg, case, resolve(case, ["1"]), rationale="v1", catalog=None, tree=OncoTree.load()
        )
    _kill_mid_transaction(tmp_path, target, "KEPT", amend=True)
    with open_registry(target) as reg:
        history = decision_state(reg, "KEPT").history
        actions = [a["action"] for a in audit_entries(reg, patient_id="KEPT")]
    assert [(d.version, d.superseded_by, d.rationale) for d in history] == [(1, None, "v1")]
    assert actions == ["patient.register", "decision.record"]
