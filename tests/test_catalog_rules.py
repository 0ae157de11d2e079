"""Rule features: any_of rules (loader checks, matching through members), age/grade limits,
label requirements of resistance records."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tumorboard.alterations import Alteration
from tumorboard.catalog import check_catalog, load_catalog
from tumorboard.catalog.schema import Resistance
from tumorboard.matching import match_case
from tumorboard.models import RunOptions
from tumorboard.oncotree import OncoTree

CLINICAL = Path(__file__).resolve().parent / "data" / "catalog" / "clinical" / "catalog.yaml"


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


def _extension(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ext.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("[EGFR_L858R, EGFR_NOPE]", "any_of rule X_ANY: unknown member rule 'EGFR_NOPE'"),
        ("[EGFR_L858R, MSI_H]", "any_of rule X_ANY: member 'MSI_H' is a msi_high rule"),
        ("[EGFR_L858R, RAS_WT]", "any_of rule X_ANY: member 'RAS_WT' is a wild_type rule"),
        ("[EGFR_L858R, X_ANY2]", "any_of rule X_ANY: it lists itself"),
    ],
)
def test_loader_checks_any_of_members(
    tmp_path: Path, tree: OncoTree, rules: str, problem: str
) -> None:
    ext = _extension(
        tmp_path,
        "biomarkers:\n"
        f"  - {{id: X_ANY, type: any_of, name: test, rules: {rules}}}\n"
        "  - {id: X_ANY2, type: any_of, name: test 2, rules: [X_ANY, EGFR_EX19DEL]}\n",
    )
    cat, issues = check_catalog([CLINICAL], [ext], oncotree=tree)
    assert cat is None
    messages = [i.message for i in issues]
    assert any(m.startswith(problem) for m in messages), messages
    assert all(i.where.endswith("ext.yaml:2") or "X_ANY2" in i.message for i in issues)


def test_nested_any_of_fires_and_names_the_member(tmp_path: Path, tree: OncoTree) -> None:
    ext = _extension(
        tmp_path,
        """\
biomarkers:
  - {id: X_OUTER, type: any_of, name: outer list, rules: [EGFR_ACTIVATING, EGFR_T790M]}
indications:
  - id: X_OSI_OUTER
    drugs: [osimertinib]
    biomarker: X_OUTER
    tumor_types: [NSCLC]
    jurisdiction: FDA
    approval_date: 2020-01-01
    sources: [{kind: other, document: test record, date: 2020-01}]
""",
    )
    cat = load_catalog([CLINICAL], [ext], oncotree=tree)
    g719a = Alteration(
        gene="EGFR", protein="G719A", protein_start=719, protein_end=719,
        consequences=("missense_variant",), exon=18,
    )  # fmt: skip
    out = match_case([g719a], [], "LUAD", "FDA", cat, tree)
    (osi,) = [m for m in out.matches if m.drugs == ["osimertinib"]]
    assert osi.label == "on-label"
    assert (
        "EGFR G719A matches X_OUTER (outer list: member EGFR_ACTIVATING (activating EGFR mutation: "
        "member EGFR_G719X (EGFR G719X: G719A at codon 719 (codon rule))))"
    ) in osi.rule


def test_age_limit_boundaries(tree: OncoTree) -> None:
    """min_age_years is inclusive (18 covers an 18-year-old); the patient's age decides."""
    cat = load_catalog([CLINICAL], oncotree=tree)
    g719a = Alteration(
        gene="EGFR", protein="G719A", protein_start=719, protein_end=719,
        consequences=("missense_variant",), exon=18,
    )  # fmt: skip

    def afatinib(age: float | None) -> tuple[str, str]:
        options = RunOptions(tumor_type="LUAD", patient_age=age)
        out = match_case([g719a], [], "LUAD", "EMA", cat, tree, options)
        (m,) = [m for m in out.matches if m.drugs == ["afatinib"]]
        return m.label, m.label_text

    assert afatinib(18) == ("on-label", "on-label if no earlier EGFR TKI (EGFR TKI-naïve)")
    assert afatinib(17.9)[0] == "off-label"
    assert afatinib(None)[1].endswith("patient aged 18 years or older (age not given)")


def test_label_requirement_names_only_the_records_drugs() -> None:
    with pytest.raises(ValidationError, match="label_requirement names drugs not in drugs"):
        Resistance.model_validate(
            {
                "id": "R1",
                "biomarker": "KRAS_RAS_MUT",
                "drugs": ["cetuximab"],
                "tumor_types": ["COADREAD"],
                "summary": "test",
                "label_requirement": [
                    {"jurisdiction": "EMA", "drugs": ["panitumumab"], "text": "EMA label says so"}
                ],
                "sources": [{"kind": "other", "document": "test", "date": "2020-01"}],
            }
        )


def test_label_requirement_refuses_an_on_label_claim(tree: OncoTree) -> None:
    """NTRK fusion + solvent-front mutation under FDA: the Vitrakvi label covers fusions without
    a known acquired resistance mutation, so larotrectinib is not on-label (bundled catalog)."""
    cat = load_catalog(oncotree=tree)
    fusion = Alteration(gene="ETV6", kind="fusion", gene3="NTRK3")
    g623r = Alteration(
        gene="NTRK3", protein="G623R", protein_start=623, protein_end=623,
        consequences=("missense_variant",),
    )  # fmt: skip
    out = match_case([fusion, g623r], [], "ACYC", "FDA", cat, tree)
    (laro,) = [m for m in out.matches if m.drugs == ["larotrectinib"] and m.effect == "sensitive"]
    assert laro.label == "off-label"
    assert "not on-label: FDA label covers NTRK gene fusions without a known acquired" in laro.rule
    (flag,) = [m for m in out.matches if m.drugs == ["larotrectinib"] and m.effect == "resistant"]
    assert flag.label == "off-label"
    assert flag.agency_status[0].startswith("FDA label covers NTRK gene fusions without")
