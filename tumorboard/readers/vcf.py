"""Streaming VCF/BCF reader: the only module that imports pysam.

``VcfReader`` opens a VCF, bgzipped VCF, plain-gzip VCF, BCF, a pipe or ``-`` (stdin) and yields
one :class:`~tumorboard.alterations.Alteration` per ALT allele of each record inside the panel.
Memory stays flat: records are never collected, annotation is split only for records inside the
panel, and no pydantic model is built per record.

Rules (each recorded in the QC block):

* **Panel first.** With an index (.tbi/.csi) and a restricted panel, only the panel's regions are
  fetched; otherwise records outside the panel's intervals are dropped after reading CHROM/POS,
  before INFO, FORMAT or CSQ/ANN are touched.
* **Annotation.** VEP ``CSQ`` (field order from the header), SnpEff ``ANN`` or SnpEff ``EFF``;
  multi-allelic records are split per ALT and each ALT gets its own annotation entries
  (:mod:`tumorboard.readers.vcf_annotation`); the protein change comes from HGVS notation, else
  from VEP's/SnpEff's position and residue fields (``protein_source``).
* **Transcript.** MANE Select (the annotation's MANE field, or, when it has none, the bundled
  MANE Select ids in ``panels/mane_select.tsv``), else canonical, else the first protein-coding
  entry, else the first; entries of panel genes are preferred over overlapping non-panel genes.
* **Sample.** ``--sample``; else ``##tumor_sample=``; else the only sample; else one sample named
  like a tumour (``TUMOR``/``TUMOUR``, or a TCGA barcode with a tumour sample type) when the
  others look like normals; else an error listing the samples.
* **VAF** from FORMAT ``AF``, ``VF`` (Illumina), ``AD`` (Number=R), VarScan ``FREQ``/``RD``+``AD``,
  Strelka tier-1 base counts (``AU``/``CU``/``GU``/``TU``; ``TAR``/``TIR`` for indels);
  **depth** from FORMAT ``DP``, the sum of ``AD``, or INFO ``DP``. Values are range-checked
  (:mod:`tumorboard.readers.vcf_records`).
* **FILTER.** PASS (or ``.``) only, unless ``include_filtered``; those are kept and flagged.
* **Genome build** from the header (:mod:`tumorboard.readers.vcf_build`); when it names none,
  from the REF bases at the hotspot tables' positions; ``genome=`` is checked against either.
* **Bad files** (:mod:`tumorboard.readers.vcf_io`): truncation, stale indexes, non-UTF-8 text,
  devices and pipes.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pysam

from tumorboard import helper_process
from tumorboard.alterations import Alteration
from tumorboard.errors import (
    AnnotationError,
    FormatError,
    GenomeBuildError,
    IndexRequiredError,
    RecordError,
    SampleError,
    TruncatedInputError,
    TumorBoardError,
)
from tumorboard.models import RunOptions
from tumorboard.panels import Panel, contig_key
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.text import excerpt, head_bytes
from tumorboard.readers.vcf_annotation import ANN_FIELDS, Annotation, annotation_from_header
from tumorboard.readers.vcf_build import BuildGuard, detect_build
from tumorboard.readers.vcf_diagnose import diagnose_header, diagnose_record
from tumorboard.readers.vcf_fetch import Region, child_possible, read_regions
from tumorboard.readers.vcf_io import (
    STALE_HINT,
    Pump,
    check_index,
    compression,
    declared_contigs,
    index_counts,
    outside_record,
)
from tumorboard.readers.vcf_records import RecordParser, caller_status
from tumorboard.readers.vcf_samples import SampleValues, choose_sample, declared_tumour
from tumorboard.readers.vcf_stream import stream_records

pysam.set_verbosity(0)  # htslib's own stderr chatter: we report errors ourselves

_KINDS = {
    "CSQ": "VEP CSQ",
    "ANN": "SnpEff ANN",
    "EFF": "SnpEff EFF",
    "PAVE_TI": "Hartwig PAVE",
    "FUNCOTATION": "GATK Funcotator",
}
_UNREAD_ANNOTATIONS = {
    "BCSQ": "bcftools csq (INFO BCSQ)",
    "ANNOVAR_DATE": "ANNOVAR without a gene-based database (refGene, ensGene, knownGene)",
}
"""Annotations a header may carry that tumorboard does not read: said, never ignored silently."""


def _annotation_kind(annotation: Annotation | None) -> str:
    """``qc.annotation``: the annotation read (VEP under another INFO key named so)."""
    if annotation is None:
        return "none"
    if annotation.tag == "ANNOVAR":
        return f"ANNOVAR ({annotation.database})"
    if annotation.key != annotation.tag:
        return f"VEP (INFO {annotation.key})"
    return _KINDS[annotation.tag]


THREADED_MIN_BYTES = 4 << 20
"""A streamed bgzipped file this large (compressed) is decompressed by a second htslib thread;
a smaller one is read before the thread would pay for itself."""


def _refuse_germline(header: pysam.VariantHeader, path: str) -> None:
    """A germline call set is no tumour's: PURPLE's ``purple.germline.vcf.gz`` describes its
    FILTERs as "Germline variant has ..." (LOW_TUMOR_VCN, LOW_VAF). Read as somatic, its
    inherited variants (a common ERBB2 polymorphism) would be matched as the tumour's."""
    germline = [
        str(key)
        for key in header.filters
        if (header.filters[key].description or "").lower().startswith("germline variant")
    ]
    if germline:
        raise FormatError(
            f"a germline call set: its FILTERs describe germline variants ({', '.join(germline)})"
            ", not the tumour's somatic calls",
            where=path,
            hint="give the tumour's somatic VCF (Hartwig: purple.somatic.vcf.gz); a germline "
            "finding (BRCA1/2 for PARP inhibitors) is the germline report's, for the board to read",
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
        panel: Panel | None = None,
        sample: str | None = None,
        genome: str | None = None,
        include_filtered: bool = False,
        index: str = "auto",
        require_annotation: bool = True,
        helpers: bool | None = None,
    ) -> None:
        self.path = str(path)
        self.name = "stdin" if self.path == "-" else Path(self.path).name
        self.qc = QCCounter()
        self.compression = compression(self.path)
        self._pump: Pump | None = None
        self.decompress_threads = 1  # 2: a streamed read's second htslib thread (_streamed)
        source = self.path
        if self.compression in ("gzip", "stream"):
            gunzip = head_bytes(self.path, 2) == b"\x1f\x8b"
            self._pump = Pump(self.path, gunzip=gunzip)
            source = self._pump.source
            if self.compression == "gzip":
                self.qc.warnings.append(
                    "plain gzip input (not bgzip): streamed without an index; "
                    "`bgzip` + `tabix` it for faster panel reads"
                )
        self._identity = None  # the file's, for a streamed read's second handle (_streamed)
        if self.compression == "bgzf":
            with contextlib.suppress(OSError):
                self._identity = _identity(Path(self.path).stat())
        try:
            self._vf = pysam.VariantFile(source)
        except (OSError, ValueError, NotImplementedError) as exc:
            self._close_pump()
            if self._pump is not None:
                self._pump.finish()  # a truncated or corrupt gzip says so
            why = diagnose_header(self.path) if self._pump is None else None
            raise FormatError(
                f"not a readable VCF/BCF file: {why}"
                if why
                else f"not a readable VCF/BCF file ({excerpt(_without_path(str(exc)), 60)})",
                where=self.path,
                hint=_HEADER_HINT
                if why
                else "tumorboard annotate reads VCF, VCF.gz (bgzip) and BCF; check the file type",
            ) from exc
        try:
            self._read_header(sample, genome, require_annotation)
        except UnicodeDecodeError as exc:
            self.close()
            raise FormatError(
                f"the header holds bytes that are not UTF-8 text (byte {exc.start})",
                where=self.path,
                hint="VCF text is UTF-8: convert the file (iconv -f latin1 -t utf-8) or remove "
                "the offending header line",
            ) from None
        except TumorBoardError:
            self.close()
            raise
        self._parser = RecordParser(
            self.qc, self.annotation, self._values, self._column, self.name, include_filtered
        )
        if self._column > 0:  # a caller's somatic status is about the sample columns
            info = self._vf.header.info
            self._parser.status = caller_status({k: info[k].description or "" for k in info})
        self.used_index = False
        self._index_mode = index
        # a fetch child (vcf_fetch) and a decompression thread (_streamed); None: where
        # helper_process.available(), False: never, True: always (tests)
        self._helpers = helpers
        self.panel: Panel | None = None
        self._panel_genes: frozenset[str] | None = None
        self.call_set = ""
        self._fetched: Counter[str] = Counter()
        if panel is not None:
            self.restrict(panel)

    def _read_header(self, sample: str | None, genome: str | None, require: bool) -> None:
        header = self._vf.header
        str(header)  # every header line must be UTF-8 text (UnicodeDecodeError otherwise)
        _refuse_germline(header, self.path)
        self.contigs = [str(c) for c in header.contigs]
        self.samples = list(header.samples)
        declared = declared_tumour((str(r) for r in header.records), self.samples)
        try:
            self.sample, self.sample_rule = choose_sample(self.samples, declared, sample)
        except SampleError as exc:
            raise SampleError(exc.message, where=self.path, hint=exc.hint) from None
        try:
            built, how = detect_build(header)
        except GenomeBuildError as exc:
            raise GenomeBuildError(exc.message, where=self.path, hint=exc.hint) from None
        if genome and built and genome != built:
            raise GenomeBuildError(
                f"--genome {genome} but the file is {built} (from {how})",
                where=self.path,
                hint=f"use --genome {built}, or lift the file over to {genome}",
            )
        self.genome = genome or built
        self.genome_source = "--genome" if genome else how
        self._guard = BuildGuard() if built is None else None
        self.annotation = annotation_from_header(header)
        self.annotation_kind = _annotation_kind(self.annotation)
        unread = [name for key, name in _UNREAD_ANNOTATIONS.items() if key in header.info]
        if self.annotation is None and unread:
            self.qc.warnings.append(
                f"{self.name}: {' and '.join(unread)} annotation is not read (tumorboard reads "
                "VEP CSQ, SnpEff ANN/EFF, PAVE, Funcotator and ANNOVAR's gene-based columns): "
                "genes, consequences and protein changes come from coordinates only; annotate "
                "with VEP or SnpEff for gene-level and protein rules"
            )
        if self.annotation is None and require:
            raise AnnotationError(
                "no VEP CSQ, SnpEff ANN/EFF, PAVE, Funcotator or ANNOVAR annotation in the header",
                where=self.path,
                hint="annotate the VCF with VEP (--everything or --symbol --hgvs --canonical "
                "--mane) or SnpEff first",
            )
        self._values = SampleValues(header, self.sample)
        # the tumour sample's column in a record's text (0: no sample column)
        self._column = 9 + self.samples.index(self.sample) if self.sample else 0

    def restrict(self, panel: Panel | None) -> None:
        """Keep only records inside ``panel`` (call before iterating; ``None``/all: no limit).

        Without a known genome build an annotated file is restricted by gene symbol instead of
        coordinates; an unannotated one needs the build.
        """
        if panel is None or getattr(panel, "is_all", False):
            self.panel, self._panel_genes = None, None
            self._parser.panel, self._parser.panel_genes = None, None
            return
        if self.genome is None:
            if self.annotation is None:
                raise GenomeBuildError(
                    "the header states no genome build (no ##reference, no contig lengths)",
                    where=self.path,
                    hint="pass --genome GRCh37 or --genome GRCh38 (tumorboard then checks it "
                    "against the REF bases at its hotspot positions)",
                )
            self.qc.warnings.append(
                "genome build not stated in the header: the panel was applied by gene symbol "
                "instead of coordinates (pass --genome to restrict by position)"
            )
        self.panel = panel
        self._panel_genes = frozenset(panel.genes)
        self._parser.panel, self._parser.panel_genes = panel, self._panel_genes

    def __enter__(self) -> VcfReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _close_pump(self) -> None:
        if self._pump is not None:
            self._pump.close()

    def close(self) -> None:
        """Close the file (and the pump). htslib reports a failed close after a read error
        (a damaged block): the read error is what is reported, so that is not raised."""
        with contextlib.suppress(OSError):
            self._vf.close()
        self._close_pump()

    # -- record sources ------------------------------------------------------------------------
    def _index(self) -> str | None:
        """The index to read through (checked for staleness), if one is to be used."""
        index = None
        if self.compression == "bgzf" and self._index_mode != "never":
            index = check_index(self.path)
        if self._index_mode == "require" and index is None:
            raise IndexRequiredError(
                "no index (.tbi or .csi) beside the file",
                where=self.path,
                hint=f"index it with: tabix -p vcf {self.path} (or bcftools index)",
            )
        return index

    def _records(self) -> Iterator[pysam.VariantRecord | str]:
        """Yield the panel's records from a streamed or an indexed read."""
        by_coords = self.panel is not None and self.genome is not None
        index = self._index() if by_coords or self._index_mode == "require" else None
        if by_coords and index is not None:
            self.used_index = True
            yield from self._fetch_regions()
            self._guard_fetch()
            self._call_set_from_index(index)
            return
        see = self._guard.see if self._guard is not None else None
        records = self._streamed()
        yield from stream_records(records, self.qc, self.panel if by_coords else None, see)
        self._call_set_from_stream(by_coords)

    def _streamed(self) -> pysam.VariantFile:
        """What a streamed read iterates: for a large bgzipped file, where a helper may run
        (:func:`tumorboard.helper_process.available`), the file opened again with one htslib
        thread decompressing blocks ahead of the reading one (a 4M-record file: 7.3-7.5 s
        against 9.9-10.9 s), which replaces this reader's handle; else this reader's handle.

        It is opened through ``/dev/fd/N`` so that htslib loads no index (a streamed read uses
        none; a whole-genome file's costs 8 MB), and only when it is still the file whose header
        was read (same device, inode, size and modification time).
        """
        wanted = helper_process.available() if self._helpers is None else self._helpers
        if self._identity is None or not wanted:
            return self._vf
        try:
            if self._identity[2] < THREADED_MIN_BYTES:
                return self._vf
            fd = os.open(self.path, os.O_RDONLY)
            try:
                if _identity(os.fstat(fd)) != self._identity:  # replaced since it was opened
                    return self._vf
                threaded = pysam.VariantFile(f"/dev/fd/{fd}", threads=2)
            finally:
                os.close(fd)
        except (OSError, ValueError):
            return self._vf
        with contextlib.suppress(OSError):
            self._vf.close()
        self._vf, self.decompress_threads = threaded, 2
        return threaded

    def _file_contigs(self) -> dict[str, str]:
        """Style-free contig -> the file's own spelling, checked against the header."""
        index = self._vf.index
        names = [str(c) for c in (index if index is not None else self._vf.header.contigs)]
        declared = declared_contigs(self.path) if index is not None else []
        if declared and names and not set(names) & set(declared):
            raise IndexRequiredError(  # not one contig in common: the index is another file's
                f"the index names contigs the header does not ({', '.join(names[:3])}): "
                "it belongs to another file",
                where=self.path,
                hint=STALE_HINT,
            )
        return {contig_key(c): c for c in names}

    def _plan(self) -> list[Region]:
        """The panel's regions on the file's contigs (as the file spells them), in order."""
        assert self.panel is not None
        by_key = self._file_contigs()
        plan = []
        for chrom, start, end in self.panel.regions():
            name = by_key.get(contig_key(chrom))
            if name is not None:
                plan.append((name, start, end))
        return plan

    def _fetch_regions(self) -> Iterator[pysam.VariantRecord | str]:
        """The panel's records through the index; after the first ones, their text from a
        child process when one may read them (:mod:`tumorboard.readers.vcf_fetch`)."""
        use_child = self._helpers
        if use_child is None:
            use_child = child_possible(self._vf, self.compression)
        return read_regions(
            self._vf, pysam.VariantFile, self.path, self._plan(), self.qc, self._fetched, use_child
        )

    def _guard_fetch(self) -> None:
        """Indexed read without a header build: look at the hotspot positions themselves."""
        if self._guard is None:
            return
        by_key = self._file_contigs()
        for key, pos in self._guard.positions():
            name = by_key.get(key)
            if name is not None:
                for rec in self._vf.fetch(name, pos - 1, pos):
                    self._guard.see(rec.chrom, rec.pos, rec.ref or "", rec)

    def _call_set_from_stream(self, by_coords: bool) -> None:
        qc = self.qc
        if not by_coords:
            self.call_set = "no panel restriction by position: the footprint the calls cover is "
            self.call_set += "unknown"
        elif qc.outside_panel:
            self.call_set = (
                f"{qc.outside_panel} of {qc.records_read} records lie outside the panel's "
                "targets: not the panel's own call set (whole exome or genome?)"
            )
        else:
            self.call_set = "panel"

    def _call_set_from_index(self, index: str) -> None:
        """Whether the file holds records outside the fetched regions: a few gaps between the
        regions are probed; when they are empty, the index's own record counts tell (and an
        index pointing past the end of the file shows it indexes another file)."""
        assert self.panel is not None  # an indexed read fetches the panel's regions
        found = outside_record(self._vf, self.panel, self._file_contigs())
        if found:
            self.call_set = (
                f"records lie outside the panel's targets (e.g. {found}): not the panel's own "
                "call set (whole exome or genome?)"
            )
            return
        counts = index_counts(index, self.contigs)
        if counts is None:
            self.call_set = "the index could not be read for its record counts"
            return
        size = Path(self.path).stat().st_size
        for name, n, end in counts:
            if end > size:
                raise IndexRequiredError(
                    f"the index points past the end of the file (contig {excerpt(name, 20)}): "
                    "it indexes another file",
                    where=self.path,
                    hint=STALE_HINT,
                )
            if n > self._fetched.get(name, 0):
                self.call_set = (
                    f"the index counts records on {name} outside the panel's targets: not the "
                    "panel's own call set (whole exome or genome?)"
                )
                return
        self.call_set = "panel"

    # -- iteration -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Alteration]:
        for found in self._parsed():
            yield from found

    def read_all(self) -> list[Alteration]:
        """Every alteration (what iterating gives), as one list."""
        out: list[Alteration] = []
        for found in self._parsed():
            out += found
        return out

    def _parsed(self) -> Iterator[list[Alteration]]:
        """Each record's alterations (a list per record that has any)."""
        last: pysam.VariantRecord | str | None = None  # the last record read (named in errors)
        qc = self.qc
        parse = self._parser.parse
        try:
            for rec in self._records():  # records, or their text (from vcf_fetch's child)
                last = rec
                try:
                    found = parse(rec if rec.__class__ is str else str(rec), qc.records_read)
                except (IndexError, KeyError, TypeError, ValueError) as exc:
                    chrom, pos = _chrom_pos(rec)
                    raise RecordError(
                        f"malformed record at {excerpt(chrom, 20)}:{pos}: {excerpt(str(exc), 60)}",
                        where=f"{self.path}: record {qc.records_read}",
                        hint="check the record's FORMAT and sample columns (`bcftools view`)",
                    ) from exc
                if found:
                    yield found
        except UnicodeDecodeError as exc:
            self.close()
            raise RecordError(
                f"a record holds bytes that are not UTF-8 text (byte {exc.start})",
                where=f"{self.path}: record {qc.records_read}",
                hint="VCF text is UTF-8: convert the file (iconv) or remove the record",
            ) from None
        except (OSError, ValueError) as exc:
            self.close()  # htslib's end of the pipe too: the pump stops at once
            if self._pump is not None and self._pump.errors:
                self._pump.finish()
            raise self._read_error(
                exc, "{}:{}".format(*_chrom_pos(last)) if last is not None else ""
            ) from exc
        if self._pump is not None:
            self._pump.finish()
        self._settle_build()
        if self._values.undeclared:
            keys = ", ".join(sorted(self._values.undeclared))
            self.qc.warnings.append(
                f"{self.name}: VAF and depth read from FORMAT {keys}, which the header does not "
                "declare (a merged file's header may lack them)"
            )

    def _settle_build(self) -> None:
        """After the last record: what the data say about the build (see vcf_build)."""
        guard = self._guard
        if guard is None:
            return
        claimed = self.genome
        build, seen, against = guard.verdict(claimed)
        if against:
            raise GenomeBuildError(
                f"--genome {claimed} contradicts the data: {against}",
                where=self.path,
                hint=f"check the file's build; use the other --genome, or lift the file over "
                f"to {claimed}",
            )
        if claimed is None and build is not None:
            self.genome, self.genome_source = build, f"REF bases at hotspot positions ({seen})"
        elif claimed is None or not guard.evidence[claimed].agree:
            what = f"confirm --genome {claimed}" if claimed else "tell which it is"
            self.qc.warnings.append(
                f"{self.name}: the header names no genome build and the data cannot {what} "
                f"({guard.seen} REF base(s) at hotspot positions; {seen})"
            )

    def _read_error(self, exc: Exception, where: str) -> TumorBoardError:
        """Turn an htslib read failure into a clear error naming the record."""
        after = f" after {where}" if where else ""
        number = self.qc.records_read + 1
        text = excerpt(str(exc), 80)
        if self.used_index:
            return IndexRequiredError(
                f"reading through the index failed{after} ({text})",
                where=self.path,
                hint=f"the index may be stale or belong to another file: {STALE_HINT}",
            )
        streamed = self.compression in ("stream", "stdin")
        problem = None if streamed else diagnose_record(self.path, number)
        damaged = problem is None and "truncat" in text.lower()
        if damaged and self.compression == "bgzf":  # its end-of-file block was checked: present
            return FormatError(
                f"a compressed block cannot be read{after} ({text}): the file is damaged",
                where=self.path,
                hint="copy the file again; `bgzip -t FILE` tests every block",
            )
        if damaged and self.compression == "gzip":
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


_HEADER_HINT = (
    "a VCF starts with its ##fileformat line, and its #CHROM line and records are tab-separated "
    "(VCF 4.2 specification, section 1); remove lines a program wrote above the header"
)


def _without_path(message: str) -> str:
    """pysam's open error without the file name it repeats (``invalid file `b'...'` (mode=...)``),
    so the short excerpt shows the reason."""
    return re.sub(r"`b'[^']*'`", "", message).replace("invalid file  (mode=`b'r'`) - ", "")


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _chrom_pos(rec: pysam.VariantRecord | str) -> tuple[str, object]:
    """CHROM and POS of a record, or of its text."""
    if isinstance(rec, str):
        cols = rec.split("\t", 2)
        return cols[0], cols[1] if len(cols) > 1 else "?"
    return rec.chrom, rec.pos


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
        helpers=None if options.helpers else False,
    ) as reader:
        reader.restrict(load_panel(options.panel, reader.genome))
        yield reader


def read_vcf(path: str, options: RunOptions, panel: Panel | None = None) -> ReadResult:
    """Read one VCF/BCF fully into a :class:`ReadResult` (the panel follows the file's build).

    ``panel`` is not used: a VCF states its own genome build, and the panel is loaded for it.
    """
    with open_vcf(path, options) as reader:
        alterations = reader.read_all()
        tag = reader.annotation.key if reader.annotation else "annotation"
        for note in (
            reader._parser.not_somatic_note(reader.name),
            reader._parser.no_protein_note(reader.name, tag),
        ):
            if note:
                reader.qc.not_assessable.append(note)
        return ReadResult(
            kind="vcf",
            path=str(path),
            alterations=alterations,
            qc=reader.qc,
            sample=reader.sample,
            sample_rule=reader.sample_rule,
            genome=reader.genome,
            annotation=reader.annotation_kind,
            used_index=reader.used_index,
            call_set=reader.call_set,
        )


__all__ = ["ANN_FIELDS", "VcfReader", "choose_sample", "detect_build", "open_vcf", "read_vcf"]
