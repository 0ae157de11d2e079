"""Streaming VCF/BCF reader: the only module that imports pysam.

``VcfReader`` opens a VCF, bgzipped VCF, BCF or ``-`` (stdin) and yields one
:class:`~tumorboard.alterations.Alteration` per ALT allele of each record inside the panel.
Memory stays flat: records are never collected, annotation is split only for records inside the
panel, and no pydantic model is built per record.

Rules (each recorded in the QC block):

* **Panel first.** With an index (.tbi/.csi) and a restricted panel, only the panel's regions are
  fetched; otherwise records outside the panel's intervals are dropped after reading CHROM/POS,
  before INFO, FORMAT or CSQ/ANN are touched.
* **Annotation.** VEP ``CSQ`` (field order from the header) or SnpEff ``ANN``; multi-allelic records
  are split per ALT and each ALT gets its own annotation entries (VEP's ``ALLELE_NUM`` when present,
  else VEP's allele string: the shared first base trimmed, ``-`` for deletions).
* **Transcript.** MANE Select, else canonical, else the first protein-coding entry, else the first;
  entries of panel genes are preferred over overlapping non-panel genes.
* **Sample.** ``--sample``; else ``##tumor_sample=``; else the only sample; else one sample named
  like a tumour (``TUMOR``/``TUMOUR``, or a TCGA barcode with a tumour sample type) when the
  others look like normals; else an error listing the samples.
* **VAF** from FORMAT ``AF``, ``VF`` (Illumina), ``AD`` (Number=R), VarScan ``FREQ``/``RD``+``AD``,
  Strelka tier-1 base counts (``AU``/``CU``/``GU``/``TU``; ``TAR``/``TIR`` for indels);
  **depth** from FORMAT ``DP``, the sum of ``AD``, or INFO ``DP``.
* **FILTER.** PASS (or ``.``) only, unless ``include_filtered``; those are kept and flagged.
* **Genome build** from ``##reference`` and contig lengths; ``genome=`` is checked against it.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pysam

from tumorboard.alterations import (
    MUTATION,
    Alteration,
    parse_exon,
    parse_protein_change,
)
from tumorboard.errors import (
    AnnotationError,
    FormatError,
    GenomeBuildError,
    IndexRequiredError,
    InputNotFoundError,
    RecordError,
    SampleError,
    TruncatedInputError,
    TumorBoardError,
)
from tumorboard.readers.base import QCCounter

pysam.set_verbosity(0)  # htslib's own stderr chatter: we report errors ourselves

ANN_FIELDS = (
    "Allele",
    "Annotation",
    "Annotation_Impact",
    "Gene_Name",
    "Gene_ID",
    "Feature_Type",
    "Feature_ID",
    "Transcript_BioType",
    "Rank",
    "HGVS.c",
    "HGVS.p",
    "cDNA.pos/len",
    "CDS.pos/len",
    "AA.pos/len",
    "Distance",
    "Errors",
)
# Chromosome 1 length per build: the most reliable build fingerprint in a header.
_CHR1_LENGTH = {248956422: "GRCh38", 249250621: "GRCh37"}
_BUILD_PATTERNS = (
    (re.compile(r"grch38|hg38|b38|hs38|GCA_000001405\.15", re.I), "GRCh38"),
    (re.compile(r"grch37|hg19|b37|hs37|human_g1k_v37|GCA_000001405\.1\b", re.I), "GRCh37"),
)
_TCGA_BARCODE = re.compile(r"^TCGA-\w\w-\w{4}-(\d\d)")
_TUMOR_NAME = re.compile(r"(^|[^A-Za-z])(tumou?r|TUMOU?R|Tumou?r)([^A-Za-z]|$)")
_NORMAL_NAME = re.compile(r"(^|[^A-Za-z])(normal|NORMAL|Normal|germline|GERMLINE)([^A-Za-z]|$)")


def detect_build(header: Any) -> tuple[str | None, str]:
    """Genome build from a pysam header: (``GRCh37``/``GRCh38``/None, how it was found)."""
    for name in ("1", "chr1"):
        contig = header.contigs.get(name)
        if contig is not None and contig.length in _CHR1_LENGTH:
            return _CHR1_LENGTH[contig.length], f"length of contig {name}"
    for rec in header.records:
        if rec.key in ("reference", "assembly") and rec.value:
            for pattern, build in _BUILD_PATTERNS:
                if pattern.search(rec.value):
                    return build, f"##{rec.key}={rec.value}"
    return None, ""


def _vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """VEP's allele strings for each ALT.

    When the alleles differ in length and all share the first base (VCF padding), VEP removes
    that base from every allele and writes ``-`` for an empty one.
    """
    first = ref[:1]
    if any(len(a) != len(ref) for a in alts) and all(a[:1] == first for a in alts):
        return [a[1:] or "-" for a in alts]
    return list(alts)


class _Annotation:
    """Parses CSQ/ANN entries for one record; chooses the transcript per ALT."""

    def __init__(self, tag: str, fields: Sequence[str]) -> None:
        self.tag = tag
        self.fields = list(fields)
        idx = {name: i for i, name in enumerate(self.fields)}
        self.n = len(self.fields)
        if tag == "CSQ":
            get = idx.get
            self.i_allele = get("Allele")
            self.i_allele_num = get("ALLELE_NUM")
            self.i_conseq = get("Consequence")
            self.i_impact = get("IMPACT")
            self.i_symbol = get("SYMBOL")
            self.i_feature = get("Feature")
            self.i_biotype = get("BIOTYPE")
            self.i_exon = get("EXON")
            self.i_intron = get("INTRON")
            self.i_hgvsc = get("HGVSc")
            self.i_hgvsp = get("HGVSp")
            self.i_canonical = get("CANONICAL")
            self.i_mane = get("MANE_SELECT", get("MANE"))
        else:  # SnpEff ANN: 16 fixed fields
            self.i_allele, self.i_allele_num = 0, None
            self.i_conseq, self.i_impact, self.i_symbol = 1, 2, 3
            self.i_feature, self.i_biotype, self.i_exon, self.i_intron = 6, 7, 8, None
            self.i_hgvsc, self.i_hgvsp = 9, 10
            self.i_canonical, self.i_mane = None, None
        if self.i_symbol is None or self.i_conseq is None:
            missing = "SYMBOL" if self.i_symbol is None else "Consequence"
            raise AnnotationError(
                f"the {tag} header has no {missing} field",
                hint="annotate with VEP using --symbol (or SnpEff) so genes are named",
            )

    def entries_for(
        self, values: Sequence[str], alt_index: int, vep_allele: str, alt: str
    ) -> list[list[str]]:
        """The split entries that belong to ALT number ``alt_index`` (0-based)."""
        out: list[list[str]] = []
        ia, inum = self.i_allele, self.i_allele_num
        for value in values:
            parts = value.split("|")
            if len(parts) < self.n:
                parts.extend([""] * (self.n - len(parts)))
            if inum is not None and parts[inum]:
                if parts[inum] == str(alt_index + 1):
                    out.append(parts)
            elif ia is None or parts[ia] in (vep_allele, alt):
                out.append(parts)
        return out

    def choose(
        self, entries: list[list[str]], panel_genes: frozenset[str] | None
    ) -> tuple[list[str], str]:
        """Pick one entry: MANE Select, canonical, first protein-coding, first."""
        isym = self.i_symbol
        assert isym is not None
        if panel_genes is not None:
            in_panel = [e for e in entries if e[isym] in panel_genes]
            if in_panel:
                entries = in_panel
        if self.i_mane is not None:
            for e in entries:
                if e[self.i_mane]:
                    return e, "mane_select"
        if self.i_canonical is not None:
            for e in entries:
                if e[self.i_canonical] in ("YES", "1"):
                    return e, "canonical"
        if self.i_biotype is not None:
            for e in entries:
                if e[self.i_biotype] == "protein_coding":
                    return e, "first_protein_coding"
        return entries[0], "first"

    def fill(self, alt: Alteration, entry: list[str], rule: str) -> None:
        """Copy the chosen entry's annotation onto the alteration."""

        def get(i: int | None) -> str:
            return entry[i] if i is not None else ""

        alt.gene = get(self.i_symbol) or alt.gene
        alt.transcript = get(self.i_feature)
        alt.transcript_rule = rule
        alt.consequences = tuple(c for c in get(self.i_conseq).split("&") if c)
        alt.impact = get(self.i_impact)
        hgvsc = get(self.i_hgvsc)
        alt.hgvsc = hgvsc.rsplit(":", 1)[-1] if hgvsc else ""
        exon = get(self.i_exon)
        if self.tag == "ANN":
            # SnpEff Rank is 'exon/total' for exonic and intron rank for intronic effects
            if "intron" in get(self.i_conseq):
                alt.intron = parse_exon(exon)
            else:
                alt.exon = parse_exon(exon)
        else:
            alt.exon = parse_exon(exon)
            alt.intron = parse_exon(get(self.i_intron))
        change = parse_protein_change(get(self.i_hgvsp))
        if change is not None:
            alt.protein, alt.protein_3 = change.one, change.three
            alt.protein_start, alt.protein_end = change.start, change.end


def _annotation_from_header(header: Any) -> _Annotation | None:
    info = header.info
    if "CSQ" in info:
        desc = info["CSQ"].description or ""
        m = re.search(r"Format:\s*([^\"]+)", desc)
        if not m:
            raise AnnotationError(
                "the CSQ header line has no 'Format: ...' list of fields",
                hint="the CSQ INFO header must be the one VEP writes",
            )
        return _Annotation("CSQ", [f.strip() for f in m.group(1).strip().split("|")])
    if "ANN" in info:
        return _Annotation("ANN", ANN_FIELDS)
    return None


def choose_sample(samples: Sequence[str], header: Any, requested: str | None) -> tuple[str, str]:
    """Choose the tumour sample column: returns (sample name, rule)."""
    listed = ", ".join(samples) if samples else "(none)"
    if requested:
        if requested in samples:
            return requested, "--sample"
        raise SampleError(
            f"sample {requested!r} is not in the file; samples: {listed}",
            hint="pass one of the listed names with --sample",
        )
    if not samples:
        return "", "sites-only VCF (no sample columns)"
    for rec in header.records:
        if rec.key == "tumor_sample" and rec.value in samples:
            return rec.value, "##tumor_sample header"
    if len(samples) == 1:
        return samples[0], "only sample"
    tumours = [s for s in samples if _looks_tumour(s)]
    others = [s for s in samples if s not in tumours]
    if len(tumours) == 1 and all(_looks_normal(s) for s in others):
        return tumours[0], "sample named as tumour (others named as normal)"
    raise SampleError(
        f"cannot tell which sample is the tumour; samples: {listed}",
        hint="pass --sample NAME",
    )


def _looks_tumour(name: str) -> bool:
    m = _TCGA_BARCODE.match(name)
    if m:
        return 1 <= int(m.group(1)) <= 9
    return bool(_TUMOR_NAME.search(name))


def _looks_normal(name: str) -> bool:
    m = _TCGA_BARCODE.match(name)
    if m:
        return 10 <= int(m.group(1)) <= 19
    return bool(_NORMAL_NAME.search(name))


class _SampleValues:
    """Reads VAF and depth for the tumour sample; the plan is fixed once per file."""

    def __init__(self, header: Any, sample: str) -> None:
        fmt = header.formats
        self.sample = sample
        self.has = {k: (fmt[k].number if k in fmt else None) for k in fmt}
        self.info_keys = set(header.info)

    def read(self, rec: Any, alt_index: int, alt: str) -> tuple[float | None, int | None, str]:
        """(vaf, depth, where the VAF came from) for ALT number ``alt_index``."""
        vaf: float | None = None
        source = ""
        depth: int | None = None
        has = self.has
        if self.sample:
            s = rec.samples[self.sample]
            vaf, source = self._vaf(
                s, has, alt_index, alt, len(rec.ref) != len(alt), len(rec.alleles)
            )
            depth = _as_int(s.get("DP")) if "DP" in has else None
            if depth is None and has.get("AD") in _PER_ALLELE:
                ad = _as_tuple(s.get("AD"))
                if ad and len(ad) == len(rec.alleles) and all(isinstance(x, int) for x in ad):
                    depth = sum(ad)
        if vaf is None and "TVAF" in self.info_keys:  # PCGR's tumour VAF convention
            vaf, source = _as_float(rec.info.get("TVAF")), "INFO/TVAF"
        if depth is None:
            for key in ("TDP", "DP"):
                if key in self.info_keys:
                    depth = _as_int(rec.info.get(key))
                    if depth is not None:
                        break
        if vaf is not None and not 0.0 <= vaf <= 1.0:
            vaf, source = None, f"{source} out of range"
        return vaf, depth, source if vaf is not None else ""

    @staticmethod
    def _vaf(
        s: Any, has: dict[str, Any], alt_index: int, alt: str, indel: bool, n_alleles: int
    ) -> tuple[float | None, str]:
        if "AF" in has:
            v = _pick(s.get("AF"), alt_index)
            if v is not None:
                return v, "FORMAT/AF"
        if "VF" in has:
            v = _pick(s.get("VF"), alt_index)
            if v is not None:
                return v, "FORMAT/VF"
        if has.get("AD") in _PER_ALLELE:
            # Number=R per the spec; some callers (old GATK) declare G or '.' for the same data
            ad = _as_tuple(s.get("AD"))
            if ad and len(ad) == n_alleles and all(isinstance(x, int) for x in ad):
                total = sum(ad)
                return (ad[alt_index + 1] / total if total else None), "FORMAT/AD"
        if "FREQ" in has:  # VarScan: '48.7%'
            raw = s.get("FREQ")
            raw = raw[0] if isinstance(raw, tuple) else raw
            if isinstance(raw, str) and raw.endswith("%"):
                try:
                    return float(raw[:-1]) / 100.0, "FORMAT/FREQ"
                except ValueError:
                    pass
        if "AD" in has and "RD" in has:  # VarScan: AD is the alt depth, RD the ref depth
            ad, rd = _as_int(s.get("AD")), _as_int(s.get("RD"))
            if ad is not None and rd is not None and ad + rd:
                return ad / (ad + rd), "FORMAT/AD+RD"
        if indel and "TIR" in has and "TAR" in has:  # Strelka indels, tier 1
            tir, tar = _as_tuple(s.get("TIR")), _as_tuple(s.get("TAR"))
            if tir and tar and isinstance(tir[0], int) and isinstance(tar[0], int):
                total = tir[0] + tar[0]
                return (tir[0] / total if total else None), "FORMAT/TIR+TAR"
        if not indel and len(alt) == 1 and f"{alt}U" in has:  # Strelka SNVs, tier 1
            counts = [_as_tuple(s.get(f"{b}U")) for b in "ACGT" if f"{b}U" in has]
            firsts = [c[0] for c in counts if c and isinstance(c[0], int)]
            alt_count = _as_tuple(s.get(f"{alt}U"))
            if firsts and alt_count and isinstance(alt_count[0], int) and sum(firsts):
                return alt_count[0] / sum(firsts), "FORMAT/AU,CU,GU,TU (Strelka tier 1)"
        return None, ""


_PER_ALLELE = ("R", ".", "G")


def _as_tuple(value: Any) -> tuple[Any, ...] | None:
    if value is None:
        return None
    return value if isinstance(value, tuple) else (value,)


def _pick(value: Any, index: int) -> float | None:
    if isinstance(value, tuple):
        value = value[index] if len(value) > index else (value[0] if len(value) == 1 else None)
    return _as_float(value)


def _as_float(value: Any) -> float | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_readable(path: str) -> str:
    """Check the file exists; return its compression: ``bgzf``, ``gzip``, ``none`` or ``stdin``."""
    if path == "-":
        return "stdin"
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError("file not found", where=path, hint="check the path")
    if p.is_dir():
        raise InputNotFoundError("is a folder, not a file", where=path, hint="name a VCF file")
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise InputNotFoundError(f"cannot read: {exc.strerror}", where=path) from exc
    if head[:2] != b"\x1f\x8b":
        return "none"
    if head[12:14] == b"BC":
        _check_bgzf_eof(p)
        return "bgzf"
    return "gzip"


def _gunzip_pipe(path: str) -> tuple[str, threading.Thread]:
    """Stream a plain-gzip file (not bgzip) through a pipe that htslib reads like stdin.

    Memory stays flat; a decompression error is raised when the reader finishes.
    """
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def pump() -> None:
        try:
            with gzip.open(path, "rb") as src, os.fdopen(write_fd, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except BrokenPipeError:
            pass
        except (OSError, EOFError) as exc:  # truncated or corrupt gzip
            errors.append(exc)

    thread = threading.Thread(target=pump, name="tumorboard-gunzip", daemon=True)
    thread.errors = errors  # type: ignore[attr-defined]
    thread.start()
    return f"/dev/fd/{read_fd}", thread


_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _check_bgzf_eof(path: Path) -> None:
    """A bgzipped file must end with the BGZF EOF block; otherwise it is truncated."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if size < len(_BGZF_EOF):
            raise TruncatedInputError(
                f"truncated compressed file ({size} bytes)",
                where=str(path),
                hint="the file ends early: copy or download it again",
            )
        fh.seek(size - len(_BGZF_EOF))
        tail = fh.read()
        fh.seek(12)
        extra = fh.read(4)
    is_bgzf = extra[:2] == b"BC"
    if is_bgzf and tail != _BGZF_EOF:
        raise TruncatedInputError(
            "truncated bgzip file: the BGZF end-of-file marker is missing",
            where=str(path),
            hint="the file ends early (interrupted copy or download?); copy it again or "
            "re-run the caller",
        )


class VcfReader:
    """Stream a VCF/BCF as :class:`Alteration` objects (one per ALT allele) inside a panel.

    Use as a context manager; iterate once. ``qc`` holds the counters afterwards.
    ``panel`` needs ``contains(chrom, pos)``, ``genes_at(chrom, pos)``, ``genes``, ``regions()``
    and ``is_all`` (see :mod:`tumorboard.panels`); ``None`` means no restriction.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        panel: Any = None,
        sample: str | None = None,
        genome: str | None = None,
        include_filtered: bool = False,
        index: str = "auto",
        require_annotation: bool = True,
    ) -> None:
        self.path = str(path)
        self.name = "stdin" if self.path == "-" else Path(self.path).name
        self.include_filtered = include_filtered
        self.qc = QCCounter()
        self.compression = _check_readable(self.path)
        self._pump: threading.Thread | None = None
        self._pipe_fd: int | None = None
        source = self.path
        if self.compression == "gzip":
            source, self._pump = _gunzip_pipe(self.path)
            self._pipe_fd = int(source.rsplit("/", 1)[1])
            self.qc.warnings.append(
                "plain gzip input (not bgzip): streamed without an index; "
                "`bgzip` + `tabix` it for faster panel reads"
            )
        try:
            self._vf = pysam.VariantFile(source)
        except (OSError, ValueError, NotImplementedError) as exc:
            raise FormatError(
                f"not a readable VCF/BCF file ({exc})",
                where=self.path,
                hint="tumorboard annotate reads VCF, VCF.gz (bgzip) and BCF; check the file type",
            ) from exc
        header = self._vf.header
        self.samples = list(header.samples)
        self.sample, self.sample_rule = choose_sample(self.samples, header, sample)
        built, how = detect_build(header)
        if genome and built and genome != built:
            raise GenomeBuildError(
                f"--genome {genome} but the file is {built} (from {how})",
                where=self.path,
                hint=f"use --genome {built}, or lift the file over to {genome}",
            )
        self.genome = genome or built
        self.genome_source = "--genome" if genome else how
        self.annotation = _annotation_from_header(header)
        self.annotation_kind = (
            "VEP CSQ"
            if self.annotation and self.annotation.tag == "CSQ"
            else "SnpEff ANN"
            if self.annotation
            else "none"
        )
        if self.annotation is None and require_annotation:
            raise AnnotationError(
                "no VEP CSQ or SnpEff ANN annotation in the header",
                where=self.path,
                hint="annotate the VCF with VEP (--everything or --symbol --hgvs --canonical "
                "--mane) or SnpEff first",
            )
        self._values = _SampleValues(header, self.sample)
        self.used_index = False
        self._index_mode = index
        self.panel: Any = None
        self._panel_genes: frozenset[str] | None = None
        if panel is not None:
            self.restrict(panel)

    def restrict(self, panel: Any) -> None:
        """Keep only records inside ``panel`` (call before iterating; ``None``/all: no limit).

        Without a known genome build an annotated file is restricted by gene symbol instead of
        coordinates; an unannotated one needs the build.
        """
        if panel is None or getattr(panel, "is_all", False):
            self.panel, self._panel_genes = None, None
            return
        if self.genome is None:
            if self.annotation is None:
                raise GenomeBuildError(
                    "the header states no genome build (no ##reference, no contig lengths)",
                    where=self.path,
                    hint="pass --genome GRCh37 or --genome GRCh38",
                )
            self.qc.warnings.append(
                "genome build not stated in the header: the panel was applied by gene symbol "
                "instead of coordinates (pass --genome to restrict by position)"
            )
        self.panel = panel
        self._panel_genes = frozenset(panel.genes)

    def __enter__(self) -> VcfReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._vf.close()
        if self._pipe_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pipe_fd)
            self._pipe_fd = None

    def _check_pump(self) -> None:
        """Raise when the gzip decompression thread hit a truncated/corrupt file."""
        if self._pump is None:
            return
        self._pump.join(timeout=5)
        errors = getattr(self._pump, "errors", [])
        if errors:
            raise TruncatedInputError(
                f"the gzip file ends early or is corrupt ({errors[0]})",
                where=self.path,
                hint="copy the file again or re-run the caller",
            )

    # -- record sources ------------------------------------------------------------------------
    def _has_index(self) -> bool:
        if self.compression in ("stdin", "gzip"):
            return False
        return any(Path(self.path + ext).exists() for ext in (".tbi", ".csi")) or (
            self.path.endswith(".bcf") and Path(self.path + ".csi").exists()
        )

    def _records(self) -> Iterator[tuple[Any, bool]]:
        """Yield (record, in_panel_known) from a streamed or an indexed read."""
        by_coords = self.panel is not None and self.genome is not None
        want_index = self._index_mode != "never" and by_coords
        if self._index_mode == "require" and not self._has_index():
            raise IndexRequiredError(
                "no index (.tbi or .csi) beside the file",
                where=self.path,
                hint=f"index it with: tabix -p vcf {self.path} (or bcftools index)",
            )
        if want_index and self._has_index():
            self.used_index = True
            yield from self._fetch_regions()
            return
        contains = self.panel.contains if by_coords else None
        qc = self.qc
        for rec in self._vf:
            qc.records_read += 1
            if contains is not None and not contains(rec.chrom, rec.pos):
                continue
            yield rec, True

    def _fetch_regions(self) -> Iterator[tuple[Any, bool]]:
        assert self.panel is not None
        contigs = (
            set(self._vf.index) if self._vf.index is not None else set(self._vf.header.contigs)
        )
        qc = self.qc
        prev_chrom, prev_end = "", -1
        for chrom, start, end in self.panel.regions():
            name = _contig_in(chrom, contigs)
            if name is None:
                continue
            for rec in self._vf.fetch(name, start, end):
                qc.records_read += 1
                # a record overlapping two adjacent regions is yielded once
                if rec.start < start and name == prev_chrom and rec.start < prev_end:
                    continue
                yield rec, True
            prev_chrom, prev_end = name, end

    # -- iteration -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Alteration]:
        n = 0
        where = ""
        try:
            for rec, _ in self._records():
                n += 1
                where = f"{rec.chrom}:{rec.pos}"
                self.qc.records_in_panel += 1
                yield from self._alterations(rec)
            self._check_pump()
        except (OSError, ValueError) as exc:
            self._check_pump()
            raise self._read_error(exc, where) from exc

    def _read_error(self, exc: Exception, where: str) -> TumorBoardError:
        """Turn an htslib read failure into a clear error naming the record."""
        after = f" after {where}" if where else ""
        number = self.qc.records_read + 1
        text = str(exc)
        problem = None if self.used_index else diagnose_record(self.path, number)
        if problem is None and self.compression in ("bgzf", "gzip") and "truncat" in text.lower():
            return TruncatedInputError(
                f"the file ends early{after} ({text})",
                where=self.path,
                hint="copy the file again or re-run the caller",
            )
        return RecordError(
            f"malformed record{after}: {problem or text}",
            where=f"{self.path}: record {number}",
            hint="repair the record (missing values are written '.') or remove it; "
            "`bcftools view` shows where htslib stops",
        )

    def _alterations(self, rec: Any) -> Iterator[Alteration]:
        qc = self.qc
        filters = list(rec.filter.keys())
        filt = ";".join(filters) if filters else "PASS"
        passing = filt in ("PASS", ".")
        alts = rec.alts or ()
        if not alts:
            qc.skip("no ALT allele (reference-only record)", f"{rec.chrom}:{rec.pos}")
            return
        if not passing:
            qc.filtered += 1
            if not self.include_filtered:
                return
        ann = self.annotation
        values: Sequence[str] = ()
        vep_alleles: list[str] = list(alts)
        if ann is not None:
            raw = rec.info.get(ann.tag)
            values = raw if isinstance(raw, tuple) else ((raw,) if raw else ())
            if ann.tag == "CSQ":
                vep_alleles = _vep_alleles(rec.ref, alts)
        for i, alt in enumerate(alts):
            if alt == "*" or alt.startswith("<") or "[" in alt or "]" in alt:
                qc.skip(
                    "symbolic, breakend or spanning-deletion ALT (give structural variants "
                    "with --cnv / --fusions)",
                    f"{rec.chrom}:{rec.pos} {alt}",
                )
                continue
            a = Alteration(
                gene="",
                kind=MUTATION,
                chrom=rec.chrom,
                pos=rec.pos,
                ref=rec.ref,
                alt=alt,
                filter=filt,
                source=self.name,
                record=qc.records_read,
            )
            if ann is not None:
                entries = ann.entries_for(values, i, vep_alleles[i], alt)
                if not entries:
                    qc.skip(
                        f"no {ann.tag} entry for the ALT allele",
                        f"{rec.chrom}:{rec.pos} {rec.ref}>{alt}",
                    )
                    continue
                entry, rule = ann.choose(entries, self._panel_genes)
                ann.fill(a, entry, rule)
                if self._panel_genes is not None and a.gene not in self._panel_genes:
                    qc.skip("annotated gene not in the panel", f"{a.gene} {rec.chrom}:{rec.pos}")
                    continue
                qc.transcript_rules[rule] += 1
            else:
                a.annotated = False
                genes = self.panel.genes_at(rec.chrom, rec.pos) if self.panel is not None else []
                a.gene = genes[0] if genes else ""
                if len(genes) > 1:
                    a.notes.append("panel genes overlapping here: " + ", ".join(genes))
            a.vaf, a.depth, a.vaf_source = self._values.read(rec, i, alt)
            yield a


_COLUMNS = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")


def diagnose_record(path: str, number: int) -> str | None:
    """Say what is wrong with data line ``number`` (1-based) of a text VCF, if it can be told."""
    if path == "-" or path.endswith(".bcf"):
        return None
    try:
        opener = gzip.open if _check_readable(path) in ("gzip", "bgzf") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            seen = 0
            for line in fh:
                if line.startswith("#"):
                    continue
                seen += 1
                if seen == number:
                    return _describe_line(line.rstrip("\n"))
    except (OSError, EOFError, ValueError):
        return None
    return None


def _describe_line(line: str) -> str | None:
    cols = line.split("\t")
    where = f"{cols[0]}:{cols[1]}" if len(cols) > 1 else "(no position)"
    if len(cols) < 8:
        return f"{where} has {len(cols)} tab-separated columns, a VCF record needs at least 8"
    empty = [
        _COLUMNS[i] if i < len(_COLUMNS) else f"sample {i - 8}"
        for i, c in enumerate(cols)
        if c == ""
    ]
    if empty:
        return f"{where}: empty {', '.join(empty)} column(s) (VCF writes '.' for a missing value)"
    if not cols[1].isdigit():
        return f"POS {cols[1]!r} is not a number"
    for i, value in enumerate(cols[9:]):
        for part in value.split(":"):
            if ";" in part:
                return f"{where}: sample column {i + 1} has {part!r}, not a VCF value"
    return None


def _contig_in(chrom: str, contigs: set[str]) -> str | None:
    if chrom in contigs:
        return chrom
    bare = chrom[3:] if chrom.startswith("chr") else chrom
    for cand in (bare, "chr" + bare, "MT" if bare == "M" else "M", "chrM" if bare == "MT" else ""):
        if cand in contigs:
            return cand
    return None


__all__ = ["ANN_FIELDS", "VcfReader", "choose_sample", "detect_build"]
