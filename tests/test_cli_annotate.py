"""``tumorboard annotate`` through click's CliRunner and as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner

from tumorboard.cli import main

PVAC = "somatic_vcf/pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_annotate_json_contract(shared_data: Path) -> None:
    code, out, err = run("annotate", str(shared_data / PVAC), "--tumor-type", "BRCA")
    assert code == 0, err
    case = json.loads(out)
    for key in (
        "tumorboard_version",
        "catalog",
        "patient",
        "variants",
        "biomarkers",
        "matches",
        "qc",
    ):
        assert key in case
    assert set(case["catalog"]) >= {"name", "version", "sha256"}
    labels = {v["label"]: v for v in case["variants"]}
    tp53 = labels["TP53 R175H"]
    assert tp53["transcript_rule"] == "mane_select"
    assert tp53["protein_3"] == "p.Arg175His"
    assert tp53["hgvsc"] == "c.524G>A"
    assert tp53["vaf_source"] == "FORMAT/AF"
    assert "BRCA2 E1593*" in labels
    # TSO500 restricts to its genes: OR4F29 (chr1, first record of the file) is not a panel gene
    assert all(v["gene"] != "OR4F29" for v in case["variants"])
    qc = case["qc"]
    assert qc["panel"] == "tso500"
    assert qc["used_index"] is True  # the file has a .tbi: only panel regions were fetched
    assert qc["records_in_panel"] == qc["records_read"]
    code, out, err = run("annotate", str(shared_data / PVAC), "-t", "BRCA", "--no-index")
    streamed = json.loads(out)
    assert streamed["qc"]["records_read"] == 1470
    assert streamed["qc"]["records_in_panel"] == qc["records_in_panel"]
    assert [v["id"] for v in streamed["variants"]] == [v["id"] for v in case["variants"]]
    assert qc["sample"] == "HCC1395_TUMOR_DNA"
    assert qc["genome"] == "GRCh38"
    assert case["patient"]["tumor_type"] == "BRCA"
    assert "BREAST" in case["patient"]["lineage"]


def test_annotate_tsv(shared_data: Path) -> None:
    code, out, err = run(
        "annotate", str(shared_data / PVAC), "-t", "BRCA", "--format", "tsv", "--panel", "all"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert len(rows) == 1264  # every PASS ALT of the file
    tp53 = next(r for r in rows if r["gene"] == "TP53" and r["protein"] == "R175H")
    assert tp53["chrom"] == "chr17"
    assert tp53["consequences"] == "missense_variant"


def test_indexed_and_streamed_reads_agree(tests_data: Path, tmp_path: Path) -> None:
    gz = tmp_path / "small.vcf.gz"
    pysam.tabix_compress(str(tests_data / "vcf" / "vep_small.vcf"), str(gz))
    code, streamed, err = run("annotate", str(gz), "-t", "SKCM", "--no-index")
    assert code == 0, err
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    code, indexed, err = run("annotate", str(gz), "-t", "SKCM", "--index")
    assert code == 0, err
    a, b = json.loads(streamed), json.loads(indexed)
    assert a["qc"]["used_index"] is False
    assert b["qc"]["used_index"] is True
    assert [v["id"] for v in a["variants"]] == [v["id"] for v in b["variants"]]
    assert {v["label"] for v in a["variants"]} == {
        "BRAF V600E",
        "BRAF V600=",
        "KRAS G12Afs*3",
        "KRAS G12K",
        "TP53 R126*",
    }


def test_output_file_is_written_atomically(tests_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    code, _, err = run(
        "annotate", str(tests_data / "vcf" / "vep_small.vcf"), "-t", "SKCM", "-o", str(out)
    )
    assert code == 0, err
    assert json.loads(out.read_text())["patient"]["tumor_type"] == "SKCM"
    assert [p.name for p in tmp_path.iterdir()] == ["case.json"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["/nonexistent/x.vcf", "-t", "LUAD"],
            "Error: /nonexistent/x.vcf: file not found\nHint: check the path\n",
        ),
        (
            ["{vcf}", "-t", "LUAD", "--genome", "GRCh37"],
            "Error: {vcf}: --genome GRCh37 but the file is GRCh38 "
            "(from contig lengths (chr1, chr7 and 2 more))\n"
            "Hint: use --genome GRCh38, or lift the file over to GRCh37\n",
        ),
        (
            ["{vcf}", "-t", "LUAD", "--sample", "NOPE"],
            "Error: {vcf}: sample 'NOPE' is not in the file; samples: NORMAL, TUMOR\n"
            "Hint: pass one of the listed names with --sample\n",
        ),
        (
            ["{vcf}", "-t", "LUAD", "--index"],
            "Error: {vcf}: no index (.tbi or .csi) beside the file\n"
            "Hint: index it with: tabix -p vcf {vcf} (or bcftools index)\n",
        ),
    ],
)
def test_bad_input_errors(tests_data: Path, tmp_path: Path, args: list[str], expected: str) -> None:
    vcf = str(tests_data / "vcf" / "vep_small.vcf")
    out = tmp_path / "out.json"
    code, _stdout, stderr = run("annotate", *[a.format(vcf=vcf) for a in args], "-o", str(out))
    assert code == 1
    assert stderr == expected.format(vcf=vcf)
    assert "Traceback" not in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unannotated_input_is_hotspot_only(shared_data: Path) -> None:
    """Unannotated input is read (issue 4): catalog hotspots by coordinate, and it says so."""
    vcf = shared_data / "somatic_vcf/vcf2maf_callers/test_mutect.vcf"
    code, out, _ = run("annotate", str(vcf), "-t", "LUAD")
    assert code == 0
    qc = json.loads(out)["qc"]
    assert qc["annotation"] == "none (hotspots only)"
    assert any("need VEP or SnpEff annotation" in n for n in qc["not_assessable"])


def test_truncated_bgzip_via_cli(tests_data: Path, tmp_path: Path) -> None:
    gz = tmp_path / "t.vcf.gz"
    pysam.tabix_compress(str(tests_data / "vcf" / "vep_small.vcf"), str(gz))
    gz.write_bytes(gz.read_bytes()[:-40])
    code, _, err = run("annotate", str(gz), "-t", "LUAD")
    assert code == 1
    assert err.startswith(
        f"Error: {gz}: truncated bgzip file: the BGZF end-of-file marker is missing\n"
    )


def test_usage_error_exit_code() -> None:
    code, _, err = run("annotate", "x.vcf")
    assert code == 2
    assert "Missing option '--tumor-type'" in err


def test_annotate_from_stdin_subprocess(tests_data: Path) -> None:
    data = (tests_data / "vcf" / "snpeff_small.vcf").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", "-", "-t", "LUAD", "--format", "tsv"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode()), delimiter="\t"))
    assert [(r["gene"], r["protein"]) for r in rows] == [
        ("EGFR", "E746_A750del"),
        ("EGFR", "L858R"),
    ]


def test_subprocess_error_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.vcf"
    bad.write_text("not a vcf\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(bad), "-t", "LUAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"Error: {bad}: not a readable VCF/BCF file")
    assert "Traceback" not in proc.stderr


def test_streamed_json_is_the_case_document(tests_data: Path) -> None:
    """annotate streams its variants; the document still validates and equals analyse()."""
    from tumorboard.api import analyse
    from tumorboard.models import CaseResult, RunOptions

    vcf = str(tests_data / "vcf" / "vep_small.vcf")
    code, out, err = run("annotate", vcf, "-t", "SKCM")
    assert code == 0, err
    streamed = CaseResult.model_validate_json(out)
    library = analyse([vcf], RunOptions(tumor_type="SKCM"))
    assert [v.model_dump() for v in streamed.variants] == [v.model_dump() for v in library.variants]
    assert streamed.matches == library.matches
    assert any(v.actionable for v in streamed.variants)


def test_json_with_no_variants_is_valid(tests_data: Path, tmp_path: Path) -> None:
    from tumorboard.models import CaseResult

    bed = tmp_path / "empty.bed"
    bed.write_text("chr9\t1000\t2000\tNOTHING\n")
    code, out, err = run(
        "annotate", str(tests_data / "vcf" / "vep_small.vcf"), "-t", "SKCM", "--panel", str(bed)
    )
    assert code == 0, err
    assert CaseResult.model_validate_json(out).variants == []


def _labels(out: str) -> set[str]:
    return {v["label"] for v in json.loads(out)["variants"]}


def test_bcf_and_plain_contig_names_give_the_same_variants(
    tests_data: Path, tmp_path: Path
) -> None:
    src = tests_data / "vcf" / "vep_small.vcf"
    code, expected, err = run("annotate", str(src), "-t", "SKCM")
    assert code == 0, err
    # BCF
    bcf = tmp_path / "small.bcf"
    with (
        pysam.VariantFile(str(src)) as vin,
        pysam.VariantFile(str(bcf), "wb", header=vin.header) as vout,
    ):
        for rec in vin:
            vout.write(rec)
    code, out, err = run("annotate", str(bcf), "-t", "SKCM")
    assert code == 0, err
    assert _labels(out) == _labels(expected)
    # contigs written without 'chr' (7 instead of chr7): the chr-prefixed panel still applies
    plain = tmp_path / "plain.vcf"
    plain.write_text(src.read_text().replace("ID=chr", "ID=").replace("\nchr", "\n"))
    code, out, err = run("annotate", str(plain), "-t", "SKCM")
    assert code == 0, err
    assert _labels(out) == _labels(expected)
    assert {v["chrom"] for v in json.loads(out)["variants"]} == {"7", "12", "17"}


EXTENSION = """\
biomarkers:
  - id: LOCAL_TP53_R126STOP
    type: exact
    gene: TP53
    name: TP53 R126*
    changes: ["R126*"]
evidence:
  - id: EV_LOCAL_BOARD_TP53
    drugs: [olaparib]
    biomarker: LOCAL_TP53_R126STOP
    tumor_agnostic: solid
    effect: sensitive
    kind: other
    escat: IV
    summary: local board decision (test extension)
    sources:
      - kind: other
        document: Local tumour board minutes
        url: https://example.org/minutes
        date: 2026-11-01
"""


def test_catalog_extend_adds_records_and_changes_identity(tests_data: Path, tmp_path: Path) -> None:
    vcf = str(tests_data / "vcf" / "vep_small.vcf")
    ext = tmp_path / "local.yaml"
    ext.write_text(EXTENSION)
    code, base, err = run("annotate", vcf, "-t", "SKCM")
    assert code == 0, err
    code, out, err = run("annotate", vcf, "-t", "SKCM", "--catalog-extend", str(ext))
    assert code == 0, err
    before, after = json.loads(base), json.loads(out)
    assert after["catalog"]["name"] == before["catalog"]["name"] + "+local"
    assert after["catalog"]["sha256"] != before["catalog"]["sha256"]
    local = [m for m in after["matches"] if m["indication_id"] == "EV_LOCAL_BOARD_TP53"]
    assert [(m["biomarker"], m["drugs"], m["label"]) for m in local] == [
        ("TP53 R126*", ["olaparib"], "investigational")
    ]
    assert not [m for m in before["matches"] if m["gene"] == "TP53"]


def test_invalid_catalog_extension_is_a_clear_error(tests_data: Path, tmp_path: Path) -> None:
    ext = tmp_path / "bad.yaml"
    ext.write_text(EXTENSION.replace("escat: IV", "escat: V-Z"))
    out = tmp_path / "case.json"
    code, _, err = run(
        "annotate", str(tests_data / "vcf" / "vep_small.vcf"), "-t", "SKCM",
        "--catalog-extend", str(ext), "-o", str(out),
    )  # fmt: skip
    assert code == 1
    assert err.startswith(f"Error: {ext}:14: evidence[0].escat: ")
    assert not out.exists()


REVIEWED = (
    EXTENSION.split("evidence:")[0]
    + """\
indications:
  - id: EMA_LOCAL_OLAPARIB_TP53
    drugs: [olaparib]
    biomarker: LOCAL_TP53_R126STOP
    tumor_types: [SKCM]
    jurisdiction: EMA
    approval_date: 2026-01
    conditions: adults
    review: EC decision day not verified (test record)
    sources:
      - kind: EMA
        document: Test SmPC, section 4.1
        url: https://example.org/smpc
        date: 2026-01
"""
)


def test_review_note_is_shown_apart_from_the_label_conditions(
    tests_data: Path, tmp_path: Path
) -> None:
    """A record's provenance note (``review``) travels with its match as ``review`` and is shown
    as a catalog note in the report, never inside the label's conditions."""
    vcf = str(tests_data / "vcf" / "vep_small.vcf")
    ext = tmp_path / "local.yaml"
    ext.write_text(REVIEWED)
    html, case = tmp_path / "r.html", tmp_path / "r.json"
    code, _, err = run(
        "report", vcf, "-t", "SKCM", "--catalog-extend", str(ext), "-o", str(html),
        "--json", str(case),
    )  # fmt: skip
    assert code == 0, err
    (match,) = [m for m in json.loads(case.read_text())["matches"]
                if m["indication_id"] == "EMA_LOCAL_OLAPARIB_TP53"]  # fmt: skip
    assert (match["conditions"], match["review"]) == (
        "adults",
        "EC decision day not verified (test record)",
    )
    text = html.read_text()
    assert "Conditions: adults<" in text
    assert "Catalog note: EC decision day not verified (test record)<" in text
