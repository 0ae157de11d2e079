"""``tumorboard batch`` and :mod:`tumorboard.batch`: samplesheets, parallel runs, reruns."""

from __future__ import annotations

import csv
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.batch import catalog_fingerprint, read_samplesheet, run_batch
from tumorboard.cli import main
from tumorboard.errors import InputError, InputNotFoundError

HCC1395 = "somatic_vcf/pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"
HCC1395_TUMOUR_ONLY = "somatic_vcf/pvactools_HCC1395.input_somatic.grch38.vep.vcf.gz"
HEADER = "patient_id\ttumor_type\tinputs\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run_dir(tmp_path: Path, shared_data: Path) -> Path:
    """A run folder with two real VEP-annotated VCFs (copied, so tests may change them)."""
    shutil.copy(shared_data / HCC1395, tmp_path / "p1.vcf.gz")
    shutil.copy(shared_data / HCC1395_TUMOUR_ONLY, tmp_path / "p2.vcf.gz")
    return tmp_path


def summary(outdir: Path) -> dict[str, dict[str, str]]:
    with (outdir / "summary.tsv").open(encoding="utf-8") as fh:
        return {row["patient_id"]: row for row in csv.DictReader(fh, delimiter="\t")}


# --- samplesheet --------------------------------------------------------------------------------
def test_samplesheet_paths_relative_to_sheet_comments_and_aliases(tmp_path: Path) -> None:
    sub = tmp_path / "run"
    sub.mkdir()
    sheet = write(
        sub / "s.tsv",
        "# run 42\nPatient_ID\ttumour_type\tinputs\tcnv\tjurisdiction\n\n"
        "P-01\tLUAD\ta.vcf.gz, b/c.tsv\t\tfda\n"
        "P.02\tCOAD\t/abs/x.vcf;y.vcf\tcn.tsv\t\n",
    )
    one, two = read_samplesheet(sheet)
    assert one.patient_id == "P-01"
    assert one.tumor_type == "LUAD"
    assert one.inputs == (str(sub / "a.vcf.gz"), str(sub / "b" / "c.tsv"))
    assert one.jurisdiction == "FDA"
    assert one.cnv == ()
    assert one.where == f"{sheet}:4"
    assert two.inputs == ("/abs/x.vcf", str(sub / "y.vcf"))
    assert two.cnv == (str(sub / "cn.tsv"),)
    assert two.jurisdiction is None


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [
        (
            "patient_id\ttumor_type\n",
            1,
            "missing column(s): an input column (inputs, vcf, maf, tso500, cnv or fusions)",
            "the header needs patient_id, tumor_type and inputs, separated by tabs",
        ),
        (
            HEADER.replace("\n", "\tfusion\n"),
            1,
            "unknown column 'fusion'",
            "did you mean 'fusions'? columns are tab-separated: patient_id, tumor_type, "
            "vcf, maf, tso500, cnv, fusions, inputs, sample, genome, jurisdiction, patient, "
            "tmb, msi, hrd",
        ),
        (
            HEADER + "P1\tLUAD\ta.vcf\nP1\tCOAD\tb.vcf\n",
            3,
            "patient 'P1' appears twice (first at {sheet}:2)",
            "give each patient one row; list all their files in `inputs`",
        ),
        (HEADER + "P1\t\ta.vcf\n", 2, "empty tumor_type", "fill in tumor_type for this row"),
        (
            HEADER + "Ola Nordmann\tLUAD\ta.vcf\n",
            2,
            "patient id 'Ola Nordmann' is not a valid pseudonym",
            "use up to 64 letters, digits, '.', '_' and '-' (a pseudonym, never a name)",
        ),
        (
            HEADER.replace("\n", "\tjurisdiction\n") + "P1\tLUAD\ta.vcf\tPMDA\n",
            2,
            "jurisdiction 'PMDA' is not one of EMA, FDA",
            "write EMA or FDA, or leave the cell empty",
        ),
        (
            HEADER + "agenda\tLUAD\ta.vcf\n",
            2,
            "patient id 'agenda' would overwrite the run's own agenda file",
            "rename the patient; agenda, manifest, summary are reserved",
        ),
        (
            HEADER.replace("\n", "\tgenome\n") + "P1\tLUAD\ta.vcf\thg19\n",
            2,
            "genome 'hg19' is not one of GRCh37, GRCh38",
            "write GRCh37 or GRCh38, or leave the cell empty",
        ),
        (
            HEADER + "P1\tLUAD\ta.vcf\tb.vcf\n",
            2,
            "4 fields but the header has 3",
            "separate columns with tabs and files within `inputs` with commas",
        ),
    ],
)
def test_samplesheet_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, message: str, hint: str
) -> None:
    sheet = write(tmp_path / "s.tsv", text)
    with pytest.raises(InputError) as info:
        read_samplesheet(sheet)
    assert info.value.where == f"{sheet}:{line}"
    assert info.value.message == message.format(sheet=sheet)
    assert info.value.hint == hint


def test_samplesheet_empty_or_missing(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="samplesheet not found"):
        read_samplesheet(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match="the samplesheet is empty"):
        read_samplesheet(write(tmp_path / "e.tsv", "# only a comment\n\n"))
    with pytest.raises(InputError, match="has a header but no patients"):
        read_samplesheet(write(tmp_path / "h.tsv", HEADER))


ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,11}", fullmatch=True).filter(
    lambda pid: pid.lower() not in ("agenda", "manifest", "summary")  # the run's own files
)
TUMOURS = st.sampled_from(["LUAD", "COAD", "SKCM", "BRCA"])
names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}\.vcf(\.gz)?", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(ids, TUMOURS, st.lists(names, min_size=1, max_size=3)),
        min_size=1,
        max_size=5,
        unique_by=lambda r: r[0].lower(),  # one output file per patient on any file system
    ),
    sep=st.sampled_from([",", ";", ", ", " ; "]),
)
def test_samplesheet_round_trip(tmp_path_factory: pytest.TempPathFactory, rows, sep) -> None:
    folder = tmp_path_factory.mktemp("sheet")
    text = HEADER + "".join(f"{p}\t{t}\t{sep.join(f)}\n" for p, t, f in rows)
    parsed = read_samplesheet(write(folder / "s.tsv", text))
    assert [(s.patient_id, s.tumor_type) for s in parsed] == [(p, t) for p, t, _ in rows]
    assert [s.inputs for s in parsed] == [tuple(str(folder / x) for x in f) for _, _, f in rows]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="ab\t\n#,;.P1LUAD ", max_size=80))
def test_samplesheet_junk_raises_only_input_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    sheet = write(tmp_path_factory.mktemp("junk") / "s.tsv", text)
    error: InputError | None = None
    try:
        read_samplesheet(sheet)
    except InputError as exc:
        error = exc
    if error is not None:
        assert (error.where or "").startswith(str(sheet))


# --- running ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_batch_cli_one_failure_does_not_stop_the_others(run_dir: Path) -> None:
    sheet = write(
        run_dir / "s.tsv",
        HEADER + "P1\tLUAD\tp1.vcf.gz\nP2\tBRCA\tp2.vcf.gz\nP3\tCOAD\tmissing.vcf.gz\n",
    )
    out = run_dir / "out"
    result = CliRunner().invoke(main, ["batch", str(sheet), "-j", "2", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"failed: P3: {run_dir}/missing.vcf.gz: input file not found (hint: see {sheet}:4)\n"
        f"3 patients: 2 analysed, 0 unchanged (skipped), 1 failed; summary: {out}/summary.tsv\n"
        f"Error: {out}/summary.tsv: 1 of 3 patient(s) failed; the others were written\n"
        "Hint: the reason for each is in summary.tsv (and above); fix those inputs and run "
        "again: finished patients are skipped\n"
    )
    rows = summary(out)
    assert [rows[p]["status"] for p in ("P1", "P2", "P3")] == ["ok", "ok", "failed"]
    assert rows["P3"]["json"] == ""
    for pid in ("P1", "P2"):
        case = json.loads((out / f"{pid}.json").read_text())
        assert case["patient"]["id"] == pid
        assert int(rows[pid]["variants"]) == len(case["variants"]) > 0
        assert (out / f"{pid}.html").read_text().startswith("<!DOCTYPE html>")
    assert case["patient"]["tumor_type"] == "BRCA"
    agenda = (out / "agenda.html").read_text()
    assert 'href="P1.html"' in agenda
    assert 'href="P2.html"' in agenda
    assert not (out / "P3.json").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["samples"]) == ["P1", "P2"]
    assert manifest["samples"]["P1"]["inputs"] == {
        str(run_dir / "p1.vcf.gz"): manifest["samples"]["P1"]["inputs"][str(run_dir / "p1.vcf.gz")]
    }


@pytest.mark.slow
def test_rerun_skips_unchanged_and_reruns_changed_inputs(run_dir: Path) -> None:
    sheet = write(run_dir / "s.tsv", HEADER + "P1\tLUAD\tp1.vcf.gz\nP2\tBRCA\tp2.vcf.gz\n")
    out = run_dir / "out"
    first = run_batch(read_samplesheet(sheet), out)
    assert first.ok
    assert [o.status for o in first.outcomes] == ["ok", "ok"]
    again = run_batch(read_samplesheet(sheet), out)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"]
    assert summary(out)["P1"]["reason"] == "unchanged since the last run"
    # a new input file for P2 (same name, other content) and a deleted report for P1
    shutil.copy(run_dir / "p1.vcf.gz", run_dir / "p2.vcf.gz")
    (out / "P1.html").unlink()
    third = run_batch(read_samplesheet(sheet), out)
    assert [o.status for o in third.outcomes] == ["ok", "ok"]
    assert [o.status for o in run_batch(read_samplesheet(sheet), out).outcomes] == [
        "skipped",
        "skipped",
    ]
    # other options mean other results: everything runs again
    changed = run_batch(read_samplesheet(sheet), out, common={"include_filtered": True})
    assert [o.status for o in changed.outcomes] == ["ok", "ok"]
    forced = run_batch(read_samplesheet(sheet), out, common={"include_filtered": True}, force=True)
    assert [o.status for o in forced.outcomes] == ["ok", "ok"]


@pytest.mark.slow
def test_failed_sample_is_retried_on_rerun(run_dir: Path) -> None:
    sheet = write(run_dir / "s.tsv", HEADER + "P1\tNOTACODE\tp1.vcf.gz\n")
    out = run_dir / "out"
    result = run_batch(read_samplesheet(sheet), out)
    assert not result.ok
    assert result.outcomes[0].reason.startswith("unknown OncoTree code 'NOTACODE'")
    assert result.agenda is None
    write(sheet, HEADER + "P1\tLUAD\tp1.vcf.gz\n")
    assert [o.status for o in run_batch(read_samplesheet(sheet), out).outcomes] == ["ok"]


def test_catalog_fingerprint_follows_catalog_content(tmp_path: Path) -> None:
    from tumorboard.resources import catalog_dir

    copy = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), copy)
    bundled = catalog_fingerprint({})
    assert catalog_fingerprint({"catalog": [str(copy)]}) == catalog_fingerprint(
        {"catalog": [str(copy)]}
    )
    before = catalog_fingerprint({"catalog": [str(copy)]})
    drugs = copy / "drugs.yaml"
    drugs.write_text(drugs.read_text() + "\n# edited\n")
    assert catalog_fingerprint({"catalog": [str(copy)]}) != before
    assert catalog_fingerprint({"catalog_extend": [str(drugs)]}) != bundled


@pytest.mark.slow
def test_batch_subprocess_quiet_all_ok(run_dir: Path) -> None:
    sheet = write(run_dir / "s.tsv", HEADER + "P1\tLUAD\tp1.vcf.gz\n")
    out = run_dir / "out"
    cmd = [sys.executable, "-m", "tumorboard", "batch", str(sheet), "-o", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert summary(out)["P1"]["status"] == "ok"


@pytest.mark.slow
def test_progress_bar_only_on_a_terminal(run_dir: Path) -> None:
    sheet = write(run_dir / "s.tsv", HEADER + "P1\tLUAD\tp1.vcf.gz\n")
    leader, follower = pty.openpty()
    cmd = [sys.executable, "-m", "tumorboard", "batch", str(sheet), "-o", str(run_dir / "o")]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=follower) as proc:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the child has exited
                break
            if not chunk:
                break
            seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    text = seen.decode()
    assert "tumorboard batch" in text
    assert "1/1" in text
    assert "1 patients: 1 analysed" in text


def test_bad_samplesheet_is_a_user_error(tmp_path: Path) -> None:
    sheet = write(tmp_path / "s.tsv", "patient\ttumor\n")
    result = CliRunner().invoke(main, ["batch", str(sheet), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {sheet}:1: unknown column 'tumor'\n"
        "Hint: did you mean 'tumor_type'? columns are tab-separated: patient_id, tumor_type, "
        "vcf, maf, tso500, cnv, fusions, inputs, sample, genome, jurisdiction, patient, tmb, "
        "msi, hrd\n"
    )
    assert not (tmp_path / "o").exists()


# --- the library API for pipelines --------------------------------------------------------------
def test_analyse_takes_paths_open_files_and_records(shared_data: Path) -> None:
    import io

    import tumorboard
    from tumorboard.api import read_vcf

    vcf = shared_data / HCC1395
    options = tumorboard.RunOptions(tumor_type="LUAD", patient_id="P-1")
    by_path = tumorboard.analyse([vcf], options)
    with vcf.open("rb") as fh:
        by_file = tumorboard.analyse([fh], options)
    records = read_vcf(vcf, options).alterations
    by_records = tumorboard.analyse([iter(records)], options)
    keys = [v.id for v in by_path.variants]
    assert keys
    assert [v.id for v in by_file.variants] == keys
    assert [v.id for v in by_records.variants] == keys
    assert by_file.inputs == by_path.inputs
    assert by_records.inputs[0].path == "<records>"
    assert by_records.qc.records_read == len(records)
    with pytest.raises(tumorboard.TumorBoardError) as info:
        tumorboard.analyse([io.BytesIO(b"##fileformat=VCFv4.2\n")], options)
    assert info.value.message == "an open file without a file name on disk cannot be read"
    with pytest.raises(tumorboard.TumorBoardError) as info:
        tumorboard.analyse([[1, 2]], options)
    assert info.value.message == "cannot read an input of type list"
    assert info.value.hint == (
        "give a path, an open file, or an iterable of tumorboard.Alteration records"
    )


def test_the_library_leaves_the_collector_alone(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library never changes its caller's GC (on stays on, off stays off, also on errors);
    the commands' pause restores the state and nests."""
    import gc

    import tumorboard
    import tumorboard.pipeline as pipeline
    from tumorboard.gcpause import gc_paused

    seen: list[bool] = []
    real_read = pipeline.read

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read", spy)
    options = tumorboard.RunOptions(tumor_type="LUAD")
    assert tumorboard.analyse([shared_data / HCC1395], options).variants
    assert gc.isenabled()
    with pytest.raises(tumorboard.TumorBoardError):
        tumorboard.analyse([shared_data / "no_such.vcf"], options)
    assert gc.isenabled()
    gc.disable()
    try:
        tumorboard.analyse([shared_data / HCC1395], options)
        assert not gc.isenabled()  # a caller's own choice is left alone
    finally:
        gc.enable()
    assert seen == [True, True, False]  # the run itself never switched it
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still in force
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's own choice is left alone
    finally:
        gc.enable()
