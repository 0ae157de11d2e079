"""The hot path's shortcuts give exactly what the general code gives.

Each shortcut (issue 14, speed) handles the common case of a large panel VCF without the general
code's work; these tests hold every shortcut to the general result on generated and real input:
three-letter HGVS substitutions and frameshifts against the general protein parser, FORMAT/AF +
FORMAT/DP against the FORMAT reading with a missing value elsewhere, the streamed loop's stretch
against ``Panel.contains``, a reported variant's note against its definition, the generated
``variant_dict`` against the Variant fields, and the threaded input digest against sha256.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard import pipeline
from tumorboard.alterations import (
    AA3_TO_1,
    Alteration,
    _parse_protein_change,
    parse_protein_change,
)
from tumorboard.models import COMPUTED_FIELDS, COPIED_FIELDS, RunOptions, Variant, variant_dict
from tumorboard.outputs import FileDigests, sha256_file
from tumorboard.panels import load_panel
from tumorboard.readers.base import QCCounter
from tumorboard.readers.vcf_samples import SampleValues
from tumorboard.readers.vcf_stream import stream_records

general_parser = _parse_protein_change.__wrapped__
_AA3 = st.sampled_from(sorted(AA3_TO_1))
_DIGITS = st.one_of(st.integers(0, 5000).map(str), st.sampled_from(["", "٣", "0012", "1a"]))


@st.composite
def hgvs_protein(draw: st.DrawFn) -> str:
    """Three-letter substitutions and frameshifts as VEP writes them, and near misses."""
    prefix = draw(st.sampled_from(["", "ENSP00000288602.7:", "p.", "a%3A:", " ", "X:Y:"]))
    body = draw(_AA3) + draw(_DIGITS)
    kind = draw(st.sampled_from(["sub", "syn", "fs", "fs_ter", "odd"]))
    if kind == "sub":
        body += draw(_AA3)
    elif kind == "syn":
        body += draw(st.sampled_from(["%3D", "=", "%3d"]))
    elif kind == "fs":
        body += draw(st.one_of(st.just(""), _AA3)) + "fs"
    elif kind == "fs_ter":
        body += draw(_AA3) + "fsTer" + draw(st.sampled_from(["26", "?", "", "x"]))
    else:
        body += draw(st.text(alphabet="()*%=\n fsTerGlu0123", max_size=6))
    p_dot = "" if prefix in ("p.",) else draw(st.sampled_from(["p.", "p.(", ""]))
    return f"{prefix}{p_dot}{body}{draw(st.sampled_from(['', '', ')', ' ', chr(10)]))}"


@pytest.mark.slow
@given(hgvs_protein())
@settings(max_examples=600, deadline=None)
def test_protein_shortcuts_agree_with_the_general_parser(text: str) -> None:
    assert parse_protein_change(text) == general_parser(text)


@pytest.mark.parametrize(
    ("text", "one", "three"),
    [
        ("ENSP00000347948.4:p.Tyr994Met", "Y994M", "p.Tyr994Met"),
        ("ENSP00000347948.4:p.Val600%3D", "V600=", "p.Val600="),
        ("ENSP00000347948.4:p.Ile629CysfsTer26", "I629Cfs*26", "p.Ile629CysfsTer26"),
        ("p.Asn629fs", "N629fs", "p.Asn629fs"),
        ("p.Gln61Ter", "Q61*", "p.Gln61Ter"),
    ],
)
def test_protein_shortcut_examples(text: str, one: str, three: str) -> None:
    change = parse_protein_change(text)
    assert change is not None
    assert (change.one, change.three) == (one, three)
    assert change == general_parser(text)


# --- FORMAT/AF + FORMAT/DP ---------------------------------------------------------------------
def _sample_values() -> SampleValues:
    numbers = {"GT": "1", "AD": "R", "DP": "1", "AF": "A"}
    header = SimpleNamespace(
        formats={k: SimpleNamespace(number=n) for k, n in numbers.items()},
        info={"DP": None},
    )
    return SampleValues(header, "TUMOR")


_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 10_000).map(str),
    st.sampled_from([".", "", "0.5,0.25", "1e-1", "nan", "0x1", " 7", "12,3"]),
)


@given(_VALUE, _VALUE, _VALUE, st.integers(0, 1), st.sampled_from(["GT:AD:DP:AF", "AF:DP"]))
@settings(max_examples=400, deadline=None)
def test_af_dp_shortcut_agrees_with_the_general_reading(
    af: str, dp: str, ad: str, alt_index: int, fmt: str
) -> None:
    values = _sample_values()
    fields = {"GT": "0/1", "AD": ad, "DP": dp, "AF": af}
    column = ":".join(fields[k] for k in fmt.split(":"))
    got = values.read(fmt, column, "DP=30", "A", "T", alt_index, 3)
    # the same values behind a FORMAT key not read here whose value is missing ('.'): that
    # takes the general path, which must give the same result
    general = values.read(f"GQ:{fmt}", f".:{column}", "DP=30", "A", "T", alt_index, 3)
    assert got == general


# --- the streamed loop -------------------------------------------------------------------------
@dataclass
class _Record:
    chrom: str
    pos: int
    rid: int

    @property
    def start(self) -> int:
        return self.pos - 1


_CONTIGS = ["chr7", "chr12", "chrX", "chr22_KI270731v1_random"]


@st.composite
def record_streams(draw: st.DrawFn) -> list[_Record]:
    """Records of a few contigs, sorted or not, at and around the edges of the panel's
    intervals (and far from any)."""
    panel = load_panel("tso500", "GRCh38")
    out = []
    for _ in range(draw(st.integers(0, 60))):
        rid = draw(st.integers(0, len(_CONTIGS) - 1))
        starts, ends = panel.intervals(_CONTIGS[rid])
        edges = [*starts[:40], *ends[:40]] or [1]
        # an edge's 0-based coordinate e is POS e + 1: POS e, e + 1, e + 2 straddle it
        pos = draw(st.sampled_from([*edges, 0, 500_000_000])) + draw(st.integers(-1, 3))
        out.append(_Record(_CONTIGS[rid], max(pos, 0), rid))
    if draw(st.booleans()):
        out.sort(key=lambda r: (r.rid, r.pos))
    return out


@pytest.mark.slow
@given(record_streams())
@settings(max_examples=300, deadline=None)
def test_streamed_stretch_agrees_with_contains(records: list[_Record]) -> None:
    panel = load_panel("tso500", "GRCh38")
    qc = QCCounter()
    kept = list(stream_records(records, qc, panel))
    assert kept == [r for r in records if panel.contains(r.chrom, r.pos)]
    assert qc.records_read == len(records)
    assert qc.outside_panel == len(records) - len(kept)


def test_streamed_counts_survive_a_failing_record() -> None:
    """An htslib error mid-stream leaves the counts of the records read before it."""
    panel = load_panel("tso500", "GRCh38")

    def failing() -> object:
        yield _Record("chr7", 140_753_336, 0)
        yield _Record("chr7", 10, 0)
        raise OSError("truncated")

    qc = QCCounter()
    with pytest.raises(OSError, match="truncated"):
        list(stream_records(failing(), qc, panel))  # type: ignore[arg-type]
    assert (qc.records_read, qc.outside_panel) == (2, 1)


# --- reported variants -------------------------------------------------------------------------
def test_variant_notes_and_dicts_follow_their_definitions(tests_data: Path) -> None:
    analysis = pipeline.analyse(
        [str(tests_data / "report" / "hostile.vep.vcf")],
        RunOptions(tumor_type="LUAD", panel="all", include_filtered=True),
    )
    outcome = analysis.outcome
    assert analysis.alterations
    for a in analysis.alterations:
        note = "; ".join(dict.fromkeys([*a.notes, *outcome.notes_for(a)]))
        assert outcome.note_text(a) == note
        d = variant_dict(a, note, True, None)
        copied = [n for n in Variant.model_fields if n not in COMPUTED_FIELDS]
        computed = ["id", "consequences", "vaf", "filtered", "biallelic", "actionable", "note"]
        assert list(COPIED_FIELDS) == copied
        assert list(d) == [*copied, *computed]  # the dict display spells the model's fields
        assert sorted(d) == sorted(Variant.model_fields)
        assert all(d[n] == getattr(a, n) for n in copied)
        assert d["id"] == a.key
        assert d["consequences"] == list(a.consequences)
        assert d["vaf"] == (None if a.vaf is None else round(a.vaf, 4))
        assert d["filtered"] is (not a.is_passing)
        assert (d["note"], d["actionable"], d["biallelic"]) == (note, True, None)


def test_no_rule_note_is_built_once_per_variant() -> None:
    """A variant of a gene without catalog rules gets exactly the one "no catalog rule" note."""
    from tumorboard.catalog import load_catalog
    from tumorboard.matching import MatchOutcome

    a = Alteration("NOTAGENE1", chrom="chr1", pos=5, ref="A", alt="T", protein="V5E")
    outcome = MatchOutcome(catalog=load_catalog())
    assert outcome.note_text(a) == "NOTAGENE1 V5E: no catalog rule for NOTAGENE1"
    a.notes.append("bi-allelic: second hit")
    assert outcome.note_text(a) == (
        "bi-allelic: second hit; NOTAGENE1 V5E: no catalog rule for NOTAGENE1"
    )


# --- input digests -----------------------------------------------------------------------------
def test_file_digests_are_the_files_sha256(tests_data: Path, tmp_path: Path) -> None:
    vcf = tests_data / "vcf" / "vep_small.vcf"
    fifo = tmp_path / "pipe"
    digests = FileDigests([str(vcf), str(vcf), "-", str(tmp_path / "missing.vcf")])
    assert digests.get(str(vcf)) == hashlib.sha256(vcf.read_bytes()).hexdigest()
    assert digests.get(str(vcf)) == sha256_file(vcf)
    digests.close()
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        FileDigests([str(fifo)]).close()  # a pipe is never read by the digest thread (no hang)


def test_file_digests_stop_when_closed(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (8 << 20))
    digests = FileDigests([str(big)])
    digests.close()
    assert not digests._thread.is_alive()
    assert digests.get(str(big)) == hashlib.sha256(big.read_bytes()).hexdigest()
