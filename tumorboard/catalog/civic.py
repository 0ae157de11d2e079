"""Turn CIViC predictive evidence (TSV export) into catalog evidence records (an extension file).

Only evidence that *supports* a predictive claim is imported: ``Sensitivity/Response`` becomes
``effect: sensitive``, ``Resistance`` and ``Reduced Sensitivity`` become ``effect: resistant``;
``Adverse Response`` and ``Does Not Support`` rows are skipped (counted). Each row becomes one
record per drug set: ``Combination`` and ``Sequential`` rows keep all drugs together,
``Substitutes`` rows give one record per drug.

Variant names become biomarker rules (ids ``CIVIC_<GENE>_<VARIANT>``): ``V600E`` exact,
``V600`` codon, ``MUTATION`` any protein-altering mutation, ``EXON 19 DELETION`` /
``EXON 20 INSERTION`` / ``EXON 11 MUTATION`` region rules, ``EXON 14 SKIPPING MUTATION`` (MET),
``AMPLIFICATION``, ``DELETION``/``LOSS``, ``LOSS-OF-FUNCTION``/``TRUNCATING MUTATION``,
``FUSION`` (any partner) and ``A::B`` (named pair); other HGVS-like changes (``Y772_A775dup``)
become exact rules. Anything else is skipped and counted.

Diseases are mapped to OncoTree by a small table of CIViC names, then by exact OncoTree name;
``Cancer`` and ``Solid Tumor`` become tumour-agnostic records. Unmapped diseases are skipped.

Evidence levels map conservatively (CIViC levels are not ESCAT; the board reviews them):
A -> ESCAT II-A (guideline), B -> II-B (trial), C -> III-B (case report), D/E -> IV
(preclinical/inferential); OncoKB-like A/B -> 3A, C/D/E -> 4; resistance A -> R1, else R2.
Drugs missing from the base catalog are added with class "unclassified (imported from CIViC)".
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.alterations import parse_protein_change
from tumorboard.errors import CatalogError, excerpt, printable

if TYPE_CHECKING:
    from tumorboard.oncotree import OncoTree

DISEASES = {
    "colorectal cancer": "COADREAD",
    "colorectal adenocarcinoma": "COADREAD",
    "colon cancer": "COAD",
    "rectum cancer": "READ",
    "lung non-small cell carcinoma": "NSCLC",
    "lung adenocarcinoma": "LUAD",
    "lung squamous cell carcinoma": "LUSC",
    "lung cancer": "LUNG",
    "melanoma": "MEL",
    "skin melanoma": "SKCM",
    "uveal melanoma": "UM",
    "gastrointestinal stromal tumor": "GIST",
    "breast cancer": "BREAST",
    "her2-receptor positive breast cancer": "BREAST",
    "ovarian cancer": "OVARY",
    "cholangiocarcinoma": "CHOL",
    "pancreatic cancer": "PANCREAS",
    "pancreatic adenocarcinoma": "PAAD",
    "stomach carcinoma": "STOMACH",
    "prostate cancer": "PROSTATE",
    "head and neck squamous cell carcinoma": "HNSC",
    "acute myeloid leukemia": "AML",
    "chronic myeloid leukemia": "CML",
    "multiple myeloma": "PCM",
    "glioblastoma": "GB",
    "endometrial cancer": "UTERUS",
    "thyroid gland cancer": "THYROID",
    "renal cell carcinoma": "RCC",
    "urinary bladder cancer": "BLADDER",
    "transitional cell carcinoma": "BLCA",
}
AGNOSTIC = {"cancer": "all", "solid tumor": "solid", "advanced solid tumor": "solid"}
ESCAT = {"A": "II-A", "B": "II-B", "C": "III-B", "D": "IV", "E": "IV"}
ONCOKB = {"A": "3A", "B": "3A", "C": "4", "D": "4", "E": "4"}
KIND = {"A": "guideline", "B": "trial", "C": "case_report", "D": "preclinical", "E": "other"}
_INN = re.compile(r"^[a-z0-9][a-z0-9 -]*[a-z0-9]$")
_SUB = re.compile(r"^[A-Z]\d+[A-Z*]$")
_CODON = re.compile(r"^[A-Z]\d+$")
_EXON = re.compile(r"^EXON (\d+) (DELETION|INSERTION|MUTATION)$")
_GENE = re.compile(r"[A-Z0-9][A-Za-z0-9.-]{0,30}")
_NEEDED = ("gene", "variant", "disease", "drugs", "evidence_direction", "clinical_significance")


@dataclass(slots=True)
class CivicImport:
    """The records built from one CIViC file, and what was skipped."""

    drugs: list[dict[str, Any]] = field(default_factory=list)
    biomarkers: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)

    def document(self, source: str) -> dict[str, Any]:
        """The YAML document (an extension catalog file)."""
        return {
            "drugs": self.drugs,
            "biomarkers": list(self.biomarkers.values()),
            "evidence": self.evidence,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _exon_rule(n: int, what: str) -> dict[str, Any]:
    group = {"DELETION": "inframe_deletion", "INSERTION": "inframe_insertion"}
    return {"type": "region", "exons": [n], "consequences": [group.get(what, "protein_altering")]}


def variant_rule(gene: str, variant: str) -> dict[str, Any] | None:
    """A biomarker rule (dict) for a CIViC variant name, or ``None`` when not expressible."""
    v = variant.strip()
    up = v.upper()
    body: dict[str, Any] | None = None
    if "::" in v:
        left, _, right = v.partition("::")
        other = right if left == gene else left
        body = {"type": "fusion", "partners": [other]} if other and other != gene else None
        if body is None:
            body = {"type": "fusion"}
    elif _SUB.match(v):
        body = {"type": "exact", "changes": [v]}
    elif _CODON.match(v):
        body = {"type": "codon", "codons": [int(v[1:])]}
    elif up in ("MUTATION", "OVEREXPRESSION MUTATION"):
        body = {"type": "mutation"}
    elif up == "EXON 14 SKIPPING MUTATION":
        body = {
            "type": "region",
            "exons": [14],
            "introns": [13, 14],
            "consequences": ["splice_site", "inframe_deletion"],
            "rna_splice_exon": 14,
        }
    elif m := _EXON.match(up):
        body = _exon_rule(int(m.group(1)), m.group(2))
    elif up == "AMPLIFICATION":
        body = {"type": "amplification"}
    elif up in ("DELETION", "LOSS"):
        body = {"type": "deletion"}
    elif up in ("LOSS-OF-FUNCTION", "TRUNCATING MUTATION", "FRAMESHIFT TRUNCATION"):
        body = {"type": "loss_of_function"}
    elif up == "FUSION":
        body = {"type": "fusion"}
    else:
        text = re.sub(r"(DELINS|DUP|DEL|INS|FS)", lambda m: m.group(1).lower(), v)
        parsed = parse_protein_change(text)
        if parsed is not None and parsed.start is not None:
            body = {"type": "exact", "changes": [parsed.one]}
    if body is None:
        return None
    rule_id = f"CIVIC_{_slug(gene)}_{_slug(v)}"
    return {"id": rule_id, "type": body.pop("type"), "gene": gene, "name": f"{gene} {v}", **body}


def _scope(disease: str, tree: OncoTree) -> dict[str, Any] | None:
    key = disease.strip().lower()
    if key in AGNOSTIC:
        return {"tumor_agnostic": AGNOSTIC[key]}
    code = DISEASES.get(key)
    if code is None:
        for node in tree.search(disease):
            if node.name.lower() == key:
                code = node.code
                break
    return {"tumor_types": [code]} if code and code in tree else None


def _drug_sets(row: dict[str, str]) -> list[list[str]] | None:
    names = [d.strip().lower() for d in row["drugs"].split(",") if d.strip()]
    if not names or not all(_INN.match(n) for n in names):
        return None
    if row.get("drug_interaction_type", "") == "Substitutes":
        return [[n] for n in names]
    return [names]


def _record(
    row: dict[str, str], rule: dict[str, Any], drugs: list[str], scope: dict[str, Any]
) -> dict[str, Any]:
    level = row.get("evidence_level", "E") or "E"
    resistant = row["clinical_significance"] in ("Resistance", "Reduced Sensitivity")
    eid = row.get("evidence_id", "").split(".")[0]
    date = (row.get("last_review_date") or "")[:10]
    pmid = row.get("citation_id", "").split("(")[0]
    statement = " ".join(row.get("evidence_statement", "").split())
    summary = statement if len(statement) <= 300 else statement[:297].rstrip() + "..."
    interaction = row.get("drug_interaction_type", "")
    if interaction == "Sequential":
        summary = "(sequential use) " + summary
    source = {
        "kind": "CIViC",
        "document": f"CIViC EID{eid}: {row.get('citation', '').strip() or 'CIViC evidence'}",
        "url": row.get("evidence_civic_url") or None,
        "date": date if re.match(r"^\d{4}-\d{2}-\d{2}$", date) else "2022-12-01",
        "identifier": f"PMID {pmid}" if pmid.isdigit() else None,
    }
    record: dict[str, Any] = {
        "id": f"CIVIC_EID{eid}_{_slug('_'.join(drugs))}",
        "drugs": drugs,
        "biomarker": rule["id"],
        **scope,
        "effect": "resistant" if resistant else "sensitive",
        "kind": KIND.get(level, "other"),
        "escat": ESCAT.get(level, "IV"),
        "oncokb": ("R1" if level == "A" else "R2") if resistant else ONCOKB.get(level, "4"),
        "summary": summary or f"CIViC evidence item {eid}",
        "sources": [{k: v for k, v in source.items() if v is not None}],
    }
    return record


def import_civic(path: str | Path, tree: OncoTree, known_drugs: set[str]) -> CivicImport:
    """Read a CIViC predictive-evidence TSV and build catalog records (see module docstring)."""
    from tumorboard.bounded import decode, read_bytes

    p = Path(path)
    text = decode(read_bytes(p, "CIViC file", error=CatalogError), "CIViC file", str(p),
                  error=CatalogError)  # fmt: skip
    out = CivicImport()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        missing = [c for c in _NEEDED if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(
                f"not a CIViC evidence TSV: missing column(s) {', '.join(missing)}",
                where=str(p),
                hint="download the predictive evidence summary TSV from civicdb.org",
            )
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                out.skipped["row with a different number of fields than the header"] += 1
                continue
            _import_row(row, tree, known_drugs, out)
    except csv.Error as exc:
        raise CatalogError(
            f"not a readable TSV at line {reader.line_num}: {printable(str(exc))}",
            where=f"{p}:{reader.line_num}",
            hint="download the predictive evidence summary TSV from civicdb.org again",
        ) from exc
    return out


def _import_row(row: dict[str, str], tree: OncoTree, known: set[str], out: CivicImport) -> None:
    if row.get("evidence_type", "Predictive") != "Predictive":
        out.skipped["not predictive"] += 1
        return
    if row["evidence_direction"] != "Supports":
        out.skipped["does not support"] += 1
        return
    if row["clinical_significance"] not in (
        "Sensitivity/Response",
        "Resistance",
        "Reduced Sensitivity",
    ):
        out.skipped[f"significance {excerpt(row['clinical_significance'], 30)}"] += 1
        return
    if not _GENE.fullmatch(row["gene"].strip()) or not row["variant"].isprintable():
        out.skipped["gene or variant name not valid"] += 1
        return
    rule = variant_rule(row["gene"].strip(), row["variant"])
    if rule is None:
        out.skipped["variant not expressible as a rule"] += 1
        return
    scope = _scope(row["disease"], tree)
    if scope is None:
        out.skipped["disease not mapped to OncoTree"] += 1
        return
    sets = _drug_sets(row)
    if sets is None:
        out.skipped["drug name not an INN"] += 1
        return
    out.biomarkers.setdefault(rule["id"], rule)
    for drugs in sets:
        for drug in drugs:
            if drug not in known:
                known.add(drug)
                out.drugs.append({"id": drug, "drug_class": "unclassified (imported from CIViC)"})
        record = _record(row, rule, drugs, scope)
        if record["id"] in out.seen:
            out.skipped["duplicate row"] += 1
            continue
        out.seen.add(record["id"])
        out.evidence.append(record)


__all__ = ["CivicImport", "import_civic", "variant_rule"]
