"""An indexed read with and without the child process that fetches (tumorboard.readers.vcf_fetch):
the same alterations, QC counts and errors, whatever the child does.

The synthetic VCF is written here from the VCF 4.2 specification (VEP's CSQ header convention);
the others are the shared data's indexed VCFs.
"""

from __future__ import annotations

import io
import os
import random
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysam
import pytest

from tumorboard import helper_process
from tumorboard.errors import IndexRequiredError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers import vcf_fetch
from tumorboard.readers.base import QCCounter
from tumorboard.readers.vcf import VcfReader, open_vcf
from tumorboard.readers.vcf_fetch import (
    Region,
    child_possible,
    fetch_regions,
    fetch_texts,
    take_lines,
)

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh38\n"
    "##contig=<ID=chr7,length=159345973>\n"
    "##contig=<ID=chr12,length=133275309>\n"
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
    'VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|EXON|HGVSc|HGVSp|MANE_SELECT">\n'
    '##INFO=<ID=NOTE,Number=1,Type=String,Description="Free text">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)
# adjacent regions (a deletion may overlap two), one gap, a second contig
REGIONS: list[Region] = [
    ("chr7", 140_700_000, 140_720_000),
    ("chr7", 140_720_000, 140_740_000),
    ("chr7", 140_760_000, 140_800_000),
    ("chr12", 25_200_000, 25_300_000),
]
GENES = {"chr7": "BRAF", "chr12": "KRAS"}


class _Panel:
    is_all = False
    genes = frozenset(GENES.values())

    @staticmethod
    def contains(chrom: str, pos: int) -> bool:
        return any(c == chrom and s < pos <= e for c, s, e in REGIONS)

    @staticmethod
    def genes_at(chrom: str, pos: int) -> list[str]:
        return [GENES[chrom]]

    @staticmethod
    def regions() -> list[Region]:
        return REGIONS


def _record(chrom: str, pos: int, rng: random.Random) -> str:
    ref = "A" + "".join(rng.choice("ACGT") for _ in range(rng.choice((0, 0, 0, 3, 40))))
    alt = "C" if len(ref) == 1 else "A"
    gene = GENES[chrom]
    csq = f"{alt if len(ref) == 1 else '-'}|missense_variant|MODERATE|{gene}|ENST1|protein_coding|"
    csq += f"2/9|c.{pos % 997}A>C|p.Lys{pos % 331}Thr|NM_1"
    ad_alt = rng.randint(1, 60)
    filt = rng.choice(("PASS", "PASS", "PASS", "LowQual"))
    return (
        f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\t{filt}\tCSQ={csq};NOTE=n{pos}\tGT:AD:DP:AF\t"
        f"0/1:40,{ad_alt}:{40 + ad_alt}:{ad_alt / (40 + ad_alt):.3f}\n"
    )


def _write(tmp_path: Path, lines: list[str], name: str = "in") -> Path:
    plain = tmp_path / f"{name}.vcf"
    plain.write_text(HEADER + "".join(lines), encoding="utf-8")
    gz = tmp_path / f"{name}.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    return gz


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3,000 records in and around the regions, deletions across region boundaries."""
    rng = random.Random(14)
    lines = []
    for chrom, lo, hi in (("chr7", 140_699_000, 140_801_000), ("chr12", 25_199_000, 25_301_000)):
        pos = lo
        while pos < hi:
            lines.append(_record(chrom, pos, rng))
            pos += rng.randint(1, 90)
    lines.append(_record("chr7", 140_719_990, random.Random(1)).replace("\tA", "\tA" + "C" * 30, 1))
    return _write(tmp_path_factory.mktemp("fetch"), sorted(lines, key=_order))


def _order(line: str) -> tuple[int, int]:
    chrom, pos = line.split("\t", 2)[:2]
    return (0 if chrom == "chr7" else 1, int(pos))


def _read(path: Path, child: bool, panel: Any = None) -> tuple[Any, ...]:
    if panel is None:
        with VcfReader(path, panel=_Panel(), helpers=child) as reader:
            found = reader.read_all()
            return found, reader.qc.to_model(records_reported=len(found)), reader.call_set
    genome = "GRCh37" if "grch37" in path.name else "GRCh38"
    options = RunOptions(tumor_type="LUAD", panel=panel, genome=genome)
    with open_vcf(path, options) as reader:
        reader._helpers = child
        found = reader.read_all()
        assert reader.used_index
        return found, reader.qc.to_model(records_reported=len(found)), reader.call_set


@pytest.fixture(autouse=True)
def _child_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child takes over after this many records (the test's ``after_records`` mark, else
    500): these files are small."""
    mark = request.node.get_closest_marker("after_records")
    monkeypatch.setattr(vcf_fetch, "CHILD_AFTER_RECORDS", mark.args[0] if mark else 500)


@pytest.mark.parametrize("after", [0, 500, 2200])
def test_the_child_reads_what_this_process_reads(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    monkeypatch.setattr(vcf_fetch, "CHILD_AFTER_RECORDS", after)
    here = _read(synthetic, child=False)
    child = _read(synthetic, child=True)
    assert child == here
    alterations, qc, _ = here
    assert len(alterations) > 1000
    assert qc.records_read > len(alterations) > 0  # LowQual records are counted, not reported


@pytest.mark.parametrize(
    "name",
    [
        "pcgr_T001-COAD.grch38.vcf.gz",
        "pcgr_T001-COAD.grch37.vcf.gz",
        "pcgr_T001-BRCA.grch38.vcf.gz",
        "pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz",
    ],
)
def test_shared_files_read_the_same_with_the_child(shared_data: Path, name: str) -> None:
    path = shared_data / "somatic_vcf" / name
    here = _read(path, child=False, panel="tso500")
    assert _read(path, child=True, panel="tso500") == here
    assert here[1].records_read > 0


def test_the_child_is_used_where_the_machine_allows(synthetic: Path) -> None:
    with pysam.VariantFile(str(synthetic)) as vf:
        two_cpus = len(os.sched_getaffinity(0)) >= 2
        assert child_possible(vf, "bgzf") is two_cpus
        assert not child_possible(vf, "gzip")


# --- the child stops or dies: this process reads on from there ---------------------------------
class _Failing:
    """A VariantFile whose fetch fails (or whose process dies) after ``after`` records."""

    def __init__(self, path: str, after: int, how: str) -> None:
        self.vf = pysam.VariantFile(path)
        self.after, self.how, self.seen = after, how, 0

    def fetch(self, *region: Any) -> Iterator[Any]:
        for rec in self.vf.fetch(*region):
            self.seen += 1
            if self.seen > self.after:
                if self.how == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise OSError("injected read failure")
            yield rec


def _texts(records: Iterator[Any]) -> list[str]:
    return [r if isinstance(r, str) else str(r) for r in records]


@pytest.mark.parametrize("first", [0, 2])
@pytest.mark.parametrize("how", ["raise", "kill"])
@pytest.mark.parametrize("after", [0, 1, 137, 900, 2000, 10**9])
def test_a_child_that_stops_anywhere_changes_nothing(
    synthetic: Path, how: str, after: int, first: int
) -> None:
    """The child fetches ``REGIONS[first:]`` and stops (or dies) after ``after`` records."""
    path = str(synthetic)
    with pysam.VariantFile(path) as vf:
        qc, fetched = QCCounter(), Counter[str]()
        expected = _texts(fetch_regions(vf, REGIONS, path, qc, fetched, first))
    with pysam.VariantFile(path) as vf:
        qc2, fetched2 = QCCounter(), Counter[str]()

        def here(first: int, skip: int) -> Iterator[Any]:
            return fetch_regions(vf, REGIONS, path, qc2, fetched2, first, skip)

        opener = lambda p: _Failing(p, after, how)  # noqa: E731
        got = _texts(fetch_texts(opener, path, REGIONS, qc2, fetched2, here, first))
    assert got == expected
    assert (qc2.records_read, fetched2) == (qc.records_read, fetched)
    if first == 0:  # regions 0 and 1 touch: a record in both is fetched twice, read once
        assert sum(fetched.values()) > qc.records_read


def test_a_line_cut_short_is_read_again_here() -> None:
    """The child died inside a line: what came whole is taken; the rest is read here."""
    plan: list[Region] = [("chr7", 0, 10), ("chr7", 10, 20)]
    lines = io.StringIO("chr7\t1\ta\n\t1\nchr7\t12\tb\nchr7\t15\tc", newline="\n")
    qc, fetched = QCCounter(), Counter[str]()
    taken = take_lines(lines, plan, qc, fetched)
    got = []
    try:
        while True:
            got.append(next(taken))
    except StopIteration as done:
        where = done.value
    assert got == ["chr7\t1\ta\n", "chr7\t12\tb\n"]
    assert where == (1, 1)  # region 1, after its first record
    assert (qc.records_read, fetched) == (2, Counter({"chr7": 1}))


def _zombies() -> list[str]:
    me, found = str(os.getpid()), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            found.append(f"{stat.parent.name} {fields[0]}")
    return found


@pytest.mark.after_records(0)
def test_stopping_early_ends_and_reaps_the_child(synthetic: Path) -> None:
    before = _zombies()
    with VcfReader(synthetic, panel=_Panel(), helpers=True) as reader:
        first = next(iter(reader))
        assert first.gene == "BRAF"
    assert _zombies() == before


@pytest.mark.after_records(10**9)
def test_a_small_read_forks_nothing(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer records than CHILD_AFTER_RECORDS: all read here (a child would cost more)."""

    def no_fork() -> int:
        raise AssertionError("forked for a small read")

    monkeypatch.setattr(helper_process, "fork", no_fork)
    assert _read(synthetic, child=True)[1].records_read > 2000


# --- errors: the same with and without the child -----------------------------------------------
def _error(path: Path, child: bool) -> str:
    with pytest.raises((RecordError, IndexRequiredError)) as info:
        _read(path, child)
    return str(info.value)


def test_a_record_that_is_not_utf8_is_the_same_error(synthetic: Path, tmp_path: Path) -> None:
    lines = synthetic.with_suffix("").read_text(encoding="utf-8").splitlines(keepends=True)
    body = [ln for ln in lines if not ln.startswith("#")]
    bad = body[1500].replace("NOTE=n", "NOTE=\udcff", 1)
    plain = tmp_path / "bad.vcf"
    plain.write_bytes(
        (HEADER + "".join(body[:1500])).encode()
        + bad.encode("utf-8", "surrogateescape")
        + "".join(body[1501:]).encode()
    )
    gz = tmp_path / "bad.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    message = _error(gz, child=False)
    assert "malformed record at 'chr7'" in message
    assert "can't decode byte 0xff" in message
    assert _error(gz, child=True) == message


def test_a_stale_index_is_the_same_error(synthetic: Path, tmp_path: Path) -> None:
    """The index of a shorter file whose records sit elsewhere."""
    rng = random.Random(3)
    moved = [_record("chr7", 140_000_000 + i * 50, rng) for i in range(400)]
    gz = _write(tmp_path, moved, "moved")
    other = _write(tmp_path, [_record("chr7", 140_710_000 + i, rng) for i in range(400)], "o")
    (tmp_path / "moved.vcf.gz.tbi").write_bytes(Path(f"{other}.tbi").read_bytes())
    os.utime(f"{gz}.tbi")
    message = _error(gz, child=False)
    assert "it indexes another file" in message
    assert _error(gz, child=True) == message
