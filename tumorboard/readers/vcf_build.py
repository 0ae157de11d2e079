"""Which genome build a VCF is on: from its header, else from its data.

**Header.** Contig lengths first (the most reliable fingerprint: every primary chromosome has a
different length on GRCh37 and GRCh38; mitochondria are left out, hg19's ``chrM`` differs from
both), then ``##reference``/``##assembly`` names (``GRCh38``, ``hg19``, ``b37``...). Contigs
whose lengths fit both builds at once, or contradict the header's own reference name, are an
error naming them.

**Data** (:class:`BuildGuard`, used only when the header names no build): the reference bases
the hotspot tables know (about a hundred positions per build, in the genes tumorboard matches
by coordinate) are compared with the REF of every record read at those positions, and POS is
compared with each build's chromosome lengths. A record at a build's hotspot position whose REF
is that build's base is evidence *for* the build; a different REF (or a POS past the end of a
chromosome) is evidence *against* it. The verdict (:meth:`BuildGuard.verdict`):

* ``--genome`` B is contradicted when a REF disagrees with B where B's base is known, or a POS
  lies beyond B's chromosome, or (while no record confirms B) a record is a hotspot allele of
  the other build at that build's position (BRAF V600E at its GRCh37 coordinate: a coincidence
  needs the same position, REF and ALT), or two records carry the other build's reference
  bases at its hotspot positions: an error naming the evidence;
* without ``--genome``, a build is taken from the data when only it has evidence for it and
  none against;
* anything less is inconclusive, and the reader says so in ``qc.warnings``.

A GRCh37 file read with ``--genome GRCh38`` is usually caught by its own hotspot variants (the
calls a tumour board cares about); a file with no record at any hotspot position and no contig
lengths cannot be checked, and the warning says that. Facts and sources: docs/domain.md §11.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tumorboard.errors import GenomeBuildError

if TYPE_CHECKING:
    from pysam import VariantHeader, VariantRecord

BUILDS = ("GRCh37", "GRCh38")
CONTIG_LENGTHS: dict[str, dict[str, int]] = {
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}  # fmt: skip
"""Primary chromosome lengths (GRC assembly reports; the same in every GRCh37/hg19 and
GRCh38/hg38 flavour)."""
_BUILD_PATTERNS = (
    (re.compile(r"grch38|hg38|b38|hs38|GCA_000001405\.15", re.I), "GRCh38"),
    (re.compile(r"grch37|hg19|b37|hs37|human_g1k_v37|GCA_000001405\.1\b", re.I), "GRCh37"),
)
# a build named outright (not a short token that a path or a hash may hold by chance)
_NAMED = re.compile(r"(?<![a-z0-9])(grch3[78]|hg19|hg38)(?![0-9])", re.I)


def _key(chrom: str) -> str:
    from tumorboard.panels import contig_key

    return contig_key(chrom)


def _by_lengths(header: VariantHeader | _TextHeader) -> tuple[str | None, str]:
    votes: dict[str, list[str]] = {b: [] for b in BUILDS}
    foreign: list[str] = []  # primary chromosomes whose length is neither build's
    for key, contig in header.contigs.items():
        name, length = str(key), contig.length  # pysam's stubs allow an int key
        primary = _key(name)
        if not length or primary not in CONTIG_LENGTHS["GRCh38"]:
            continue
        fits = [b for b in BUILDS if CONTIG_LENGTHS[b].get(primary) == length]
        for build in fits:
            votes[build].append(name)
        if not fits and primary != "MT":
            foreign.append(f"{name} {length:,}")
    found = [b for b in BUILDS if votes[b]]
    if not found and foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise GenomeBuildError(
            f"the header's chromosome lengths are neither GRCh37's nor GRCh38's ({shown})",
            hint="the file was called on another reference (T2T-CHM13, another species?); "
            "tumorboard's coordinates are GRCh37 or GRCh38: lift the calls over first",
        )
    if len(found) > 1:
        raise GenomeBuildError(
            "the header's contig lengths are of both builds: "
            + "; ".join(f"{b}: {', '.join(votes[b][:3])}" for b in BUILDS),
            hint="the header mixes GRCh37 and GRCh38 contigs: re-header the file with the "
            "reference it was called on (bcftools reheader --fai ref.fa.fai)",
        )
    if not found:
        return None, ""
    names = votes[found[0]]
    more = f" and {len(names) - 2} more" if len(names) > 2 else ""
    return found[0], f"contig lengths ({', '.join(names[:2])}{more})"


def detect_build(header: VariantHeader | _TextHeader) -> tuple[str | None, str]:
    """Genome build from a pysam header (or its ``##`` lines, :func:`build_from_meta`):
    (``GRCh37``/``GRCh38``/None, how it was found)."""
    build, how = _by_lengths(header)
    for rec in header.records:
        if rec.key in ("reference", "assembly") and rec.value:
            for pattern, named in _BUILD_PATTERNS:
                if pattern.search(rec.value):
                    if build and named != build:
                        if not _NAMED.search(rec.value):
                            return build, how  # a chance token: the lengths decide
                        raise GenomeBuildError(
                            f"the header's ##{rec.key} names {named} but its {how} are {build}",
                            hint="check which reference the file was called on and fix its "
                            "header (bcftools reheader)",
                        )
                    return build or named, how or f"##{rec.key}={rec.value[:60]}"
    return build, how


@dataclass(slots=True)
class _Evidence:
    agree: int = 0
    disagree: int = 0
    beyond: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    alleles: list[str] = field(default_factory=list)
    """Records that are hotspot alleles of this build at its own coordinates."""


class BuildGuard:
    """Collects data evidence for the build of a file whose header names none."""

    def __init__(self) -> None:
        from tumorboard.hotspots import HotspotTable

        self.facts: dict[tuple[str, int], list[tuple[str, str]]] = {}
        self.tables = {b: HotspotTable.load(b) for b in BUILDS}
        for build in BUILDS:
            for where, base in self.tables[build].reference_bases().items():
                self.facts.setdefault(where, []).append((build, base))
        self.evidence = {b: _Evidence() for b in BUILDS}
        self.seen = 0
        self._keys: dict[str, str] = {}
        self._limits: dict[str, tuple[int, int]] = {
            k: (CONTIG_LENGTHS["GRCh37"][k], CONTIG_LENGTHS["GRCh38"][k])
            for k in CONTIG_LENGTHS["GRCh37"]
        }

    def positions(self) -> list[tuple[str, int]]:
        """(style-free contig, position) of every known base (for indexed reads)."""
        return sorted(self.facts)

    def see(self, chrom: str, pos: int, ref: str, record: VariantRecord | None = None) -> None:
        """Compare one record's REF and POS with what each build says (``record``: its ALTs
        are read only at a hotspot position)."""
        key = self._keys.get(chrom)
        if key is None:
            key = self._keys[chrom] = _key(chrom)
        limits = self._limits.get(key)
        if limits is not None and pos > min(limits):
            for build, limit in zip(BUILDS, limits, strict=True):
                if pos > limit and len(self.evidence[build].beyond) < 3:
                    self.evidence[build].beyond.append(f"{chrom}:{pos}")
        facts = self.facts
        hit = False
        for i, base in enumerate(ref):
            known = facts.get((key, pos + i))
            if known is None:
                continue
            hit = True
            self.seen += 1
            for build, expected in known:
                ev = self.evidence[build]
                if base.upper() == expected:
                    ev.agree += 1
                else:
                    ev.disagree += 1
                    if len(ev.examples) < 3:
                        ev.examples.append(f"{chrom}:{pos + i} REF {base!r}, {build} {expected!r}")
        if hit and record is not None:
            self._alleles(chrom, pos, ref, record)

    def _alleles(self, chrom: str, pos: int, ref: str, record: VariantRecord) -> None:
        for alt in record.alts or ():
            for build, table in self.tables.items():
                found = table.lookup(chrom, pos, ref, alt)
                if found is not None and len(self.evidence[build].alleles) < 3:
                    gene, change, _ = found
                    self.evidence[build].alleles.append(
                        f"{chrom}:{pos} {ref}>{alt} is {gene} {change} at its {build} position"
                    )

    def _against(self, build: str, other: str) -> str:
        """Why the data contradict ``build`` (``""``: they do not)."""
        ev, alt = self.evidence[build], self.evidence[other]
        if ev.beyond:
            return f"POS past the end of the {build} chromosome ({', '.join(ev.beyond)})"
        if ev.disagree and not ev.agree:
            return (
                f"{ev.disagree} REF base(s) at {build} hotspot positions differ from the "
                f"{build} reference ({'; '.join(ev.examples)})"
            )
        if alt.alleles and not ev.agree and not alt.disagree:
            return f"{'; '.join(alt.alleles)}, and no record confirms {build}"
        if alt.agree >= 2 and not ev.agree and not alt.disagree:
            return (
                f"{alt.agree} REF base(s) at {other} hotspot positions match {other} and none "
                f"at a {build} hotspot position matches {build}"
            )
        return ""

    def verdict(self, claimed: str | None) -> tuple[str | None, str, str]:
        """(build the data show or ``None``, what was seen, contradiction of ``claimed`` or
        ``""``)."""
        summary = "; ".join(
            f"{b}: {e.agree} hotspot REF base(s) agree, {e.disagree} differ"
            for b, e in self.evidence.items()
        )
        if claimed is not None:
            other = BUILDS[1 - BUILDS.index(claimed)]
            return None, summary, self._against(claimed, other)
        fits = [
            b
            for b in BUILDS
            if self.evidence[b].agree and not self._against(b, BUILDS[1 - BUILDS.index(b)])
        ]
        return (fits[0] if len(fits) == 1 else None), summary, ""


@dataclass(slots=True)
class _Contig:
    length: int | None


@dataclass(slots=True)
class _Meta:
    key: str
    value: str


@dataclass(slots=True)
class _TextHeader:
    """The parts of a VCF header :func:`detect_build` reads, from its ``##`` lines as text (the
    readers that parse VCFs as text: copy-number and breakend VCFs)."""

    contigs: dict[str, _Contig] = field(default_factory=dict)
    records: list[_Meta] = field(default_factory=list)


_CONTIG_ID = re.compile(r"[<,]ID=([^,>]+)")
_CONTIG_LENGTH = re.compile(r"[<,]length=([0-9]+)[,>]")


def build_from_meta(lines: list[str]) -> tuple[str | None, str]:
    """:func:`detect_build` for a header given as its ``##`` lines (text)."""
    header = _TextHeader()
    for line in lines:
        key, _, value = line[2:].partition("=")
        if key == "contig":
            name, length = _CONTIG_ID.search(value), _CONTIG_LENGTH.search(value)
            if name:
                header.contigs[name.group(1)] = _Contig(int(length.group(1)) if length else None)
        elif key in ("reference", "assembly"):
            header.records.append(_Meta(key, value))
    return detect_build(header)


def build_from_sam(lines: list[str]) -> tuple[str | None, str]:
    """:func:`detect_build` for a SAM-style header (GATK's copy-number tables): its ``@SQ``
    lines' ``SN`` (name) and ``LN`` (length), and ``AS`` (assembly) as the assembly's name."""
    header = _TextHeader()
    for line in lines:
        if not line.startswith("@SQ"):
            continue
        tags = dict(t.split(":", 1) for t in line.rstrip("\r\n").split("\t")[1:] if ":" in t)
        name, length = tags.get("SN"), tags.get("LN", "")
        if name:
            header.contigs[name] = _Contig(int(length) if length.isdecimal() else None)
        if tags.get("AS") and not any(m.value == tags["AS"] for m in header.records):
            header.records.append(_Meta("assembly", tags["AS"]))
    build, how = detect_build(header)
    return build, how.replace("contig lengths", "@SQ lengths").replace("##assembly", "@SQ AS")


__all__ = [
    "BUILDS",
    "CONTIG_LENGTHS",
    "BuildGuard",
    "build_from_meta",
    "build_from_sam",
    "detect_build",
]
