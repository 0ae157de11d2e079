"""The per-user catalog cache: same catalog, invalidated by any change, never required, and
never a way to run code or to change labels behind the provenance (JSON data, validated again,
its sha256 recomputed; private folder and entries, no symlinks, no FIFOs)."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from tumorboard.catalog import cache, check_catalog, load_catalog
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
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), folder)
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("catalog-*.json")) if folder.is_dir() else []


def _same(a: Catalog, b: Catalog) -> bool:
    return all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a))


def test_second_load_comes_from_the_cache_and_is_identical(
    cache_dir: Path, tree: OncoTree, tmp_path: Path
) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT, encoding="utf-8")
    first = load_catalog(extend=[ext], oncotree=tree)
    assert len(_entries(cache_dir)) == 1
    again = load_catalog(extend=[ext], oncotree=tree)
    assert _same(first, again)
    assert again.where["X1"] == f"{ext}:4"
    assert again.files[-1] == str(ext)
    assert not list(catalog_dir().rglob("catalog-*.json"))


def test_any_change_of_a_file_is_seen(cache_dir: Path, tree: OncoTree, bundled_copy: Path) -> None:
    before = load_catalog([bundled_copy], oncotree=tree)
    drugs = bundled_copy / "drugs.yaml"
    drugs.write_text(drugs.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert load_catalog([bundled_copy], oncotree=tree).sha256 == before.sha256
    text = drugs.read_text(encoding="utf-8").replace(
        "drug_class: BRAF inhibitor", "drug_class: XYZ"
    )
    drugs.write_text(text, encoding="utf-8")
    changed = load_catalog([bundled_copy], oncotree=tree)
    assert changed.sha256 != before.sha256
    assert changed.drugs["dabrafenib"].drug_class == "XYZ"


def test_a_new_file_matching_the_manifest_is_seen(
    cache_dir: Path, tree: OncoTree, bundled_copy: Path
) -> None:
    before = load_catalog([bundled_copy], oncotree=tree)
    (bundled_copy / "indications" / "zz_new.yaml").write_text(EXT, encoding="utf-8")
    after = load_catalog([bundled_copy], oncotree=tree)
    assert "X1" not in before.where
    assert after.where["X1"].endswith("zz_new.yaml:4")
    (bundled_copy / "indications" / "zz_new.yaml").unlink()
    assert _same(load_catalog([bundled_copy], oncotree=tree), before)


def test_another_version_or_code_uses_another_entry(
    cache_dir: Path, tree: OncoTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalog(oncotree=tree)
    monkeypatch.setattr(cache, "__version__", "99.0")
    cache._fingerprint.cache_clear()
    try:
        load_catalog(oncotree=tree)
    finally:
        cache._fingerprint.cache_clear()
    assert len(_entries(cache_dir)) == 2


def test_reference_checks_run_on_a_cached_catalog(
    cache_dir: Path, tree: OncoTree, tmp_path: Path
) -> None:
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


def test_invalid_catalogs_are_never_cached(cache_dir: Path, tree: OncoTree, tmp_path: Path) -> None:
    ext = tmp_path / "ext.yaml"
    ext.write_text(EXT.replace("jurisdiction: EMA", "jurisdiction: EMEA"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CatalogSchemaError, match="jurisdiction"):
            load_catalog(extend=[ext], oncotree=tree)
    assert _entries(cache_dir) == []


def test_cache_off_broken_or_unwritable_is_only_slower(
    tmp_path: Path, tree: OncoTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = load_catalog(oncotree=tree)
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", "")
    assert _same(load_catalog(oncotree=tree), expected)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(blocker / "cache"))
    assert _same(load_catalog(oncotree=tree), expected)
    folder = tmp_path / "cache"
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(folder))
    load_catalog(oncotree=tree)
    (entry,) = _entries(folder)
    entry.write_bytes(b"garbage")
    assert _same(load_catalog(oncotree=tree), expected)
    assert entry.read_bytes() != b"garbage"
    assert [p.name for p in folder.iterdir()] == [entry.name]  # no temporary files left


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_entries_others_could_have_written_are_not_read(cache_dir: Path, tree: OncoTree) -> None:
    load_catalog(oncotree=tree)
    (entry,) = _entries(cache_dir)
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)
    assert cache.load("catalog", [str(catalog_dir())]) is None
    load_catalog(oncotree=tree)  # rebuilt and stored again, privately
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache.load("catalog", [str(catalog_dir())]) is not None


def test_old_entries_are_pruned(cache_dir: Path, tree: OncoTree, tmp_path: Path) -> None:
    for i in range(cache.MAX_ENTRIES + 3):
        ext = tmp_path / f"ext{i}.yaml"
        ext.write_text(f"drugs:\n  - {{id: drug{i}x, drug_class: test class}}\n", encoding="utf-8")
        load_catalog(extend=[ext], oncotree=tree, check_codes=False)
    assert len(_entries(cache_dir)) == cache.MAX_ENTRIES


def test_default_cache_folder_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tumorboard.resources import cache_dir as folder

    monkeypatch.delenv("TUMORBOARD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert folder() == tmp_path / "tumorboard"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert folder() == tmp_path / ".cache" / "tumorboard"


def test_no_module_unpickles_anything() -> None:
    package = Path(__file__).resolve().parent.parent / "tumorboard"
    offenders = [
        p.name
        for p in package.rglob("*.py")
        if "import pickle" in p.read_text(encoding="utf-8")
        or "pickle.load" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def _entry_json(entry: Path) -> dict[str, object]:
    import json

    doc: dict[str, object] = json.loads(entry.read_text(encoding="utf-8"))
    return doc


def _rewrite(entry: Path, change: str, to: str) -> None:
    text = entry.read_text(encoding="utf-8")
    assert change in text
    entry.write_text(text.replace(change, to), encoding="utf-8")
    entry.chmod(0o600)


def test_a_tampered_entry_never_changes_labels_or_provenance(
    cache_dir: Path, tree: OncoTree
) -> None:
    genuine = load_catalog(oncotree=tree)
    (entry,) = _entries(cache_dir)
    assert _entry_json(entry)["value"]["sha256"] == genuine.sha256  # type: ignore[index]
    # The label of an EMA record turned into FDA in the cached data, stored hash kept.
    _rewrite(entry, '"jurisdiction":"EMA"', '"jurisdiction":"FDA"')
    again = load_catalog(oncotree=tree)
    assert again.sha256 == genuine.sha256
    assert _same(again, genuine)
    # Data that fails the schema (a label status the schema does not know) is not used either.
    load_catalog(oncotree=tree)
    (entry,) = _entries(cache_dir)
    _rewrite(entry, '"jurisdiction":"EMA"', '"jurisdiction":"WHO"')
    assert _same(load_catalog(oncotree=tree), genuine)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_symlink_or_fifo_at_the_entry_name_is_never_followed(
    cache_dir: Path, tree: OncoTree, tmp_path: Path
) -> None:
    expected = load_catalog(oncotree=tree)
    (entry,) = _entries(cache_dir)
    real = tmp_path / "elsewhere.json"
    real.write_bytes(entry.read_bytes())
    real.chmod(0o600)
    entry.unlink()
    entry.symlink_to(real)
    assert cache.load("catalog", [str(catalog_dir())]) is None
    entry.unlink()
    os.mkfifo(entry, 0o600)
    assert cache.load("catalog", [str(catalog_dir())]) is None  # returns at once, no hang
    assert _same(load_catalog(oncotree=tree), expected)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_is_neither_read_nor_written(
    tmp_path: Path, tree: OncoTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(folder))
    load_catalog(oncotree=tree)
    assert _entries(folder) == []
    folder.chmod(0o700)
    load_catalog(oncotree=tree)
    assert len(_entries(folder)) == 1
    folder.chmod(0o777)  # someone opened it up: the entry is no longer trusted
    assert cache.load("catalog", [str(catalog_dir())]) is None
    link = tmp_path / "link-to-cache"
    link.symlink_to(folder)
    folder.chmod(0o700)
    monkeypatch.setenv("TUMORBOARD_CACHE_DIR", str(link))
    assert cache.load("catalog", [str(catalog_dir())]) is None  # the folder itself: no symlink


def test_a_fresh_folder_is_private(cache_dir: Path, tree: OncoTree) -> None:
    load_catalog(oncotree=tree)
    assert cache_dir.stat().st_mode & 0o777 == 0o700
