"""The streaming VCF reader on real caller outputs and small hand-written fixtures."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pysam
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
from tumorboard.readers.vcf import VcfReader
from tumorboard.readers.vcf_annotation import vep_alleles
from tumorboard.readers.vcf_samples import choose_sample

SOMATIC = "somatic_vcf"


def read_all(path: Path | str, **kwargs: object) -> list:
    with VcfReader(path, **kwargs) as reader:  # type: ignore[arg-type]
        return list(reader)


def by_label(alterations: list) -> dict:
    return {a.label: a for a in alterations}


# --- real files ---------------------------------------------------------------------------------
def test_pvactools_hcc1395_known_drivers(shared_data: Path) -> None:
    path = shared_data / SOMATIC / "pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"
    with VcfReader(path) as reader:
        alts = by_label(list(reader))
        assert reader.sample == "HCC1395_TUMOR_DNA"
        assert reader.sample_rule == "##tumor_sample header"
        assert reader.genome == "GRCh38"
        assert reader.annotation_kind == "VEP CSQ"
        assert reader.qc.records_read == 1470
        assert reader.qc.filtered == 206
    tp53 = alts["TP53 R175H"]
    assert tp53.transcript == "ENST00000269305.9"
    assert tp53.transcript_rule == "mane_select"
    assert tp53.hgvsc == "c.524G>A"
    assert tp53.protein_3 == "p.Arg175His"
    assert tp53.exon == 5
    assert tp53.vaf_source == "FORMAT/AF"
    assert tp53.vaf == pytest.approx(0.9886, abs=1e-3)
    brca2 = alts["BRCA2 E1593*"]
    assert brca2.consequences == ("stop_gained",)
    assert brca2.protein_3 == "p.Glu1593Ter"


def test_filtered_records_are_counted_not_reported(shared_data: Path) -> None:
    path = shared_data / SOMATIC / "pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"
    passing = read_all(path)
    everything = read_all(path, include_filtered=True)
    assert all(a.is_passing for a in passing)
    flagged = [a for a in everything if not a.is_passing]
    # multi-allelic records give one alteration per ALT; chr22:45328089 (FILTER DEPTH, tumour
    # AD 0,0 and AF 0.0) is no call in the tumour at all: skipped, never reported
    assert len(flagged) == 205
    assert {"MAPQ0", "SOMATIC_LLR"} & {f for a in flagged for f in a.filter.split(";")}


@pytest.mark.parametrize(
    ("name", "sample", "vaf_source"),
    [
        ("vcf2maf_callers/test_varscan.vcf", "TUMOR", "FORMAT/FREQ"),
        # SNVs from tier-1 base counts; the indels' TIR/TAR, which this merged file's header
        # does not declare (read with a warning)
        (
            "vcf2maf_callers/test_strelka.vcf",
            "TUMOR",
            "FORMAT/AU,CU,GU,TU (Strelka tier 1)|FORMAT/TIR+TAR",
        ),
        (
            "vcf2maf_callers/TCGA-B5-A0JV-01.ucec.grch37.vcf",
            "TCGA-B5-A0JV-01A-11D-A10B-09",
            "FORMAT/AD",
        ),
        (
            "pcgr_T001-COAD.grch38.vcf.gz",
            "TCGA-A6-2686-01A-01D-1408-10_TCGA-A6-2686-10A-01D-2188-10",
            "INFO/TVAF",
        ),
    ],
)
def test_vaf_sources_of_real_callers(
    shared_data: Path, name: str, sample: str, vaf_source: str
) -> None:
    with VcfReader(shared_data / SOMATIC / name, require_annotation=False) as reader:
        alts = list(reader)
        assert reader.sample == sample
    with_vaf = [a for a in alts if a.vaf is not None]
    assert with_vaf, "no VAF read"
    assert {a.vaf_source for a in with_vaf} == set(vaf_source.split("|"))
    if "TIR" in vaf_source:  # every Strelka indel has its VAF
        assert all(a.vaf is not None for a in alts if len(a.ref) != len(a.alt))
    assert all(0.0 <= a.vaf <= 1.0 for a in with_vaf)


def test_every_shared_vcf_parses_or_fails_clearly(shared_data: Path) -> None:
    files = sorted(
        p
        for p in (shared_data / SOMATIC).rglob("*")
        if p.suffix in (".vcf", ".gz") and ".vcf" in p.name
    )
    assert len(files) >= 15
    outcomes = {}
    for path in files:
        try:
            with VcfReader(path, require_annotation=False) as reader:
                outcomes[path.name] = len(list(reader))
        except TumorBoardError as exc:
            outcomes[path.name] = str(exc)
    # the ICGC genomes are malformed on purpose: empty QUAL and FILTER columns
    for name in ("PD3905_snv_indel.grch37.vcf.gz", "PD4116_snv_indel.grch37.vcf.gz"):
        assert "empty QUAL, FILTER column(s)" in outcomes[name]
        assert "record 1" in outcomes[name]
    # RADIA has DNA and RNA tumour columns: the user must choose
    assert "cannot tell which sample is the tumour" in outcomes["test_radia.vcf"]
    assert outcomes["test_merged.vcf"] == 577
    assert outcomes["pvactools_HCC1395.input_somatic.grch38.vep.vcf.gz"] == 2734


def test_plain_gzip_is_streamed(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / SOMATIC / "vcf2maf_callers" / "test_b38.vcf"
    gz = tmp_path / "plain.vcf.gz"
    with src.open("rb") as fin, gzip.open(gz, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    with VcfReader(gz, require_annotation=False) as reader:
        alts = list(reader)
        assert reader.compression == "gzip"
    assert len(alts) == 25


# --- fixtures: annotation, multi-allelics, transcript choice -----------------------------------
def test_vep_transcript_choice_and_multiallelic_split(tests_data: Path) -> None:
    alts = by_label(read_all(tests_data / "vcf" / "vep_small.vcf"))
    braf = alts["BRAF V600E"]
    # the first CSQ entry is a non-MANE transcript (V207E): MANE Select wins
    assert braf.transcript == "ENST00000646891.2"
    assert braf.transcript_rule == "mane_select"
    assert braf.vaf == pytest.approx(0.4)
    assert braf.depth == 200
    # REF=AC ALT=A,AT: VEP alleles '-' and 'T' go to the right ALT
    fs = alts["KRAS G12Afs*3"]
    assert (fs.ref, fs.alt) == ("AC", "A")
    assert fs.vaf == pytest.approx(0.3)
    mis = alts["KRAS G12K"]
    assert (mis.ref, mis.alt) == ("AC", "AT")
    assert mis.vaf == pytest.approx(0.1)
    assert alts["BRAF V600="].consequences == ("synonymous_variant",)
    assert alts["TP53 R126*"].protein_3 == "p.Arg126Ter"
    assert "TP53 R175H" not in alts  # FILTER=LowQual


def test_snpeff_ann(tests_data: Path) -> None:
    with VcfReader(tests_data / "vcf" / "snpeff_small.vcf") as reader:
        alts = by_label(list(reader))
        assert reader.annotation_kind == "SnpEff ANN"
        assert reader.genome == "GRCh37"
    egfr = alts["EGFR E746_A750del"]
    # no MANE field in SnpEff: ENST00000275493 is EGFR's MANE Select (bundled MANE table)
    assert egfr.transcript_rule == "mane_select_table"
    assert egfr.exon == 19
    assert egfr.vaf_source == "FORMAT/VF"
    assert egfr.vaf == pytest.approx(0.31)
    assert egfr.depth == 812
    assert alts["EGFR L858R"].protein_start == 858


@given(
    st.sampled_from("ACGT"),
    st.lists(st.text(alphabet="ACGT", min_size=0, max_size=4), min_size=1, max_size=3),
)
def test_vep_allele_strings(first: str, tails: list[str]) -> None:
    ref = first + "G"
    alts = [first + t for t in tails]
    out = vep_alleles(ref, alts)
    assert len(out) == len(alts)
    if any(len(a) != len(ref) for a in alts):
        assert out == [t or "-" for t in tails]
    else:
        assert out == alts


# --- sample choice ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["only"], ("only", "only sample")),
        (["NORMAL", "TUMOR"], ("TUMOR", "sample named as tumour (others named as normal)")),
        (
            ["TCGA-AB-2968-03A-01D-0739-09", "TCGA-AB-2968-11A-01D-0739-09"],
            ("TCGA-AB-2968-03A-01D-0739-09", "sample named as tumour (others named as normal)"),
        ),
        ([], ("", "sites-only VCF (no sample columns)")),
    ],
)
def test_sample_choice(samples: list[str], expected: tuple[str, str]) -> None:
    assert choose_sample(samples, None, None) == expected


def test_sample_choice_errors_list_the_samples() -> None:
    with pytest.raises(SampleError, match=r"samples: A, B"):
        choose_sample(["A", "B"], None, None)
    with pytest.raises(SampleError, match=r"sample 'C' is not in the file; samples: A, B"):
        choose_sample(["A", "B"], None, "C")


# --- bad input ----------------------------------------------------------------------------------
def test_missing_file() -> None:
    with pytest.raises(InputNotFoundError, match="file not found"):
        VcfReader("/nonexistent/x.vcf")


def test_not_a_vcf(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a VCF\n")
    with pytest.raises(FormatError, match="not a readable VCF/BCF file"):
        VcfReader(bad)


def test_truncated_bgzip_is_reported(tests_data: Path, tmp_path: Path) -> None:
    gz = tmp_path / "t.vcf.gz"
    pysam.tabix_compress(str(tests_data / "vcf" / "vep_small.vcf"), str(gz))
    data = gz.read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) - 40])
    with pytest.raises(TruncatedInputError, match="BGZF end-of-file marker is missing"):
        VcfReader(cut)


def test_unannotated_vcf_needs_annotation(shared_data: Path) -> None:
    with pytest.raises(
        AnnotationError, match="SnpEff ANN/EFF, PAVE, Funcotator or ANNOVAR annotation"
    ):
        VcfReader(shared_data / SOMATIC / "vcf2maf_callers" / "test_mutect.vcf")


def test_genome_build_mismatch(tests_data: Path) -> None:
    with pytest.raises(GenomeBuildError, match=r"--genome GRCh37 but the file is GRCh38"):
        VcfReader(tests_data / "vcf" / "vep_small.vcf", genome="GRCh37")


def test_index_required_but_missing(tests_data: Path, tmp_path: Path) -> None:
    class Panel:
        is_all = False
        genes = frozenset({"BRAF"})

        @staticmethod
        def contains(chrom: str, pos: int) -> bool:
            return True

        @staticmethod
        def regions() -> list:
            return [("chr7", 140700000, 140800000)]

    gz = tmp_path / "t.vcf.gz"
    pysam.tabix_compress(str(tests_data / "vcf" / "vep_small.vcf"), str(gz))
    reader = VcfReader(gz, panel=Panel(), index="require")
    with pytest.raises(IndexRequiredError, match="no index"):
        list(reader)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    with VcfReader(gz, panel=Panel(), index="require") as indexed:
        got = list(indexed)
        assert indexed.used_index
    assert {a.label for a in got} == {"BRAF V600E", "BRAF V600="}


def test_malformed_record_names_record_and_position(tmp_path: Path, tests_data: Path) -> None:
    text = (tests_data / "vcf" / "vep_small.vcf").read_text().splitlines()
    data = [i for i, line in enumerate(text) if not line.startswith("#")]
    text[data[2]] = "\t".join(text[data[2]].split("\t")[:5])  # a line cut after ALT
    bad = tmp_path / "bad.vcf"
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(RecordError) as info:
        read_all(bad)
    assert "record 3" in str(info.value)
    assert "chr7:140753336 has 5 tab-separated columns, a VCF record needs at least 8" in str(
        info.value
    )


# --- property: every ALT of a multi-allelic record gets its own annotation ---------------------
_BASES = st.text(alphabet="ACGT", min_size=1, max_size=4)


@st.composite
def multiallelic(draw: st.DrawFn) -> tuple[str, list[str]]:
    ref = draw(_BASES)
    alts = draw(
        st.lists(_BASES, min_size=1, max_size=3, unique=True).filter(lambda a: ref not in a)
    )
    return ref, alts


@given(multiallelic(), st.booleans())
@example(("GA", ["G", "GG"]), False)  # VEP strings '-' and 'G': the 2nd ALT's entry spells ALT 1
@settings(max_examples=40, deadline=None)
def test_each_alt_gets_its_own_csq_entry(
    tmp_path_factory: pytest.TempPathFactory, record: tuple[str, list[str]], allele_num: bool
) -> None:
    ref, alts = record
    fields = "Allele|Consequence|SYMBOL|Feature|BIOTYPE|HGVSc" + (
        "|ALLELE_NUM" if allele_num else ""
    )
    strings = vep_alleles(ref, alts)
    entries = []
    for i, allele in reversed(list(enumerate(strings))):  # VEP order need not follow ALT order
        entry = [allele, "missense_variant", "KRAS", f"ENST{i}", "protein_coding", f"c.{i + 1}A>T"]
        if allele_num:
            entry.append(str(i + 1))
        entries.append("|".join(entry))
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr12,length=133275309>\n"
        f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Ensembl VEP. Format: {fields}">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"chr12\t1000\t.\t{ref}\t{','.join(alts)}\t.\tPASS\tCSQ={','.join(entries)}\n"
    )
    path = tmp_path_factory.mktemp("multi") / "m.vcf"
    path.write_text(text)
    got = read_all(path)
    if len(set(strings)) == len(strings):  # VEP's allele strings tell the ALTs apart
        assert [(a.alt, a.hgvsc) for a in got] == [
            (alt, f"c.{i + 1}A>T") for i, alt in enumerate(alts)
        ]
    assert len(got) == len(alts)


def test_mane_table_picks_the_mane_transcript_without_a_mane_field(tmp_path: Path) -> None:
    """An older VEP run without MANE/CANONICAL fields lists a non-MANE BRAF transcript first."""
    fields = (
        "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp"
    )
    head = "T|missense_variant|MODERATE|BRAF|ENSG1|Transcript"
    other = f"{head}|ENST00000496384.6|protein_coding|6/10||c.620T>A|ENSP1:p.Val207Glu"
    mane = f"{head}|ENST00000646891.1|protein_coding|15/18||c.1799T>A|ENSP2:p.Val600Glu"
    vcf = tmp_path / "old_vep.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
        f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Ensembl VEP. Format: {fields}">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ={other},{mane}\n"
    )
    (braf,) = read_all(vcf)
    assert (braf.label, braf.transcript_rule) == ("BRAF V600E", "mane_select_table")
