"""The label-truth suite: rows a clinician would check, run through the real matcher.

Every row of ``tests/data/label_truth/*.yaml`` (one file per area) names an agency, a patient
(OncoTree code, alterations in a small mini-language, optionally age and grade), the option
looked at (the exact drug set) and the expected label and effect, with the verbatim label
sentence it rests on. The bundled catalog and OncoTree are used, as a run would use them.

Row format (``rows:`` list)::

    id: fda-braf-mel-v600k-dabtram        # unique over all files
    agency: FDA                           # the run's jurisdiction
    tumor_type: SKCM                      # OncoTree code
    alterations: ["BRAF V600K"]           # mini-language below
    patient: {age: 54, grade: 2}          # optional
    drugs: [dabrafenib, trametinib]       # the option looked at (exact drug set)
    expect: on-label                      # on-label | on-label-if | off-label | investigational
                                          # | uncertain | not-offered
    effect: sensitive                     # sensitive | resistant (omit for not-offered)
    source: "verbatim label sentence"     # what the expectation rests on
    known_gap: "why the catalog is wrong" # optional: an expected failure (strict xfail) until
                                          # the catalog is fixed; the summary still counts it

``on-label`` means on-label with nothing to confirm; ``on-label-if`` on-label with conditions
the board must confirm (``Match.requires``); ``not-offered``: no sensitive option with exactly
these drugs. Alterations: ``BRAF V600E`` (substitution), ``BRAF V600=`` (synonymous), ``BRCA2
E1593*`` (stop gained), ``BRCA1 Q1395fs`` (frameshift), ``EGFR E746_A750del`` (in-frame
deletion), ``EGFR A767_V769dup`` / ``EGFR D770_N771insSVD`` (in-frame insertion), ``EGFR
E746_S752delinsV`` (deletion-insertion), ``ERBB2 amp`` (copy number 12), ``ERBB2 amp cn=4``,
``CDKN2A deep_del``, ``EML4::ALK`` (fusion), ``ALK fusion`` (partner unknown), ``MET
exon14_skip`` (RNA splice variant), ``MSI-H``, ``TMB=12``, ``HRD+``. The exon of a small variant
is taken from the catalog's region rules for that gene when one codon range covers it.

The summary printed at the end of the pytest run (``conftest.py``): rows, rows right, on-label
recall (rows expecting on-label or on-label-if that get it), false on-label claims (rows called
on-label that should not be), bare on-label where the label needs conditions, per area.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tumorboard.alterations import (
    AMPLIFICATION,
    DELETION,
    FUSION,
    MUTATION,
    SPLICE_VARIANT,
    Alteration,
)
from tumorboard.catalog import Catalog, load_catalog
from tumorboard.matching import match_case
from tumorboard.models import Biomarker, Match, RunOptions
from tumorboard.oncotree import OncoTree
from tumorboard.ranking import tier

HERE = Path(__file__).resolve().parent / "data" / "label_truth"
EXPECT = ("on-label", "on-label-if", "off-label", "investigational", "uncertain", "not-offered")
KEYS = {"id", "agency", "tumor_type", "alterations", "patient", "drugs", "expect", "effect",
        "source", "known_gap", "note"}  # fmt: skip
ON = ("on-label", "on-label-if")


def _load_rows() -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for row in doc.get("rows") or []:
            rows.append((path.stem, row))
    return rows


ROWS = _load_rows()


@dataclass(slots=True)
class Outcome:
    area: str
    row_id: str
    expected: str
    actual: str
    ok: bool
    known_gap: bool = False


@dataclass(slots=True)
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.outcomes:
            return []
        out = ["label-truth: " + _numbers(self.outcomes)]
        for area in sorted({o.area for o in self.outcomes}):
            out.append(f"  {area}: " + _numbers([o for o in self.outcomes if o.area == area]))
        wrong = [o for o in self.outcomes if not o.ok]
        for o in wrong[:40]:
            gap = " (known gap)" if o.known_gap else ""
            out.append(f"  wrong{gap}: {o.row_id}: expected {o.expected}, got {o.actual}")
        if len(wrong) > 40:
            out.append(f"  ... and {len(wrong) - 40} more")
        return out


def _numbers(outcomes: list[Outcome]) -> str:
    n = len(outcomes)
    right = sum(o.ok for o in outcomes)
    on = [o for o in outcomes if o.expected.split()[0] in ON]
    recalled = sum(o.actual.split()[0] in ON for o in on)
    false_on = sum(o.actual.split()[0] in ON and o.expected.split()[0] not in ON for o in outcomes)
    bare = sum(
        o.expected.startswith("on-label-if") and o.actual.startswith("on-label ") for o in outcomes
    )
    recall = f"{recalled}/{len(on)} ({100 * recalled / len(on):.1f} %)" if on else "n/a"
    return (
        f"{n} rows, {right} right; on-label recall {recall}; false on-label claims {false_on}; "
        f"bare on-label where conditions apply {bare}"
    )


SUMMARY = Summary()
"""Filled while the rows run; ``conftest.pytest_terminal_summary`` prints it."""


# --- the alteration mini-language ---------------------------------------------------------------
_SUBST = re.compile(r"^([A-Z])(\d+)([A-Z*=])$")
_RANGE = re.compile(r"^[A-Z](\d+)(?:_[A-Z](\d+))?(del|dup|ins[A-Z]+|delins[A-Z]+)$")
_FS = re.compile(r"^[A-Z](\d+)(?:[A-Z])?fs(?:\*\d+)?$")


def _exon(catalog: Catalog, gene: str, start: int, end: int) -> int | None:
    for rule in catalog.rules_for_gene(gene):
        lo, hi = getattr(rule, "codon_start", None), getattr(rule, "codon_end", None)
        exons = getattr(rule, "exons", [])
        if lo is not None and hi is not None and lo <= start and end <= hi and len(exons) == 1:
            return int(exons[0])
    return None


def parse_alteration(text: str, catalog: Catalog) -> Alteration | Biomarker:
    """One mini-language item -> an Alteration (or a genome-wide Biomarker)."""
    t = text.strip()
    if t == "MSI-H":
        return Biomarker(name="MSI", status="high", source="label-truth row")
    if t == "HRD+":
        return Biomarker(name="HRD", status="positive", source="label-truth row")
    if t.startswith("TMB="):
        value = float(t[4:])
        return Biomarker(name="TMB", value=value, unit="mut/Mb", status="high" if value >= 10
                         else "low", source="label-truth row")  # fmt: skip
    if "::" in t:
        five, three = t.split("::", 1)
        return Alteration(gene=five, kind=FUSION, gene3=three)
    gene, _, rest = t.partition(" ")
    if rest == "fusion":
        return Alteration(gene=gene, kind=FUSION)
    if rest.startswith("amp"):
        cn = float(rest.split("cn=", 1)[1]) if "cn=" in rest else 12.0
        return Alteration(gene=gene, kind=AMPLIFICATION, copy_number=cn)
    if rest == "deep_del":
        return Alteration(gene=gene, kind=DELETION, copy_number=0.0)
    m = re.fullmatch(r"exon(\d+)_skip", rest)
    if m:
        return Alteration(gene=gene, kind=SPLICE_VARIANT, exon=int(m.group(1)))
    return _small_variant(gene, rest, text, catalog)


def _small_variant(gene: str, protein: str, text: str, catalog: Catalog) -> Alteration:
    m = _SUBST.match(protein)
    if m:
        pos = int(m.group(2))
        alt = m.group(3)
        csq = {"*": "stop_gained", "=": "synonymous_variant"}.get(alt, "missense_variant")
        return _mutation(gene, protein, pos, pos, csq, catalog)
    m = _FS.match(protein)
    if m:
        pos = int(m.group(1))
        return _mutation(gene, protein, pos, pos, "frameshift_variant", catalog)
    m = _RANGE.match(protein)
    if m:
        start = int(m.group(1))
        end = int(m.group(2) or start)
        kind = m.group(3)
        if kind.startswith("delins"):
            csq = "protein_altering_variant"
        elif kind == "del":
            csq = "inframe_deletion"
        else:
            csq = "inframe_insertion"
        return _mutation(gene, protein, start, end, csq, catalog)
    raise ValueError(f"alteration {text!r} is not in the label-truth mini-language")


def _mutation(
    gene: str, protein: str, start: int, end: int, csq: str, catalog: Catalog
) -> Alteration:
    return Alteration(
        gene=gene,
        kind=MUTATION,
        protein=protein,
        protein_start=start,
        protein_end=end,
        consequences=(csq,),
        exon=_exon(catalog, gene, start, end),
    )


# --- running a row ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


@pytest.fixture(scope="module")
def catalog(tree: OncoTree) -> Catalog:
    return load_catalog(oncotree=tree)


def _check_format(row: dict[str, Any]) -> None:
    unknown = set(row) - KEYS
    assert not unknown, f"unknown keys {sorted(unknown)} (allowed: {sorted(KEYS)})"
    missing = {"id", "agency", "tumor_type", "alterations", "drugs", "expect", "source"} - set(row)
    assert not missing, f"missing keys {sorted(missing)}"
    assert row["agency"] in ("EMA", "FDA"), row["agency"]
    assert row["expect"] in EXPECT, f"expect must be one of {EXPECT}"
    if row["expect"] != "not-offered":
        assert row.get("effect", "sensitive") in ("sensitive", "resistant"), row.get("effect")
    assert row["drugs"], "drugs names the option looked at"
    assert str(row["source"]).strip(), "source: the verbatim sentence the expectation rests on"


def _status(m: Match | None) -> str:
    if m is None:
        return "not-offered"
    words = tier(m) if m.effect == "sensitive" else m.label
    return f"{words} ({m.effect})"


def run_row(row: dict[str, Any], catalog: Catalog, tree: OncoTree) -> tuple[str, str]:
    """(expected, actual) for one row, both as 'label (effect)' or 'not-offered'."""
    alterations: list[Alteration] = []
    biomarkers: list[Biomarker] = []
    for item in row["alterations"]:
        parsed = parse_alteration(str(item), catalog)
        (biomarkers if isinstance(parsed, Biomarker) else alterations).append(parsed)
    patient = row.get("patient") or {}
    options = RunOptions(
        tumor_type=row["tumor_type"],
        jurisdiction=row["agency"],
        patient_age=patient.get("age"),
        tumor_grade=patient.get("grade"),
    )
    outcome = match_case(
        alterations, biomarkers, row["tumor_type"], row["agency"], catalog, tree, options
    )
    drugs = sorted(str(d).lower() for d in row["drugs"])
    effect = row.get("effect", "sensitive")
    found = [m for m in outcome.matches if sorted(m.drugs) == drugs and m.effect == effect]
    actual = _status(found[0] if found else None)
    if row["expect"] == "not-offered":
        expected = "not-offered"
        if actual.endswith("(resistant)"):  # only sensitive options count as offered
            actual = "not-offered"
    else:
        expected = f"{row['expect']} ({effect})"
    return expected, actual


@pytest.mark.parametrize(("area", "row"), ROWS, ids=[str(r.get("id")) for _, r in ROWS])
def test_label_truth_row(area: str, row: dict[str, Any], catalog: Catalog, tree: OncoTree) -> None:
    _check_format(row)
    expected, actual = run_row(row, catalog, tree)
    ok = actual == expected
    gap = bool(row.get("known_gap"))
    SUMMARY.outcomes.append(Outcome(area, str(row["id"]), expected, actual, ok, gap))
    if gap:
        if ok:
            pytest.fail(f"known_gap row now passes: remove its known_gap ({row['known_gap']})")
        pytest.xfail(f"known gap: {row['known_gap']}")
    assert actual == expected, f"{row['id']}: expected {expected}, got {actual}"


def test_row_ids_are_unique() -> None:
    counts = Counter(str(r.get("id")) for _, r in ROWS)
    assert [i for i, n in counts.items() if n > 1] == []


def test_mini_language(catalog: Catalog) -> None:
    a = parse_alteration("EGFR E746_A750del", catalog)
    assert isinstance(a, Alteration)
    assert (a.protein_start, a.protein_end, a.consequences, a.exon) == (
        746, 750, ("inframe_deletion",), 19,
    )  # fmt: skip
    amp = parse_alteration("ERBB2 amp cn=4", catalog)
    assert isinstance(amp, Alteration)
    assert (amp.kind, amp.copy_number) == (AMPLIFICATION, 4.0)
    fusion = parse_alteration("EML4::ALK", catalog)
    assert isinstance(fusion, Alteration)
    assert (fusion.gene, fusion.gene3) == ("EML4", "ALK")
    tmb = parse_alteration("TMB=12", catalog)
    assert isinstance(tmb, Biomarker)
    assert (tmb.value, tmb.status) == (12.0, "high")
    with pytest.raises(ValueError, match="not in the label-truth mini-language"):
        parse_alteration("BRAF p.Val600Glu", catalog)


def test_summary_numbers() -> None:
    outcomes = [
        Outcome("a", "r1", "on-label (sensitive)", "on-label (sensitive)", True),
        Outcome("a", "r2", "on-label-if (sensitive)", "on-label (sensitive)", False, True),
        Outcome("b", "r3", "not-offered", "on-label (sensitive)", False),
        Outcome("b", "r4", "off-label (resistant)", "off-label (resistant)", True),
    ]
    lines = Summary(outcomes).lines()
    assert lines[0] == (
        "label-truth: 4 rows, 2 right; on-label recall 2/2 (100.0 %); false on-label claims 1; "
        "bare on-label where conditions apply 1"
    )
    assert lines[1].startswith("  a: 2 rows, 1 right")
    assert lines[3] == (
        "  wrong (known gap): r2: expected on-label-if (sensitive), got on-label (sensitive)"
    )
