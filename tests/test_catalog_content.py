"""The default drug catalog's clinical content (issue 3): counts, sources, coverage, scoping.

These tests read the bundled ``drug_catalog/`` and the bundled OncoTree, and check what a tumour
board relies on: every record is sourced and dated, the required biomarker x drug x tumour-type
approvals exist at the right agency with the right scope, the known EMA/FDA differences are
encoded (MSI-H/TMB-H, NTRK, BRAF, olaparib in prostate cancer, avapritinib), and resistance and
off-label evidence records are present.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.catalog import Catalog, load_catalog
from tumorboard.catalog.schema import CatalogSource, EvidenceRecord, Indication, Resistance
from tumorboard.cli import main
from tumorboard.oncotree import OncoTree

REPO = Path(__file__).resolve().parent.parent
EPAR = re.compile(r"https://www\.ema\.europa\.eu/en/medicines/human/EPAR/[a-z0-9-]+")
Record = Indication | Resistance | EvidenceRecord


@functools.cache
def _bundled() -> tuple[Catalog, OncoTree]:
    tree = OncoTree.load()
    return load_catalog(oncotree=tree), tree


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return _bundled()[1]


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return _bundled()[0]


def _records(cat: Catalog) -> list[Record]:
    return [*cat.indications, *cat.resistance, *cat.evidence]


def covers(rec: Record, code: str, tree: OncoTree) -> bool:
    """Does the record's scope cover a patient with OncoTree ``code`` (DOMAIN.md section 5)?"""
    if any(tree.is_descendant(code, ex) for ex in rec.exclude):
        return False
    if rec.tumor_agnostic == "all":
        return True
    if rec.tumor_agnostic == "solid":
        return tree.is_solid(code)
    return any(tree.is_descendant(code, t) for t in rec.tumor_types)


def approvals(cat: Catalog, jurisdiction: str, biomarker: str, drug: str) -> list[Indication]:
    """Indications of one agency for a biomarker that include ``drug``."""
    return [
        i
        for i in cat.indications_by_biomarker.get(biomarker, [])
        if i.jurisdiction == jurisdiction and drug in i.drugs
    ]


def on_label(cat: Catalog, tree: OncoTree, jur: str, biomarker: str, drug: str, code: str) -> bool:
    return any(covers(i, code, tree) for i in approvals(cat, jur, biomarker, drug))


# --- size and sourcing ------------------------------------------------------------------------


def test_counts_meet_the_issue(cat: Catalog) -> None:
    by_agency = Counter(i.jurisdiction for i in cat.indications)
    assert len(cat.drugs) >= 40
    assert len(cat.indications) >= 80
    assert by_agency["EMA"] >= 40
    assert by_agency["FDA"] >= 40
    assert len(cat.resistance) >= 8
    assert len(cat.evidence) >= 10


def test_every_record_has_a_dated_source_with_a_url(cat: Catalog) -> None:
    missing = [r.id for r in _records(cat) if not any(s.url and s.date for s in r.sources)]
    assert missing == []


def test_every_approval_date_is_documented_by_one_of_its_sources(cat: Catalog) -> None:
    """The indication's date is the date a cited label or EPAR version carries."""
    undocumented = [
        i.id for i in cat.indications if i.approval_date not in {s.date for s in i.sources}
    ]
    assert undocumented == []


def test_every_indication_cites_its_own_agency(cat: Catalog) -> None:
    wrong = [i.id for i in cat.indications if i.jurisdiction not in {s.kind for s in i.sources}]
    assert wrong == []


def _agency_sources(cat: Catalog) -> Iterable[tuple[str, CatalogSource]]:
    for rec in _records(cat):
        for src in rec.sources:
            if src.kind in ("EMA", "FDA"):
                yield rec.id, src


def test_agency_sources_use_the_documented_address_and_identifier_forms(cat: Catalog) -> None:
    bad = []
    for rid, src in _agency_sources(cat):
        url = src.url or ""
        ok: bool
        if src.kind == "EMA":
            ok = bool(EPAR.fullmatch(url)) and bool(
                re.fullmatch(r"EMEA/H/C/\d{6}", src.identifier or "EMEA/H/C/000000")
            )
        else:
            m = re.search(r"ApplNo=(\d{6})$", url)
            ident = re.fullmatch(r"(NDA|BLA) (\d{6})", src.identifier or "")
            ok = bool(m and ident and m.group(1) == ident.group(2)) or (
                url.startswith("https://dailymed.nlm.nih.gov/") and src.identifier is None
            )
        if not ok:
            bad.append((rid, url, src.identifier))
    assert bad == []


def test_dates_are_not_after_the_catalog_date(cat: Catalog) -> None:
    late = [(r.id, s.date) for r in _records(cat) for s in r.sources if s.date[:7] > cat.date[:7]]
    assert late == []
    assert [i.id for i in cat.indications if i.approval_date[:7] > cat.date[:7]] == []


def test_every_oncotree_code_is_current(cat: Catalog, tree: OncoTree) -> None:
    """Codes must be today's codes (not renamed or revoked ones that only resolve by history)."""
    stale = [
        (r.id, code)
        for r in _records(cat)
        for code in [*r.tumor_types, *r.exclude]
        if tree.resolve(code).code != code
    ]
    assert stale == []


def test_every_drug_is_used_and_well_formed(cat: Catalog) -> None:
    used = {d for r in _records(cat) for d in r.drugs}
    assert sorted(set(cat.drugs) - used) == []
    assert [d.id for d in cat.drugs.values() if not d.targets and d.id != "azacitidine"] == []


def test_no_duplicate_approvals(cat: Catalog) -> None:
    """One record per agency indication: records of one drug set, biomarker and scope differ in
    the setting they encode (adjuvant vs metastatic, first line vs after resistance, paediatric:
    their label conditions) or in the label they quote (IV vs SC)."""
    keys = Counter(
        (
            i.jurisdiction,
            tuple(sorted(i.drugs)),
            i.biomarker,
            tuple(i.tumor_types),
            i.tumor_agnostic,
            i.line_of_therapy,
            i.label_text,
            tuple(sorted(r.text for r in i.requires)),
        )
        for i in cat.indications
    )
    assert [k for k, n in keys.items() if n > 1] == []


def test_unread_wording_is_said_in_the_review_note(cat: Catalog) -> None:
    """A record without the agency's words says why in ``review`` (shown as a catalog note), and
    ``conditions`` holds label conditions only, not how the record was checked."""
    assert [i.id for i in cat.indications if not i.label_text and not i.review] == []
    provenance = ("catalog review", "not read", "not verified", "label_text", "this session")
    assert [i.id for i in cat.indications if any(p in i.conditions for p in provenance)] == []


# --- required coverage (issue 3) --------------------------------------------------------------

REQUIRED = [
    # (agency, biomarker, drug, patient OncoTree code)
    ("EMA", "BRAF_V600", "dabrafenib", "SKCM"),
    ("EMA", "BRAF_V600", "dabrafenib", "LUAD"),
    ("EMA", "BRAF_V600E", "encorafenib", "READ"),
    ("EMA", "EGFR_EX19DEL", "osimertinib", "LUAD"),
    ("EMA", "EGFR_L858R", "osimertinib", "LUSC"),
    ("EMA", "EGFR_T790M", "osimertinib", "LUAD"),
    ("FDA", "EGFR_T790M", "osimertinib", "LUAD"),
    ("EMA", "EGFR_EX20INS", "amivantamab", "LUAD"),
    ("FDA", "EGFR_EX20INS", "amivantamab", "LUAD"),
    ("FDA", "EGFR_UNCOMMON", "afatinib", "LUAD"),
    ("EMA", "ALK_FUSION", "alectinib", "LUAD"),
    ("EMA", "ALK_FUSION", "lorlatinib", "LUAD"),
    ("FDA", "ALK_FUSION", "brigatinib", "LUAD"),
    ("FDA", "ALK_FUSION", "ceritinib", "LUAD"),
    ("EMA", "ROS1_FUSION", "crizotinib", "LUAD"),
    ("EMA", "ROS1_FUSION", "entrectinib", "LUAD"),
    ("FDA", "ROS1_FUSION", "repotrectinib", "LUAD"),
    ("EMA", "RET_FUSION", "selpercatinib", "LUAD"),
    ("EMA", "RET_FUSION", "selpercatinib", "THPA"),
    ("EMA", "RET_MUT", "selpercatinib", "THME"),
    ("FDA", "RET_FUSION", "selpercatinib", "PAAD"),
    ("EMA", "RET_FUSION", "selpercatinib", "PAAD"),  # EMA tumour-agnostic extension (2024)
    ("EMA", "MET_EX14", "capmatinib", "LUAD"),
    ("FDA", "MET_EX14", "tepotinib", "LUAD"),
    ("EMA", "KRAS_G12C", "sotorasib", "LUAD"),
    ("EMA", "KRAS_G12C", "adagrasib", "LUAD"),
    ("FDA", "KRAS_G12C", "adagrasib", "COAD"),
    ("EMA", "ERBB2_AMP", "trastuzumab", "IDC"),
    ("EMA", "ERBB2_AMP", "trastuzumab", "STAD"),
    ("FDA", "ERBB2_AMP", "trastuzumab", "GEJ"),
    ("EMA", "ERBB2_AMP", "pertuzumab", "ILC"),
    ("EMA", "ERBB2_AMP", "trastuzumab emtansine", "IDC"),
    ("EMA", "ERBB2_AMP", "trastuzumab deruxtecan", "STAD"),
    ("EMA", "ERBB2_MUT", "trastuzumab deruxtecan", "LUAD"),
    ("FDA", "ERBB2_MUT", "trastuzumab deruxtecan", "LUAD"),
    ("EMA", "PIK3CA_ACTIVATING", "alpelisib", "IDC"),
    ("EMA", "PIK3CA_ACTIVATING", "capivasertib", "ILC"),
    ("EMA", "AKT1_E17K", "capivasertib", "IDC"),
    ("FDA", "PTEN_LOF", "capivasertib", "IDC"),
    ("EMA", "ESR1_MUT", "elacestrant", "IDC"),
    ("FDA", "ESR1_MUT", "elacestrant", "IDC"),
    ("EMA", "BRCA_LOF", "olaparib", "HGSOC"),
    ("EMA", "BRCA_LOF", "olaparib", "IDC"),
    ("EMA", "BRCA_LOF", "olaparib", "PAAD"),
    ("EMA", "BRCA_LOF", "olaparib", "PRAD"),
    ("FDA", "HRR_LOF", "olaparib", "PRAD"),
    ("EMA", "HRD", "olaparib", "HGSOC"),
    ("EMA", "BRCA_LOF", "niraparib", "HGSFT"),
    ("FDA", "BRCA_LOF", "rucaparib", "PRAD"),
    ("EMA", "BRCA_LOF", "talazoparib", "IDC"),
    ("FDA", "HRR_TALAPRO_LOF", "talazoparib", "PRAD"),
    ("EMA", "IDH1_R132", "ivosidenib", "AML"),
    ("EMA", "IDH1_R132", "ivosidenib", "IHCH"),
    ("FDA", "IDH2_R140_R172", "enasidenib", "AML"),
    ("EMA", "FGFR2_FUSION", "pemigatinib", "IHCH"),
    ("EMA", "FGFR2_FUSION", "futibatinib", "EHCH"),
    ("FDA", "FGFR2_FUSION", "futibatinib", "IHCH"),
    ("EMA", "FGFR3_MUT", "erdafitinib", "BLCA"),
    ("FDA", "FGFR3_FUSION", "erdafitinib", "UTUC"),
    ("EMA", "KIT_MUT", "imatinib", "GIST"),
    ("EMA", "PDGFRA_D842V", "avapritinib", "GIST"),
    ("FDA", "KIT_MUT", "ripretinib", "GIST"),
    ("EMA", "NTRK_FUSION", "larotrectinib", "IDC"),
    ("FDA", "NTRK_FUSION", "entrectinib", "IHCH"),
    ("EMA", "MSI_H", "pembrolizumab", "COAD"),
    ("EMA", "MSI_H", "pembrolizumab", "UEC"),
    ("EMA", "MSI_H", "pembrolizumab", "STAD"),
    ("EMA", "MSI_H", "pembrolizumab", "SIC"),
    ("EMA", "MSI_H", "pembrolizumab", "GBC"),
    ("EMA", "MSI_H", "nivolumab", "READ"),
    ("EMA", "MSI_H", "dostarlimab", "UEC"),
    ("FDA", "MSI_H", "pembrolizumab", "PAAD"),
    ("FDA", "DMMR", "dostarlimab", "PRAD"),
    ("FDA", "DMMR", "durvalumab", "UEC"),
    ("EMA", "DMMR", "durvalumab", "UEC"),
    ("FDA", "BRCA_LOF", "rucaparib", "HGSOC"),
    ("FDA", "TMB_H", "pembrolizumab", "PAAD"),
]


@pytest.mark.parametrize(("jur", "biomarker", "drug", "code"), REQUIRED)
def test_required_approval_covers_patient(
    cat: Catalog, tree: OncoTree, jur: str, biomarker: str, drug: str, code: str
) -> None:
    assert on_label(cat, tree, jur, biomarker, drug, code)


NOT_ON_LABEL = [
    # scoping mistakes a board would act on: each must stay off-label
    ("EMA", "EGFR_T790M", "gefitinib", "LUAD"),
    ("EMA", "ALK_FUSION", "alectinib", "SCLC"),
    ("EMA", "KRAS_G12C", "sotorasib", "COAD"),
    ("EMA", "ERBB2_AMP", "trastuzumab", "COAD"),
    ("EMA", "ERBB2_AMP", "trastuzumab", "ESCC"),
    ("EMA", "BRCA_LOF", "olaparib", "BLCA"),
    ("EMA", "IDH1_R132", "ivosidenib", "ASTR"),
    ("FDA", "FGFR2_FUSION", "futibatinib", "EHCH"),
    ("FDA", "IDH2_R140_R172", "enasidenib", "IHCH"),
    ("EMA", "IDH2_R140_R172", "enasidenib", "AML"),
    ("EMA", "FGFR3_MUT", "erdafitinib", "CHOL"),
    ("EMA", "RET_MUT", "selpercatinib", "LUAD"),
    ("EMA", "MSI_H", "pembrolizumab", "PAAD"),
    ("EMA", "MSI_H", "pembrolizumab", "PRAD"),
    ("FDA", "MSI_H", "pembrolizumab", "AML"),
    ("FDA", "NTRK_FUSION", "larotrectinib", "AML"),
    ("EMA", "RET_FUSION", "pralsetinib", "LUAD"),  # EU authorisation withdrawn 2024-10-24
]


@pytest.mark.parametrize(("jur", "biomarker", "drug", "code"), NOT_ON_LABEL)
def test_no_approval_outside_its_label(
    cat: Catalog, tree: OncoTree, jur: str, biomarker: str, drug: str, code: str
) -> None:
    assert not on_label(cat, tree, jur, biomarker, drug, code)


# --- agency differences -----------------------------------------------------------------------


@pytest.mark.parametrize("jur", ["EMA", "FDA"])
@pytest.mark.parametrize("drug", ["larotrectinib", "entrectinib"])
def test_ntrk_is_tumour_agnostic_at_both_agencies(cat: Catalog, jur: str, drug: str) -> None:
    assert [i.tumor_agnostic for i in approvals(cat, jur, "NTRK_FUSION", drug)] == ["solid"]


def test_fda_braf_agnostic_label_excludes_colorectal(cat: Catalog, tree: OncoTree) -> None:
    (agnostic,) = [i for i in approvals(cat, "FDA", "BRAF_V600E", "dabrafenib") if i.tumor_agnostic]
    assert agnostic.exclude == ["COADREAD"]
    assert covers(agnostic, "IHCH", tree)
    assert not covers(agnostic, "COAD", tree)
    assert not covers(agnostic, "READ", tree)
    assert not [i for i in approvals(cat, "EMA", "BRAF_V600E", "dabrafenib") if i.tumor_agnostic]


def test_msi_and_tmb_differ_between_ema_and_fda(cat: Catalog, tree: OncoTree) -> None:
    msi = [*cat.indications_by_biomarker["MSI_H"], *cat.indications_by_biomarker["DMMR"]]
    ema_msi = [i for i in msi if i.jurisdiction == "EMA"]
    fda_msi = [i for i in msi if i.jurisdiction == "FDA"]
    tmb = cat.indications_by_biomarker["TMB_H"]
    assert ema_msi
    assert not [i.id for i in ema_msi if i.tumor_agnostic]
    assert {tuple(i.drugs) for i in fda_msi if i.tumor_agnostic == "solid"} == {
        ("pembrolizumab",),
        ("dostarlimab",),
    }
    assert [(i.jurisdiction, i.tumor_agnostic, i.drugs) for i in tmb] == [
        ("FDA", "solid", ["pembrolizumab"])
    ]
    assert cat.biomarkers["TMB_H"].threshold == 10  # type: ignore[union-attr]


def test_olaparib_prostate_gene_lists_differ(cat: Catalog, tree: OncoTree) -> None:
    assert on_label(cat, tree, "FDA", "HRR_LOF", "olaparib", "PRAD")
    assert not on_label(cat, tree, "EMA", "HRR_LOF", "olaparib", "PRAD")
    (ema,) = [i for i in approvals(cat, "EMA", "BRCA_LOF", "olaparib") if "PRAD" in i.tumor_types]
    assert "BRCA1/2 mutation only" in ema.conditions


def test_avapritinib_is_d842v_at_ema_and_exon_18_at_fda(cat: Catalog) -> None:
    assert [
        i.biomarker for i in cat.indications_by_drug["avapritinib"] if i.jurisdiction == "EMA"
    ] == ["PDGFRA_D842V"]
    assert [
        i.biomarker for i in cat.indications_by_drug["avapritinib"] if i.jurisdiction == "FDA"
    ] == ["PDGFRA_EX18"]


def test_her2_positive_records_say_ihc_ish_confirms(cat: Catalog) -> None:
    """HER2-positive is an IHC/ISH status: amplification records must say so."""
    silent = [i.id for i in cat.indications_by_biomarker["ERBB2_AMP"] if "IHC" not in i.conditions]
    assert silent == []


def test_germline_only_labels_say_germline(cat: Catalog) -> None:
    """Breast and pancreatic PARP-inhibitor labels need a germline BRCA variant."""
    for i in cat.indications_by_biomarker["BRCA_LOF"]:
        if set(i.tumor_types) & {"BRCA", "PAAD"}:
            assert "germline" in i.conditions, i.id


def test_germline_worded_parp_labels_require_germline(cat: Catalog) -> None:
    """Germline-only wording makes the match "on-label if" the board confirms germline origin."""
    germline = {
        "EMA_OLAPARIB_BREAST_BRCA",
        "EMA_OLAPARIB_PANCREAS_BRCA",
        "EMA_TALAZOPARIB_BREAST_BRCA",
        "FDA_OLAPARIB_BREAST_BRCA",
        "FDA_OLAPARIB_PANCREAS_BRCA",
        "FDA_TALAZOPARIB_BREAST_BRCA",
        "FDA_NIRAPARIB_OVARIAN_BRCA",
    }
    kinds = {i.id: {r.kind for r in i.requires} for i in cat.indications}
    assert [i for i in sorted(germline) if "germline" not in kinds[i]] == []
    # "germline and/or somatic" wording needs no germline confirmation
    somatic_ok = [
        "EMA_OLAPARIB_OVARIAN_BRCA",
        "FDA_OLAPARIB_OVARIAN_BRCA",
        "FDA_RUCAPARIB_OVARIAN_BRCA",
    ]
    assert [i for i in somatic_ok if "germline" in kinds[i]] == []


def test_dmmr_only_labels_require_ihc(cat: Catalog) -> None:
    """dMMR is read by IHC: records worded "dMMR" alone require it; "MSI-H or dMMR" ones do not."""
    dmmr = cat.indications_by_biomarker["DMMR"]
    assert {i.id for i in dmmr} == {
        "FDA_DOSTARLIMAB_ENDOMETRIAL_DMMR",
        "FDA_DOSTARLIMAB_SOLID_MSI",
        "FDA_DURVALUMAB_ENDOMETRIAL_MSI",
        "EMA_DURVALUMAB_ENDOMETRIAL_DMMR",
        "FDA_ATEZOLIZUMAB_CHEMO_COLON_DMMR_ADJUVANT",
    }
    assert [i.id for i in dmmr if "ihc" not in {r.kind for r in i.requires}] == []
    msi = cat.indications_by_biomarker["MSI_H"]
    assert [i.id for i in msi if "ihc" in {r.kind for r in i.requires}] == []


def test_ovarian_parp_scopes_follow_the_wording(cat: Catalog, tree: OncoTree) -> None:
    """EMA says high-grade (no LGSOC); FDA says epithelial cancer; neither covers borderline."""
    assert on_label(cat, tree, "EMA", "BRCA_LOF", "olaparib", "HGSOC")
    assert not on_label(cat, tree, "EMA", "BRCA_LOF", "olaparib", "LGSOC")
    assert on_label(cat, tree, "FDA", "BRCA_LOF", "olaparib", "LGSOC")
    for jur in ("EMA", "FDA"):
        assert not on_label(cat, tree, jur, "BRCA_LOF", "olaparib", "SBOV")
        assert not on_label(cat, tree, jur, "HRD", "olaparib", "MBOV")


# --- resistance and evidence ------------------------------------------------------------------

RESISTANCE = [
    ("KRAS_RAS_MUT", "cetuximab", "COAD", "R1"),
    ("KRAS_RAS_MUT", "panitumumab", "READ", "R1"),
    ("NRAS_RAS_MUT", "panitumumab", "COAD", "R1"),
    ("EGFR_T790M", "gefitinib", "LUAD", "R1"),
    ("EGFR_T790M", "erlotinib", "LUAD", "R1"),
    ("EGFR_T790M", "afatinib", "LUAD", "R1"),
    ("EGFR_C797S", "osimertinib", "LUAD", "R2"),
    ("ALK_G1202R", "crizotinib", "LUAD", "R2"),
    ("ALK_G1202R", "alectinib", "LUAD", "R2"),
    ("PDGFRA_D842V", "imatinib", "GIST", "R1"),
    ("KIT_ACTIVATION_LOOP", "imatinib", "GIST", "R2"),
    ("ESR1_MUT", "letrozole", "IDC", "R2"),
    ("NTRK1_G595R", "larotrectinib", "IHCH", "R2"),
]


@pytest.mark.parametrize(("biomarker", "drug", "code", "level"), RESISTANCE)
def test_resistance_marker_present(
    cat: Catalog, tree: OncoTree, biomarker: str, drug: str, code: str, level: str
) -> None:
    hits = [
        r
        for r in cat.resistance_by_biomarker.get(biomarker, [])
        if drug in r.drugs and covers(r, code, tree)
    ]
    assert [r.oncokb for r in hits] == [level]


def test_kras_resistance_spares_g12c_combinations(cat: Catalog) -> None:
    (kras,) = [r for r in cat.resistance if r.id == "RES_KRAS_ANTI_EGFR_CRC"]
    assert kras.monotherapy_only


EVIDENCE = [
    ("ERBB2_AMP", ("trastuzumab", "pertuzumab"), "COAD"),
    ("ERBB2_AMP", ("trastuzumab", "lapatinib"), "COAD"),
    ("BRAF_V600E", ("dabrafenib", "trametinib"), "IHCH"),
    ("MSI_H", ("pembrolizumab",), "PAAD"),
    ("MSI_H", ("nivolumab",), "PRAD"),
    ("RET_FUSION", ("selpercatinib",), "PAAD"),
    ("BRCA_BIALLELIC", ("olaparib",), "BLCA"),
    ("CDKN2A_DEL", ("palbociclib",), "PAAD"),
]


@pytest.mark.parametrize(("biomarker", "drugs", "code"), EVIDENCE)
def test_off_label_evidence_present(
    cat: Catalog, tree: OncoTree, biomarker: str, drugs: tuple[str, ...], code: str
) -> None:
    hits = [
        e
        for e in cat.evidence_by_biomarker.get(biomarker, [])
        if tuple(e.drugs) == drugs and covers(e, code, tree)
    ]
    assert hits


def test_pathway_matches_are_flagged_as_lower_evidence(cat: Catalog) -> None:
    pathway = [e for e in cat.evidence if "Pathway match" in e.summary]
    assert len(pathway) >= 5
    assert {e.escat for e in pathway} <= {"III-A", "III-B", "IV"}
    assert all(e.oncokb is None for e in pathway)


# --- properties over the whole tree -------------------------------------------------------------

ALL_CODES = sorted(n.code for n in OncoTree.load().nodes() if n.code != "TISSUE")


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(ALL_CODES))
def test_agnostic_scopes_follow_solid_and_exclusions(code: str) -> None:
    cat, tree = _bundled()
    solid = tree.is_solid(code)
    colorectal = tree.is_descendant(code, "COADREAD")
    for jur in ("EMA", "FDA"):
        assert on_label(cat, tree, jur, "NTRK_FUSION", "larotrectinib", code) == solid
    assert on_label(cat, tree, "FDA", "TMB_H", "pembrolizumab", code) == solid
    (braf,) = [i for i in approvals(cat, "FDA", "BRAF_V600E", "trametinib") if i.tumor_agnostic]
    assert covers(braf, code, tree) == (solid and not colorectal)
    # EMA MSI-H: never beyond the five named tumour families
    named = ("COADREAD", "UCEC", "STAD", "USTAD", "GRC", "SBC", "SIC", "BILIARY_TRACT")
    if on_label(cat, tree, "EMA", "MSI_H", "pembrolizumab", code):
        assert any(tree.is_descendant(code, n) for n in named)


# --- CLI --------------------------------------------------------------------------------------


def test_validate_bundled_catalog_cli() -> None:
    result = CliRunner().invoke(main, ["catalog", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: tumorboard-default ")


def test_validate_catalog_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "catalog", "validate", "drug_catalog/catalog.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    m = re.search(
        r"(\d+) drugs, \d+ biomarker rules, (\d+) indications \(EMA (\d+), FDA (\d+)\)", proc.stdout
    )
    assert m, proc.stdout
    drugs, inds, ema, fda = map(int, m.groups())
    assert drugs >= 40
    assert inds >= 80
    assert ema + fda == inds
    assert min(ema, fda) >= 40
