"""Tumour-sample choice and per-caller VAF / depth conventions for VCF records.

Works on a record's text columns (and the pysam header by duck typing) so that only
:mod:`tumorboard.readers.vcf` imports pysam.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from tumorboard.errors import SampleError
from tumorboard.readers.text import info_value

if TYPE_CHECKING:
    from pysam import VariantHeader

_TCGA_BARCODE = re.compile(r"^TCGA-\w\w-\w{4}-(\d\d)")
_TUMOR_NAME = re.compile(r"(^|[^A-Za-z])(tumou?r|TUMOU?R|Tumou?r)([^A-Za-z]|$)")
_NORMAL_NAME = re.compile(r"(^|[^A-Za-z])(normal|NORMAL|Normal|germline|GERMLINE)([^A-Za-z]|$)")


_META_VALUE = r"=\"?([^,>\"\s]+)"
_SAMPLE_ID = re.compile(r"[<,]ID" + _META_VALUE)
_GENOMES = re.compile(r"[<,]Genomes=\"?([^,>\"]+)")
_DERIVED = re.compile(r"[<,]Derived" + _META_VALUE)
_RGSM_TUMOR = re.compile(r"--RGSM-tumor[= ]+['\"]?([^\s'\",>]+)")


def declared_tumour(lines: Iterable[str], samples: Sequence[str]) -> tuple[str, str] | None:
    """The tumour sample a VCF header names, and which line names it (``None``: none does).

    In this order, each only when it names exactly one of ``samples``: ``##tumor_sample=``
    (GATK Mutect2); ``##SAMPLE=<ID=...,Genomes=...Tumor...>`` and ``##PEDIGREE=<Derived=T,
    Original=N>`` (the VCF specification's sample and pedigree lines: a tumour genome, a tumour
    derived from the normal); DRAGEN's command line ``--RGSM-tumor NAME``.
    """
    found: dict[str, list[str]] = {"tumor": [], "sample": [], "pedigree": [], "dragen": []}
    for line in lines:
        body = line.rstrip("\n")
        if body.startswith("##tumor_sample="):
            found["tumor"].append(body[15:].strip())
        elif body.startswith("##SAMPLE=<"):
            sid, genomes = _SAMPLE_ID.search(body), _GENOMES.search(body)
            kinds = {g.strip().lower() for g in genomes.group(1).split(";")} if genomes else set()
            if sid and kinds & {"tumor", "tumour"}:
                found["sample"].append(sid.group(1))
        elif body.startswith("##PEDIGREE=<"):
            derived = _DERIVED.search(body)
            if derived:
                found["pedigree"].append(derived.group(1))
        elif body.startswith("##DRAGENCommandLine="):
            found["dragen"].extend(_RGSM_TUMOR.findall(body))
    rules = {
        "tumor": "##tumor_sample header",
        "sample": "##SAMPLE header (Genomes=Tumor)",
        "pedigree": "##PEDIGREE header (Derived)",
        "dragen": "DRAGEN command line (--RGSM-tumor)",
    }
    for key, rule in rules.items():
        named = {n for n in found[key] if n in samples}
        if len(named) == 1:
            return named.pop(), rule
    return None


def choose_sample(
    samples: Sequence[str], declared: tuple[str, str] | None, requested: str | None
) -> tuple[str, str]:
    """Choose the tumour sample column: returns (sample name, rule). ``declared`` is the
    sample the header names and the line naming it (:func:`declared_tumour`)."""
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
    if declared is not None and declared[0] in samples:
        return declared
    if len(samples) == 1:
        return samples[0], "only sample"
    tumours = [s for s in samples if _looks_tumour(s)]
    others = [s for s in samples if s not in tumours]
    if len(tumours) == 1 and all(_looks_normal(s) for s in others):
        return tumours[0], "sample named as tumour (others named as normal)"
    paired = paired_names(samples)
    likely = (
        f" (the names read as a tumour/normal pair: --sample {paired[0]} if so; names alone "
        "are not taken as proof)"
        if paired is not None
        else ""
    )
    raise SampleError(
        f"cannot tell which sample is the tumour; samples: {listed}",
        hint=f"pass --sample NAME{likely}",
    )


_TUMOUR_MARK = re.compile(r"[-_.]?(t|tumou?r)", re.IGNORECASE)
_NORMAL_MARK = re.compile(r"[-_.]?(r|n|b|g|bl|ref|normal|germline|blood)", re.IGNORECASE)
_NORMAL_TAIL = re.compile(r"[-_.](r|n|bl|ref|normal|germline|blood|match|matched)", re.IGNORECASE)


def paired_names(samples: Sequence[str]) -> tuple[str, str] | None:
    """The tumour of two samples named as a tumour/normal pair, with the rule, or ``None``
    (a suggestion for the error's hint: names alone do not choose the tumour's column).

    The names must differ in one place only: a tumour mark against a normal one (Hartwig's
    ``COLO829v003T``/``COLO829v003R``, ``DO52605T.bam``/``DO52605R.bam``; ``P1_T1``/``P1_N1``),
    or nothing against a normal suffix (Manta's ``HCC1954``/``HCC1954_BL``, VarDict's
    ``abc``/``abc-match``).
    """
    if len(samples) != 2:
        return None
    one, two = samples
    head = 0
    while head < min(len(one), len(two)) and one[head] == two[head]:
        head += 1
    tail = 0
    while tail < min(len(one), len(two)) - head and one[-1 - tail] == two[-1 - tail]:
        tail += 1
    mid = [s[head : len(s) - tail] for s in (one, two)]
    for i in (0, 1):
        tumour, normal = mid[i], mid[1 - i]
        marked = _TUMOUR_MARK.fullmatch(tumour) and _NORMAL_MARK.fullmatch(normal)
        bare = not tumour and _NORMAL_TAIL.fullmatch(normal) and not tail
        if marked or bare:
            return samples[
                i
            ], f"sample names of a tumour/normal pair ({samples[i]} vs {samples[1 - i]})"
    return None


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


class SampleValues:
    """Reads VAF and depth for the tumour sample from a record's text columns.

    Works on the FORMAT column, the sample's column and INFO as written (htslib's formatting of
    the parsed record): a FORMAT string maps to the positions of the keys read here once, and
    values are converted only when they are used. ``.`` is a missing value.
    """

    def __init__(self, header: VariantHeader, sample: str) -> None:
        fmt = header.formats
        self.sample = sample
        self.has = {k: (fmt[k].number if k in fmt else None) for k in fmt}
        self.info_keys = set(header.info)
        # a sites-only file's INFO/AF is the tumour's allele frequency (LoFreq, tumour-only
        # callers); with sample columns it may be a cohort or population frequency: not read
        self.info_af = (
            not sample
            and "AF" in self.info_keys
            and header.info["AF"].number
            in (
                "A",
                1,
            )
        )
        self.ad_per_allele = self.has.get("AD") in _PER_ALLELE
        self._plans: dict[str, _Plan] = {}
        self.undeclared: set[str] = set()
        """FORMAT keys read though the header does not declare them (see :data:`_UNDECLARED`)."""

    def _plan(self, fmt: str) -> _Plan:
        """How to read a FORMAT: its keys (``""`` for one not read here), key -> position of
        those read, and the positions of ``AF`` and ``DP`` when it has both (else ``None``)."""
        plan = self._plans.get(fmt)
        if plan is None:
            names = fmt.split(":")
            keys = tuple(
                k if k in _READ and (k in self.has or k in _UNDECLARED) else "" for k in names
            )
            self.undeclared.update(k for k in keys if k and k not in self.has)
            where = {k: i for i, k in enumerate(keys) if k}
            af_dp = (where["AF"], where["DP"]) if "AF" in where and "DP" in where else None
            plan = self._plans[fmt] = _Plan(keys, where, af_dp)
        return plan

    def read(
        self,
        fmt: str,
        column: str,
        info: str,
        ref: str,
        alt: str,
        alt_index: int,
        n_alleles: int,
    ) -> tuple[float | None, int | None, str, str]:
        """(vaf, depth, where the VAF came from, problem) for ALT number ``alt_index``.

        ``fmt`` is the FORMAT column, ``column`` the tumour sample's column (both ``""`` for a
        sites-only VCF), ``info`` the INFO column. ``problem`` (``""``: none) says why the
        values cannot be used: a VAF outside 0-1 (NaN included), a negative depth or allele
        count, a value that is not a number; the caller skips the ALT with that reason.
        """
        vaf: float | None = None
        source = ""
        depth: int | None = None
        if self.sample and fmt:
            values = column.split(":")
            plan = self._plan(fmt)
            complete = len(values) >= len(plan.keys) and "." not in values
            if complete and plan.af_dp is not None and "-" not in column:
                # the usual case (Mutect2, Strelka2, DRAGEN): FORMAT/AF, FORMAT/DP, all present
                af, dp = values[plan.af_dp[0]], values[plan.af_dp[1]]
                vaf = _pick(af, alt_index)
                if vaf is not None:
                    depth = _as_int(dp)
                    if depth is None:
                        return None, None, "", "FORMAT/DP is not an integer"
                    if not 0.0 <= vaf <= 1.0:  # NaN fails both comparisons
                        return None, None, "", f"VAF outside 0-1 (FORMAT/AF={vaf:g})"
                    if depth < 0:
                        return None, None, "", f"negative read depth ({depth})"
                    return vaf, depth, "FORMAT/AF", ""
            if complete:  # every value there: pair them
                s = dict(zip(plan.keys, values, strict=False))
            else:  # trailing values left out, or missing ('.'): only those present
                s = {
                    k: values[i]
                    for k, i in plan.where.items()
                    if i < len(values) and values[i] != "."
                }  # fmt: skip
            if "-" in column:  # a negative count or depth somewhere (a cheap first look)
                problem = _check_counts(s)
                if problem:
                    return None, None, "", problem
            vaf, source = self._vaf(s, alt_index, alt, len(ref) != len(alt), n_alleles)
            raw_dp = s.get("DP")
            depth = _as_int(raw_dp) if raw_dp is not None else None
            if raw_dp is not None and depth is None:
                return None, None, "", "FORMAT/DP is not an integer"
            if depth is None and "NR" in s:  # Platypus: total reads at the ALT's position
                nr = _ints(s["NR"])
                if nr:
                    depth = nr[alt_index] if len(nr) > alt_index else nr[0]
            if depth is None and self.ad_per_allele and "AD" in s:
                ad = _ints(s["AD"])
                if ad is not None and len(ad) == n_alleles:
                    depth = sum(ad)
        if vaf is None and "TVAF" in self.info_keys:  # PCGR's tumour VAF convention
            raw = info_value(info, "TVAF")
            vaf, source = _as_float(raw), "INFO/TVAF"
            if raw not in (None, ".") and vaf is None:
                return None, None, "", "INFO/TVAF is not a number"
        if vaf is None and self.info_af:
            raw = info_value(info, "AF")
            vaf, source = (_pick(raw, alt_index) if raw else None), "INFO/AF"
            if raw not in (None, ".") and vaf is None:
                return None, None, "", "INFO/AF is not a number"
        if depth is None:
            for key in ("TDP", "DP"):
                if key in self.info_keys:
                    depth = _as_int(info_value(info, key))
                    if depth is not None:
                        break
        if vaf is not None and not 0.0 <= vaf <= 1.0:  # NaN fails both comparisons
            return None, None, "", f"VAF outside 0-1 ({source}={vaf:g})"
        if depth is not None and depth < 0:
            return None, None, "", f"negative read depth ({depth})"
        return vaf, depth, (source if vaf is not None else ""), ""

    def _vaf(
        self, s: dict[str, str], alt_index: int, alt: str, indel: bool, n_alleles: int
    ) -> tuple[float | None, str]:
        if "AF" in s:
            v = _pick(s["AF"], alt_index)
            if v is not None:
                return v, "FORMAT/AF"
        if "VF" in s:
            v = _pick(s["VF"], alt_index)
            if v is not None:
                return v, "FORMAT/VF"
        if "VAF" in s:  # DeepVariant / DeepSomatic (Number=A): the caller's own, indels right
            v = _pick(s["VAF"], alt_index)
            if v is not None:
                return v, "FORMAT/VAF"
        if self.ad_per_allele and "AD" in s:
            # Number=R per the spec; some callers (old GATK) declare G or '.' for the same data
            ad = _ints(s["AD"])
            if ad is not None and len(ad) == n_alleles:
                total = sum(ad)
                return (ad[alt_index + 1] / total if total else None), "FORMAT/AD"
        if "FREQ" in s:  # VarScan: '48.7%' (a percentage: 0-100)
            raw = s["FREQ"].split(",", 1)[0]
            percent = _as_float(raw[:-1] if raw.endswith("%") else raw)
            if percent is not None:
                return percent / 100.0, "FORMAT/FREQ"
        if "AD" in s and "RD" in s:  # VarScan: AD is the alt depth, RD the ref depth
            alt_depth, ref_depth = _as_int(s["AD"]), _as_int(s["RD"])
            if alt_depth is not None and ref_depth is not None and alt_depth + ref_depth:
                return alt_depth / (alt_depth + ref_depth), "FORMAT/AD+RD"
        if "NV" in s and "NR" in s:  # Platypus: variant reads / total reads, per ALT
            nv, nr = _ints(s["NV"]), _ints(s["NR"])
            if nv and nr and len(nv) > alt_index and len(nr) > alt_index:
                total = nr[alt_index] if len(nr) > 1 else nr[0]
                return (nv[alt_index] / total if total else None), "FORMAT/NV/NR"
        if indel and "TIR" in s and "TAR" in s:  # Strelka indels, tier 1
            tir, tar = _as_int(s["TIR"]), _as_int(s["TAR"])
            if tir is not None and tar is not None:
                total = tir + tar
                return (tir / total if total else None), "FORMAT/TIR+TAR"
        if not indel and len(alt) == 1 and f"{alt}U" in s:  # Strelka SNVs, tier 1
            firsts = [_as_int(s[f"{b}U"]) for b in "ACGT" if f"{b}U" in s]
            counts = [c for c in firsts if c is not None]
            alt_count = _as_int(s[f"{alt}U"])
            if counts and alt_count is not None and sum(counts):
                return alt_count / sum(counts), "FORMAT/AU,CU,GU,TU (Strelka tier 1)"
        return None, ""


class _Plan(NamedTuple):
    """How :class:`SampleValues` reads one FORMAT (see ``_plan``)."""

    keys: tuple[str, ...]
    where: dict[str, int]
    af_dp: tuple[int, int] | None


_PER_ALLELE = ("R", ".", "G")
_READ = frozenset(
    ("AF", "VF", "VAF", "AD", "DP", "FREQ", "RD", "TIR", "TAR", "AU", "CU", "GU", "TU", "NV", "NR")
)
"""The FORMAT keys VAF and depth are read from (the others are never looked at): ``VAF`` is
DeepVariant's, ``NV``/``NR`` Platypus' variant and total reads."""
_UNDECLARED = _READ - {"AD", "VAF", "NV", "NR"}
"""Keys read even when the header does not declare them (a merge of Strelka's SNV and indel
files keeps only the SNV header's FORMAT lines, so every indel's TIR/TAR is undeclared; htslib
reads such values too, with a warning): each has one meaning whatever its header line would
say. ``AD`` needs its declared Number (per allele, or VarScan's alt depth) and is not one; nor are
the callers' own ``VAF``, ``NV`` and ``NR``."""


def _check_counts(s: dict[str, str]) -> str:
    """Why the sample's allele counts cannot be used (``""``: they can)."""
    for key in ("AD", "RD", "TIR", "TAR", "AU", "CU", "GU", "TU", "NV", "NR"):
        raw = s.get(key)
        if raw is None:
            continue
        for part in raw.split(","):
            if part in (".", ""):
                continue
            try:
                if int(part) < 0:
                    return f"negative allele count (FORMAT/{key}={part})"
            except ValueError:
                return f"FORMAT/{key} is not a list of integers"
    return ""


def _ints(text: str) -> list[int] | None:
    """``39,28`` -> [39, 28]; ``None`` when any value is missing or not an integer."""
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        return None


def _pick(text: str, index: int) -> float | None:
    """Value number ``index`` of a per-ALT list (a single value stands for every ALT)."""
    if "," not in text:
        return _as_float(text)
    parts = text.split(",")
    if len(parts) > index:
        return _as_float(parts[index])
    return _as_float(parts[0]) if len(parts) == 1 else None


def _as_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text if "," not in text else text.split(",", 1)[0])
    except ValueError:
        return None


def _as_int(text: str | None) -> int | None:
    """The first value of a field as an integer (``None`` when missing or not an integer)."""
    if text is None:
        return None
    try:
        return int(text if "," not in text else text.split(",", 1)[0])
    except ValueError:
        return None


__all__ = ["SampleValues", "choose_sample", "declared_tumour"]
