"""Hostile and malformed VCF input: every bad value is skipped with its reason or is one clean
error (``Error:`` + ``Hint:``, exit 1), never a default, a traceback, a hang or a silent loss.

Fixtures are written here from the VCF 4.2 specification (and VEP's CSQ header convention).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner

from tumorboard.cli import main
from tumorboard.errors import FormatError, IndexRequiredError, TruncatedInputError
from tumorboard.readers.detect import detect_format
from tumorboard.readers.vcf import VcfReader

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr7,length=159345973>\n"
    "##contig=<ID=chr12,length=133275309>\n"
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
    'VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|EXON|HGVSc|HGVSp|MANE_SELECT">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">\n'
    '##FORMAT=<ID=FREQ,Number=1,Type=String,Description="Variant allele frequency (VarScan)">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)
MANE = (
    "T|missense_variant|MODERATE|BRAF|ENST00000646891.2|protein_coding|15/18|c.1799T>A|"
    "p.Val600Glu|NM_004333.6"
)
OTHER = (
    "T|missense_variant|MODERATE|BRAF|ENST00000496384.7|protein_coding|6/10|c.620T>A|p.Val207Glu|"
)


def braf(fmt: str = "GT:AD:DP:AF", sample: str = "0/1:60,40:100:0.4", **kw: str) -> str:
    cols = {"pos": "140753336", "ref": "A", "alt": "T", "csq": f"{OTHER},{MANE}"} | kw
    return (
        f"chr7\t{cols['pos']}\t.\t{cols['ref']}\t{cols['alt']}\t.\tPASS\tCSQ={cols['csq']}\t"
        f"{fmt}\t{sample}\n"
    )


def annotate(path: Path, *args: str) -> tuple[int, dict | None, str]:
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "SKCM", *args])
    case = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, case, result.stderr


def skipped(case: dict) -> dict[str, tuple[int, str]]:
    return {s["reason"]: (s["count"], s["example"]) for s in case["qc"]["skipped"]}


# --- values ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "sample", "reason"),
    [
        ("GT:AD:DP:AF", "0/1:60,40:100:-0.3", "VAF outside 0-1 (FORMAT/AF=-0.3)"),
        ("GT:AD:DP:AF", "0/1:60,40:100:35.2", "VAF outside 0-1 (FORMAT/AF=35.2)"),
        ("GT:AD:DP:AF", "0/1:60,40:100:nan", "VAF outside 0-1 (FORMAT/AF=nan)"),
        ("GT:AD:DP:AF", "0/1:60,40:100:inf", "VAF outside 0-1 (FORMAT/AF=inf)"),
        ("GT:AD:DP:AF", "0/1:60,40:-612:0.4", "negative read depth (-612)"),
        ("GT:AD:DP", "0/1:60,-40:100", "negative allele count (FORMAT/AD=-40)"),
        ("GT:FREQ", "0/1:148%", "VAF outside 0-1 (FORMAT/FREQ=1.48)"),
    ],
)
def test_out_of_range_values_skip_the_alt(
    tmp_path: Path, fmt: str, sample: str, reason: str
) -> None:
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf(fmt, sample))
    code, case, err = annotate(vcf)
    assert code == 0, err
    assert case is not None
    assert case["variants"] == []
    assert skipped(case) == {reason: (1, "chr7:140753336 'A'>'T'")}


def test_varscan_percent_is_read(tmp_path: Path) -> None:
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf("GT:FREQ", "0/1:48.7%"))
    code, case, err = annotate(vcf)
    assert code == 0, err
    assert case is not None
    (v,) = case["variants"]
    assert (v["label"], v["vaf"], v["vaf_source"]) == ("BRAF V600E", 0.487, "FORMAT/FREQ")


@pytest.mark.parametrize(
    ("record", "reason", "example"),
    [
        (braf(pos="0"), "POS below 1 (VCF positions start at 1)", "chr7:0"),
        (braf(ref="X!"), "REF is not made of A, C, G, T, N", "chr7:140753336 REF 'X!'"),
        (braf(alt="Z"), "ALT is not made of A, C, G, T, N", "chr7:140753336 ALT 'Z'"),
        (braf(alt="A"), "ALT equals REF (no change)", "chr7:140753336 'A'"),
    ],
)
def test_impossible_alleles_are_skipped(
    tmp_path: Path, record: str, reason: str, example: str
) -> None:
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + record)
    code, case, err = annotate(vcf, "--panel", "all")
    assert code == 0, err
    assert case is not None
    assert case["variants"] == []
    assert skipped(case)[reason] == (1, example)


def test_empty_ref_is_skipped(tmp_path: Path) -> None:
    """htslib reads an empty REF column as missing ('.'): no allele, so no variant."""
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf(ref=""))
    code, case, err = annotate(vcf)
    assert code == 0, err
    assert case is not None
    assert case["variants"] == []
    assert skipped(case) == {"REF is not made of A, C, G, T, N": (1, "chr7:140753336 REF '.'")}


@pytest.mark.parametrize("cut", [1, 3])
def test_a_short_csq_entry_never_turns_v600e_into_another_transcript(
    tmp_path: Path, cut: int
) -> None:
    """The MANE entry lost fields (a truncated or hand-edited file): the record is skipped and
    said so; BRAF V207E of the other transcript (V640E in the issue) is never reported."""
    short = "|".join(MANE.split("|")[:-cut])
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf(csq=f"{OTHER},{short}"))
    code, case, err = annotate(vcf)
    assert code == 0, err
    assert case is not None
    assert case["variants"] == []
    reason = (
        "CSQ entry with a field count other than the header's (record skipped: its values "
        "would be read as other fields)"
    )
    assert skipped(case) == {
        reason: (1, f"chr7:140753336: {10 - cut} fields where the header's Format has 10")
    }


def test_a_plain_vcf_cut_inside_its_last_record_is_an_error(tmp_path: Path) -> None:
    vcf = tmp_path / "cut.vcf"
    vcf.write_text(HEADER + braf()[:-25])
    code, _, err = annotate(vcf)
    assert code == 1
    assert err == (
        f"Error: {vcf}: the file does not end with a newline: its last record may be cut "
        "short\nHint: if the file is complete, add the final newline (echo >> FILE); otherwise "
        "copy it again or re-run the caller\n"
    )


def test_non_utf8_header_is_a_clean_error(tmp_path: Path) -> None:
    vcf = tmp_path / "latin1.vcf"
    vcf.write_bytes(HEADER.replace("##contig", "##comment=caf\xe9\n##contig", 1).encode("latin-1")
                    + braf().encode())  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(vcf), "-t", "SKCM"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"Error: {vcf}: the header holds bytes that are not UTF-8")
    assert "Hint: VCF text is UTF-8" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- indexes ----------------------------------------------------------------------------------
def _bgzip(tmp_path: Path, name: str, text: str) -> Path:
    plain = tmp_path / f"{name}.vcf"
    plain.write_text(text)
    gz = tmp_path / f"{name}.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    return gz


def test_an_index_older_than_its_file_is_an_error(tmp_path: Path) -> None:
    gz = _bgzip(tmp_path, "a", HEADER + braf())
    past = time.time() - 3600
    os.utime(str(gz) + ".tbi", (past, past))
    code, _, err = annotate(gz)
    assert code == 1
    assert err == (
        f"Error: {gz}: the index a.vcf.gz.tbi is older than the file: it may index another "
        "version of it\nHint: re-index it (tabix -f -p vcf FILE, or bcftools index -f FILE) "
        "or use --no-index\n"
    )
    code, _, err = annotate(gz, "--no-index")
    assert code == 0, err


def test_an_index_of_another_file_is_an_error(tmp_path: Path, shared_data: Path) -> None:
    """A .tbi copied from another VCF (its contigs are '1', '2'...: not this header's)."""
    gz = _bgzip(tmp_path, "a", HEADER + braf())
    other = shared_data / "somatic_vcf" / "pcgr_T001-COAD.grch38.vcf.gz.tbi"
    (tmp_path / "a.vcf.gz.tbi").write_bytes(other.read_bytes())
    code, _, err = annotate(gz)
    assert code == 1
    assert "the index names contigs the header does not (1, 2, 3)" in err
    assert "Hint: re-index it" in err


def test_an_index_with_offsets_of_another_file_is_an_error(tmp_path: Path) -> None:
    """Same contigs, other offsets: reading through it fails and says so."""
    gz = _bgzip(tmp_path, "a", HEADER + braf())
    filler = "".join(
        f"chr7\t{1000 + i}\t.\tA\tC\t.\tPASS\t.\tGT:AD:DP:AF\t0/1:1,1:2:0.5\n" for i in range(3000)
    )
    _bgzip(tmp_path, "b", HEADER + filler + braf())
    (tmp_path / "a.vcf.gz.tbi").write_bytes((tmp_path / "b.vcf.gz.tbi").read_bytes())
    with (
        pytest.raises(IndexRequiredError, match="the index points past the end of the file"),
        VcfReader(gz, panel=_Panel(), index="auto") as reader,
    ):
        list(reader)


class _Panel:
    is_all = False
    genes = frozenset({"BRAF"})

    @staticmethod
    def contains(chrom: str, pos: int) -> bool:
        return True

    @staticmethod
    def genes_at(chrom: str, pos: int) -> list[str]:
        return ["BRAF"]

    @staticmethod
    def regions() -> list[tuple[str, int, int]]:
        return [("chr7", 140700000, 140800000)]


# --- devices, pipes, gzip ---------------------------------------------------------------------
def _cli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tumorboard", *args],
        capture_output=True, text=True, check=False, timeout=120, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(device: str) -> None:
    proc = _cli("annotate", device, "-t", "SKCM")
    assert proc.returncode == 1
    assert proc.stderr == (
        f"Error: {device}: is a character device, not a file\n"
        "Hint: give a file, a pipe, or '-' for standard input\n"
    )


@pytest.mark.slow
def test_process_substitution_is_read_once(tmp_path: Path) -> None:
    """``<(...)`` is a pipe: sniffed from a buffer, then read by the VCF reader (not reopened)."""
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf())
    for producer in (f"cat {vcf}", f"gzip -c {vcf}"):
        proc = subprocess.run(
            ["bash", "-c", f"{sys.executable} -m tumorboard annotate <({producer}) -t SKCM"],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert [v["label"] for v in json.loads(proc.stdout)["variants"]] == ["BRAF V600E"]


@pytest.mark.slow
def test_a_named_fifo_is_read_and_one_without_writer_does_not_hang(tmp_path: Path) -> None:
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + braf())
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as fh:
            fh.write(vcf.read_text())

    writer = threading.Thread(target=write)
    writer.start()
    proc = _cli("annotate", str(fifo), "-t", "SKCM")
    writer.join()
    assert proc.returncode == 0, proc.stderr
    assert [v["label"] for v in json.loads(proc.stdout)["variants"]] == ["BRAF V600E"]
    proc = _cli("annotate", str(fifo), "-t", "SKCM")  # nobody writes: empty, not a hang
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"Error: {fifo}: the file is empty")


def test_a_malformed_plain_gzip_vcf_fails_and_stops_its_pump(tmp_path: Path) -> None:
    """The decompression thread stops as soon as the reader fails (no wait on a full pipe)."""
    lines = [HEADER] + [braf(pos=str(140753336 + i)) for i in range(20000)]
    lines[5] = lines[5].replace("\t140753340\t", "\tx\t")
    gz = tmp_path / "bad.vcf.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write("".join(lines))
    reader = VcfReader(gz, require_annotation=False)
    with pytest.raises(Exception, match="POS 'x' is not a number") as info:
        list(reader)
    assert "record 5" in str(info.value)
    assert reader._pump is not None
    assert not reader._pump._thread.is_alive()


def test_error_messages_quote_only_a_short_excerpt(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("Z" * 5000 + "\n")
    with pytest.raises(FormatError) as info:
        detect_format(str(junk))
    assert "('ZZZZZZZZZZZZZZZZZZZZZZZZ'...)" in str(info.value)
    assert "Z" * 30 not in str(info.value)


def test_a_truncated_plain_gzip_is_an_error(tmp_path: Path) -> None:
    vcf = tmp_path / "v.vcf"
    vcf.write_text(HEADER + "".join(braf(pos=str(140753336 + i)) for i in range(2000)))
    gz = tmp_path / "t.vcf.gz"
    data = gzip.compress(vcf.read_bytes())
    gz.write_bytes(data[: len(data) // 2])
    with (
        pytest.raises(TruncatedInputError, match="the gzip data end early or are corrupt"),
        VcfReader(gz, require_annotation=False) as reader,
    ):
        list(reader)
