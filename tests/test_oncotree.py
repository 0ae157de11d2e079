"""OncoTree: lineage, descendants, renamed codes, suggestions, solid vs haematological, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.errors import OncoTreeError
from tumorboard.oncotree import OncoTree, _osa_distance, available_versions

TREE = OncoTree.load()
ALL_CODES = sorted(n.code for n in TREE.nodes())

LAUD_HINT = (
    "did you mean LUAD (Lung Adenocarcinoma), BLAD (Bladder Adenocarcinoma), "
    "LAIS (Lung Adenocarcinoma In Situ), LAM (Pulmonary Lymphangiomyomatosis), "
    "LAMN (Low-grade Appendiceal Mucinous Neoplasm)? "
    "Or search by name with `tumorboard oncotree --search TEXT`"
)


def test_load_is_cached_and_versioned() -> None:
    assert OncoTree.load() is TREE
    assert OncoTree.load("2025_10_03") is TREE
    assert TREE.version == "2025_10_03"
    assert available_versions() == ["2025_10_03"]
    assert len(TREE) == 898  # 897 tumour types + the root TISSUE


def test_unknown_version() -> None:
    with pytest.raises(OncoTreeError) as err:
        OncoTree.load("2019_01_01")
    assert err.value.message == "OncoTree version '2019_01_01' is not bundled"
    assert err.value.hint == "available: 2025_10_03"


def test_tree_matches_the_public_json(shared_data: Path) -> None:
    data = json.loads((shared_data / "oncotree/oncotree_2025_10_03.json").read_text())
    seen = 0
    stack = [data["TISSUE"]]
    while stack:
        raw = stack.pop()
        node = TREE.resolve(raw["code"])
        assert (node.code, node.name, node.parent, node.level) == (
            raw["code"], raw["name"], raw["parent"], raw["level"],
        )  # fmt: skip
        assert node.history == tuple(raw["history"])
        assert sorted(c.code for c in TREE.children(node.code)) == sorted(raw["children"])
        stack.extend(raw["children"].values())
        seen += 1
    assert seen == len(TREE)


def test_luad_lineage_passes_nsclc_and_lung() -> None:
    assert [n.code for n in TREE.lineage("LUAD")] == ["TISSUE", "LUNG", "NSCLC", "LUAD"]
    assert [n.code for n in TREE.lineage("luad", include_root=False)] == ["LUNG", "NSCLC", "LUAD"]
    luad = TREE.resolve("LUAD")
    assert (luad.name, luad.main_type, luad.tissue, luad.parent, luad.level) == (
        "Lung Adenocarcinoma", "Non-Small Cell Lung Cancer", "Lung", "NSCLC", 3,
    )  # fmt: skip


def test_is_descendant_is_inclusive_and_directional() -> None:
    assert TREE.is_descendant("LUAD", "NSCLC")
    assert TREE.is_descendant("LUAD", "LUNG")
    assert TREE.is_descendant("LUAD", "LUAD")
    assert TREE.is_descendant("LUAD", "TISSUE")
    assert not TREE.is_descendant("NSCLC", "LUAD")
    assert not TREE.is_descendant("LUSC", "LUAD")
    assert TREE.is_descendant("LUSC", "NSCLC")
    assert not TREE.is_descendant("COAD", "LUNG")


def test_renamed_code_resolves_with_a_note() -> None:
    # OncoTree lists MM in the history of PCM: multiple myeloma became plasma cell myeloma
    found = TREE.lookup("mm")
    assert found.node.code == "PCM"
    assert found.note == "MM was renamed PCM in OncoTree (Plasma Cell Myeloma)"
    assert TREE.is_descendant("MM", "LYMPH")
    assert TREE.resolve("BLOOD").code == "MYELOID"


def test_precursor_code_resolves_with_a_note() -> None:
    found = TREE.lookup("CLL")
    assert found.node.code == "CLLSLL"
    assert found.note == (
        "CLL is an earlier OncoTree code, replaced by CLLSLL "
        "(Chronic Lymphocytic Leukemia/Small Lymphocytic Lymphoma)"
    )


def test_current_code_wins_over_a_revocation_of_the_same_code() -> None:
    found = TREE.lookup("PTCL")  # PTCL lists PTCL itself among its revocations
    assert found.node.code == "PTCL"
    assert found.note is None


def test_revoked_code_is_not_guessed() -> None:
    with pytest.raises(OncoTreeError) as err:
        TREE.resolve("ALL")
    assert err.value.message == "OncoTree code 'ALL' was revoked"
    assert err.value.hint == (
        "choose the current code that fits: BLL (B-Lymphoblastic Leukemia/Lymphoma), "
        "TLL (T-Lymphoblastic Leukemia/Lymphoma)"
    )
    with pytest.raises(OncoTreeError, match="'GBM' was revoked"):
        TREE.resolve("GBM")


def test_unknown_code_suggests_close_codes() -> None:
    with pytest.raises(OncoTreeError) as err:
        TREE.resolve("LAUD")
    assert err.value.message == "unknown OncoTree code 'LAUD'"
    assert err.value.hint == LAUD_HINT
    assert TREE.suggestions("LAUD")[0].code == "LUAD"
    assert [n.code for n in TREE.suggestions("melanoma", limit=2)] == ["MEL", "MUP"]


def test_unknown_code_without_close_codes() -> None:
    with pytest.raises(OncoTreeError) as err:
        TREE.resolve("QQQQQQQQ")
    assert err.value.hint == (
        "no close code; search by name with `tumorboard oncotree --search TEXT`"
    )


def test_is_solid_by_tissue() -> None:
    assert not TREE.is_solid("AML")
    assert TREE.is_haematological("AML")
    assert not TREE.is_solid("DLBCLNOS")
    assert not TREE.is_solid("PCM")
    assert TREE.is_solid("COAD")
    assert TREE.is_solid("LUAD")
    assert TREE.is_solid("GB")
    assert not TREE.is_solid("TISSUE")
    assert not TREE.is_haematological("TISSUE")


def test_search_children_descendants() -> None:
    assert [n.code for n in TREE.search("lung adeno")][:2] == ["LAIS", "LUAD"]
    assert TREE.search("luad")[0].code == "LUAD"
    assert TREE.search("  ") == []
    assert "LUSC" in [n.code for n in TREE.children("nsclc")]
    below = {n.code for n in TREE.descendants("LUNG")}
    assert {"NSCLC", "LUAD", "LUSC", "SCLC"} <= below
    assert "LUNG" not in below
    assert len(TREE.descendants("TISSUE")) == len(TREE) - 1


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_CODES))
def test_every_lineage_ancestor_is_an_ancestor(code: str) -> None:
    lineage = TREE.lineage(code)
    assert lineage[0].code == "TISSUE"
    assert lineage[-1].code == code
    assert [n.level for n in lineage] == list(range(len(lineage)))
    for ancestor in lineage:
        assert TREE.is_descendant(code, ancestor.code)
    for child in TREE.children(code):
        assert not TREE.is_descendant(code, child.code)
        assert TREE.is_descendant(child.code, code)
    assert TREE.is_solid(code) == (lineage[-1].tissue not in ("", "Myeloid", "Lymphoid"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_CODES), st.data())
def test_codes_resolve_in_any_case_and_spacing(code: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(code), max_size=len(code)))
    mixed = "".join(c.lower() if f else c for c, f in zip(code, flips, strict=True))
    assert TREE.resolve(f" {mixed}\t").code == code


@given(st.text("ABCDLU", max_size=6), st.text("ABCDLU", max_size=6))
def test_edit_distance_properties(a: str, b: str) -> None:
    d = _osa_distance(a, b)
    assert d == _osa_distance(b, a)
    assert (d == 0) == (a == b)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    if len(a) >= 2:
        swapped = a[1] + a[0] + a[2:]
        assert _osa_distance(a, swapped) <= 1


# -- CLI -------------------------------------------------------------------------------------------
def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_cli_text() -> None:
    result = invoke("oncotree", "luad")
    assert result.exit_code == 0
    assert result.stdout == (
        "TISSUE > LUNG > NSCLC > LUAD  Lung Adenocarcinoma\n"
        "main type: Non-Small Cell Lung Cancer\n"
        "tissue:    Lung (solid)\n"
        "children:  -\n"
        "OncoTree:  2025_10_03\n"
    )


def test_cli_rename_and_haematological() -> None:
    result = invoke("oncotree", "MM")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "TISSUE > LYMPH > LNM > NHL > MBN > PCM  Plasma Cell Myeloma"
    assert lines[1] == "note:      MM was renamed PCM in OncoTree (Plasma Cell Myeloma)"
    assert "tissue:    Lymphoid (haematological)" in lines


def test_cli_json() -> None:
    result = invoke("oncotree", "MM", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["code"] == "PCM"
    assert doc["query"] == "MM"
    assert doc["solid"] is False
    assert doc["category"] == "haematological"
    assert doc["note"].startswith("MM was renamed PCM")
    assert [n["code"] for n in doc["lineage"]][-2:] == ["MBN", "PCM"]


def test_cli_unknown_code_exact_error() -> None:
    result = invoke("oncotree", "LAUD")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: unknown OncoTree code 'LAUD'\nHint: {LAUD_HINT}\n"


def test_cli_search() -> None:
    result = invoke("oncotree", "--search", "lung adeno")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "LUAD\tLung Adenocarcinoma\tLung"
    js = invoke("oncotree", "--search", "myeloma", "--format", "json")
    assert "PCM" in [r["code"] for r in json.loads(js.stdout)["results"]]
    none = invoke("oncotree", "--search", "zzzzqq")
    assert none.exit_code == 1
    assert none.stderr == (
        "Error: no OncoTree node matches 'zzzzqq'\n"
        "Hint: try fewer or shorter words, e.g. 'lung' or 'melanoma'\n"
    )


def test_cli_usage_errors() -> None:
    both = invoke("oncotree", "LUAD", "--search", "lung")
    assert both.exit_code == 2
    assert "Error: give either a CODE or --search TEXT" in both.stderr
    assert invoke("oncotree").exit_code == 2
    bad = invoke("oncotree", "LUAD", "--oncotree-version", "2001")
    assert bad.exit_code == 1
    assert bad.stderr == (
        "Error: OncoTree version '2001' is not bundled\nHint: available: 2025_10_03\n"
    )


def test_cli_subprocess() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "tumorboard", "oncotree", "COAD", "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert [n["code"] for n in doc["lineage"]] == ["TISSUE", "BOWEL", "COADREAD", "COAD"]
    assert doc["solid"] is True
    bad = subprocess.run(
        [sys.executable, "-m", "tumorboard", "oncotree", "LAUD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == "Error: unknown OncoTree code 'LAUD'"
    assert "Traceback" not in bad.stderr
