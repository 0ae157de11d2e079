"""Catalog schema, loader (file:line errors), hash, CLI commands, CIViC import, properties."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.catalog import check_catalog, load_catalog
from tumorboard.catalog.labels import LabelContext
from tumorboard.catalog.schema import CatalogFile
from tumorboard.cli import main
from tumorboard.errors import CatalogSchemaError
from tumorboard.oncotree import OncoTree

CLINICAL = Path(__file__).resolve().parent / "data" / "catalog" / "clinical" / "catalog.yaml"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


def _write(tmp_path: Path, text: str, name: str = "ext.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_JURISDICTION = """\
indications:
  - id: X1
    drugs: [dabrafenib]
    biomarker: BRAF_V600E
    tumor_types: [MEL]
    jurisdiction: EMEA
    approval_date: 2020-01-01
    sources: [{kind: EMA, document: some SmPC, date: 2020-01-01}]
"""


def test_bundled_catalog_loads_with_identity(tree: OncoTree) -> None:
    cat = load_catalog(oncotree=tree)
    assert cat.name == "tumorboard-default"
    assert cat.version == _bundled_version()
    assert len(cat.sha256) == 64
    assert cat.rules_for_gene("BRAF")
    assert {r.id for r in cat.genome_wide["msi_high"]} == {"MSI_H", "DMMR"}


def test_schema_error_names_file_line_and_field(tmp_path: Path, tree: OncoTree) -> None:
    ext = _write(tmp_path, BAD_JURISDICTION)
    with pytest.raises(CatalogSchemaError) as info:
        load_catalog(extend=[ext], oncotree=tree)
    assert info.value.where == f"{ext}:6"
    assert info.value.message == "indications[0].jurisdiction: Input should be 'EMA' or 'FDA'"


def test_unknown_references_and_codes_are_reported(tmp_path: Path, tree: OncoTree) -> None:
    text = BAD_JURISDICTION.replace("EMEA", "EMA").replace("[dabrafenib]", "[dabrafenibb]")
    text = text.replace("BRAF_V600E", "BRAF_V601E").replace("[MEL]", "[LUADD]")
    _, issues = check_catalog(extend=[_write(tmp_path, text)], oncotree=tree)
    messages = [i.message for i in issues]
    assert "X1: unknown drug 'dabrafenibb'" in messages
    assert "X1: unknown biomarker 'BRAF_V601E'" in messages
    assert any(m.startswith("X1: ") and "LUADD" in m for m in messages)
    assert all(i.where == f"{tmp_path / 'ext.yaml'}:2" for i in issues)


def test_duplicate_ids_and_yaml_keys(tmp_path: Path, tree: OncoTree) -> None:
    dup = "drugs:\n  - {id: dabrafenib, drug_class: BRAF inhibitor}\n"
    _, issues = check_catalog(extend=[_write(tmp_path, dup)], oncotree=tree)
    assert issues[0].message.startswith("duplicate drug id 'dabrafenib' (first defined at ")
    with pytest.raises(CatalogSchemaError, match="duplicate key 'drugs'"):
        load_catalog(extend=[_write(tmp_path, dup + dup, "twice.yaml")], oncotree=tree)


def test_exclusion_outside_scope_is_an_error(tmp_path: Path, tree: OncoTree) -> None:
    text = BAD_JURISDICTION.replace("EMEA", "EMA").replace(
        "tumor_types: [MEL]", "tumor_types: [MEL]\n    exclude: [COADREAD]"
    )
    _, issues = check_catalog(extend=[_write(tmp_path, text)], oncotree=tree)
    assert [i.message for i in issues] == ["X1: excluded code COADREAD is not within MEL"]


def test_hash_ignores_comments_and_formatting(tmp_path: Path, tree: OncoTree) -> None:
    a = _write(tmp_path, "drugs:\n  - {id: newdrug, drug_class: test class}\n", "a.yaml")
    b = _write(
        tmp_path, "# comment\ndrugs:\n- id: newdrug\n  drug_class: 'test class'\n", "a2.yaml"
    )
    b2 = tmp_path / "b" / "a.yaml"
    b2.parent.mkdir()
    b2.write_text(b.read_text())
    ha = load_catalog(extend=[a], oncotree=tree).sha256
    assert ha == load_catalog(extend=[b2], oncotree=tree).sha256
    c = _write(tmp_path, "drugs:\n  - {id: newdrug, drug_class: other class}\n", "c.yaml")
    assert load_catalog(extend=[c], oncotree=tree).sha256 != ha


def test_catalog_load_budget_is_dict_lookup(tree: OncoTree) -> None:
    cat = load_catalog([CLINICAL], oncotree=tree)
    assert {r.id for r in cat.rules_for_gene("NTRK3")} == {"NTRK_FUSION"}
    assert cat.rules_for_gene("TP53") == []


# --- CLI ------------------------------------------------------------------------------------------
def test_cli_validate_ok() -> None:
    result = CliRunner().invoke(main, ["catalog", "validate", str(CLINICAL)])
    assert result.exit_code == 0
    assert result.output.startswith("OK: golden-clinical 1.0.0 (sha256 ")
    assert "39 indications (EMA 28, FDA 11)" in result.output


def test_cli_validate_reports_every_problem(tmp_path: Path) -> None:
    ext = _write(tmp_path, BAD_JURISDICTION)
    result = CliRunner().invoke(main, ["catalog", "validate", "--catalog-extend", str(ext)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{ext}:6: indications[0].jurisdiction: Input should be 'EMA' or 'FDA'\n"
        "Error: catalog is invalid: 1 problem(s)\n"
        "Hint: fix the lines above; the schema is in drug_catalog/README.md\n"
    )


def test_cli_annotate_style_error_for_invalid_yaml(tmp_path: Path) -> None:
    ext = _write(tmp_path, "drugs: [\n")
    result = CliRunner().invoke(main, ["catalog", "list", "--catalog-extend", str(ext)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {ext}:2: not valid YAML: ")


def test_cli_list_tumor_type_shows_covering_records() -> None:
    args = ["catalog", "list", "--catalog", str(CLINICAL), "--tumor-type", "LUAD"]
    result = CliRunner().invoke(main, [*args, "--gene", "EGFR", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["catalog"]["name"] == "golden-clinical"
    ids = {r["id"] for r in doc["indications"]}
    assert ids == {
        "EMA_OSI_EX19",
        "EMA_OSI_L858R",
        "EMA_OSI_T790M",
        "FDA_OSI_EX19",
        "EMA_GEF_EX19",
        "EMA_GEF_L858R",
        "EMA_AMI_EX20",
        "EMA_AFA_ACTIVATING",  # an any_of rule: listed under its members' gene
    }
    row = doc["indications"][0]
    assert row["label"] == "on-label"
    (afatinib,) = [r for r in doc["indications"] if r["id"] == "EMA_AFA_ACTIVATING"]
    assert afatinib["genes"] == ["EGFR"]
    assert afatinib["label_status"] == (
        "on-label if no earlier EGFR TKI (EGFR TKI-naïve); patient aged 18 years or older "
        "(age not given)"
    )
    assert row["covers"] == "covers LUAD as its ancestor"
    assert row["sources"][0]["date"]


def test_cli_list_by_brand_and_table() -> None:
    result = CliRunner().invoke(main, ["catalog", "list", "--drug", "TAFINLAR"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1] == "id\tjurisdiction\tdrugs\tbiomarker\ttumour types\tdate"
    assert all("dabrafenib" in line for line in lines[2:-1])
    assert "FDA_DABRAFENIB_TRAMETINIB_SOLID" in result.output


def test_cli_unknown_tumor_type_suggests() -> None:
    result = CliRunner().invoke(main, ["catalog", "list", "--tumor-type", "LAUD"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "LUAD" in result.stderr


def test_cli_diff_names_patients_to_revisit(tmp_path: Path) -> None:
    new_dir = tmp_path / "new"
    new_dir.mkdir()
    for f in CLINICAL.parent.glob("*.yaml"):
        text = f.read_text()
        if f.name == "records.yaml":
            text = text.replace("approval_date: 2022-01-06", "approval_date: 2022-01-07")
            text = text.replace("  - {id: EMA_ALEC_ALK,", "  - {id: EMA_ALEC_ALK2,")
        (new_dir / f.name).write_text(text)
    result = CliRunner().invoke(
        main, ["catalog", "diff", str(CLINICAL), str(new_dir / "catalog.yaml"), "--format", "json"]
    )
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert [a["id"] for a in doc["added"]] == ["EMA_ALEC_ALK2"]
    assert [r["id"] for r in doc["withdrawn"]] == ["EMA_ALEC_ALK"]
    assert doc["withdrawn"][0]["revisit"] == "patients with ALK fusion in NSCLC (EMA)"
    assert [c["id"] for c in doc["changed"]] == ["EMA_SOTO_G12C"]
    assert doc["changed"][0]["fields"] == {
        "approval_date": {"old": "2022-01-06", "new": "2022-01-07"}
    }


def test_cli_schema_catalog_and_case(tmp_path: Path) -> None:
    out = tmp_path / "catalog.schema.json"
    result = CliRunner().invoke(main, ["schema", "catalog", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    assert "Indication" in schema["$defs"]
    assert schema["$defs"]["Indication"]["additionalProperties"] is False
    case = CliRunner().invoke(main, ["schema", "case"])
    assert case.exit_code == 0
    assert "matches" in json.loads(case.output)["properties"]


@pytest.mark.slow
def test_import_civic_roundtrips_through_the_loader(
    shared_data: Path, tmp_path: Path, tree: OncoTree
) -> None:
    src = shared_data / "civic" / "civic_2022-12-01_predictive_accepted_with_coords.tsv"
    out = tmp_path / "civic.yaml"
    result = CliRunner().invoke(main, ["catalog", "import-civic", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped: " in result.stderr
    assert "does not support" in result.stderr
    cat = load_catalog(extend=[out], oncotree=tree)
    ev = {e.id: e for e in cat.evidence}
    assert len(ev) > 1000
    braf = [e for e in ev.values() if e.biomarker == "CIVIC_BRAF_V600E"]
    assert braf
    assert all(e.sources[0].kind == "CIViC" for e in braf)
    assert any(e.effect == "resistant" for e in ev.values())


def test_import_civic_rejects_other_tsv(tmp_path: Path) -> None:
    bad = _write(tmp_path, "a\tb\n1\t2\n", "x.tsv")
    result = CliRunner().invoke(main, ["catalog", "import-civic", str(bad), "-o", "o.yaml"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: not a CIViC evidence TSV: missing column(s)")


@pytest.mark.slow
def test_subprocess_validate_bundled() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "catalog", "validate"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"OK: tumorboard-default {_bundled_version()} ")


# --- properties -----------------------------------------------------------------------------------
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_on_label_propagates_to_descendants_unless_excluded(
    data: st.DataObject, tree: OncoTree
) -> None:
    cat = load_catalog([CLINICAL], oncotree=tree)
    rec = data.draw(st.sampled_from([i for i in cat.indications if i.tumor_types]))
    ancestor = data.draw(st.sampled_from(rec.tumor_types))
    below = [n.code for n in tree.descendants(ancestor)] or [ancestor]
    code = data.draw(st.sampled_from(below))
    ctx = LabelContext(cat, tree, code, rec.jurisdiction)
    cov = ctx.coverage(rec)
    excluded = any(tree.is_descendant(code, ex) for ex in rec.exclude)
    assert cov.covered is not excluded


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_tumor_agnostic_exclusion_covers_descendants(data: st.DataObject, tree: OncoTree) -> None:
    cat = load_catalog(oncotree=tree)
    rec = next(i for i in cat.indications if i.id == "FDA_DABRAFENIB_TRAMETINIB_SOLID")
    code = data.draw(st.sampled_from(["COADREAD"] + [n.code for n in tree.descendants("COADREAD")]))
    assert not LabelContext(cat, tree, code, "FDA").coverage(rec).covered


@pytest.mark.slow
def test_catalog_round_trips_through_its_schema(tree: OncoTree) -> None:
    files = load_catalog([CLINICAL], oncotree=tree).files + load_catalog(oncotree=tree).files
    assert len(files) >= 6
    for name in files:
        path = Path(name) if Path(name).is_absolute() else REPO / name
        data = yaml.safe_load(path.read_text())
        data = {k: v for k, v in data.items() if not k.startswith("x-")}
        model = CatalogFile.model_validate(data)
        again = CatalogFile.model_validate(json.loads(model.model_dump_json()))
        assert again == model
        dumped = yaml.safe_dump(model.model_dump(mode="json", exclude_defaults=True))
        assert CatalogFile.model_validate(yaml.safe_load(dumped)) == model


def _bundled_version() -> str:
    """The version the bundled catalog declares (catalog.yaml; catalog.lock pins it)."""
    import yaml

    from tumorboard.resources import catalog_dir

    manifest = yaml.safe_load((catalog_dir() / "catalog.yaml").read_text(encoding="utf-8"))
    return str(manifest["version"])
