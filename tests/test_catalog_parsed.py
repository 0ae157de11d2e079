"""The bundled catalog's YAML shipped already parsed (``catalog.parsed.json``): used only while
every YAML file it was made from has the same text, for the bundled catalog only, and never
over a problem (the YAML then says what is wrong, with file:line)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tumorboard.catalog.loader as loader
import tumorboard.catalog.lock as lock
from tumorboard.catalog import load_catalog
from tumorboard.catalog.index import Catalog
from tumorboard.catalog.parsed import PARSED_NAME
from tumorboard.errors import CatalogSchemaError
from tumorboard.oncotree import OncoTree
from tumorboard.resources import catalog_dir

RECORD = "EMA_DABRAFENIB_TRAMETINIB_NSCLC"


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    loader._MEMO.clear()


@pytest.fixture
def yaml_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the loader parses as YAML, in order."""
    import tumorboard.catalog.yamlmarks as yamlmarks

    seen: list[str] = []
    real = yamlmarks.parse_yaml

    def spy(text: str, display: str) -> object:
        seen.append(display)
        return real(text, display)

    monkeypatch.setattr(yamlmarks, "parse_yaml", spy)
    return seen


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled catalog that the loader and the lock take for the bundled one."""
    folder = tmp_path / "drug_catalog"
    shutil.copytree(catalog_dir(), folder)
    monkeypatch.setattr(loader, "_bundled_root", lambda: folder.resolve())
    monkeypatch.setattr(lock, "catalog_dir", lambda: folder)
    return folder


def _from_yaml(paths: list[Path], tree: OncoTree, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    with monkeypatch.context() as m:
        m.setattr(loader, "_parsed_source", lambda *a: None)
        loader._MEMO.clear()
        cat = load_catalog(paths, oncotree=tree)
    loader._MEMO.clear()
    return cat


def _extra(rid: str) -> str:
    """A data file holding one more indication (id ``rid``)."""
    return (
        "indications:\n"
        f"  - id: {rid}\n"
        "    drugs: [dabrafenib]\n"
        "    biomarker: BRAF_V600E\n"
        "    tumor_types: [LUAD]\n"
        "    jurisdiction: EMA\n"
        "    approval_date: 2020-01-01\n"
        "    sources: [{kind: EMA, document: some SmPC, date: 2020-01-01}]\n"
    )


def _same(a: Catalog, b: Catalog) -> bool:
    return all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a))


def _record(cat: Catalog, rid: str) -> object:
    return next(r for r in cat.indications if r.id == rid)


def test_bundled_catalog_loads_from_its_parsed_file_and_equals_the_yaml(
    tree: OncoTree, yaml_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = load_catalog(oncotree=tree)
    assert yaml_reads == []  # not one file parsed as YAML
    slow = _from_yaml([catalog_dir()], tree, monkeypatch)
    assert len(yaml_reads) > 5
    assert _same(fast, slow)  # records, sha256, version, where (file:line), files
    assert fast.sha256 == slow.sha256
    assert fast.where[RECORD] == slow.where[RECORD]
    assert fast.where[RECORD].startswith("drug_catalog/indications/")


@pytest.mark.slow
def test_a_changed_yaml_file_is_read_as_yaml(
    bundled: Path, tree: OncoTree, yaml_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = bundled / "indications" / "braf.yaml"
    text = target.read_text(encoding="utf-8")
    start = text.index(f"id: {RECORD}")
    at = text.index("approval_date:", start)
    end = text.index("\n", at)
    target.write_text(text[:at] + "approval_date: 2001-02-03" + text[end:], encoding="utf-8")
    cat = load_catalog([bundled], oncotree=tree)
    assert _record(cat, RECORD).approval_date == "2001-02-03"  # type: ignore[attr-defined]
    assert yaml_reads
    assert yaml_reads[0].endswith("catalog.yaml")
    assert _same(cat, _from_yaml([bundled], tree, monkeypatch))


def test_a_new_file_the_manifest_matches_is_read_as_yaml(
    bundled: Path, tree: OncoTree, yaml_reads: list[str]
) -> None:
    (bundled / "indications" / "zz_extra.yaml").write_text(_extra("EXTRA_BRAF_LUAD"), "utf-8")
    cat = load_catalog([bundled], oncotree=tree)
    assert any(r.id == "EXTRA_BRAF_LUAD" for r in cat.indications)
    assert yaml_reads


@pytest.mark.slow
def test_a_parsed_file_that_fails_validation_gives_way_to_the_yaml(
    bundled: Path, tree: OncoTree, yaml_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bundled / PARSED_NAME
    doc = json.loads(path.read_text(encoding="utf-8"))
    part = next(p for p in doc["parts"] if p["data"].get("indications"))
    part["data"]["indications"][0]["jurisdiction"] = "XYZ"  # hashes still match the YAML
    path.write_text(json.dumps(doc), encoding="utf-8")
    cat = load_catalog([bundled], oncotree=tree)
    assert all(r.jurisdiction in ("EMA", "FDA") for r in cat.indications)
    assert yaml_reads  # the YAML was parsed instead
    assert _same(cat, _from_yaml([bundled], tree, monkeypatch))


def test_a_real_problem_is_reported_from_the_yaml_with_its_line(
    bundled: Path, tree: OncoTree
) -> None:
    target = bundled / "drugs.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("- id:", "- idd:", 1), encoding="utf-8")
    with pytest.raises(CatalogSchemaError) as err:
        load_catalog([bundled], oncotree=tree)
    assert err.value.where.startswith("drug_catalog/drugs.yaml:")


def test_a_catalog_given_by_path_is_always_read_as_yaml(
    tmp_path: Path, tree: OncoTree, yaml_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(catalog_dir(), folder)
    path = folder / PARSED_NAME  # a parsed file whose hashes match, saying something else
    doc = json.loads(path.read_text(encoding="utf-8"))
    for part in doc["parts"]:
        for rec in part["data"].get("indications", []):
            rec["approval_date"] = "1999-09-09"
    path.write_text(json.dumps(doc), encoding="utf-8")
    cat = load_catalog([folder], oncotree=tree)
    assert yaml_reads
    assert all(r.approval_date != "1999-09-09" for r in cat.indications)


@pytest.mark.slow
def test_lock_writes_and_checks_the_parsed_file(bundled: Path) -> None:
    assert lock.check_lock(bundled) == []
    with (bundled / "drugs.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# a comment: same content, another text\n")
    (problem,) = lock.check_lock(bundled)
    assert problem == (
        f"{bundled}/{PARSED_NAME} does not hold what the YAML parses to: run "
        f"`tumorboard catalog lock {bundled}` to refresh it"
    )
    lock.write_lock(bundled)
    assert lock.check_lock(bundled) == []
    (bundled / PARSED_NAME).unlink()
    (problem,) = lock.check_lock(bundled)
    assert problem.startswith(f"{bundled}/{PARSED_NAME} is missing: run")


def test_a_user_catalog_gets_no_parsed_file(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(catalog_dir(), folder)
    (folder / PARSED_NAME).unlink()
    lock.write_lock(folder)
    assert not (folder / PARSED_NAME).exists()
    assert lock.check_lock(folder) == []


def test_loading_the_bundled_catalog_imports_no_yaml_parser() -> None:
    """The parsed path is the fast one: PyYAML (about 20 ms of imports) is not loaded at all."""
    code = (
        "import sys; from tumorboard.catalog import load_catalog; load_catalog(); "
        "print(sorted(m for m in sys.modules if m == 'yaml' or m.endswith('yamlmarks')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_an_extension_over_the_parsed_catalog_hashes_as_over_the_yaml(
    tmp_path: Path, tree: OncoTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(_extra("EXT_BRAF_LUAD"), encoding="utf-8")
    fast = load_catalog(extend=[ext], oncotree=tree)
    with monkeypatch.context() as m:
        m.setattr(loader, "_parsed_source", lambda *a: None)
        loader._MEMO.clear()
        slow = load_catalog(extend=[ext], oncotree=tree)
    assert fast.sha256 == slow.sha256
    assert _same(fast, slow)


@pytest.mark.parametrize("content", [b"", b"{not json", b"[" * 100_000, b'{"format": 99}'])
def test_an_unusable_parsed_file_gives_way_to_the_yaml(
    bundled: Path, tree: OncoTree, yaml_reads: list[str], content: bytes
) -> None:
    (bundled / PARSED_NAME).write_bytes(content)
    cat = load_catalog([bundled], oncotree=tree)
    assert yaml_reads
    assert len(cat.indications) > 300
