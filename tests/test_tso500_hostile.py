"""TSO500 CombinedVariantOutput with values the assay could not have written (issue 13 point 1):
each gives an unknown biomarker or a skipped row with its reason, never 'stable', 'low' or
'high'; a file cut inside its last line and a duplicate section are errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.errors import FormatError, TruncatedInputError
from tumorboard.models import RunOptions
from tumorboard.readers.tso500 import read_tso500

OPTS = RunOptions(tumor_type="LUAD")
SMALL_HEADER = (
    "Gene\tChromosome\tGenomic Position\tReference Call\tAlternative Call\tAllele Frequency\t"
    "Depth\tP-Dot Notation\n"
)


def _cvo(tmp_path: Path, body: str, *, newline: bool = True) -> Path:
    path = tmp_path / "H_CombinedVariantOutput.tsv"
    text = "TruSight Oncology 500 - Combined Variant Output\n\n" + body
    path.write_text(text if newline else text.rstrip("\n"))
    return path


def _small(*rows: str) -> str:
    return "[Small Variants]\n" + SMALL_HEADER + "".join(r + "\n" for r in rows)


BRAF = "BRAF\tchr7\t140453136\tA\tT\t0.352\t612\tNP_004324.2:p.(Val600Glu)"
BRCA2 = "BRCA2\tchr13\t32914438\tT\t-\t0.41\t350\tNP_000050.2:p.(Val1283LysfsTer2)"


@pytest.mark.parametrize(
    ("line", "status", "note"),
    [
        ("Total TMB\tNaN", "unknown", "[TMB] totaltmb 'NaN' (line 4) is NaN"),
        ("Total TMB\t-3.2", "unknown", "[TMB] totaltmb '-3.2' (line 4) is negative"),
        ("Total TMB\tinf", "unknown", "[TMB] totaltmb 'inf' (line 4) is infinite"),
        ("Total TMB\tNA", "unknown", "no TMB value in the input"),
        ("Total TMB\t12.5", "high", ""),
    ],
)
def test_tmb_values(tmp_path: Path, line: str, status: str, note: str) -> None:
    r = read_tso500(str(_cvo(tmp_path, f"[TMB]\n{line}\n")), OPTS)
    (tmb,) = r.biomarkers
    assert (tmb.name, tmb.status) == ("TMB", status)
    assert tmb.note == (f"{note}: not assessed" if "line" in note else note)
    if status == "unknown" and "line" in note:
        assert tmb.value is None
        assert r.qc.warnings == [f"TSO500 Local App [TMB] section: {note}; TMB not assessed"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [("NaN", "NaN"), ("150", "above 100"), ("-1", "negative"), ("inf", "infinite"),
     ("100.01", "above 100")],
)  # fmt: skip
def test_msi_outside_0_100_is_unknown(tmp_path: Path, value: str, problem: str) -> None:
    r = read_tso500(str(_cvo(tmp_path, f"[MSI]\nPercent Unstable MSI Sites\t{value}\n")), OPTS)
    (msi,) = r.biomarkers
    assert (msi.status, msi.value) == ("unknown", None)
    assert msi.note == (
        f"[MSI] percentunstablemsisites {value!r} (line 4) is {problem}: not assessed"
    )


def test_gis_nan_is_unknown_not_negative(tmp_path: Path) -> None:
    r = read_tso500(str(_cvo(tmp_path, "[GIS]\nGenomic Instability Score\tnan\n")), OPTS)
    (hrd,) = r.biomarkers
    assert (hrd.name, hrd.status) == ("HRD", "unknown")


def test_cli_nan_msi_is_not_stable(tmp_path: Path) -> None:
    path = _cvo(tmp_path, "[MSI]\nPercent Unstable MSI Sites\tNaN\n\n" + _small(BRAF))
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "COAD"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    msi = next(b for b in case["biomarkers"] if b["name"] == "MSI")
    assert msi["status"] == "unknown"
    assert not any(m["biomarker"].startswith("MSI") for m in case["matches"])


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (BRAF.replace("\t612\t", "\tinf\t"), "TSO500 depth is infinite"),
        (BRAF.replace("\t612\t", "\t-612\t"), "TSO500 depth is negative"),
        (BRAF.replace("\t612\t", "\t61.5\t"), "TSO500 depth is not a whole number"),
        (BRAF.replace("0.352", "35.2"), "TSO500 allelefrequency is above 1"),
        (BRAF.replace("0.352", "-0.3"), "TSO500 allelefrequency is negative"),
        (BRAF.replace("0.352", "NaN"), "TSO500 allelefrequency is NaN"),
        (BRAF.replace("140453136", "0"), "TSO500 genomicposition is not a position (>= 1)"),
    ],
)
def test_bad_small_variant_values_skip_the_row(tmp_path: Path, row: str, reason: str) -> None:
    path = _cvo(tmp_path, _small(row, BRCA2))
    r = read_tso500(str(path), OPTS)
    assert [a.gene for a in r.alterations] == ["BRCA2"]
    assert r.qc.skipped == {reason: 1}
    assert r.qc.skipped_examples[reason] == f"{path}:5 [Small Variants]"


ALPHABET = "TSO500 allele is not A, C, G, T, N or '-'"


@pytest.mark.parametrize(
    ("row", "reason", "detail"),
    [
        (BRAF.replace("\tA\tT\t", "\tX!\tT\t"), ALPHABET, "'X!'"),
        (BRAF.replace("\tA\tT\t", "\tA\tT<&>\t"), ALPHABET, "'T<&>'"),
        (BRAF.replace("\tA\tT\t", "\tA\ta\t"), "TSO500 alternative call equals the reference call",
         "A>a"),
    ],
)  # fmt: skip
def test_bad_alleles_skip_the_row(tmp_path: Path, row: str, reason: str, detail: str) -> None:
    """REF 'X!' or ALT = REF was reported as BRAF V600E (from the P-Dot column)."""
    path = _cvo(tmp_path, _small(row, BRCA2))
    r = read_tso500(str(path), OPTS)
    assert [a.gene for a in r.alterations] == ["BRCA2"]  # its ALT '-' (a deletion) is an allele
    assert r.qc.skipped == {reason: 1}
    assert r.qc.skipped_examples[reason] == f"{path}:5 [Small Variants] ({detail})"


def test_bad_copy_number_values_skip_the_row(tmp_path: Path) -> None:
    body = "[Gene Amplifications]\nGene\tFold Change\nERBB2\tNaN\nMET\t-2\nCCNE1\t4.1\n"
    r = read_tso500(str(_cvo(tmp_path, body)), OPTS)
    assert [a.label for a in r.alterations] == ["CCNE1 amplification"]
    assert r.qc.skipped == {"TSO500 foldchange is NaN": 1, "TSO500 foldchange is negative": 1}


def test_negative_fusion_reads_skip_the_row(tmp_path: Path) -> None:
    body = ("[Fusions]\nGene Pair\tBreakpoint 1\tBreakpoint 2\tFusion Supporting Reads\n"
            "EML4/ALK\tchr2:1\tchr2:2\t-127\nTPM3-NTRK1\tchr1:1\tchr1:2\t159\n")  # fmt: skip
    r = read_tso500(str(_cvo(tmp_path, body)), OPTS)
    assert [a.label for a in r.alterations] == ["TPM3::NTRK1 fusion"]
    assert r.qc.skipped == {"TSO500 fusionsupportingreads is negative": 1}


def test_short_row_mid_section_does_not_lose_later_rows(tmp_path: Path) -> None:
    path = _cvo(tmp_path, _small(BRAF, "KRAS\tchr12\t2539", BRCA2))
    r = read_tso500(str(path), OPTS)
    assert [a.gene for a in r.alterations] == ["BRAF", "BRCA2"]
    reason = "TSO500 [Small Variants] row has fewer cells than the header"
    assert r.qc.skipped == {reason: 1}
    assert r.qc.skipped_examples[reason] == f"{path}:6 (3 of 8)"
    assert r.qc.records_read == 3


def test_cut_inside_last_line_is_an_error(tmp_path: Path) -> None:
    path = _cvo(tmp_path, _small(BRAF, "BRCA2\tchr13\t3291"), newline=False)
    with pytest.raises(TruncatedInputError) as err:
        read_tso500(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:6: the file ends inside its last line (fewer cells than its section's header) "
        "(hint: the file was cut short; copy or export the CombinedVariantOutput again)"
    )
    whole = _cvo(tmp_path, _small(BRAF, BRCA2), newline=False)  # no final newline, complete row
    r = read_tso500(str(whole), OPTS)
    assert [a.gene for a in r.alterations] == ["BRAF", "BRCA2"]
    assert r.qc.warnings == [
        "H_CombinedVariantOutput.tsv:6: the file does not end with a newline; its last line was "
        "read as it stands: check that the file is complete"
    ]
    assert read_tso500(str(_cvo(tmp_path, _small(BRAF, BRCA2))), OPTS).qc.warnings == []
    key_only = _cvo(tmp_path, "[TMB]\nTotal TMB", newline=False)
    with pytest.raises(TruncatedInputError):
        read_tso500(str(key_only), OPTS)


def test_duplicate_section_is_an_error(tmp_path: Path) -> None:
    path = _cvo(tmp_path, "[TMB]\nTotal TMB\t3\n\n[TMB]\nTotal TMB\t30\n")
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "LUAD"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: section [TMB] appears twice (lines 3 and 6)\n"
        "Hint: a CombinedVariantOutput has each section once; give the file as exported\n"
    )
    with pytest.raises(FormatError):
        read_tso500(str(_cvo(tmp_path, "[Small Variants]\nGene\n\n[small variants]\nGene\n")), OPTS)


_FINITE = st.floats(min_value=0, max_value=100, allow_nan=False)
_ANY = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["NaN", "inf", "-inf"])
)


@given(msi=_ANY, tmb=_ANY)
@settings(max_examples=80, deadline=None)
def test_biomarkers_never_from_a_bad_value(tmp_path_factory, msi: object, tmb: object) -> None:
    """Whatever number is written, a status other than 'unknown' comes only from a valid value."""
    body = f"[TMB]\nTotal TMB\t{tmb}\n\n[MSI]\nPercent Unstable MSI Sites\t{msi}\n"
    r = read_tso500(str(_cvo(tmp_path_factory.mktemp("cvo"), body)), OPTS)
    for b in r.biomarkers:
        if b.status != "unknown":
            assert b.value is not None
            assert 0 <= b.value <= (100 if b.name == "MSI" else float("inf"))
        else:
            assert b.value is None


@given(vaf=_FINITE.map(lambda v: v / 100), depth=st.integers(0, 100_000))
@settings(max_examples=60, deadline=None)
def test_valid_small_variant_values_round_trip(tmp_path_factory, vaf: float, depth: int) -> None:
    row = f"BRAF\tchr7\t140453136\tA\tT\t{vaf!r}\t{depth}\tNP_004324.2:p.(Val600Glu)"
    r = read_tso500(str(_cvo(tmp_path_factory.mktemp("cvo"), _small(row))), OPTS)
    (braf,) = r.alterations
    assert (braf.vaf, braf.depth) == (vaf, depth)
