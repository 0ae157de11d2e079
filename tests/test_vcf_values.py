"""VAF and depth from a record's FORMAT values: a property test against the VCF spec.

The reader parses each in-panel record's text (as htslib formats it); these tests write random
records with missing values, multi-allelic sites and several FORMAT layouts, and check every
ALT's VAF, depth and VAF source against what the values say.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.readers.vcf import VcfReader
from tumorboard.readers.vcf_records import NOT_IN_TUMOUR

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr7,length=159345973>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number={ad_number},Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">\n'
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Site depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
)

_count = st.one_of(st.none(), st.integers(min_value=0, max_value=5000))
_fraction = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0).map(lambda x: round(x, 3)))


@st.composite
def records(draw: st.DrawFn) -> dict[str, object]:
    n_alts = draw(st.integers(min_value=1, max_value=3))
    return {
        "alts": ["A", "C", "G"][:n_alts],
        "af": draw(st.one_of(st.none(), st.lists(_fraction, min_size=n_alts, max_size=n_alts))),
        "ad": draw(
            st.one_of(st.none(), st.lists(_count, min_size=n_alts + 1, max_size=n_alts + 1))
        ),
        "dp": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=9000))),
        "site_dp": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=9000))),
        "ad_number": draw(st.sampled_from(["R", ".", "G"])),
    }


def _text(values: list[object] | None) -> str:
    if values is None:
        return "."
    return ",".join("." if v is None else str(v) for v in values)


def write(path: Path, rec: dict[str, object]) -> None:
    keys, values = ["GT"], ["0/1"]
    for key in ("AD", "DP", "AF"):
        value = rec[key.lower()]
        if value is not None:  # a key absent from FORMAT, not only a missing value
            keys.append(key)
            values.append(_text(value if isinstance(value, list) else [value]))
    info = "." if rec["site_dp"] is None else f"DP={rec['site_dp']}"
    alts = rec["alts"]
    assert isinstance(alts, list)
    line = (
        f"chr7\t140753336\t.\tT\t{','.join(alts)}\t.\tPASS\t{info}\t{':'.join(keys)}\t"
        f"0/0\t{':'.join(values)}\n"
    )
    path.write_text(HEADER.format(ad_number=rec["ad_number"]) + line)


def expected(rec: dict[str, object], i: int) -> tuple[float | None, int | None, str]:
    """The spec: FORMAT/AF of this ALT, else AD[ALT] / sum(AD); depth DP, sum(AD), INFO/DP."""
    af, ad, dp = rec["af"], rec["ad"], rec["dp"]
    assert af is None or isinstance(af, list)
    assert ad is None or isinstance(ad, list)
    complete_ad = ad if ad is not None and all(v is not None for v in ad) else None
    vaf: float | None = None
    source = ""
    if af is not None and af[i] is not None:
        vaf, source = float(af[i]), "FORMAT/AF"
    elif complete_ad is not None and sum(complete_ad):
        vaf, source = complete_ad[i + 1] / sum(complete_ad), "FORMAT/AD"
    depth = dp if isinstance(dp, int) else None
    if depth is None and complete_ad is not None:
        depth = sum(complete_ad)
    if depth is None and isinstance(rec["site_dp"], int):
        depth = rec["site_dp"]
    return vaf, depth, source


@pytest.mark.slow
@given(records())
@settings(max_examples=150, deadline=None)
def test_vaf_and_depth_follow_the_values(
    tmp_path_factory: pytest.TempPathFactory, rec: dict[str, object]
) -> None:
    path = tmp_path_factory.mktemp("values") / "v.vcf"
    write(path, rec)
    with VcfReader(path, require_annotation=False) as reader:
        got = list(reader)
    alts = rec["alts"]
    assert isinstance(alts, list)
    # an ALT whose VAF is 0 (as htslib's float32 holds it) is not the tumour's: skipped
    kept = [i for i in range(len(alts)) if _float32(expected(rec, i)[0]) != 0.0]
    assert [a.alt for a in got] == [alts[i] for i in kept]
    assert reader.qc.skipped.get(NOT_IN_TUMOUR, 0) == len(alts) - len(kept)
    for i, a in zip(kept, got, strict=True):
        vaf, depth, source = expected(rec, i)
        assert (a.depth, a.vaf_source) == (depth, source)
        if vaf is None:
            assert a.vaf is None
        else:
            assert a.vaf is not None
            assert math.isclose(a.vaf, vaf, rel_tol=1e-6, abs_tol=1e-6)  # htslib: float32


def _float32(value: float | None) -> float | None:
    return None if value is None else struct.unpack("f", struct.pack("f", value))[0]


def test_values_of_a_trimmed_sample_column(tmp_path: Path) -> None:
    """Trailing missing values may be left out of a sample column (VCF 4.2 section 1.6.2)."""
    path = tmp_path / "t.vcf"
    path.write_text(
        HEADER.format(ad_number="R")
        + "chr7\t140753336\t.\tT\tA\t.\tPASS\tDP=88\tGT:AD:DP:AF\t0/0\t0/1:30,10\n"
    )
    with VcfReader(path, require_annotation=False) as reader:
        (a,) = list(reader)
    assert (a.vaf, a.depth, a.vaf_source) == (0.25, 40, "FORMAT/AD")


def test_record_without_format_columns(tmp_path: Path) -> None:
    """A record with only the 8 fixed columns in a file with samples: no VAF, INFO/DP depth."""
    path = tmp_path / "eight.vcf"
    path.write_text(
        HEADER.format(ad_number="R")
        + "chr7\t140753336\t.\tT\tA\t.\tPASS\tDP=61\n"
        + "chr7\t140753400\t.\tG\tC\t.\tPASS\t.\tGT\t0/0\t0/1\n"
    )
    with VcfReader(path, require_annotation=False) as reader:
        got = [(a.pos, a.vaf, a.depth, a.vaf_source) for a in reader]
    assert got == [(140753336, None, 61, ""), (140753400, None, None, "")]


_key = st.text(alphabet="ACDFNPQSTVX_0123456789", min_size=1, max_size=5).filter(
    lambda k: not k[0].isdigit()
)
_value = st.text(alphabet="abc0123456789.,|-&%", min_size=1, max_size=8)


@given(
    st.dictionaries(_key, st.one_of(st.none(), _value), min_size=1, max_size=6),
    st.data(),
)
def test_info_value_finds_exactly_its_key(info: dict[str, str | None], data: st.DataObject) -> None:
    """INFO lookup by key: never a key that merely ends or starts with it, flags have no value."""
    from tumorboard.readers.text import info_value

    text = ";".join(k if v is None else f"{k}={v}" for k, v in info.items())
    key = data.draw(st.sampled_from(sorted(info)))
    assert info_value(text, key) == info[key]
    for other in ("X" + key, key + "X"):
        if other not in info:
            assert info_value(text, other) is None
