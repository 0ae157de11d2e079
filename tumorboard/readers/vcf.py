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
* **Transcript.** MANE Select (the annotation's MANE field, or, when it has none, the bundled
  MANE Select ids in ``panels/mane_select.tsv``), else canonical, else the first protein-coding
  entry, else the first; entries of panel genes are preferred over overlapping non-panel genes.
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
from sys import intern
from types import TracebackType
from typing import Any

import pysam

from tumorboard.alterations import (
    MUTATION,
    Alteration,
)
from tumorboard.errors import (
    AnnotationError,
    FormatError,
    GenomeBuildError,
    IndexRequiredError,
    InputNotFoundError,
    RecordError,
    TruncatedInputError,
    TumorBoardError,
)
from tumorboard.models import RunOptions
from tumorboard.panels import Panel, contig_key
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.text import check_file, info_value
from tumorboard.readers.vcf_annotation import ANN_FIELDS, annotation_from_header, vep_alleles
from tumorboard.readers.vcf_diagnose import diagnose_record
from tumorboard.readers.vcf_samples import SampleValues, choose_sample

pysam.set_verbosity(0)  # htslib's own stderr chatter: we report errors ourselves

# Chromosome 1 length per build: the most reliable build fingerprint in a header.
_CHR1_LENGTH = {248956422: "GRCh38", 249250621: "GRCh37"}
_BUILD_PATTERNS = (
    (re.compile(r"grch38|hg38|b38|hs38|GCA_000001405\.15", re.I), "GRCh38"),
    (re.compile(r"grch37|hg19|b37|hs37|human_g1k_v37|GCA_000001405\.1\b", re.I), "GRCh37"),
)


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


def _check_readable(path: str) -> str:
    """Check the file exists; return its compression: ``bgzf``, ``gzip``, ``none`` or ``stdin``."""
    if path == "-":
        return "stdin"
    p = check_file(path)
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
        self.annotation = annotation_from_header(header)
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
        self._values = SampleValues(header, self.sample)
        # the tumour sample's column in a record's text (0: no sample column)
        self._column = 9 + self.samples.index(self.sample) if self.sample else 0
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

    def _records(self) -> Iterator[Any]:
        """Yield the panel's records from a streamed or an indexed read."""
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
                qc.outside_panel += 1
                continue
            yield rec

    def _fetch_regions(self) -> Iterator[Any]:
        assert self.panel is not None
        index = self._vf.index
        contigs = {str(c) for c in (index if index is not None else self._vf.header.contigs)}
        qc = self.qc
        prev_chrom, prev_end = "", -1
        by_key = {contig_key(c): c for c in contigs}  # the file's own spelling of each contig
        for chrom, start, end in self.panel.regions():
            name = by_key.get(contig_key(chrom))
            if name is None:
                continue
            for rec in self._vf.fetch(name, start, end):
                # a record overlapping two adjacent regions is read (and counted) once
                if rec.start < start and name == prev_chrom and rec.start < prev_end:
                    continue
                qc.records_read += 1
                yield rec
            prev_chrom, prev_end = name, end

    # -- iteration -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Alteration]:
        last: Any = None  # the last record read (named in errors)
        qc = self.qc
        alterations = self._alterations
        try:
            for rec in self._records():
                last = rec
                try:
                    found = alterations(rec)
                except (IndexError, KeyError, TypeError, ValueError) as exc:
                    raise RecordError(
                        f"malformed record at {rec.chrom}:{rec.pos}: {exc}",
                        where=f"{self.path}: record {qc.records_read}",
                        hint="check the record's FORMAT and sample columns (`bcftools view`)",
                    ) from exc
                yield from found
            self._check_pump()
        except (OSError, ValueError) as exc:
            self._check_pump()
            raise self._read_error(
                exc, f"{last.chrom}:{last.pos}" if last is not None else ""
            ) from exc

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

    def _alterations(self, rec: Any) -> list[Alteration]:
        """The record's alterations, one per ALT allele kept (a list: cheaper than a generator).

        The record is read as text (htslib formats the record it parsed and checked): splitting
        strings is several times cheaper than pysam's per-field accessors.
        """
        out: list[Alteration] = []
        cols = str(rec).rstrip("\n").split("\t")
        qc = self.qc
        filt = cols[6]
        if filt == ".":
            filt = "PASS"
        chrom, pos, ref = intern(cols[0]), int(cols[1]), cols[3]
        if cols[4] == ".":
            qc.skip("no ALT allele (reference-only record)", f"{chrom}:{pos}")
            return out
        if filt != "PASS":
            qc.filtered += 1
            if not self.include_filtered:
                return out
            filt = intern(filt)
        alts = cols[4].split(",")
        info = cols[7]
        # a record may leave out FORMAT and the sample columns (htslib accepts it): no values
        fmt, column = (cols[8], cols[self._column]) if len(cols) > self._column > 0 else ("", "")
        n_alleles = len(alts) + 1
        ann = self.annotation
        values: Sequence[str] = ()
        allele_strings: Sequence[str] = alts
        if ann is not None:
            raw = info_value(info, ann.tag)
            values = raw.split(",") if raw else ()
            if ann.tag == "CSQ" and (len(alts) > 1 or ann.i_allele_num is not None):
                allele_strings = vep_alleles(ref, alts)  # one ALT: every entry is its own
        for i, alt in enumerate(alts):
            if alt == "*" or alt[0] == "<" or "[" in alt or "]" in alt:
                qc.skip(
                    "symbolic, breakend or spanning-deletion ALT (give structural variants "
                    "with --cnv / --fusions)",
                    f"{chrom}:{pos} {alt}",
                )
                continue
            a = Alteration("", MUTATION, chrom, pos, ref, alt)
            a.filter = filt
            a.source = self.name
            a.record = qc.records_read
            if ann is not None:
                entries = ann.entries_for(values, i, allele_strings[i], alt, len(alts))
                if not entries:
                    qc.skip(f"no {ann.tag} entry for the ALT allele", f"{chrom}:{pos} {ref}>{alt}")
                    continue
                entry, rule = ann.choose(entries, self._panel_genes)
                ann.fill(a, entry, rule)
                if self._panel_genes is not None and a.gene not in self._panel_genes:
                    qc.skip("annotated gene not in the panel", f"{a.gene} {chrom}:{pos}")
                    continue
                qc.transcript_rules[rule] += 1
            else:
                a.annotated = False
                genes = self.panel.genes_at(chrom, pos) if self.panel is not None else []
                a.gene = genes[0] if genes else ""
                if len(genes) > 1:
                    a.notes.append("panel genes overlapping here: " + ", ".join(genes))
            a.vaf, a.depth, a.vaf_source = self._values.read(
                fmt, column, info, ref, alt, i, n_alleles
            )
            out.append(a)
        return out


@contextlib.contextmanager
def open_vcf(path: str | Path, options: RunOptions) -> Iterator[VcfReader]:
    """Open a VCF restricted to the options' panel (for the file's own genome build).

    Yields the reader; iterate it once. Unannotated files are read too: their variants meet the
    catalog through the hotspot table (:mod:`tumorboard.hotspots`).
    """
    from tumorboard.panels import load_panel

    with VcfReader(
        path,
        sample=options.sample,
        genome=options.genome,
        include_filtered=options.include_filtered,
        index=options.index,
        require_annotation=False,
    ) as reader:
        reader.restrict(load_panel(options.panel, reader.genome))
        yield reader


def read_vcf(path: str, options: RunOptions, panel: Panel | None = None) -> ReadResult:
    """Read one VCF/BCF fully into a :class:`ReadResult` (the panel follows the file's build).

    ``panel`` is not used: a VCF states its own genome build, and the panel is loaded for it.
    """
    with open_vcf(path, options) as reader:
        return ReadResult(
            kind="vcf",
            path=str(path),
            alterations=list(reader),
            qc=reader.qc,
            sample=reader.sample,
            sample_rule=reader.sample_rule,
            genome=reader.genome,
            annotation=reader.annotation_kind,
            used_index=reader.used_index,
        )


__all__ = ["ANN_FIELDS", "VcfReader", "choose_sample", "detect_build", "open_vcf", "read_vcf"]
