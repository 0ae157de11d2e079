"""No catalog cache on disk (it saved about 75 ms of a 0.33 s run, and a cache is a way to change
labels from outside the catalog); within one process a loaded catalog is reused while its files
keep the same text."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from tumorboard.catalog import check_catalog, load_catalog
from tumorboard.catalog.index import Catalog
from tumorboard.errors import CatalogSchemaError
from tumorboard.oncotree import OncoTree
from tumorboard.resources import catalog_dir

EXT = """\
drugs:
  - {id: newdrug, drug_class: test class}
indications:
  - id: X1
    drugs: [newdrug]
    biomarker: BRAF_V600E
    tumor_types: [LUAD]
    jurisdiction: EMA
    approval_date: 2020-01-01
    sources: [{kind: EMA, document: some SmPC, date: 2020-01-01}]
"""


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), folder)
    return folder


def _same(a: Catalog, b: Catalog) -> bool:
    return all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a))


def test_nothing_is_written_outside_the_outputs(
    tmp_path: Path, tree: OncoTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(tmp_path / "cache"))  # no longer read
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT, encoding="utf-8")
    load_catalog(extend=[ext], oncotree=tree)
    assert list(home.iterdir()) == []
    assert not (tmp_path / "cache").exists()


def test_no_module_unpickles_anything() -> None:
    package = Path(__file__).resolve().parent.parent / "tumorboard"
    offenders = [
        p.name
        for p in package.rglob("*.py")
        if "import pickle" in p.read_text(encoding="utf-8")
        or "pickle.load" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_a_second_load_in_the_process_is_the_same_catalog(tree: OncoTree, tmp_path: Path) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT, encoding="utf-8")
    first = load_catalog(extend=[ext], oncotree=tree)
    again = load_catalog(extend=[ext], oncotree=tree)
    assert again is first
    assert again.where["X1"] == f"{ext}:4"


@pytest.mark.slow
def test_any_change_of_a_file_is_seen(tree: OncoTree, bundled_copy: Path) -> None:
    before = load_catalog([bundled_copy], oncotree=tree)
    drugs = bundled_copy / "drugs.yaml"
    drugs.write_text(drugs.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    commented = load_catalog([bundled_copy], oncotree=tree)
    assert commented is not before  # other text: read again
    assert commented.sha256 == before.sha256  # same content: same hash
    text = drugs.read_text(encoding="utf-8").replace(
        "drug_class: BRAF inhibitor", "drug_class: XYZ"
    )
    drugs.write_text(text, encoding="utf-8")
    changed = load_catalog([bundled_copy], oncotree=tree)
    assert changed.sha256 != before.sha256
    assert changed.drugs["dabrafenib"].drug_class == "XYZ"


@pytest.mark.slow
def test_a_new_file_matching_the_manifest_is_seen(tree: OncoTree, bundled_copy: Path) -> None:
    before = load_catalog([bundled_copy], oncotree=tree)
    (bundled_copy / "indications" / "zz_new.yaml").write_text(EXT, encoding="utf-8")
    after = load_catalog([bundled_copy], oncotree=tree)
    assert "X1" not in before.where
    assert after.where["X1"].endswith("zz_new.yaml:4")
    (bundled_copy / "indications" / "zz_new.yaml").unlink()
    assert _same(load_catalog([bundled_copy], oncotree=tree), before)


def test_reference_checks_run_on_every_load(tree: OncoTree, tmp_path: Path) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT, encoding="utf-8")
    load_catalog(extend=[ext], oncotree=tree)

    class NoLuad:
        def resolve(self, code: str) -> object:
            return tree.resolve("LUADD" if code == "LUAD" else code)  # LUADD: unknown

        def is_descendant(self, code: str, ancestor: str) -> bool:
            return tree.is_descendant(code, ancestor)

        def is_solid(self, code: str) -> bool:
            return tree.is_solid(code)

    _, issues = check_catalog(extend=[ext], oncotree=NoLuad())
    assert [i.where for i in issues if i.message.startswith("X1: ")] == [f"{ext}:4"]


@pytest.mark.slow
def test_invalid_catalogs_are_never_reused(tree: OncoTree, tmp_path: Path) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT.replace("jurisdiction: EMA", "jurisdiction: EMEA"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CatalogSchemaError, match="jurisdiction"):
            load_catalog(extend=[ext], oncotree=tree)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_catalog_file_replaced_by_a_fifo_is_an_error_not_a_hang(
    tree: OncoTree, tmp_path: Path
) -> None:
    from tumorboard.errors import CatalogError

    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT, encoding="utf-8")
    load_catalog(extend=[ext], oncotree=tree)
    ext.unlink()
    os.mkfifo(ext)
    with pytest.raises(CatalogError, match="named pipe"):
        load_catalog(extend=[ext], oncotree=tree)
