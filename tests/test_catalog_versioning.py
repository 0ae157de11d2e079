"""Catalog version discipline: catalog.lock, `catalog diff` by indication, `cohort rematch`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.alterations import Alteration
from tumorboard.api import analyse
from tumorboard.casefile import write_case_json
from tumorboard.catalog import load_catalog
from tumorboard.catalog.diff import diff_catalogs, rule_relation
from tumorboard.catalog.lock import REFRESH, check_lock, read_lock, write_lock
from tumorboard.cli import main
from tumorboard.models import RunOptions
from tumorboard.oncotree import OncoTree
from tumorboard.resources import catalog_dir

CLINICAL = Path(__file__).resolve().parent / "data" / "catalog" / "clinical"


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


def copy_catalog(dest: Path) -> Path:
    shutil.copytree(CLINICAL, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- catalog.lock --------------------------------------------------------------------------------
def test_bundled_catalog_lock_is_current() -> None:
    problems = check_lock(catalog_dir())
    assert problems == [], (
        f"{problems[0]}\n(the documented command for the bundled catalog: `{REFRESH}`, after "
        "bumping `version` in drug_catalog/catalog.yaml)"
    )


def test_content_change_without_version_bump_fails_and_says_how_to_fix(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path / "cat")
    write_lock(cat)
    assert check_lock(cat) == []
    assert read_lock(cat) is not None
    edit(cat / "records.yaml", "approval_date: 2022-01-06", "approval_date: 2022-01-07")
    (problem,) = check_lock(cat)
    assert problem.startswith("the catalog content changed but its version is still 1.0.0")
    assert f"bump `version` in {cat}/catalog.yaml, then run `tumorboard catalog lock {cat}`" in (
        problem
    )
    edit(cat / "catalog.yaml", "version: 1.0.0", "version: 1.0.1")
    assert check_lock(cat) == [
        f"catalog.lock records version 1.0.0 but catalog.yaml says 1.0.1: run "
        f"`tumorboard catalog lock {cat}` to refresh it"
    ]
    write_lock(cat)
    assert check_lock(cat) == []


def test_comments_do_not_need_a_bump(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path / "cat")
    write_lock(cat)
    with (cat / "records.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# a comment changes nothing the catalog says\n")
    assert check_lock(cat) == []


def test_cli_lock_and_check(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path / "cat")
    runner = CliRunner()
    missing = runner.invoke(main, ["catalog", "lock", str(cat), "--check"])
    assert missing.exit_code == 1
    assert missing.output == (
        f"Error: {cat}/catalog.lock is missing: run `tumorboard catalog lock {cat}`\n"
        "Hint: see drug_catalog/README.md, version discipline\n"
    )
    done = runner.invoke(main, ["catalog", "lock", str(cat)])
    assert done.exit_code == 0
    assert done.output == f"wrote {cat}/catalog.lock\n"
    assert "version: 1.0.0\nsha256: " in (cat / "catalog.lock").read_text(encoding="utf-8")
    ok = runner.invoke(main, ["catalog", "lock", str(cat / "catalog.yaml"), "--check"])
    assert ok.exit_code == 0, ok.output


# --- catalog diff --------------------------------------------------------------------------------
def _diff(tmp_path: Path, tree: OncoTree, edits: list[tuple[str, str, str]]) -> dict:
    new = copy_catalog(tmp_path / "new")
    for name, old, text in edits:
        edit(new / name, old, text)
    return diff_catalogs(
        load_catalog([CLINICAL / "catalog.yaml"], oncotree=tree),
        load_catalog([new / "catalog.yaml"], oncotree=tree),
        tree,
    )


def _kinds(doc: dict) -> dict[str, str]:
    return {i["id"]: kind for kind in ("added", "withdrawn", "narrowed", "widened", "changed")
            for i in doc[kind]}  # fmt: skip


def test_diff_by_indication(tmp_path: Path, tree: OncoTree) -> None:
    doc = _diff(
        tmp_path,
        tree,
        [
            (
                "records.yaml",
                "{id: FDA_DT_MEL, drugs: [dabrafenib, trametinib], biomarker: BRAF_V600,",
                "{id: FDA_DT_MEL, drugs: [dabrafenib, trametinib], biomarker: BRAF_V600E,",
            ),
            (
                "records.yaml",
                "biomarker: ERBB2_AMP, tumor_types: [BREAST],",
                "biomarker: ERBB2_AMP, tumor_types: [BREAST, STOMACH],",
            ),
            (
                "records.yaml",
                "{id: EMA_LARO_NTRK, drugs: [larotrectinib], biomarker: NTRK_FUSION,",
                "{id: EMA_LARO_NTRK, min_age_years: 18, drugs: [larotrectinib], biomarker: "
                "NTRK_FUSION,",
            ),
            (
                "records.yaml",
                "{id: EMA_OLA_BRCA1_OV, drugs: [olaparib],",
                "{id: EMA_OLA_BRCA1_OV, requires: [{kind: germline, text: germline origin}], "
                "drugs: [olaparib],",
            ),
            ("records.yaml", "approval_date: 2022-01-06", "approval_date: 2022-01-07"),
            ("records.yaml", "  - {id: EMA_ALEC_ALK,", "  - {id: EMA_ALEC_ALK2,"),
        ],
    )
    kinds = _kinds(doc)
    assert kinds["FDA_DT_MEL"] == "narrowed"
    assert kinds["EMA_TRAS_BREAST"] == "widened"
    assert kinds["EMA_LARO_NTRK"] == "narrowed"
    assert kinds["EMA_OLA_BRCA1_OV"] == "narrowed"
    assert kinds["EMA_SOTO_G12C"] == "changed"
    assert kinds["EMA_ALEC_ALK2"] == "added"
    assert kinds["EMA_ALEC_ALK"] == "withdrawn"
    (mel,) = [i for i in doc["narrowed"] if i["id"] == "FDA_DT_MEL"]
    assert mel["changes"] == ["narrowed: biomarker rule BRAF_V600 -> BRAF_V600E (narrower)"]
    (soto,) = doc["changed"]
    assert soto["changes"] == ["approval_date changed"]
    assert doc["warnings"] == [
        "both catalogs say version 1.0.0 but their content differs: the new catalog needs a "
        "version bump (see tumorboard catalog lock)"
    ]


def test_a_narrowed_rule_narrows_every_indication_using_it(tmp_path: Path, tree: OncoTree) -> None:
    doc = _diff(tmp_path, tree, [("biomarkers.yaml", "alternatives: [E, K, D, R]",
                                  "alternatives: [E, K]")])  # fmt: skip
    assert sorted(i["id"] for i in doc["narrowed"]) == ["EMA_DT_MEL", "EMA_DT_NSCLC", "FDA_DT_MEL"]
    assert [i["id"] for i in doc["changed"]] == ["biomarker:BRAF_V600"]


def test_mixed_changes_are_changed_with_both_named(tmp_path: Path, tree: OncoTree) -> None:
    doc = _diff(
        tmp_path,
        tree,
        [
            (
                "records.yaml",
                "biomarker: RET_FUSION, tumor_types: [NSCLC, THYROID],",
                "biomarker: RET_FUSION, tumor_types: [LUAD, THYROID, COADREAD],",
            )
        ],
    )
    (item,) = doc["changed"]
    assert item["id"] == "EMA_SELP_RET"
    assert item["changes"] == [
        "tumour scope NSCLC, THYROID -> LUAD, THYROID, COADREAD",
    ]


def test_rule_relation_examples() -> None:
    cat = load_catalog([CLINICAL / "catalog.yaml"])
    b = cat.biomarkers
    assert rule_relation(b["BRAF_V600"], b["BRAF_V600E"]) == "narrower"
    assert rule_relation(b["BRAF_V600E"], b["BRAF_V600"]) == "wider"
    assert rule_relation(b["BRAF_V600E"], b["BRAF_V600E"]) == "same"
    assert rule_relation(b["BRAF_V600E"], b["EGFR_L858R"]) == "different"


def test_cli_diff_table(tmp_path: Path) -> None:
    new = copy_catalog(tmp_path / "new")
    edit(new / "biomarkers.yaml", "alternatives: [E, K, D, R]", "alternatives: [E, K]")
    edit(new / "catalog.yaml", "version: 1.0.0", "version: 1.1.0")
    result = CliRunner().invoke(
        main, ["catalog", "diff", str(CLINICAL / "catalog.yaml"), str(new / "catalog.yaml")]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "# golden-clinical 1.0.0 -> golden-clinical 1.1.0"
    assert (
        "narrowed\tindications\tEMA_DT_MEL [narrowed: biomarker rule BRAF_V600 changed "
        "(narrower)]\trevisit: patients with BRAF V600E/K/D/R in MEL (EMA)"
    ) in lines
    assert lines[-1] == "# 0 added, 0 withdrawn, 3 narrowed, 0 widened, 1 changed"


# --- cohort rematch names the patients to look at again ---------------------------------------
def test_rematch_says_which_patients_to_look_at_again_and_why(tmp_path: Path) -> None:
    v600d = Alteration(
        gene="BRAF", chrom="chr7", pos=140753336, ref="A", alt="T", protein="V600D",
        protein_start=600, protein_end=600, consequences=("missense_variant",), exon=15,
    )  # fmt: skip
    options = RunOptions(
        tumor_type="SKCM", patient_id="P-1", catalog=[str(CLINICAL / "catalog.yaml")]
    )
    case = analyse([[v600d]], options)
    assert [(m.drugs, m.label) for m in case.matches] == [
        (["dabrafenib", "trametinib"], "on-label")
    ]
    write_case_json(case, tmp_path / "case.json")
    reg = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    assert runner.invoke(main, ["cohort", "init", "--registry", reg]).exit_code == 0
    assign = runner.invoke(
        main, ["cohort", "assign", str(tmp_path / "case.json"), "-t", "SKCM",
               "--patient-id", "P-1", "--registry", reg],
    )  # fmt: skip
    assert assign.exit_code == 0, assign.output
    new = copy_catalog(tmp_path / "new")  # the melanoma labels name V600E and V600K only
    edit(new / "biomarkers.yaml", "alternatives: [E, K, D, R]", "alternatives: [E, K]")
    result = runner.invoke(
        main, ["cohort", "rematch", "--registry", reg, "--catalog", str(new / "catalog.yaml"),
               "--since", str(CLINICAL / "catalog.yaml"), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)
    assert entry["patient_id"] == "P-1"
    assert entry["cohorts"] == []
    (change,) = entry["review"]
    # the fixture catalog's records carry no label_text: the option was "on-label if" (the
    # board reads the label's words), and the change says so
    assert change.startswith("dabrafenib + trametinib: no longer listed (was on-label if the EMA ")
    assert ") (narrowed EMA_DT_MEL: narrowed: " in change
    assert "biomarker rule BRAF_V600 changed (narrower)" in change
    text = runner.invoke(
        main, ["cohort", "rematch", "--registry", reg, "--catalog", str(new / "catalog.yaml")]
    )
    assert text.output.startswith("P-1 (SKCM): look again: dabrafenib + trametinib: no longer")
