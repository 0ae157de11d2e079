"""Panels: bundled panels, gene lists, BED files, contig styles, the interval lookup."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.errors import PanelError
from tumorboard.panels import (
    Panel,
    available_panels,
    contig_key,
    contig_style_of,
    load_panel,
    normalise_genome,
    read_gene_list,
    styled_contig,
)

BRAF_V600E = {"GRCh38": 140753336, "GRCh37": 140453136}
TERT_C228T_GRCH38 = 1295113  # promoter hotspot, ~45 bp beyond the MANE transcript start
DATA = Path(__file__).resolve().parent / "data" / "panels"


@pytest.mark.parametrize("genome", ["GRCh38", "GRCh37"])
@pytest.mark.parametrize("chrom", ["7", "chr7", "CHR7"])
def test_tso500_contains_braf_v600e_in_both_contig_styles(genome: str, chrom: str) -> None:
    panel = load_panel("tso500", genome)
    pos = BRAF_V600E[genome]
    assert panel.contains(chrom, pos)
    assert panel.genes_at(chrom, pos) == ["BRAF"]
    assert "BRAF" in panel.genes


def test_tso500_metadata() -> None:
    panel = load_panel("TSO500", "hg38")
    assert panel.name == "tso500"
    assert panel.genome == "GRCh38"
    assert panel.gene_count == 523
    assert not panel.is_all
    assert panel.footprint_bp is not None
    assert 1_000_000 < panel.footprint_bp < 2_000_000
    assert panel.warnings == []


def test_tso500_knows_current_and_previous_histone_symbols() -> None:
    panel = load_panel("tso500", "GRCh38")
    # the list says H3F3A; VEP annotates H3-3A (K27M in diffuse midline glioma)
    assert {"H3F3A", "H3-3A", "HIST1H3B", "H3C2"} <= panel.genes
    assert "H3-3A" not in panel.listed_genes


def test_tso500_covers_tert_promoter_hotspot() -> None:
    panel = load_panel("tso500", "GRCh38")
    assert panel.contains("chr5", TERT_C228T_GRCH38)
    assert panel.genes_at("5", TERT_C228T_GRCH38) == ["TERT"]


def test_outside_panel_and_unknown_contigs() -> None:
    panel = load_panel("tso500", "GRCh38")
    assert not panel.contains("chr7", 1)
    assert not panel.contains("chr7", 10**9)
    assert not panel.contains("chrUn_KI270742v1", 100)
    assert not panel.contains("", 5)
    assert panel.genes_at("chr7", 1) == []
    assert panel.genes_at("chrUn_KI270742v1", 100) == []


def test_grch37_warns_about_missing_genes_and_borrowed_footprint() -> None:
    panel = load_panel("tso500", "GRCh37")
    assert any("TERC" in w and "no coordinates" in w for w in panel.warnings)
    assert any("footprint" in w for w in panel.warnings)
    assert panel.footprint_bp == load_panel("tso500", "GRCh38").footprint_bp


def test_coding_footprint_lies_inside_panel_regions() -> None:
    panel = load_panel("tso500", "GRCh38")
    coding = Path(panel.source) / "coding_GRCh38.bed"
    total = 0
    for line in coding.read_text().splitlines():
        if line.startswith("#"):
            continue
        chrom, start, end = line.split("\t")
        total += int(end) - int(start)
        assert panel.contains(chrom, int(start) + 1)
        assert panel.contains(chrom, int(end))
    assert total == panel.footprint_bp


def test_regions_are_merged_sorted_half_open() -> None:
    panel = load_panel("tso500", "GRCh38")
    regions = panel.regions()
    assert regions[0][0] == "chr1"
    for (c1, s1, e1), (c2, s2, _) in itertools.pairwise(regions):
        assert s1 < e1
        if c1 == c2:
            assert e1 < s2
    for chrom, start, end in regions[:50]:
        assert panel.contains(chrom, start + 1)
        assert panel.contains(chrom, end)
        assert not panel.contains(chrom, end + 1)
        assert not panel.contains(chrom, start)
    assert [r[0] for r in panel.regions("plain")][:1] == ["1"]


@pytest.mark.parametrize("name", ["tst170", "MSK-IMPACT", "msk_impact", "FoundationOne"])
def test_other_bundled_panels(name: str) -> None:
    panel = load_panel(name, "GRCh38")
    assert panel.contains("chr7", BRAF_V600E["GRCh38"])
    assert panel.gene_count > 100
    assert set(available_panels()) == {"foundationone", "msk_impact", "tso500", "tst170"}


def test_all_panel_contains_everything() -> None:
    panel = load_panel("all", "GRCh38")
    assert panel.is_all
    assert panel.contains("chrUn", 1)
    assert panel.regions() == []
    assert panel.footprint_bp is None
    with pytest.raises(PanelError, match="no regions"):
        panel.write_bed(None)


def test_unknown_panel_name_lists_available() -> None:
    with pytest.raises(PanelError) as err:
        load_panel("tso600", "GRCh38")
    assert err.value.message == "unknown panel 'tso600'"
    assert err.value.hint == (
        "available panels: all, foundationone, msk_impact, tso500, tst170; "
        "or give a .bed file or a gene list (.txt)"
    )


def test_missing_panel_file() -> None:
    with pytest.raises(PanelError, match="panel file not found") as err:
        load_panel("no/such/panel.bed", "GRCh38")
    assert err.value.where == "no/such/panel.bed"


def test_unknown_genome() -> None:
    with pytest.raises(PanelError, match="unknown genome build 'hg18'"):
        load_panel("tso500", "hg18")
    assert normalise_genome(" b37 ") == "GRCh37"


def test_gene_list_panel_maps_genes_and_warns_on_unknown() -> None:
    panel = load_panel(str(DATA / "genes_mixed.txt"), "GRCh38")
    assert panel.listed_genes == ("BRAF", "KRAS", "EGFR", "H3F3A")
    assert panel.gene_count == 4
    assert panel.warnings == [
        "panel genes_mixed.txt (GRCh38): 1 genes not in the gene table and left out: NOTAGENE1"
    ]
    assert panel.contains("chr7", BRAF_V600E["GRCh38"])
    assert panel.contains("12", 25245350)  # KRAS G12 codon
    assert panel.genes_at("chr1", 226064434) == ["H3F3A"]  # H3-3A K28 codon, GRCh38
    assert not panel.contains("chr17", 7675088)  # TP53 is not listed
    assert panel.footprint_bp is None


def test_gene_list_grch37_and_renamed_symbols(tmp_path: Path) -> None:
    path = tmp_path / "renamed.txt"
    path.write_text("MRE11\nPRKN\nBRAF\r\n")
    panel = load_panel(str(path), "GRCh37")
    assert panel.listed_genes == ("MRE11", "PRKN", "BRAF")
    assert {"MRE11A", "PARK2"} <= panel.genes
    assert panel.contains("7", BRAF_V600E["GRCh37"])
    assert panel.warnings == []


def test_gene_list_without_known_genes_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "none.txt"
    path.write_text("FOO1\nBAR2\n")
    with pytest.raises(PanelError, match="none of the 2 genes is in the GRCh38 gene table"):
        load_panel(str(path), "GRCh38")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(PanelError, match="the gene list names no genes"):
        load_panel(str(empty), "GRCh38")


def test_bed_panel_genes_from_names_and_overlaps() -> None:
    panel = load_panel(str(DATA / "small.bed"), "GRCh38")
    assert panel.contains("7", BRAF_V600E["GRCh38"])
    assert panel.contains("chr12", 25245350)
    assert not panel.contains("chr7", 140719326)  # 1-based pos = BED start: outside
    assert panel.contains("chr7", 140719327)
    assert {"BRAF", "KRAS"} <= panel.genes  # names are not symbols; genes come from overlaps
    assert panel.genes_at("chr12", 25245350) == ["KRAS"]


def test_bed_gz_panel(tmp_path: Path) -> None:
    path = tmp_path / "p.bed.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("7\t140753300\t140753400\tBRAF\n")
    panel = load_panel(str(path), "GRCh38")
    assert panel.contains("chr7", BRAF_V600E["GRCh38"])
    assert panel.genes_at("chr7", BRAF_V600E["GRCh38"]) == ["BRAF"]


@pytest.mark.parametrize(
    ("name", "where", "message"),
    [
        ("bad_start.bed", ":2", "start/end are not whole numbers: 'start', '140924930'"),
        ("bad_columns.bed", ":2", "expected at least 3 BED columns, found 2"),
        ("bad_order.bed", ":1", "invalid interval 200-100"),
    ],
)
def test_malformed_bed_reports_file_and_line(name: str, where: str, message: str) -> None:
    path = DATA / name
    with pytest.raises(PanelError) as err:
        load_panel(str(path), "GRCh38")
    assert err.value.where == f"{path}{where}"
    assert err.value.message == message
    assert err.value.hint is not None
    assert "chrom<TAB>start<TAB>end" in err.value.hint


def test_write_bed_in_both_styles(tmp_path: Path) -> None:
    panel = load_panel("tst170", "GRCh37")
    out = tmp_path / "r.bed"
    panel.write_bed(out, "chr")
    lines = [x for x in out.read_text().splitlines() if not x.startswith("#")]
    assert len(lines) == len(panel.regions())
    assert lines[0].startswith("chr1\t")
    panel.write_bed(out, "plain")
    assert out.read_text().splitlines()[1].startswith("1\t")
    with pytest.raises(PanelError, match="unknown contig style"):
        panel.write_bed(out, "ucsc")


def test_contig_helpers() -> None:
    assert contig_key("chrM") == contig_key("MT") == contig_key("chrMT") == "MT"
    assert contig_key("chrx") == "X"
    assert contig_key("chr7") == contig_key("7") == "7"
    assert styled_contig("MT", "chr") == "chrM"
    assert styled_contig("chrM", "plain") == "MT"
    assert contig_style_of(["chr1", "chr2"]) == "chr"
    assert contig_style_of(["1", "2"]) == "plain"


def test_no_genome_gives_genes_without_regions() -> None:
    panel = load_panel("tso500", None)
    assert panel.regions() == []
    assert "BRAF" in panel.genes
    assert panel.warnings


def test_read_gene_list_messy(tmp_path: Path) -> None:
    path = tmp_path / "g.txt"
    path.write_bytes(b"\xef\xbb\xbfSymbol\r\nBRAF;KRAS\t EGFR # comment\n'NRAS'\n")
    assert read_gene_list(path) == ["BRAF", "KRAS", "EGFR", "NRAS"]


intervals = st.lists(
    st.tuples(st.sampled_from(["1", "chr2", "X"]), st.integers(0, 5000), st.integers(1, 300)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(intervals, st.sampled_from(["1", "chr1", "2", "chrX", "x", "3"]), st.integers(1, 5400))
def test_contains_matches_brute_force(
    ivs: list[tuple[str, int, int]], chrom: str, pos: int
) -> None:
    rows = [(c, s, s + n, f"G{i}") for i, (c, s, n) in enumerate(ivs)]
    panel = Panel("t", "GRCh38", rows, listed_genes=[r[3] for r in rows])
    key = contig_key(chrom)
    hits = [r for r in rows if contig_key(r[0]) == key and r[1] < pos <= r[2]]
    assert panel.contains(chrom, pos) == bool(hits)
    assert panel.genes_at(chrom, pos) == sorted({r[3] for r in hits})
    merged = panel.regions()
    assert sum(e - s for _, s, e in merged) == panel.size_bp


symbols = st.from_regex(r"[A-Z][A-Z0-9]{0,6}(-[0-9A-Z]{1,3})?", fullmatch=True).filter(
    lambda s: s.lower() not in {"gene", "genes", "symbol"}
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(symbols, min_size=1, max_size=20),
    st.lists(st.sampled_from(["\n", "\r\n", ",", ";", "\t", " ", ", ", "\n\n"]), min_size=1),
    st.booleans(),
)
def test_gene_list_parser_round_trip(
    tmp_path_factory: pytest.TempPathFactory, genes: list[str], seps: list[str], header: bool
) -> None:
    text = "Gene\n" if header else ""
    for i, gene in enumerate(genes):
        text += gene + seps[i % len(seps)]
    path = tmp_path_factory.mktemp("lists") / "g.txt"
    path.write_text(text + "# trailing comment\n")
    assert read_gene_list(path) == list(dict.fromkeys(genes))


bed_rows = st.lists(
    st.tuples(
        st.sampled_from(["chr1", "1", "chrX", "X", "chrM", "MT"]),
        st.integers(0, 10_000),
        st.integers(0, 500),
        st.sampled_from(["", "\tBRAF", "\tamplicon_7", "\t."]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None)
@given(bed_rows, st.sampled_from(["\t", " "]))
def test_bed_parser_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int, int, str]],
    sep: str,
) -> None:
    lines = ["track name=x", "# comment"]
    lines += [sep.join([c, str(s), str(s + n)]) + name.replace("\t", sep) for c, s, n, name in rows]
    path = tmp_path_factory.mktemp("beds") / "p.bed"
    path.write_text("\n".join(lines) + "\n")
    panel = load_panel(str(path), "GRCh38")
    covered = {(contig_key(c), p) for c, s, n, _ in rows for p in range(s, s + n)}
    got = {(contig_key(c), p) for c, s, e in panel.regions() for p in range(s, e)}
    assert got == covered
    for key, p in list(covered)[:50]:
        assert panel.contains(styled_contig(key, "chr"), p + 1)


def test_bed_panel_without_genome_keeps_gene_names() -> None:
    path = DATA / "small.bed"
    panel = load_panel(str(path), None)
    assert panel.genes == frozenset()  # names are amplicon ids, not symbols
    assert panel.contains("chr12", 25245350)
    assert panel.warnings == [
        "panel small.bed: genome build unknown, so its genes are only the BED's "
        "4th-column gene symbols"
    ]
    named = load_panel(str(DATA / "bad_start.bed").replace("bad_start", "named"), None)
    assert named.listed_genes == ("BRAF",)
