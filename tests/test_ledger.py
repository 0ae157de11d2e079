"""The coverage ledger (drug_catalog/ledger/*.yaml) and the catalog agree, row by row (issue 11).

Every EMA/FDA indication whose wording names a biomarker has a ledger row; an ``encoded`` row
names the catalog records that implement it, and every indication record sits in exactly one
encoded row of the same agency and drugs. These tests fail when a record is added without a
row, or a row names a record that does not exist.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from tumorboard.catalog import Catalog, load_catalog
from tumorboard.catalog.ledger import LedgerRow, load_ledger
from tumorboard.errors import CatalogError
from tumorboard.resources import catalog_dir

LEDGER = catalog_dir() / "ledger"


@functools.cache
def _ledger() -> tuple[LedgerRow, ...]:
    return tuple(load_ledger(LEDGER))


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


def test_every_encoded_row_names_existing_records_of_its_agency_and_drugs() -> None:
    by_id = {ind.id: ind for ind in _catalog().indications}
    problems = []
    for row in _ledger():
        for rid in row.records:
            rec = by_id.get(rid)
            if rec is None:
                problems.append(f"{row.id}: no catalog record {rid}")
            elif rec.jurisdiction != row.agency:
                problems.append(f"{row.id}: {rid} is an {rec.jurisdiction} record")
            elif not set(rec.drugs) & set(row.drugs):
                problems.append(f"{row.id}: {rid} has drugs {rec.drugs}, the row {row.drugs}")
    assert problems == []


def test_every_indication_record_has_exactly_one_encoded_row() -> None:
    encoded = Counter(rid for row in _ledger() if row.status == "encoded" for rid in row.records)
    records = [ind.id for ind in _catalog().indications]
    assert [r for r in records if encoded[r] == 0] == []
    assert [r for r, n in encoded.items() if n > 1] == []


def test_the_ledger_covers_both_agencies_and_says_why_rows_are_not_encoded() -> None:
    rows = _ledger()
    status = Counter((r.agency, r.status) for r in rows)
    assert status[("EMA", "encoded")] > 100
    assert status[("FDA", "encoded")] > 150
    assert status[("FDA", "withdrawn")] >= 5  # mobocertinib, pralsetinib MTC, infigratinib...
    for row in rows:
        if row.status != "encoded":
            assert row.reason, row.id
            assert row.text, row.id


def test_the_audit_s_missing_approvals_are_rows_now() -> None:
    """The approvals the outside audit found missing (issue 11) each have an encoded row."""
    wanted = {
        ("FDA", "tovorafenib"),
        ("EMA", "tovorafenib"),
        ("FDA", "zongertinib"),
        ("FDA", "sevabertinib"),
        ("FDA", "imlunestrant"),
        ("FDA", "zanidatamab"),
        ("EMA", "repotrectinib"),
        ("EMA", "selpercatinib"),
        ("EMA", "vorasidenib"),
        ("EMA", "inavolisib"),
        ("EMA", "lazertinib"),
        ("EMA", "durvalumab"),
        ("FDA", "taletrectinib"),
        ("FDA", "ensartinib"),
    }
    have = {(r.agency, d) for r in _ledger() if r.status == "encoded" for d in r.drugs}
    assert wanted - have == set()


def test_a_malformed_or_duplicated_row_names_its_file_and_line(tmp_path: Path) -> None:
    good = (LEDGER / "s1.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "a.yaml").write_text(good, encoding="utf-8")
    (folder / "b.yaml").write_text(good, encoding="utf-8")
    with pytest.raises(CatalogError, match="duplicate ledger row"):
        load_ledger(folder)
    (folder / "b.yaml").write_text("rows:\n  - id: FDA-x\n    agency: EMA\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_ledger(folder)
    assert info.value.where is not None
    assert info.value.where.startswith(str(folder / "b.yaml") + ":")
