"""ANNOVAR's gene-based annotation in the VCF ``table_annovar.pl -vcfinput`` writes.

Fixtures are written here from ANNOVAR's documentation (the quick start-up guide's
``-vcfinput`` section: one ``ANNOVAR_DATE`` ... ``ALLELE_END`` block per ALT in INFO; the
gene-based annotation chapter: ``Func``/``Gene``/``GeneDetail``/``ExonicFunc``/``AAChange``
values, ``splicing`` within 2 bp of an exon boundary). No ANNOVAR output file is copied.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_run import annotate
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.readers.detect import detect_format
from tumorboard.readers.vcf_annotation import ANNOVAR_FIELDS, annovar_entries

FLAG = "Flag the {} of ANNOVAR annotation for one alternative allele"
HEADER = "".join(
    [
        "##fileformat=VCFv4.2\n##reference=GRCh38\n",
        "##contig=<ID=7,length=159345973>\n##contig=<ID=13,length=114364328>\n",
        f'##INFO=<ID=ANNOVAR_DATE,Number=1,Type=String,Description="{FLAG.format("start")}">\n',
        *(
            f"##INFO=<ID={column}.refGene,Number=.,Type=String,"
            f'Description="{column}.refGene annotation provided by ANNOVAR">\n'
            for column in ("Func", "Gene", "GeneDetail", "ExonicFunc", "AAChange")
        ),
        f'##INFO=<ID=ALLELE_END,Number=0,Type=Flag,Description="{FLAG.format("end")}">\n',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n",
    ]
)
"""The header ``table_annovar.pl -vcfinput -protocol refGene -operation g`` writes."""


def block(func: str, gene: str, detail: str, exonic: str, aachange: str) -> str:
    return (
        f"ANNOVAR_DATE=2020-06-08;Func.refGene={func};Gene.refGene={gene};"
        f"GeneDetail.refGene={detail};ExonicFunc.refGene={exonic};AAChange.refGene={aachange};"
        "ALLELE_END"
    )


BRAF_V600E = block(
    "exonic", "BRAF", ".", "nonsynonymous_SNV",
    "BRAF:NM_001354609:exon15:c.T1799A:p.V600E,BRAF:NM_004333:exon15:c.T1799A:p.V600E",
)  # fmt: skip
RECORDS = {
    "braf": f"7\t140753336\t.\tA\tT\t.\tPASS\t{BRAF_V600E}\tGT:AD\t0/1:60,40\n",
    "brca2_stop": "13\t32339699\t.\tG\tT\t.\tPASS\t"
    + block("exonic", "BRCA2", ".", "stopgain", "BRCA2:NM_000059:exon11:c.G5857T:p.E1953X")
    + "\tGT:AD\t0/1:50,50\n",
    "brca2_splice": "13\t32326283\t.\tG\tA\t.\tPASS\t"
    + block("splicing", "BRCA2", "NM_000059:exon10:c.1909+1G>A", ".", ".")
    + "\tGT:AD\t0/1:50,50\n",
    "brca2_deep_intron": "13\t32326287\t.\tG\tA\t.\tPASS\t"
    + block("intronic", "BRCA2", ".", ".", ".")
    + "\tGT:AD\t0/1:50,50\n",
}


def vcf(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "T.hg38_multianno.vcf"
    path.write_text(HEADER + "".join(RECORDS[n] for n in names))
    return path


def variants(case: dict) -> dict[str, dict]:
    return {f"{v['gene']} {v['protein'] or v['hgvsc']}": v for v in case["variants"]}


def test_annovar_exonic_change_reaches_the_braf_labels(tmp_path: Path) -> None:
    """BRAF V600E from AAChange: the MANE Select RefSeq transcript chosen by id (not the first
    item), ANNOVAR's c.T1799A written as HGVS, and the melanoma labels matched."""
    path = vcf(tmp_path, "braf")
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert case["qc"]["annotation"] == "ANNOVAR (refGene)"
    assert case["qc"]["warnings"] == []
    (v,) = case["variants"]
    assert (v["gene"], v["protein"], v["hgvsc"]) == ("BRAF", "V600E", "c.1799T>A")
    assert (v["transcript"], v["transcript_rule"]) == ("NM_004333", "mane_select_table")
    assert v["consequences"] == ["missense_variant"]
    assert v["vaf"] == 0.4
    assert any("dabrafenib" in m["drugs"] for m in case["matches"])


def test_annovar_truncating_changes_are_loss_of_function(tmp_path: Path) -> None:
    """A stopgain (ANNOVAR's X written as *) and a +1 splice change are truncating: PARP
    inhibitors match BRCA2 in ovarian cancer; a deeper intronic change is not."""
    path = vcf(tmp_path, "brca2_stop", "brca2_splice", "brca2_deep_intron")
    code, output, case = annotate([str(path), "-t", "HGSOC", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    found = variants(case)
    stop = found["BRCA2 E1953*"]
    assert stop["consequences"] == ["stop_gained"]
    splice = found["BRCA2 c.1909+1G>A"]
    assert splice["consequences"] == ["splice_donor_variant"]
    assert splice["exon"] == 10
    intronic = next(v for v in case["variants"] if v["consequences"] == ["intron_variant"])
    assert intronic["gene"] == "BRCA2"
    parp = [m for m in case["matches"] if "olaparib" in m["drugs"]]
    assert parp
    ids = {vid for m in parp for vid in m["variants"]}
    assert stop["id"] in ids
    assert splice["id"] in ids
    assert intronic["id"] not in ids


def test_annovar_blocks_belong_to_their_alt(tmp_path: Path) -> None:
    """A multi-allelic record: each ALT reads its own ANNOVAR_DATE ... ALLELE_END block."""
    second = block(
        "exonic", "BRAF", ".", "nonsynonymous_SNV", "BRAF:NM_004333:exon15:c.T1799G:p.V600G"
    )
    record = f"7\t140753336\t.\tA\tT,C\t.\tPASS\t{BRAF_V600E};{second}\tGT:AD\t0/1/2:50,30,20\n"
    path = tmp_path / "multi.vcf"
    path.write_text(HEADER + record)
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    by_alt = {v["alt"]: v["protein"] for v in case["variants"]}
    assert by_alt == {"T": "V600E", "C": "V600G"}


def test_annovar_escapes_and_exonic_splicing(tmp_path: Path) -> None:
    """ANNOVAR writes ';' inside a value as \\x3b: 'exonic;splicing' is both regions."""
    entries = annovar_entries(
        block(
            "exonic\\x3bsplicing", "KIT", "NM_000222:exon11:c.1648-2A>G",
            "nonframeshift_deletion", "KIT:NM_000222:exon11:c.1669_1674del:p.W557_K558del",
        ),
        "refGene",
    )  # fmt: skip
    (entry,) = entries
    fields = dict(zip(ANNOVAR_FIELDS, entry.split("|"), strict=True))
    assert fields["Consequence"] == "inframe_deletion&splice_acceptor_variant"
    assert fields["HGVSp"] == "p.W557_K558del"
    assert fields["ALLELE_NUM"] == "1"


def test_annovar_without_a_gene_database_is_said_not_read(tmp_path: Path) -> None:
    """Only filter-based databases (no Func/Gene/ExonicFunc/AAChange): read by coordinates, with
    a warning naming ANNOVAR."""
    header = "\n".join(
        ln for ln in HEADER.splitlines() if "refGene" not in ln
    ) + "\n"  # fmt: skip
    path = tmp_path / "filter_only.vcf"
    path.write_text(
        header
        + "7\t140753336\t.\tA\tT\t.\tPASS\tANNOVAR_DATE=2020-06-08;ALLELE_END\tGT:AD\t0/1:60,40\n"
    )
    code, output, case = annotate(
        [str(path), "-t", "SKCM", "--genome", "GRCh38", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert case["qc"]["annotation"] == "none (hotspots only)"
    assert any("ANNOVAR without a gene-based database" in w for w in case["qc"]["warnings"])


def test_annovar_table_and_vep_table_are_refused_naming_the_vcf(tmp_path: Path) -> None:
    table = tmp_path / "T.hg38_multianno.txt"
    table.write_text(
        "Chr\tStart\tEnd\tRef\tAlt\tFunc.refGene\tGene.refGene\tGeneDetail.refGene\t"
        "ExonicFunc.refGene\tAAChange.refGene\tOtherinfo1\n"
        "7\t140753336\t140753336\tA\tT\texonic\tBRAF\t.\tnonsynonymous SNV\t"
        "BRAF:NM_004333:exon15:c.T1799A:p.V600E\t0.4\n"
    )
    vep = tmp_path / "T.vep.txt"
    vep.write_text(
        "## ENSEMBL VARIANT EFFECT PREDICTOR v110.0\n"
        "#Uploaded_variation\tLocation\tAllele\tGene\tFeature\tFeature_type\tConsequence\tExtra\n"
        "7_140753336_A/T\t7:140753336\tT\tENSG00000157764\tENST00000646891\tTranscript\t"
        "missense_variant\tSYMBOL=BRAF\n"
    )
    for path, hint in ((table, "-vcfinput"), (vep, "--vcf")):
        out = tmp_path / "c.json"
        code, output, _ = annotate([str(path), "-t", "SKCM", "-o", str(out)])
        assert code != 0
        assert output.startswith("Error:")
        assert "Hint: " in output
        assert hint in output
        assert not out.exists()


def test_annovar_vcf_as_a_subprocess(tmp_path: Path) -> None:
    path = vcf(tmp_path, "braf")
    assert detect_format(str(path)) == "vcf"
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(path), "-t", "SKCM", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["variants"][0]["protein"] == "V600E"


symbols = st.from_regex(r"[A-Z][A-Z0-9]{1,6}", fullmatch=True)
transcripts = st.from_regex(r"NM_[0-9]{4,9}", fullmatch=True)
residues = st.sampled_from("ACDEFGHIKLMNPQRSTVWY")


@settings(max_examples=60, deadline=None)
@given(
    gene=symbols,
    items=st.lists(
        st.tuples(transcripts, st.integers(1, 80), st.integers(1, 9999), residues, residues),
        min_size=1, max_size=4,
    ),
    n_alts=st.integers(1, 3),
)  # fmt: skip
def test_annovar_entries_read_back(gene: str, items: list, n_alts: int) -> None:
    """Any AAChange list, in any number of ALT blocks, gives one entry per item, numbered by its
    block, with the fields as written (the SNV's c. rewritten as HGVS)."""
    aachange = ",".join(
        f"{gene}:{tx}:exon{ex}:c.A{pos}G:p.{a}{pos}{b}" for tx, ex, pos, a, b in items
    )
    info = ";".join(
        block("exonic", gene, ".", "nonsynonymous_SNV", aachange) for _ in range(n_alts)
    )
    entries = annovar_entries(f"DP=10;{info}", "refGene")
    assert len(entries) == len(items) * n_alts
    for k, entry in enumerate(entries):
        tx, ex, pos, a, b = items[k % len(items)]
        fields = dict(zip(ANNOVAR_FIELDS, entry.split("|"), strict=True))
        assert fields == {
            "SYMBOL": gene, "Feature": tx, "EXON": str(ex), "HGVSc": f"c.{pos}A>G",
            "HGVSp": f"p.{a}{pos}{b}", "Consequence": "missense_variant",
            "ALLELE_NUM": str(k // len(items) + 1),
        }  # fmt: skip
