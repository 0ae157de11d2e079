"""VCF text shared by tests: a VEP-annotated GRCh38 header for chr7 BRAF records, written from
the VCF 4.2 specification (VEP's CSQ header convention)."""

from __future__ import annotations

BRAF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh38\n"
    "##contig=<ID=chr7,length=159345973>\n"
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
    'VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|EXON|HGVSc|HGVSp|MANE_SELECT">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)
"""Sample column ``TUMOR`` with FORMAT ``AD:DP``."""
