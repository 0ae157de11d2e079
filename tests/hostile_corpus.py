"""A generated corpus of malformed and hostile inputs, one row per (input, command).

Every row names the files to create (content, or a FIFO, folder, symlink...), the command line
(``{name}`` stands for a created file's path), the exit codes it may end with and, for exit 0,
the ``qc`` entry the case must gain over the same command on the untouched input. The rows are
built by code: a small valid file per input kind, generic byte-level damage applied to each
(empty, cut short, non-UTF-8, NUL, binary noise, terminal escapes, FIFO, device, folder...),
plus the value-level cases of issue 13 for each kind. ``tests/test_hostile_corpus.py`` runs them.

Expectations follow issue 13: a malformed input is either one clean error (exit 1, one
``Error:`` line and one ``Hint:`` line) or read with the damage recorded in ``qc`` (skipped row
with its line and reason, a warning, or a rule listed as not assessable); never an internal
error, a traceback, a silently changed result, a partial output or a changed input.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden_reports"


@dataclass(frozen=True)
class Special:
    """A file that is not plain content: ``fifo``, ``dir``, ``symlink`` (to ``target``),
    ``hardlink`` (to ``target``), ``sparse`` (``size`` bytes, nothing on disk)."""

    what: str
    target: str = ""
    size: int = 0


Content = bytes | Special


@dataclass(frozen=True)
class Row:
    """One corpus entry (see the module docstring)."""

    id: str
    files: dict[str, Content]
    args: tuple[str, ...]
    exit: frozenset[int]
    qc: str | None = None
    """For exit 0: text that must appear in a ``qc`` entry the base run does not have
    (``*`` = any new entry)."""
    baseline: str | None = None
    """The kind whose untouched input gives the base ``qc``."""
    outputs: tuple[str, ...] = ()
    """Files a successful run may create (besides the inputs)."""
    stdin: bytes | None = None
    owner: str | None = None
    """``R1``/``R2``: the expected behaviour needs a reader fix that is pending."""
    check: Callable[[Path, dict[str, object] | None], str | None] | None = None
    """Extra check on the run directory and the case (None when fine, else what is wrong)."""
    subprocess: bool = False
    setup: Callable[[Path], None] | None = None
    """Prepares the run directory after the files are written (e.g. a registry)."""
    env: dict[str, str] = field(default_factory=dict)
    partial_ok: bool = False
    """A failed run may still write outputs (batch: the other patients and the summary)."""
    changes: tuple[str, ...] = ()
    """Input files the command is meant to change (a registry it writes to)."""
    stdout: str | None = None
    """Subprocess rows: a file standard output goes to (``/dev/full``)."""


ANY = frozenset({0, 1})
ERR = frozenset({1})
OK = frozenset({0})
USAGE = frozenset({2})


# --- the untouched inputs ------------------------------------------------------------------------
def _read(path: Path) -> bytes:
    return path.read_bytes()


VCF = _read(DATA / "vcf" / "vep_small.vcf")
SNPEFF = _read(DATA / "vcf" / "snpeff_small.vcf")
CVO = _read(DATA / "tso500" / "PT-0042_CombinedVariantOutput.tsv")
CNV_VCF = _read(DATA / "cnv" / "cn_records.grch38.vcf")
BND = _read(DATA / "fusions" / "manta_bnd.vcf")
STAR = _read(DATA / "fusions" / "star-fusion.fusion_predictions.abridged.tsv")
ARRIBA = _read(DATA / "fusions" / "arriba.tsv")
CASE = _read(GOLDEN / "ihch_braf_idh1" / "case.json")
CNV_TABLE = b"gene\tcopy_number\tfold_change\tcall\nERBB2\t14\t\tamplification\nMET\t7.5\t\t\n"
CNV_SEG = (
    b"chromosome\tstart\tend\tcopy_number\n"
    b"chr17\t39680000\t39740000\t12\nchr9\t21900000\t22000000\t0\n"
)
FUSIONS = b"FusionGene\tSplitReads\nEML4::ALK\t9\nCCDC6--RET\t12\n"
MAF = (
    b"#version 2.4\nHugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
    b"Tumor_Seq_Allele2\tTumor_Sample_Barcode\tHGVSp_Short\tVariant_Classification\tt_depth\t"
    b"t_alt_count\tNCBI_Build\n"
    b"BRAF\t7\t140753336\t140753336\tA\tT\tT1\tp.V600E\tMissense_Mutation\t200\t60\tGRCh38\n"
    b"KRAS\t12\t25245350\t25245350\tC\tT\tT1\tp.G12D\tMissense_Mutation\t150\t30\tGRCh38\n"
)
PATIENT = b"id: P-017\ntumor_type: LUAD\nsex: female\nage: 61\nassay: TSO500\n"
EXTENSION = b"""drugs:
  - {id: hostiledrug, drug_class: test class}
evidence:
  - id: HOSTILE_EV1
    drugs: [hostiledrug]
    biomarker: BRAF_V600E
    tumor_types: [LUAD]
    effect: sensitive
    kind: trial
    escat: II-B
    oncokb: 3A
    summary: a test record
    sources: [{kind: trial, document: a test trial, date: 2020-01-01}]
"""
COHORTS = _read(DATA / "cohorts" / "small.yaml")
CIVIC = (
    b"gene\tvariant\tdisease\tdrugs\tevidence_type\tevidence_direction\tclinical_significance\t"
    b"evidence_level\tevidence_id\tdrug_interaction_type\n"
    b"BRAF\tV600E\tMelanoma\tVemurafenib\tPredictive\tSupports\tSensitivity/Response\tA\t1\t\n"
    b"EGFR\tT790M\tLung Non-small Cell Carcinoma\tGefitinib\tPredictive\tSupports\tResistance\t"
    b"B\t2\t\n"
)
SHEET_HEADER = b"patient_id\ttumor_type\tinputs\n"
SHEET = SHEET_HEADER + b"P1\tLUAD\tin.vcf\n"


@dataclass(frozen=True)
class Kind:
    """An input kind: its untouched content, file name and the command that reads it."""

    name: str
    filename: str
    base: bytes
    args: tuple[str, ...]
    owner: str | None  # who owns the reader (None: this helper's own code)
    outputs: tuple[str, ...] = ("out.json",)
    extra: dict[str, bytes] = field(default_factory=dict)
    case_output: bool = True  # out.json is a case whose qc is checked


def _annotate(role: str = "") -> tuple[str, ...]:
    flag = (role, "{f}") if role else ("{f}",)
    return ("annotate", *flag, "-t", "LUAD", "-o", "out.json")


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("vcf", "in.vcf", VCF, _annotate(), "R1"),
        Kind("snpeff", "in.snpeff.vcf", SNPEFF, _annotate(), "R1"),
        Kind("cvo", "P_CombinedVariantOutput.tsv", CVO, _annotate(), "R2"),
        Kind("maf", "in.maf", MAF, _annotate(), "R2"),
        Kind("cnv_table", "cnv.tsv", CNV_TABLE, _annotate("--cnv"), "R2"),
        Kind("cnv_seg", "cnv.seg.tsv", CNV_SEG, (*_annotate("--cnv"), "--genome", "GRCh38"), "R2"),
        Kind("cnv_vcf", "cnv.vcf", CNV_VCF, _annotate("--cnv"), "R2"),
        Kind("fusions", "fusions.tsv", FUSIONS, _annotate("--fusions"), "R2"),
        Kind("star", "star.tsv", STAR, _annotate("--fusions"), "R2"),
        Kind("arriba", "arriba.tsv", ARRIBA, _annotate("--fusions"), "R2"),
        Kind("bnd", "bnd.vcf", BND, _annotate("--fusions"), "R2"),
        Kind(
            "patient",
            "p.yaml",
            PATIENT,
            ("annotate", "in.vcf", "-t", "LUAD", "--patient", "{f}", "-o", "out.json"),
            None,
            extra={"in.vcf": VCF},
        ),
        Kind(
            "extension",
            "ext.yaml",
            EXTENSION,
            ("annotate", "in.vcf", "-t", "LUAD", "--catalog-extend", "{f}", "-o", "out.json"),
            None,
            extra={"in.vcf": VCF},
        ),
        Kind(
            "case",
            "case.json",
            CASE,
            ("render", "{f}", "-o", "r.html"),
            None,
            ("r.html",),
            case_output=False,
        ),
        Kind(
            "cohorts",
            "c.yaml",
            COHORTS,
            ("cohort", "init", "--registry", "reg.sqlite", "--cohorts", "{f}"),
            None,
            ("reg.sqlite",),
            case_output=False,
        ),
        Kind(
            "civic",
            "civic.tsv",
            CIVIC,
            ("catalog", "import-civic", "{f}", "-o", "civic.yaml"),
            None,
            ("civic.yaml",),
            case_output=False,
        ),
        Kind(
            "samplesheet",
            "s.tsv",
            SHEET,
            ("batch", "{f}", "-o", "out", "-q"),
            None,
            ("out",),
            extra={"in.vcf": VCF},
            case_output=False,
        ),
    )
}


def _kind_row(
    kind: Kind,
    tag: str,
    content: Content,
    exit: frozenset[int],
    *,
    qc: str | None = None,
    owner: str | None = None,
    check: Callable[..., str | None] | None = None,
    extra: dict[str, Content] | None = None,
    args: tuple[str, ...] | None = None,
    **more: object,
) -> Row:
    files: dict[str, Content] = {**kind.extra, kind.filename: content, **(extra or {})}
    row = Row(
        id=f"{kind.name}-{tag}",
        files=files,
        args=tuple(a.replace("{f}", kind.filename) for a in (args or kind.args)),
        exit=exit,
        qc=qc,
        baseline=kind.name if kind.case_output else None,
        outputs=kind.outputs,
        owner=owner,
        check=check,
    )
    return dataclasses.replace(row, **more)  # type: ignore[arg-type]


# --- generic damage, applied to every kind -------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _data_index(kind: Kind) -> int:
    """Index of the first data line (after headers and ## / [section] lines)."""
    lines = _lines(kind.base)
    if kind.name in ("patient", "extension", "cohorts", "case"):
        return len(lines) // 2
    start = 0
    for i, line in enumerate(lines):
        if line.startswith((b"#", b"[")) or i == 0 or not line.strip():
            start = i + 1
            continue
        if kind.name == "cvo" and b"\t" not in line:
            continue
        break
    return min(start, len(lines) - 1)


def _with_line(kind: Kind, index: int, change: Callable[[bytes], bytes]) -> bytes:
    lines = _lines(kind.base)
    lines[index] = change(lines[index])
    return b"".join(lines)


def _noise(seed: int, size: int = 3000) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


def _insert_field(line: bytes, text: bytes) -> bytes:
    """``text`` put inside the first field of a line (kept in the same column)."""
    if b"\t" in line:
        first, rest = line.split(b"\t", 1)
        return first + text + b"\t" + rest
    if b":" in line:
        key, rest = line.split(b":", 1)
        return key + b": " + text + rest.strip() + b"\n"
    return text + line


GENERIC = (
    "empty",
    "blank",
    "header-only",
    "cut-half",
    "cut-last-line",
    "utf8-header",
    "utf8-data",
    "nul-data",
    "noise",
    "gzip-noise",
    "escape-data",
    "long-field",
    "latin1-data",
    "dir",
    "fifo",
    "missing",
    "dangling-symlink",
    "dev-zero",
    "dev-null",
)


def _generic(kind: Kind, tag: str) -> Content | None:
    lines = _lines(kind.base)
    data_at = _data_index(kind)
    if tag == "empty":
        return b""
    if tag == "blank":
        return b"\n\n   \n"
    if tag == "header-only":
        return b"".join(lines[:data_at]) if data_at else None
    if tag == "cut-half":
        return kind.base[: len(kind.base) // 2]
    if tag == "cut-last-line":
        return kind.base.rstrip(b"\n")[:-6]
    if tag == "utf8-header":
        return _with_line(kind, 0, lambda ln: ln[:3] + b"\xff\xfe" + ln[3:])
    if tag == "utf8-data":
        return _with_line(kind, data_at, lambda ln: _insert_field(ln, b"\xc3\x28"))
    if tag == "nul-data":
        return _with_line(kind, data_at, lambda ln: _insert_field(ln, b"\x00"))
    if tag == "noise":
        return _noise(len(kind.name))
    if tag == "gzip-noise":
        return gzip.compress(_noise(len(kind.name) + 7))
    if tag == "escape-data":
        return _with_line(kind, data_at, lambda ln: _insert_field(ln, b"\x1b[2J\x1b]0;pwn\x07"))
    if tag == "long-field":
        return _with_line(kind, data_at, lambda ln: _insert_field(ln, b"A" * 300_000))
    if tag == "latin1-data":
        return _with_line(kind, data_at, lambda ln: _insert_field(ln, "café".encode("latin-1")))
    if tag == "dir":
        return Special("dir")
    if tag == "fifo":
        return Special("fifo")
    if tag == "dangling-symlink":
        return Special("symlink", target="does-not-exist")
    if tag == "dev-zero":
        return Special("symlink", target="/dev/zero")
    if tag == "dev-null":
        return Special("symlink", target="/dev/null")
    return None


_MAY_HANG = {"fifo", "dev-zero", "dev-null"}
# Readers share one sniffing step: the pipe and device rows run for one kind per reader family
# (as subprocesses, with a timeout), not for every kind.
_HANG_KINDS = {"vcf", "cvo", "maf", "cnv_table", "fusions", "bnd"}
_FIFO_KINDS = {"vcf", "cvo"}  # a hang costs the whole timeout: two rows (fifo, /dev/zero) each
# A cut file: the reader must notice (an error, or the broken record in qc), never read less.
_NOTED = {"cut-half", "cut-last-line"}
# Damage after which nothing sensible remains: always a clean error.
_FATAL = {
    "empty",
    "blank",
    "noise",
    "gzip-noise",
    "dir",
    "fifo",
    "missing",
    "dangling-symlink",
    "dev-zero",
    "dev-null",
}
_MINE = {"patient", "extension", "case", "cohorts", "civic", "samplesheet"}


def _generic_expectation(kind: Kind, tag: str) -> tuple[frozenset[int], str | None]:
    """(exit codes, qc text for exit 0) of generic damage to ``kind``."""
    if kind.name == "patient" and tag in ("empty", "blank", "header-only"):
        return OK, None  # an empty patient file adds nothing, and that is fine
    if kind.name in ("extension", "cohorts") and tag in ("empty", "blank"):
        return OK, None  # an empty extension adds nothing; no definitions: an empty registry
    if tag in _FATAL:
        return ERR, None
    if tag == "header-only":
        return (ERR, None) if kind.name in ("samplesheet", "case") else (ANY, None)
    if kind.name in _MINE:
        return _mine(kind.name, tag), None
    if tag in _NOTED:
        return ANY, "*"
    return ANY, None  # read (the damaged field is data) or refused; never a crash or a hang


def _mine(kind: str, tag: str) -> frozenset[int]:
    """Generic damage to this helper's own inputs: which exit codes are right."""
    if tag in ("cut-half", "cut-last-line"):
        # cut YAML/JSON/TSV: a case or YAML document cut short no longer parses or validates;
        # a cut samplesheet/CIViC row is read as it stands (its own errors are checked)
        return ANY if kind in ("samplesheet", "civic", "patient") else ERR
    if tag in ("utf8-header", "utf8-data", "latin1-data"):
        return ERR  # not UTF-8: a clean error, naming the byte
    if tag == "nul-data":
        return ANY if kind in ("patient", "case", "civic") else ERR
    return ANY  # escape-data, long-field: text is text (escaped wherever it is printed)


def generic_rows() -> Iterator[Row]:
    for kind in KINDS.values():
        for tag in GENERIC:
            if tag == "missing":
                row = _kind_row(kind, tag, b"", ERR)
                files = {k: v for k, v in row.files.items() if k != kind.filename}
                yield dataclasses.replace(row, files=files)
                continue
            content = _generic(kind, tag)
            if content is None:
                continue
            exit, qc = _generic_expectation(kind, tag)
            if kind.case_output is False and exit != ERR:
                qc = None
            if tag in _MAY_HANG and kind.owner and kind.name not in _HANG_KINDS:
                continue
            if tag in ("fifo", "dev-zero") and kind.owner and kind.name not in _FIFO_KINDS:
                continue
            row = _kind_row(kind, tag, content, exit, qc=qc)
            if tag in _MAY_HANG and kind.owner:  # a reader that blocks must not block the tests
                row = dataclasses.replace(row, subprocess=True)
            yield row


# --- value-level damage per kind (issue 13's cases, and more) -------------------------------------
def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


BRAF_LINE = next(ln for ln in VCF.splitlines() if ln.startswith(b"chr7\t140753336"))


def _braf(column: int, value: bytes) -> bytes:
    """The VCF with one column of the BRAF V600E record replaced."""
    cells = BRAF_LINE.split(b"\t")
    cells[column] = value
    return _replace(VCF, BRAF_LINE, b"\t".join(cells))


def _braf_tumour(fmt_field: str, value: bytes) -> bytes:
    cells = BRAF_LINE.split(b"\t")
    keys = cells[8].split(b":")
    values = cells[10].split(b":")
    values[keys.index(fmt_field.encode())] = value
    cells[10] = b":".join(values)
    return _replace(VCF, BRAF_LINE, b"\t".join(cells))


def _short_csq() -> bytes:
    cells = BRAF_LINE.split(b"\t")
    info = cells[7]
    entries = info.split(b"CSQ=", 1)[1].split(b",")
    mane = entries[1].split(b"|")
    entries[1] = b"|".join(mane[:-4])  # too few fields: the rest would shift
    cells[7] = info.split(b"CSQ=", 1)[0] + b"CSQ=" + b",".join(entries)
    return _replace(VCF, BRAF_LINE, b"\t".join(cells))


def _variants(case: dict[str, object] | None) -> list[dict[str, object]]:
    return list(case.get("variants", [])) if case else []  # type: ignore[arg-type]


def _biomarkers(case: dict[str, object] | None) -> list[dict[str, object]]:
    return list(case.get("biomarkers", [])) if case else []  # type: ignore[arg-type]


def no_variant(test: Callable[[dict[str, object]], bool], what: str) -> Callable[..., str | None]:
    def check(_folder: Path, case: dict[str, object] | None) -> str | None:
        bad = [v.get("label") for v in _variants(case) if test(v)]
        return f"reported {what}: {bad}" if bad else None

    return check


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None  # type: ignore[arg-type]


def _pos_zero(v: dict[str, object]) -> bool:
    """A small variant (it has a REF) at POS 0; fusions and copy numbers carry no position."""
    return v.get("pos") == 0 and bool(v.get("ref"))


def _bad_fraction(v: dict[str, object]) -> bool:
    vaf = _num(v.get("vaf"))
    return vaf is not None and not 0 <= vaf <= 1


def _bad_depth(v: dict[str, object]) -> bool:
    depth = _num(v.get("depth"))
    return depth is not None and depth < 0


def biomarker_ok(name: str) -> Callable[..., str | None]:
    """The biomarker, when reported, has a real value and a status that follows from it."""

    def check(_folder: Path, case: dict[str, object] | None) -> str | None:
        for b in _biomarkers(case):
            if b.get("name") != name:
                continue
            value = b.get("value")
            status = b.get("status")
            if status in ("unknown", "not assessed", "not_assessed"):
                continue
            if (
                not isinstance(value, (int, float))
                or value != value
                or value in (float("inf"), float("-inf"))
                or value < 0
            ):
                return f"{name} reported as {status!r} from the value {value!r}"
            if name == "MSI" and value > 100:
                return f"MSI {value} % reported as {status!r}"
        return None

    return check


def no_gene_call(gene: str, kinds: tuple[str, ...]) -> Callable[..., str | None]:
    def check(_folder: Path, case: dict[str, object] | None) -> str | None:
        bad = [
            v.get("label")
            for v in _variants(case)
            if v.get("gene") == gene and any(k in str(v.get("kind")) for k in kinds)
        ]
        return f"a call made from an invalid value: {bad}" if bad else None

    return check


def _row(kind: str, tag: str, content: Content, exit: frozenset[int] = ANY, **kw: object) -> Row:
    qc = kw.pop("qc", "*" if exit != ERR and KINDS[kind].case_output else None)
    return _kind_row(KINDS[kind], tag, content, exit, qc=qc, **kw)  # type: ignore[arg-type]


def vcf_rows() -> Iterator[Row]:
    no_v600e_from_bad = no_variant(
        lambda v: v.get("gene") == "BRAF" and v.get("protein") not in ("V600E", "V600="),
        "a BRAF change from a shifted CSQ entry",
    )
    yield _row("vcf", "short-csq", _short_csq(), check=no_v600e_from_bad)
    yield _row(
        "vcf",
        "ref-bang",
        _braf(3, b"X!"),
        check=no_variant(lambda v: v.get("ref") == "X!", "REF X!"),
    )
    yield _row("vcf", "ref-empty", _braf(3, b""))
    yield _row(
        "vcf",
        "alt-equals-ref",
        _braf(4, b"A"),
        check=no_variant(lambda v: v.get("ref") == v.get("alt"), "ALT = REF"),
    )
    yield _row("vcf", "alt-garbage", _braf(4, b"T<&>"))
    yield _row(
        "vcf",
        "vaf-negative",
        _braf_tumour("AF", b"-0.3"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "vcf",
        "vaf-35",
        _braf_tumour("AF", b"35.2"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "vcf",
        "vaf-nan",
        _braf_tumour("AF", b"nan"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "vcf",
        "depth-negative",
        _braf_tumour("DP", b"-612"),
        check=no_variant(_bad_depth, "a negative depth"),
    )
    yield _row(
        "vcf",
        "ad-negative",
        _braf_tumour("AD", b"-150,50"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "vcf",
        "pos-zero",
        _braf(1, b"0"),
        check=no_variant(lambda v: v.get("pos") == 0 and bool(v.get("ref")), "POS 0"),
    )
    yield _row("vcf", "pos-text", _braf(1, b"14075333six"))
    yield _row("vcf", "pos-huge", _braf(1, b"99999999999999"), qc=None)
    yield _row("vcf", "qual-text", _braf(5, b"high"), qc=None)
    yield _row("vcf", "info-garbage", _braf(7, b"DP=abc;;=;CSQ"))
    yield _row(
        "vcf",
        "header-non-utf8",
        _replace(VCF, b"##tumor_sample=TUMOR", b"##source=caller\xff\xfe\n##tumor_sample=TUMOR"),
        exit=ANY,
        qc=None,
    )
    yield _row(
        "vcf", "sample-escape", _replace(VCF, b"NORMAL\tTUMOR", b"NORMAL\tTU\x1b[2JMOR"), qc=None
    )
    yield _row(
        "vcf",
        "tumor-sample-non-utf8",
        _replace(VCF, b"##tumor_sample=TUMOR", b"##tumor_sample=TU\xffMOR"),
        qc=None,
    )
    yield _row(
        "vcf",
        "chrom-line-twice",
        _replace(VCF, b"#CHROM", VCF.splitlines()[-7] + b"\n#CHROM"),
        qc=None,
    )
    yield _row(
        "vcf",
        "record-before-header",
        _replace(VCF, b"##fileformat=VCFv4.2\n", b"##fileformat=VCFv4.2\n" + BRAF_LINE + b"\n"),
        exit=ERR,
    )
    yield _row("vcf", "csq-without-format", _replace(VCF, b"Format: ", b"Fields "), qc=None)
    yield _row(
        "vcf", "fields-missing", _replace(VCF, BRAF_LINE, b"\t".join(BRAF_LINE.split(b"\t")[:6]))
    )
    # the CSQ header renamed: an unannotated VCF, hotspots by coordinate (an indel at KRAS G12)
    yield _row(
        "vcf", "unannotated-indel-at-hotspot", _replace(VCF, b"<ID=CSQ", b"<ID=XCSQ"), qc=None
    )
    yield _row("vcf", "crlf", VCF.replace(b"\n", b"\r\n"), qc=None)
    yield _row("vcf", "bom", b"\xef\xbb\xbf" + VCF, qc=None)
    yield _row("vcf", "no-fileformat", VCF.split(b"\n", 1)[1], qc=None)
    yield _row(
        "snpeff", "ann-short", _replace(SNPEFF, b"ANN=", b"ANN=T|missense_variant|"), qc=None
    )


def _bgzip(data: bytes) -> bytes:
    import pysam

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "x.vcf"
        plain.write_bytes(data)
        pysam.tabix_compress(str(plain), str(plain) + ".gz", force=True)
        return (Path(tmp) / "x.vcf.gz").read_bytes()


def _bcf(data: bytes) -> bytes:
    import pysam

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "x.vcf"
        plain.write_bytes(data)
        with (
            pysam.VariantFile(str(plain)) as src,
            pysam.VariantFile(str(plain) + ".bcf", "wb", header=src.header) as dst,
        ):
            for rec in src:
                dst.write(rec)
        return (Path(tmp) / "x.vcf.bcf").read_bytes()


def _stale_index(folder: Path) -> None:
    """in.vcf.gz with the index of another (older) file beside it."""
    import pysam

    other = folder / "other.vcf"
    other.write_bytes(_replace(VCF, b"chr1\t1000000", b"chr1\t1000"))
    pysam.tabix_compress(str(other), str(other) + ".gz", force=True)
    pysam.tabix_index(str(other) + ".gz", preset="vcf", force=True)
    (folder / "other.vcf.gz.tbi").rename(folder / "in.vcf.gz.tbi")
    (folder / "other.vcf.gz").unlink()
    other.unlink()


def compressed_rows() -> Iterator[Row]:
    gz, bgz, bcf = gzip.compress(VCF), _bgzip(VCF), _bcf(VCF)
    args = ("annotate", "in.vcf.gz", "-t", "LUAD", "-o", "out.json")
    bargs = ("annotate", "in.bcf", "-t", "LUAD", "-o", "out.json")

    def row(
        kind: str,
        tag: str,
        name: str,
        content: Content,
        exit: frozenset[int],
        qc: str | None = None,
        **kw: object,
    ) -> Row:
        return Row(
            id=f"{kind}-{tag}",
            files={name: content},
            exit=exit,
            qc=qc,
            args=bargs if name.endswith(".bcf") else args,
            baseline="vcf",
            outputs=("out.json",),
            **kw,
        )  # type: ignore[arg-type]

    yield row("gz", "ok", "in.vcf.gz", gz, OK)
    yield row("gz", "cut", "in.vcf.gz", gz[: len(gz) * 2 // 3], ERR)
    yield row("gz", "cut-tail", "in.vcf.gz", gz[:-4], ERR)
    yield row("gz", "crc", "in.vcf.gz", gz[:-8] + b"\0\0\0\0" + gz[-4:], ERR)
    yield row("gz", "double", "in.vcf.gz", gzip.compress(gz), ERR)
    yield row("gz", "empty-member", "in.vcf.gz", gzip.compress(b""), ERR)
    yield row("gz", "noise-member", "in.vcf.gz", gzip.compress(_noise(99)), ERR)
    yield row("gz", "concatenated", "in.vcf.gz", gz + gzip.compress(BRAF_LINE + b"\n"), ANY)
    yield row("vcfgz", "ok", "in.vcf.gz", bgz, OK)
    yield row("vcfgz", "cut", "in.vcf.gz", bgz[: len(bgz) // 2], ERR)
    yield row("vcfgz", "no-eof-block", "in.vcf.gz", bgz[:-28], ANY, qc="*")
    yield row(
        "vcfgz", "flipped-byte", "in.vcf.gz", bgz[:40] + bytes([bgz[40] ^ 0xFF]) + bgz[41:], ERR
    )
    yield row("vcfgz", "stale-index", "in.vcf.gz", bgz, ERR, setup=_stale_index)
    yield Row(
        id="vcfgz-index-noise",
        files={"in.vcf.gz": bgz, "in.vcf.gz.tbi": _noise(5)},
        args=args,
        exit=ERR,
        outputs=("out.json",),
    )
    yield row("bcf", "ok", "in.bcf", bcf, OK)
    yield row("bcf", "cut", "in.bcf", bcf[: len(bcf) // 2], ERR)
    yield row("bcf", "magic-then-noise", "in.bcf", bcf[:5] + _noise(3), ERR)
    yield row("bcf", "flipped-byte", "in.bcf", bcf[:60] + bytes([bcf[60] ^ 0xFF]) + bcf[61:], ERR)
    yield row("bcf", "no-eof-block", "in.bcf", bcf[:-28], ANY, qc="*")
    yield row("bcf", "empty", "in.bcf", b"", ERR)


def _cvo(old: bytes, new: bytes) -> bytes:
    return _replace(CVO, old, new)


CVO_BRAF = next(ln for ln in CVO.splitlines() if ln.startswith(b"BRAF\tchr7"))


def _cvo_braf(column: int, value: bytes) -> bytes:
    cells = CVO_BRAF.split(b"\t")
    cells[column] = value
    return _cvo(CVO_BRAF, b"\t".join(cells))


def cvo_rows() -> Iterator[Row]:
    msi = biomarker_ok("MSI")
    tmb = biomarker_ok("TMB")
    yield _row("cvo", "msi-nan", _cvo(b"Sites\t32.98", b"Sites\tNaN"), qc="MSI", check=msi)
    yield _row("cvo", "msi-150", _cvo(b"Sites\t32.98", b"Sites\t150"), qc="MSI", check=msi)
    yield _row("cvo", "msi-negative", _cvo(b"Sites\t32.98", b"Sites\t-3"), qc="MSI", check=msi)
    yield _row("cvo", "msi-text", _cvo(b"Sites\t32.98", b"Sites\tunstable"), qc="MSI", check=msi)
    yield _row("cvo", "tmb-nan", _cvo(b"Total TMB\t14.22", b"Total TMB\tNaN"), qc="TMB", check=tmb)
    yield _row(
        "cvo", "tmb-negative", _cvo(b"Total TMB\t14.22", b"Total TMB\t-4"), qc="TMB", check=tmb
    )
    yield _row("cvo", "tmb-inf", _cvo(b"Total TMB\t14.22", b"Total TMB\tinf"), qc="TMB", check=tmb)
    yield _row("cvo", "tmb-empty", _cvo(b"Total TMB\t14.22", b"Total TMB\t"), qc="TMB", check=tmb)
    yield _row("cvo", "tmb-twice", _cvo(b"[MSI]", b"[TMB]\nTotal TMB\t2.1\n\n[MSI]"), qc="TMB")
    yield _row("cvo", "depth-inf", _cvo_braf(6, b"inf"), check=no_variant(_bad_depth, "depth"))
    yield _row(
        "cvo",
        "depth-negative",
        _cvo_braf(6, b"-612"),
        check=no_variant(_bad_depth, "a negative depth"),
    )
    yield _row(
        "cvo",
        "vaf-negative",
        _cvo_braf(5, b"-0.3"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "cvo", "vaf-35", _cvo_braf(5, b"35.2"), check=no_variant(_bad_fraction, "a VAF outside 0-1")
    )
    yield _row(
        "cvo",
        "pos-zero",
        _cvo_braf(2, b"0"),
        check=no_variant(lambda v: v.get("pos") == 0 and bool(v.get("ref")), "POS 0"),
    )
    yield _row(
        "cvo",
        "ref-bang",
        _cvo_braf(3, b"X!"),
        check=no_variant(lambda v: v.get("ref") == "X!", "REF X!"),
    )
    yield _row(
        "cvo",
        "fold-change-negative",
        _cvo(b"ERBB2\t4.81", b"ERBB2\t-4.81"),
        check=no_gene_call("ERBB2", ("amplification", "deletion")),
    )
    yield _row(
        "cvo",
        "fold-change-nan",
        _cvo(b"ERBB2\t4.81", b"ERBB2\tnan"),
        check=no_gene_call("ERBB2", ("amplification", "deletion")),
    )
    yield _row("cvo", "fusion-reads-negative", _cvo(b"29446394\t127", b"29446394\t-127"))
    yield _row("cvo", "splice-reads-text", _cvo(b"116414934\t412", b"116414934\tmany"))
    brca2 = CVO.index(b"BRCA2\tchr13")
    yield _row("cvo", "cut-mid-row", CVO[: brca2 - 40], qc="*")
    yield _row("cvo", "section-unknown", _cvo(b"[Custom QC]", b"[Weird \x1b Section]"), qc=None)
    yield _row("cvo", "row-too-long", _cvo_braf(10, b"15/18\textra\tcells\there"))
    yield _row("cvo", "no-sections", b"TruSight Oncology 500 - Combined Variant Output\n", qc=None)


def _maf_row(line: int, column: int, value: bytes) -> bytes:
    lines = MAF.split(b"\n")
    cells = lines[line].split(b"\t")
    cells[column] = value
    lines[line] = b"\t".join(cells)
    return b"\n".join(lines)


def maf_rows() -> Iterator[Row]:
    short = MAF.split(b"\n")
    short[2] = b"\t".join(short[2].split(b"\t")[:5])
    yield _row("maf", "short-row", b"\n".join(short))
    yield _row("maf", "mixed-build", _maf_row(3, 11, b"GRCh37"))
    yield _row(
        "maf",
        "depth-negative",
        _maf_row(2, 9, b"-200"),
        check=no_variant(_bad_depth, "a negative depth"),
    )
    yield _row(
        "maf",
        "alt-over-depth",
        _maf_row(2, 10, b"500"),
        check=no_variant(_bad_fraction, "a VAF outside 0-1"),
    )
    yield _row(
        "maf",
        "pos-zero",
        _maf_row(2, 2, b"0"),
        check=no_variant(lambda v: v.get("pos") == 0 and bool(v.get("ref")), "POS 0"),
    )
    yield _row("maf", "pos-text", _maf_row(2, 2, b"seven"))
    yield _row(
        "maf",
        "ref-bang",
        _maf_row(2, 4, b"X!"),
        check=no_variant(lambda v: v.get("ref") == "X!", "REF X!"),
    )
    yield _row("maf", "depth-nan", _maf_row(2, 9, b"nan"), check=no_variant(_bad_depth, "depth"))
    yield _row("maf", "no-header", b"\n".join(MAF.split(b"\n")[2:]), exit=ERR)


def cnv_rows() -> Iterator[Row]:
    erbb2 = no_gene_call("ERBB2", ("amplification", "deletion"))
    for tag, value in (("nan", b"NaN"), ("negative", b"-2"), ("inf", b"inf"), ("text", b"lots")):
        yield _row(
            "cnv_table",
            f"cn-{tag}",
            _replace(CNV_TABLE, b"ERBB2\t14", b"ERBB2\t" + value),
            check=erbb2,
        )
    yield _row("cnv_table", "fc-negative", CNV_TABLE.replace(b"14\t\t", b"\t-1.5\t"), check=erbb2)
    yield _row("cnv_table", "fc-nan", CNV_TABLE.replace(b"14\t\t", b"\tnan\t"), check=erbb2)
    yield _row("cnv_table", "row-too-long", CNV_TABLE + b"MYC\t9\t\t\textra\n")
    yield _row("cnv_table", "gene-empty", CNV_TABLE + b"\t9\t\tamplification\n")
    seg = no_gene_call("ERBB2", ("amplification", "deletion"))
    yield _row(
        "cnv_seg",
        "start-after-end",
        _replace(CNV_SEG, b"39680000\t39740000", b"39740000\t39680000"),
        check=seg,
    )
    yield _row("cnv_seg", "cn-nan", _replace(CNV_SEG, b"39740000\t12", b"39740000\tnan"), check=seg)
    yield _row(
        "cnv_seg", "cn-negative", _replace(CNV_SEG, b"39740000\t12", b"39740000\t-3"), check=seg
    )
    yield _row("cnv_seg", "start-text", _replace(CNV_SEG, b"39680000", b"start"), check=seg)
    yield _row("cnv_seg", "chrom-garbage", _replace(CNV_SEG, b"chr17\t", b"chrZZ\x1b\t"))
    yield _row(
        "cnv_vcf",
        "cn-negative",
        _replace(CNV_VCF, b"CN\t11", b"CN\t-1"),
        check=no_gene_call("ERBB2", ("amplification", "deletion")),
    )
    yield _row("cnv_vcf", "end-before-pos", _replace(CNV_VCF, b"END=39731000", b"END=100"))
    yield _row("cnv_vcf", "cn-text", _replace(CNV_VCF, b"CN\t11", b"CN\televen"))


def fusion_rows() -> Iterator[Row]:
    yield _row("fusions", "reads-negative", _replace(FUSIONS, b"ALK\t9", b"ALK\t-9"))
    yield _row("fusions", "reads-nan", _replace(FUSIONS, b"ALK\t9", b"ALK\tnan"))
    yield _row("fusions", "reads-inf", _replace(FUSIONS, b"ALK\t9", b"ALK\tinf"))
    yield _row("star", "junction-inf", _replace(STAR, b"EML4--ALK\t48", b"EML4--ALK\tinf"))
    yield _row("arriba", "split-inf", _replace(ARRIBA, b"translocation\t10", b"translocation\tinf"))
    yield _row("cnv_seg", "start-huge", _replace(CNV_SEG, b"39680000", b"1e39680000"))
    yield _row("fusions", "pair-empty", _replace(FUSIONS, b"EML4::ALK", b"::"))
    # "EML4::": one gene named, the partner unknown (read as such, or refused): no qc rule
    yield _row("fusions", "pair-one-sided", _replace(FUSIONS, b"EML4::ALK", b"EML4::"), qc=None)
    yield _row("star", "junction-negative", _replace(STAR, b"EML4--ALK\t48", b"EML4--ALK\t-48"))
    yield _row("star", "breakpoint-garbage", _replace(STAR, b"chr2:42295554:+", b"chr2:x:?"))
    yield _row(
        "arriba", "split-negative", _replace(ARRIBA, b"translocation\t10", b"translocation\t-10")
    )
    yield _row("arriba", "breakpoint-garbage", _replace(ARRIBA, b"5:150404680", b"five"))
    yield _row("bnd", "alt-malformed", _replace(BND, b"G]chr10:43116592]", b"G]chr10"))
    yield _row("bnd", "sr-negative", _replace(BND, b"SR\t30,41", b"SR\t-30,-41"))
    yield _row("bnd", "mate-missing", _replace(BND, b"MATEID=bnd_2;", b""))


# --- this helper's own inputs: case JSON, patient YAML, samplesheet, catalogs, cohorts, CIViC,
# --- registries, and every output rule --------------------------------------------------------
def _laughs(levels: int = 9) -> bytes:
    """A ~1 KB YAML whose aliases expand to 10**levels nodes ("billion laughs")."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


RECURSIVE_YAML = b"a: &x [1, *x]\nb: *x\n"
DEEP_YAML = b"x: " + b"[" * 80 + b"1" + b"]" * 80 + b"\n"
PYTHON_TAG = b"id: !!python/object/apply:os.system ['echo pwned > pwned.txt']\n"
_CASE_DOC = json.loads(CASE)


def _case(**changes: object) -> bytes:
    doc = json.loads(CASE)
    for dotted, value in changes.items():
        target = doc
        *path, last = dotted.split("__")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return json.dumps(doc).encode()


_DELETE = object()


def case_rows() -> Iterator[Row]:
    render = ("render", "case.json", "-o", "r.html")

    def row(
        tag: str,
        content: Content,
        exit: frozenset[int],
        args: tuple[str, ...] = render,
        outputs: tuple[str, ...] = ("r.html",),
        **kw: object,
    ) -> Row:
        files = {"case.json": content, **kw.pop("files", {})}  # type: ignore[dict-item]
        return Row(id=f"case-{tag}", files=files, args=args, exit=exit, outputs=outputs, **kw)  # type: ignore[arg-type]

    yield row("array", b"[1, 2]", ERR)
    yield row("string", b'"a case"', ERR)
    yield row("number", b"42", ERR)
    yield row("object-empty", b"{}", ERR)
    yield row("missing-patient", _case(patient=_DELETE), ERR)
    yield row("variants-string", _case(variants="many"), ERR)
    yield row("matches-wrong", _case(matches=[{"gene": 1}]), ERR)
    yield row("nan-literal", re.sub(rb'"vaf": [0-9.]+', b'"vaf": NaN', CASE, count=1), ERR)
    yield row(
        "infinity-literal", re.sub(rb'"vaf": [0-9.]+', b'"vaf": -Infinity', CASE, count=1), ERR
    )
    yield row("deep-list", b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", ERR)
    yield row("deep-object", b'{"a":' * 200 + b"1" + b"}" * 200, ERR)
    yield row(
        "deep-in-field", _case(**{"patient__extra": {"x": json.loads("[" * 70 + "]" * 70)}}), ERR
    )
    yield row("trailing-garbage", CASE + b"\n}}}", ERR)
    yield row("two-documents", CASE + CASE, ERR)
    yield row("bom", b"\xef\xbb\xbf" + CASE, OK)
    yield row("duplicate-key", CASE.replace(b"{", b'{"matches": 5, ', 1), ANY)
    yield row(
        "patient-escape",
        _case(**{"patient__id": "P\x1b[31m-1</td><script>x</script>"}),
        OK,
        check=_no_raw_script,
    )
    yield row("huge-string", _case(**{"patient__extra": {"note": "x" * 2_000_000}}), OK)
    yield row("sparse-300mb", Special("sparse", size=300 << 20), ERR)
    yield row("stdin", CASE, OK, args=("render", "-", "-o", "r.html"), stdin=CASE)
    yield row("stdin-garbage", CASE, ERR, args=("render", "-", "-o", "r.html"), stdin=b"\xff\x00")
    yield row(
        "stdin-subprocess",
        CASE,
        OK,
        args=("render", "-", "-o", "r.html"),
        stdin=CASE,
        subprocess=True,
    )
    yield row("output-is-input", CASE, ERR, args=("render", "case.json", "-o", "case.json"))
    yield row(
        "output-symlink-to-input",
        CASE,
        ERR,
        args=("render", "case.json", "-o", "l.html"),
        files={"l.html": Special("symlink", target="case.json")},
    )
    yield row(
        "output-hardlink-to-input",
        CASE,
        ERR,
        args=("render", "case.json", "-o", "h.html"),
        files={"h.html": Special("hardlink", target="case.json")},
    )
    yield row(
        "output-folder",
        CASE,
        ERR,
        args=("render", "case.json", "-o", "d"),
        files={"d": Special("dir")},
    )
    yield row(
        "output-fifo",
        CASE,
        ERR,
        args=("render", "case.json", "-o", "p"),
        files={"p": Special("fifo")},
    )
    yield row(
        "output-device",
        CASE,
        ERR,
        args=("render", "case.json", "-o", "n"),
        files={"n": Special("symlink", target="/dev/null")},
    )
    yield row("output-missing-folder", CASE, ERR, args=("render", "case.json", "-o", "no/r.html"))
    yield row(
        "templates-fifo",
        CASE,
        ERR,
        args=("render", "case.json", "--templates", "t", "-o", "r.html"),
        files={"t": Special("dir"), "t/base.html": Special("fifo")},
    )
    yield row(
        "templates-not-utf8",
        CASE,
        ERR,
        args=("render", "case.json", "--templates", "t", "-o", "r.html"),
        files={"t/partials/header.html": b"<h1>\xff</h1>"},
    )
    yield row(
        "agenda-javascript-name",
        CASE,
        OK,
        args=("agenda", "javascript:alert(1).json", "-o", "a.html"),
        outputs=("a.html",),
        files={"javascript:alert(1).json": CASE},
        check=_agenda_links_safe,
    )
    yield row(
        "agenda-over-report",
        CASE,
        ERR,
        args=("agenda", "case.json", "-o", "case.html"),
        files={"case.html": b"<p>the report</p>"},
    )
    yield row("agenda-over-case", CASE, ERR, args=("agenda", "case.json", "-o", "case.json"))
    yield row(
        "assign-bad-json",
        b"{",
        ERR,
        args=(
            "cohort",
            "assign",
            "case.json",
            "-t",
            "IHCH",
            "--patient-id",
            "P1",
            "--registry",
            "reg.sqlite",
        ),
        outputs=(),
        setup=_registry,
    )


def _no_raw_script(folder: Path, _case: object) -> str | None:
    html = (folder / "r.html").read_text(encoding="utf-8")
    return "an unescaped <script> in the report" if "<script>x" in html else None


def _agenda_links_safe(folder: Path, _case: object) -> str | None:
    import re

    html = (folder / "a.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    bad = [h for h in hrefs if ":" in h.split("/")[0]]
    return f"agenda links with a scheme: {bad}" if bad or not hrefs else None


def patient_rows() -> Iterator[Row]:
    def row(tag: str, content: bytes, exit: frozenset[int], **kw: object) -> Row:
        return _row("patient", tag, content, exit, qc=None, **kw)

    yield row("billion-laughs", _laughs(), ERR)
    yield row("recursive-alias", RECURSIVE_YAML, ERR)
    yield row("deep", DEEP_YAML, ERR)
    yield row("python-tag", PYTHON_TAG, ERR, check=_no_file("pwned.txt"))
    yield row("list", b"- id: P1\n- age: 3\n", ERR)
    yield row("scalar", b"just text\n", ERR)
    yield row("age-text", _replace(PATIENT, b"age: 61", b"age: sixty"), ERR)
    yield row("age-negative", _replace(PATIENT, b"age: 61", b"age: -1"), ERR)
    yield row("age-huge", _replace(PATIENT, b"age: 61", b"age: 1000"), ERR)
    yield row("age-bool", _replace(PATIENT, b"age: 61", b"age: true"), ERR)
    yield row("age-float", _replace(PATIENT, b"age: 61", b"age: 61.5"), ERR)
    yield row("age-nan", _replace(PATIENT, b"age: 61", b"age: .nan"), ERR)
    yield row("nested-mapping", PATIENT + b"details: {a: {b: c}}\n", ERR)
    yield row("list-value", PATIENT + b"prior therapy: [FOLFOX, bevacizumab]\n", OK)
    yield row("tumour-type-mismatch", _replace(PATIENT, b"LUAD", b"COAD"), ERR)
    yield row("tab-indent", b"id: P1\n\tage: 3\n", ERR)
    yield row("unclosed-quote", b'id: "P1\nage: 3\n', ERR)
    yield row("duplicate-key", PATIENT + b"age: 62\n", OK)
    yield row("key-escape", PATIENT + b'"sp\\x1b[2Jecimen": biopsy\n', OK)
    yield row("binary-value", PATIENT + b"blob: !!binary aGVsbG8=\n", OK)
    yield row("too-large", PATIENT + b"note: " + b"x" * (2 << 20) + b"\n", ERR)
    yield row(
        "many-aliases-small", b"a: &a x\n" + b"".join(b"k%d: *a\n" % i for i in range(500)), OK
    )


def _no_file(name: str) -> Callable[..., str | None]:
    def check(folder: Path, _case: object) -> str | None:
        return f"{name} was created: code ran" if (folder / name).exists() else None

    return check


def sheet_rows() -> Iterator[Row]:
    def row(tag: str, content: bytes, exit: frozenset[int], **kw: object) -> Row:
        return _row("samplesheet", tag, content, exit, qc=None, **kw)

    for pid in ("agenda", "AGENDA", "manifest", "Summary"):
        yield row(f"reserved-{pid}", SHEET_HEADER + pid.encode() + b"\tLUAD\tin.vcf\n", ERR)
    for tag, pid in (
        ("space", b"Ola Nordmann"),
        ("escape", b"P\x1b[2J"),
        ("slash", b"../x"),
        ("dot", b"."),
        ("long", b"P" * 100),
        ("dash-first", b"-rf"),
    ):
        yield row(f"id-{tag}", SHEET_HEADER + pid + b"\tLUAD\tin.vcf\n", ERR)
    yield row("duplicate", SHEET + b"p1\tLUAD\tin.vcf\n", ERR)
    yield row("unknown-column", b"patient_id\ttumor_type\tinputz\nP1\tLUAD\tin.vcf\n", ERR)
    yield row("missing-column", b"patient_id\tinputs\nP1\tin.vcf\n", ERR)
    yield row("too-many-fields", SHEET + b"P2\tLUAD\tin.vcf\textra\n", ERR)
    for tag, value in (("nan", b"nan"), ("negative", b"-1"), ("inf", b"inf"), ("text", b"high")):
        yield row(
            f"tmb-{tag}",
            b"patient_id\ttumor_type\tinputs\ttmb\nP1\tLUAD\tin.vcf\t" + value + b"\n",
            ERR,
        )
    yield row(
        "genome-bad", b"patient_id\ttumor_type\tinputs\tgenome\nP1\tLUAD\tin.vcf\thg19\n", ERR
    )
    yield row("bom-crlf", b"\xef\xbb\xbf" + SHEET.replace(b"\n", b"\r\n"), OK)
    yield row("input-missing", SHEET_HEADER + b"P1\tLUAD\tnope.vcf\n", ERR, partial_ok=True)
    yield row(
        "input-fifo",
        SHEET_HEADER + b"P1\tLUAD\tpipe.vcf\n",
        ERR,
        partial_ok=True,
        extra={"pipe.vcf": Special("fifo")},
    )
    yield row(
        "output-over-input",
        SHEET_HEADER + b"P1\tLUAD\tout/P2.json\nP2\tLUAD\tin.vcf\n",
        ERR,
        extra={"out/P2.json": VCF},
    )
    yield row(
        "sheet-in-outdir",
        SHEET,
        ERR,
        args=("batch", "out/summary.tsv", "-o", "out", "-q"),
        extra={"out/summary.tsv": SHEET},
    )
    yield row("outdir-is-file", SHEET, ERR, extra={"out": b"a file"})
    yield row("run-file-is-folder", SHEET, ERR, extra={"out/agenda.html": Special("dir")})
    manifest = ("out/manifest.json",)  # rewritten: everything runs again
    yield row(
        "manifest-deep",
        SHEET,
        OK,
        changes=manifest,
        extra={"out/manifest.json": b'{"samples":' + b"[" * 3000 + b"]" * 3000 + b"}"},
    )
    yield row(
        "manifest-garbage", SHEET, OK, extra={"out/manifest.json": _noise(8)}, changes=manifest
    )
    yield row("manifest-fifo", SHEET, ERR, extra={"out/manifest.json": Special("fifo")})
    yield row("formula-id", SHEET_HEADER + b"P1\tLUAD\tin.vcf\n", OK, check=_summary_safe)


def _summary_safe(folder: Path, _case: object) -> str | None:
    text = (folder / "out" / "summary.tsv").read_text(encoding="utf-8")
    cells = [c for line in text.splitlines()[1:] for c in line.split("\t")]
    bad = [c for c in cells if c[:1] in ("=", "+", "@") or (c.startswith("-") and c != "-")]
    return f"spreadsheet formulas in summary.tsv: {bad}" if bad else None


def catalog_rows() -> Iterator[Row]:
    def ext(tag: str, content: Content, exit: frozenset[int], **kw: object) -> Row:
        return _row("extension", tag, content, exit, qc=None, **kw)

    yield ext("billion-laughs", _laughs(), ERR)
    yield ext("recursive-alias", RECURSIVE_YAML, ERR)
    yield ext("deep", DEEP_YAML, ERR)
    yield ext("python-tag", PYTHON_TAG, ERR, check=_no_file("pwned.txt"))
    yield ext("list", b"- a\n- b\n", ERR)
    yield ext("scalar", b"hello\n", ERR)
    yield ext("unknown-field", EXTENSION + b"colour: red\n", ERR)
    yield ext("duplicate-key", EXTENSION + b"drugs: []\n", ERR)
    yield ext(
        "duplicate-bundled-id", _replace(EXTENSION, b"hostiledrug, drug", b"dabrafenib, drug"), ERR
    )
    yield ext(
        "bad-jurisdiction",
        EXTENSION + b"indications:\n  - id: H1\n    drugs: [hostiledrug]\n"
        b"    biomarker: BRAF_V600E\n    tumor_types: [LUAD]\n    jurisdiction: WHO\n"
        b"    approval_date: 2020-01-01\n    sources: [{kind: EMA, document: x doc, "
        b"date: 2020-01-01}]\n",
        ERR,
    )
    yield ext("bad-date", _replace(EXTENSION, b"date: 2020-01-01", b"date: 2020-13-45"), ERR)
    yield ext("unknown-biomarker", _replace(EXTENSION, b"BRAF_V600E", b"NO_SUCH_RULE"), ERR)
    yield ext("unknown-drug", _replace(EXTENSION, b"drugs: [hostiledrug]", b"drugs: [nodrug]"), ERR)
    yield ext("unknown-code", _replace(EXTENSION, b"[LUAD]", b"[LAUD]"), ERR)
    yield ext("int-keys", b"1: a\nnull: b\ndrugs: []\n", ERR)
    yield ext("string-for-list", _replace(EXTENSION, b"[hostiledrug]", b"hostiledrug"), ERR)
    yield ext("escape-in-id", _replace(EXTENSION, b"HOSTILE_EV1", b"HOSTILE\\x1b[2J"), ERR)
    yield ext("sparse-huge", Special("sparse", size=100 << 20), ERR)
    yield ext("fine", EXTENSION, OK)
    manifest = b"name: m\nversion: '1'\nfiles: [data.yaml]\n"
    val = ("catalog", "validate", "cat/catalog.yaml")

    def man(tag: str, files: dict[str, Content], exit: frozenset[int]) -> Row:
        return Row(
            id=f"manifest-{tag}", files={"cat": Special("dir"), **files}, args=val, exit=exit
        )

    yield man("ok", {"cat/catalog.yaml": manifest, "cat/data.yaml": EXTENSION}, ANY)
    yield man("file-missing", {"cat/catalog.yaml": manifest}, ERR)
    yield man("file-fifo", {"cat/catalog.yaml": manifest, "cat/data.yaml": Special("fifo")}, ERR)
    yield man(
        "file-device",
        {"cat/catalog.yaml": manifest, "cat/data.yaml": Special("symlink", target="/dev/zero")},
        ERR,
    )
    yield man(
        "file-outside", {"cat/catalog.yaml": b"name: m\nversion: '1'\nfiles: [/etc/passwd]\n"}, ERR
    )
    yield man("laughs", {"cat/catalog.yaml": _laughs()}, ERR)
    yield man("files-not-list", {"cat/catalog.yaml": b"name: m\nversion: '1'\nfiles: 7\n"}, ERR)
    yield man(
        "lists-itself", {"cat/catalog.yaml": b"name: m\nversion: '1'\nfiles: [catalog.yaml]\n"}, ERR
    )


def cohort_rows() -> Iterator[Row]:
    def row(tag: str, content: Content, exit: frozenset[int]) -> Row:
        return _row("cohorts", tag, content, exit, qc=None)

    yield row("billion-laughs", _laughs(), ERR)
    yield row("recursive-alias", RECURSIVE_YAML, ERR)
    yield row("deep", DEEP_YAML, ERR)
    yield row("python-tag", PYTHON_TAG, ERR)
    yield row(
        "unknown-biomarker", _replace(COHORTS, b"biomarker: BRAF_V600\n", b"biomarker: NOPE\n"), ERR
    )
    yield row("unknown-code", _replace(COHORTS, b"include: [COADREAD]", b"include: [XXXX]"), ERR)
    yield row(
        "bad-design",
        _replace(COHORTS, b"{n1: 2, r1: 0, n: 4, r: 1}", b"{n1: 9, r1: 0, n: 4, r: 1}"),
        ERR,
    )
    yield row("duplicate-id", _replace(COHORTS, b"id: T-ERBB2-CRC", b"id: T-BRAF-SOLID"), ERR)
    yield row("id-escape", _replace(COHORTS, b"id: T-ERBB2-CRC", b'id: "T\\x1b[2J"'), ERR)
    yield row("not-a-list", b"cohorts: 5\n", ERR)


def civic_rows() -> Iterator[Row]:
    def row(tag: str, content: Content, exit: frozenset[int], **kw: object) -> Row:
        return _row("civic", tag, content, exit, qc=None, **kw)

    yield row("missing-columns", b"gene\tvariant\nBRAF\tV600E\n", ERR)
    yield row("ragged-rows", CIVIC + b"KRAS\tG12C\n" + b"\t".join([b"x"] * 14) + b"\n", OK)
    yield row("nul-byte", CIVIC.replace(b"Melanoma", b"Mela\x00noma"), OK)
    yield row("gene-escape", CIVIC.replace(b"BRAF", b"BR\x1b[2JAF"), OK, check=_no_escape_in_yaml)
    yield row("escape-significance", CIVIC.replace(b"Resistance", b"Res\x1b[2Jistance"), OK)
    yield row("unbalanced-quote", CIVIC.replace(b"Melanoma", b'"Melanoma'), ANY)
    yield row("drug-injection", CIVIC.replace(b"Vemurafenib", b"Vemurafenib\\nindications: x"), OK)
    yield row("output-is-input", CIVIC, ERR, args=("catalog", "import-civic", "{f}", "-o", "{f}"))
    yield row(
        "output-folder",
        CIVIC,
        ERR,
        args=("catalog", "import-civic", "{f}", "-o", "d"),
        extra={"d": Special("dir")},
    )
    yield Row(
        id="civic-name-newline",
        files={"c\nindications: [x].tsv": CIVIC},
        args=("catalog", "import-civic", "c\nindications: [x].tsv", "-o", "civic.yaml"),
        exit=OK,
        outputs=("civic.yaml",),
        check=_civic_output_loads,
    )


def _no_escape_in_yaml(folder: Path, _case: object) -> str | None:
    text = (folder / "civic.yaml").read_text(encoding="utf-8")
    return "a control character in the extension" if "\x1b" in text or "\\e" in text else None


def _civic_output_loads(folder: Path, _case: object) -> str | None:
    import yaml

    doc = yaml.safe_load((folder / "civic.yaml").read_text(encoding="utf-8"))
    return None if set(doc) == {"drugs", "biomarkers", "evidence"} else f"keys {sorted(doc)}"


def _registry(folder: Path, *, assign: bool = False) -> None:
    """A registry with the small test cohorts (and, with ``assign``, patient P1 enrolled in
    T-BRAF-SOLID with a final PD at week 8)."""
    from tumorboard.casefile import load_case
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.assign import assign_case
    from tumorboard.cohorts.definitions import load_cohorts
    from tumorboard.cohorts.manage import sync_definitions
    from tumorboard.cohorts.outcomes import record_outcome
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.oncotree import OncoTree

    catalog, tree = load_catalog(), OncoTree.load()
    defs = load_cohorts(DATA / "cohorts" / "small.yaml", catalog=catalog, tree=tree)
    with open_registry(str(folder / "reg.sqlite"), user="setup", create=True) as reg:
        sync_definitions(reg, defs)
        if assign:
            case = load_case(DATA / "cohorts" / "ihch_braf.json")
            case = case.model_copy(update={"patient": case.patient.model_copy(update={"id": "P1"})})
            assign_case(reg, case, catalog=catalog, tree=tree)
            record_outcome(reg, "P1", "PD", 8)


def _assigned(folder: Path) -> None:
    _registry(folder, assign=True)


def registry_rows() -> Iterator[Row]:
    status = ("cohort", "status", "--registry", "r.sqlite")

    def row(
        tag: str,
        content: Content | None,
        exit: frozenset[int],
        args: tuple[str, ...] = status,
        **kw: object,
    ) -> Row:
        files = {} if content is None else {"r.sqlite": content}
        return Row(id=f"registry-{tag}", files=files, args=args, exit=exit, **kw)  # type: ignore[arg-type]

    yield row("missing", None, ERR)
    yield row("empty-file", b"", ERR)
    yield row("noise", _noise(21, 8192), ERR)
    yield row("fifo", Special("fifo"), ERR)
    yield row("device", Special("symlink", target="/dev/zero"), ERR)
    yield row("folder", Special("dir"), ERR)
    yield row("foreign-sqlite", None, ERR, setup=_foreign_sqlite)
    yield row("newer-schema", None, ERR, setup=_newer_schema)
    yield row("bad-url", None, ERR, args=("cohort", "status", "--registry", "nosuchdb+x://h/d"))
    yield row("init-over-empty", b"", ERR, args=("cohort", "init", "--registry", "r.sqlite"))
    yield row(
        "status-ok",
        None,
        OK,
        args=("cohort", "status", "--registry", "reg.sqlite"),
        setup=_registry,
    )
    reg = ("--registry", "reg.sqlite")
    yield row(
        "outcome-after-final",
        None,
        ERR,
        setup=_assigned,
        args=("cohort", "outcome", "--patient-id", "P1", "--response", "PR", "--week", "16", *reg),
    )
    yield row(
        "outcome-correct-final",
        None,
        OK,
        setup=_assigned,
        changes=("reg.sqlite",),
        args=(
            "cohort",
            "outcome",
            "--patient-id",
            "P1",
            "--response",
            "SD",
            "--week",
            "8",
            "--correct",
            *reg,
        ),
    )
    for tag, pid in (("escape", "P\x1b[2J"), ("long", "P" * 200), ("space", "P 1"), ("empty", "")):
        yield row(
            f"outcome-id-{tag}",
            None,
            ERR,
            setup=_registry,
            args=(
                "cohort",
                "outcome",
                "--patient-id",
                pid,
                "--response",
                "PD",
                "--week",
                "3",
                *reg,
            ),
        )
        yield row(
            f"audit-id-{tag}",
            None,
            ERR if pid else OK,
            setup=_registry,
            args=("cohort", "audit", "--patient-id", pid, *reg),
        )
    yield Row(
        id="registry-assign-id-escape",
        files={"case.json": _read(DATA / "cohorts" / "ihch_braf.json")},
        args=("cohort", "assign", "case.json", "-t", "IHCH", "--patient-id", "P\x1b[2J", *reg),
        exit=ERR,
        setup=_registry,
    )
    yield row(
        "audit-user-escape",
        None,
        OK,
        setup=_registry,
        args=("cohort", "audit", *reg, "--user", "x\x1b[2J"),
    )
    yield Row(
        id="registry-export-over-registry",
        files={},
        setup=_registry,
        exit=ERR,
        args=("cohort", "export", "-o", "reg.sqlite", *reg),
    )


def _foreign_sqlite(folder: Path) -> None:
    import sqlite3

    con = sqlite3.connect(folder / "r.sqlite")
    con.execute("CREATE TABLE notes (x TEXT)")
    con.commit()
    con.close()


def _newer_schema(folder: Path) -> None:
    import sqlite3

    _registry(folder)
    (folder / "reg.sqlite").rename(folder / "r.sqlite")
    con = sqlite3.connect(folder / "r.sqlite")
    con.execute("INSERT INTO tumorboard_migrations VALUES (99, 'future', 'now')")
    con.commit()
    con.close()


def output_rows() -> Iterator[Row]:
    """Outputs that would harm: over an input, twice, over a folder or device."""
    base = {"in.vcf": VCF}

    def row(tag: str, args: tuple[str, ...], exit: frozenset[int] = ERR, **kw: object) -> Row:
        files = {**base, **kw.pop("files", {})}  # type: ignore[dict-item]
        return Row(id=f"vcf-out-{tag}", files=files, args=args, exit=exit, **kw)  # type: ignore[arg-type]

    ann = ("annotate", "in.vcf", "-t", "LUAD")
    rep = ("report", "in.vcf", "-t", "LUAD")
    yield row("over-input", (*ann, "-o", "in.vcf"))
    yield row("tsv-over-input", (*ann, "--format", "tsv", "-o", "in.vcf"))
    yield row("json-over-input", (*rep, "-o", "r.html", "--json", "in.vcf"))
    yield row("html-over-input", (*rep, "-o", "in.vcf"))
    yield row("same-twice", (*rep, "-o", "x", "--json", "x"))
    yield row("same-via-dotdot", (*rep, "-o", "x", "--json", "d/../x"), files={"d": Special("dir")})
    yield row("folder", (*ann, "-o", "d"), files={"d": Special("dir")})
    yield row("device", (*ann, "-o", "n"), files={"n": Special("symlink", target="/dev/null")})
    yield row("fifo", (*ann, "-o", "p"), files={"p": Special("fifo")})
    yield row("missing-folder", (*ann, "-o", "no/such/x.json"))
    yield row(
        "patient-is-output",
        (*ann, "--patient", "p.yaml", "-o", "p.yaml"),
        files={"p.yaml": PATIENT},
    )
    yield row("cnv-is-output", (*ann, "--cnv", "c.tsv", "-o", "c.tsv"), files={"c.tsv": CNV_TABLE})
    yield row(
        "report-fails-no-sidecar",
        (*rep, "--templates", "t", "-o", "r.html", "--json", "r.json"),
        files={"t/base.html": b"{{ ctx.nope }}"},
    )
    yield row(
        "stdin",
        ("annotate", "-", "-t", "LUAD", "-o", "out.json"),
        OK,
        stdin=VCF,
        outputs=("out.json",),
        baseline=None,
        subprocess=True,
    )
    yield row(
        "tsv-formula",
        ("annotate", "in.vcf", "-t", "LUAD", "--format", "tsv", "-o", "v.tsv"),
        OK,
        outputs=("v.tsv",),
        files={"in.vcf": _replace(VCF, b"|BRAF|", b"|=HYPERLINK(1)|")},
        check=_tsv_safe,
    )
    yield row("tmb-nan", (*ann, "--tmb", "nan", "-o", "out.json"), USAGE)
    yield row("msi-high-300", (*ann, "--msi-high", "300", "-o", "out.json"), USAGE)
    yield Row(
        id="vcf-out-stdout-full",
        files={},
        args=("schema", "case"),
        exit=ERR,
        subprocess=True,
        stdout="/dev/full",
    )
    yield Row(
        id="vcf-out-annotate-stdout-full",
        files=base,
        args=ann,
        exit=ERR,
        subprocess=True,
        stdout="/dev/full",
    )


def _tsv_safe(folder: Path, _case: object) -> str | None:
    text = (folder / "v.tsv").read_text(encoding="utf-8")
    bad = [c for line in text.splitlines()[1:] for c in line.split("\t") if c.startswith("=")]
    return f"formula cells: {bad}" if bad else None


@functools.cache
def baseline_qc(kind_name: str) -> frozenset[str]:
    """The qc entries the untouched input of ``kind_name`` gives (see ``Row.qc``)."""
    from click.testing import CliRunner

    from tumorboard.cli import main

    kind = KINDS[kind_name]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in {**kind.extra, kind.filename: kind.base}.items():
            (folder / name).write_bytes(content)
        old = Path.cwd()
        os.chdir(folder)
        try:
            args = [a.replace("{f}", kind.filename) for a in kind.args]
            result = CliRunner().invoke(main, args)
        finally:
            os.chdir(old)
        assert result.exit_code == 0, f"{kind_name}: the untouched input fails: {result.stderr}"
        qc = json.loads((folder / "out.json").read_text(encoding="utf-8"))["qc"]
    entries = [json.dumps(s, sort_keys=True) for s in qc.get("skipped", [])]
    entries += [f"warning: {w}" for w in qc.get("warnings", [])]
    entries += [f"not assessable: {n}" for n in qc.get("not_assessable", [])]
    return frozenset(entries)


# Rows whose expected behaviour needs a reader fix (issue 13's list): strict xfails naming the
# owner. R1: VCF/BCF reading and the sniffing I/O shared by every reader (pipes, devices); R2:
# TSO500, MAF, CNV and fusion readers. When a fix lands, the row XPASSes and fails: remove it here.
PENDING_R1: frozenset[str] = frozenset()
PENDING_R2 = frozenset(
    {
        "maf-cut-half",
        "maf-cut-last-line",
        "cnv_table-cut-half",
        "cnv_vcf-cut-half",
        "cnv_vcf-cut-last-line",
        "star-cut-last-line",
        "bnd-cut-last-line",
        "cvo-ref-bang",
        "cnv_seg-chrom-garbage",
        "cnv_vcf-cn-negative",
        "cnv_vcf-end-before-pos",
        "cnv_vcf-cn-text",
        "star-breakpoint-garbage",
        "arriba-breakpoint-garbage",
        "bnd-alt-malformed",
        "bnd-sr-negative",
    }
)


def _owned(row: Row) -> Row:
    owner = "R1" if row.id in PENDING_R1 else "R2" if row.id in PENDING_R2 else None
    return dataclasses.replace(row, owner=owner) if owner else row


ROWS: list[Row] = [
    _owned(row)
    for row in (
        *generic_rows(),
        *vcf_rows(),
        *compressed_rows(),
        *cvo_rows(),
        *maf_rows(),
        *cnv_rows(),
        *fusion_rows(),
        *case_rows(),
        *patient_rows(),
        *sheet_rows(),
        *catalog_rows(),
        *cohort_rows(),
        *civic_rows(),
        *registry_rows(),
        *output_rows(),
    )
]

__all__ = ["GENERIC", "KINDS", "ROWS", "Row", "Special", "baseline_qc", "generic_rows"]
