"""Issue 13's rules outside the readers: signals, output permissions, all-or-nothing output sets,
bounded documents, registry locking and rules, escaping, links."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.bounded import load_json, read_bytes
from tumorboard.casefile import load_case, load_patient
from tumorboard.cli import main
from tumorboard.errors import FormatError, OutputError, excerpt, printable
from tumorboard.outputs import OutputSet, write_text_atomic
from tumorboard.report import report_href

REPO = Path(__file__).resolve().parent.parent
VCF = REPO / "tests" / "data" / "vcf" / "vep_small.vcf"
CASE = REPO / "tests" / "golden_reports" / "ihch_braf_idh1" / "case.json"
COHORTS = REPO / "tests" / "data" / "cohorts"


def tb(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "tumorboard", *args],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        cwd=REPO,
        **kw,  # type: ignore[arg-type]
    )


# --- signals ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_signal_at_any_moment_leaves_both_outputs_or_none(tmp_path: Path) -> None:
    """`report` killed by SIGTERM, SIGHUP or SIGINT at random moments: never one file of the
    pair, never a temporary file."""
    rng = random.Random(13)
    signals = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]
    seen: set[str] = set()
    for i in range(16):
        out = tmp_path / f"run{i}"
        out.mkdir()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tumorboard",
                "report",
                str(VCF),
                "-t",
                "LUAD",
                "-o",
                str(out / "r.html"),
                "--json",
                str(out / "r.json"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        time.sleep(rng.uniform(0.02, 0.7))
        proc.send_signal(signals[i % 3])
        _, err = proc.communicate(timeout=60)
        names = sorted(p.name for p in out.iterdir())
        assert names in ([], ["r.html", "r.json"]), (names, err)
        seen.add("both" if names else "none")
        if proc.returncode not in (0,) and b"interrupted" in err:
            assert err.count(b"Error:") == 1
            assert err.count(b"Hint:") == 1
    assert "none" in seen  # the signals did arrive while the run was working


@pytest.mark.slow
def test_sigterm_becomes_a_clean_exit_and_removes_the_temporary_file(tmp_path: Path) -> None:
    """A run stopped inside the write step (stdin held open) cleans up after SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tumorboard", "render", "-", "-o", str(tmp_path / "r.html")],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        cwd=REPO,
    )
    assert proc.stdin is not None
    proc.stdin.write(b"{")  # the case is still being read when the signal comes
    proc.stdin.flush()
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.decode().splitlines()[0] == "Error: interrupted by SIGTERM"
    assert list(tmp_path.iterdir()) == []


def test_output_set_is_all_or_nothing_when_a_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.json"
    first.write_text("old a", encoding="utf-8")
    second.write_text("old b", encoding="utf-8")
    real = Path.replace
    calls: list[Path] = []

    def flaky(self: Path, target: str | os.PathLike[str]) -> Path:
        calls.append(Path(target))
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    out = OutputSet([str(first), str(second)])
    for path in (first, second):
        with out.open(str(path)) as fh:
            fh.write("new")
    with pytest.raises(OutputError, match="cannot put the output in place"):
        out.commit()
    assert first.read_text(encoding="utf-8") == "old a"  # put back
    assert second.read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.json"]


# --- output permissions ---------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_outputs_are_never_more_readable_than_their_inputs(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        public, private = tmp_path / "public.txt", tmp_path / "private.txt"
        public.write_text("x", encoding="utf-8")
        private.write_text("x", encoding="utf-8")
        private.chmod(0o600)
        write_text_atomic(tmp_path / "from_public", "x", inputs=[str(public)])
        write_text_atomic(tmp_path / "from_private", "x", inputs=[str(private), str(public)])
        group = tmp_path / "group.txt"
        group.write_text("x", encoding="utf-8")
        group.chmod(0o640)
        write_text_atomic(tmp_path / "from_group", "x", inputs=[str(group)])
        kept = tmp_path / "kept"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o664)
        write_text_atomic(kept, "x", inputs=[str(private)])
    finally:
        os.umask(old)

    def mode(name: str) -> int:
        return stat.S_IMODE((tmp_path / name).stat().st_mode)

    assert mode("from_public") == 0o644
    assert mode("from_private") == 0o600
    assert mode("from_group") == 0o640
    assert mode("kept") == 0o600  # a replaced file keeps its mode, narrowed the same way


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_report_of_a_private_vcf_is_private(tmp_path: Path) -> None:
    vcf = tmp_path / "t.vcf"
    vcf.write_bytes(VCF.read_bytes())
    vcf.chmod(0o600)
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(vcf),
            "-t",
            "LUAD",
            "-o",
            str(tmp_path / "r.html"),
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    for name in ("r.html", "r.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) & 0o077 == 0


# --- standard output -------------------------------------------------------------------------
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_is_a_clean_error() -> None:
    with Path("/dev/full").open("w") as full:
        proc = tb("schema", "case", stdout=full)
    assert proc.returncode == 1
    assert proc.stderr == (
        "Error: cannot write the output: No space left on device\n"
        "Hint: free some space, or write to another device with -o\n"
    )


def test_a_closed_pipe_is_a_clean_error() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tumorboard", "catalog", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before tumorboard writes
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 1, err
    assert err.decode().splitlines() == [
        "Error: standard output was closed before all output was written (broken pipe)",
        "Hint: the program reading tumorboard's output stopped early; what it got is incomplete",
    ]


# --- bounded documents -------------------------------------------------------------------------
def test_billion_laughs_and_recursive_aliases_fail_fast(tmp_path: Path) -> None:
    laughs = ["a0: &a0 [" + ", ".join(['"lol"'] * 10) + "]"]
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(laughs) + "\n", encoding="utf-8")
    assert path.stat().st_size < 1024
    with pytest.raises(FormatError, match="expands to more than 1,000,000 nodes"):
        load_patient(path)
    path.write_text("a: &x [1, *x]\n", encoding="utf-8")
    with pytest.raises(FormatError, match="recursive alias"):
        load_patient(path)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("a: " + "[" * 70 + "]" * 70 + "\n", "nests more than 64 levels"),  # no '&': tree walk
        ("u: x?a=1&b=2\na: " + "[" * 70 + "]" * 70 + "\n", "nests more than 64 levels"),
        ("a: &x [1]\nb: " + "[" * 70 + "*x" + "]" * 70 + "\n", "nests more than 64 levels"),
        pytest.param(
            "a: " + "[" + ", ".join(["[" + ", ".join(["1"] * 1001) + "]"] * 1000) + "]\n",
            "1,000,000",
            marks=pytest.mark.slow,  # about 5 s: a million scalars are really parsed
        ),
        (
            "k: &a0 [1, 1]\n"
            + "".join(f"k{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 21)),
            "1,000,000",
        ),
        ("{k: 1,&a0 j: [1, 1], l: [*a0, *a0]}\n", None),  # an anchor after a flow comma is seen
    ],
)
def test_yaml_limits_hold_with_and_without_anchors(doc: str, message: str | None) -> None:
    """Text without an anchor ('&' after a space, line start or indicator) takes the tree walk;
    an '&' inside a URL does not make an anchor; both walks enforce the same limits."""
    from tumorboard.catalog.yamlmarks import compose

    if message is None:
        data, _ = compose(doc, "d.yaml", FormatError)
        assert data == {"k": 1, "j": [1, 1], "l": ["j", "j"]}  # the anchor names the key
        return
    with pytest.raises(FormatError, match=message):
        compose(doc, "d.yaml", FormatError)


def test_json_depth_and_constants_are_bounded() -> None:
    with pytest.raises(FormatError, match="nests more than 64 levels"):
        load_json("[" * 100_000 + "]" * 100_000, "case file", "x.json", "hint")
    with pytest.raises(FormatError, match="NaN is not a JSON number"):
        load_json('{"a": NaN}', "case file", "x.json", "hint")
    assert load_json('{"a": [1, {"b": 2}]}', "case file", "x.json", "hint") == {"a": [1, {"b": 2}]}


def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match=r"named pipe \(FIFO\) that nothing is writing to"):
        load_case(fifo)


def test_a_pipe_with_a_writer_is_read_once(tmp_path: Path) -> None:
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    data = CASE.read_bytes()

    def write() -> None:
        with fifo.open("wb") as fh:  # blocks until the reader opens
            fh.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.2)  # the writer is waiting in open()
    try:
        case = load_case(fifo)
    finally:
        writer.join(timeout=10)
    assert case.patient.id == load_case(CASE).patient.id


def test_devices_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not a regular file"):
        load_case("/dev/zero")
    with pytest.raises(FormatError, match="not a regular file"):
        load_case(tmp_path)


def test_size_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(300 << 20)  # sparse: nothing is read
    with pytest.raises(FormatError, match="larger than 256 MB"):
        load_case(big)
    assert read_bytes(CASE, "case file") == CASE.read_bytes()


# --- escaping --------------------------------------------------------------------------------
def test_printable_and_excerpt() -> None:
    assert printable("a\x1b[2Jb\nc\x9b") == "a\\x1b[2Jb\\nc\\x9b"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert excerpt("x" * 100) == "'" + "x" * 40 + "...'"
    assert excerpt(b"\xff\x00") == "b'\\xff\\x00'"


def test_errors_are_one_escaped_line_each(tmp_path: Path) -> None:
    name = tmp_path / "bad\nname\x1b[31m.json"
    result = CliRunner().invoke(main, ["render", str(name), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Error: ")
    assert "\\n" in lines[0]
    assert "\\x1b" in lines[0]
    assert lines[1].startswith("Hint: ")


def test_report_links_are_relative_and_encoded() -> None:
    assert report_href("javascript:alert(1).html") == "javascript%3Aalert%281%29.html"
    assert report_href("cases/P 1.html") == "cases/P%201.html"
    assert report_href("../x#y?.html") == "../x%23y%3F.html"


# --- registry --------------------------------------------------------------------------------
@pytest.fixture
def registry(tmp_path: Path) -> Path:
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.definitions import load_cohorts
    from tumorboard.cohorts.manage import sync_definitions
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.oncotree import OncoTree

    path = tmp_path / "reg.sqlite"
    defs = load_cohorts(COHORTS / "small.yaml", catalog=load_catalog(), tree=OncoTree.load())
    with open_registry(str(path), user="t", create=True) as reg:
        sync_definitions(reg, defs)
    return path


@pytest.mark.slow
def test_status_does_not_wait_for_a_writer(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer holds the registry's write lock; status still answers at once (it would wait
    for the lock, and fail after the busy timeout, if it opened the registry for writing)."""
    from tumorboard.cohorts import registry as module

    monkeypatch.setattr(module, "BUSY_TIMEOUT_S", 0.5)
    writer = sqlite3.connect(registry, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE cohorts SET notes = 'being changed'")
    try:
        for args in (["cohort", "status"], ["cohort", "audit"], ["cohort", "proposals"]):
            result = CliRunner().invoke(main, [*args, "--registry", str(registry)])
            assert result.exit_code == 0, result.stderr
        blocked = CliRunner().invoke(
            main, ["cohort", "open", "T-BRAF-SOLID", "--registry", str(registry)]
        )
        assert blocked.exit_code == 1
        assert "stayed locked" in blocked.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_empty_or_foreign_file_is_not_a_registry(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    for args in (["cohort", "status"], ["cohort", "init"]):
        result = CliRunner().invoke(main, [*args, "--registry", str(empty)])
        assert result.exit_code == 1
        assert "not a tumorboard cohort registry" in result.stderr
    assert empty.read_bytes() == b""


@pytest.mark.slow
def test_a_killed_init_never_leaves_a_registry_that_is_accepted_half_made(tmp_path: Path) -> None:
    rng = random.Random(7)
    for i in range(8):
        target = tmp_path / f"r{i}.sqlite"
        proc = subprocess.Popen(
            [sys.executable, "-m", "tumorboard", "cohort", "init", "--registry", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL if i % 2 else signal.SIGTERM)
        proc.wait(timeout=60)
        if target.exists():
            status = tb("cohort", "status", "--registry", str(target))
            assert status.returncode == 0, status.stderr  # a complete, migrated registry
        if i % 2 == 0:  # SIGTERM: the temporary file is removed too
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".r{i}.")] == []


def test_no_outcome_after_the_final_one_without_correct(registry: Path) -> None:
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.assign import assign_case
    from tumorboard.cohorts.manage import status
    from tumorboard.cohorts.outcomes import record_outcome
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.errors import AssignmentError
    from tumorboard.oncotree import OncoTree

    case = load_case(COHORTS / "ihch_braf.json")
    case = case.model_copy(update={"patient": case.patient.model_copy(update={"id": "P1"})})
    with open_registry(str(registry), user="t") as reg:
        assign_case(reg, case, catalog=load_catalog(), tree=OncoTree.load())
        assert record_outcome(reg, "P1", "PD", 8).patient_result == "no-benefit"
        with pytest.raises(AssignmentError) as err:
            record_outcome(reg, "P1", "PR", 16)
        assert err.value.message == (
            "treatment of P1 in T-BRAF-SOLID ended with PD at week 8; no assessment is "
            "recorded after the final one (week 16 was given)"
        )
        (view,) = status(reg, "T-BRAF-SOLID")
        assert view.benefit == 0
        fixed = record_outcome(reg, "P1", "SD", 8, correct=True)  # the final one corrected
        assert fixed.patient_result == "pending"
        assert record_outcome(reg, "P1", "PR", 16).patient_result == "benefit"


@pytest.mark.parametrize("pid", ["P\x1b[2J", "P" * 65, "P 1", "../x", ""])
def test_registry_commands_validate_patient_ids(registry: Path, pid: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "cohort",
            "outcome",
            "--patient-id",
            pid,
            "--response",
            "PD",
            "--week",
            "3",
            "--registry",
            str(registry),
        ],
    )
    assert result.exit_code == 1
    assert "is not a valid pseudonym" in result.stderr or pid == ""
    assert "\x1b" not in result.stderr


def test_audit_table_escapes_stored_control_characters(registry: Path) -> None:
    CliRunner().invoke(
        main,
        [
            "cohort",
            "suspend",
            "T-BRAF-SOLID",
            "--reason",
            "x",
            "--registry",
            str(registry),
            "--user",
            "evil\x1b[2J\nforged line",
        ],
    )
    result = CliRunner().invoke(main, ["cohort", "audit", "--registry", str(registry)])
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "evil\\x1b[2J\\nforged line" in result.stdout
    assert not any(line.startswith("forged") for line in result.stdout.splitlines())
    as_json = CliRunner().invoke(
        main, ["cohort", "audit", "--registry", str(registry), "--format", "json"]
    )
    users = {row["user"] for row in json.loads(as_json.stdout)}
    assert "evil\x1b[2J\nforged line" in users  # the data itself is kept as given
