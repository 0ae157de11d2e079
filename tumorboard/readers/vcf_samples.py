"""Tumour-sample choice and per-caller VAF / depth conventions for VCF records.

Works on pysam records by duck typing (``rec.samples[name].get(key)``, ``rec.info.get(key)``)
so that only :mod:`tumorboard.readers.vcf` imports pysam.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tumorboard.errors import SampleError

_TCGA_BARCODE = re.compile(r"^TCGA-\w\w-\w{4}-(\d\d)")
_TUMOR_NAME = re.compile(r"(^|[^A-Za-z])(tumou?r|TUMOU?R|Tumou?r)([^A-Za-z]|$)")
_NORMAL_NAME = re.compile(r"(^|[^A-Za-z])(normal|NORMAL|Normal|germline|GERMLINE)([^A-Za-z]|$)")


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


class SampleValues:
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
            alt_depth, ref_depth = _as_int(s.get("AD")), _as_int(s.get("RD"))
            if alt_depth is not None and ref_depth is not None and alt_depth + ref_depth:
                return alt_depth / (alt_depth + ref_depth), "FORMAT/AD+RD"
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


__all__ = ["SampleValues", "choose_sample"]
