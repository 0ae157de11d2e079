"""The bundled demo patient (synthetic) and ``run_demo``, behind ``tumorboard demo``.

DEMO-001 is an invented patient: intrahepatic cholangiocarcinoma (OncoTree IHCH) after
first-line chemo-immunotherapy, with a tumour/normal TSO500-style VCF annotated by Ensembl VEP
(GRCh38, MANE Select). It carries BRAF V600E (dabrafenib + trametinib: off-label under EMA,
on-label under FDA's tumour-agnostic label; an open IMPRESS-style cohort), PIK3CA H1047R,
TP53 R248Q, a low-VAF ARID1A frameshift, a synonymous APC variant, an intronic ATM variant,
an off-panel intergenic variant, a FILTER-failing KRAS G12D call and a germline-filtered
TP53 P72R polymorphism, so every section of the report has something to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.errors import OutputError

if TYPE_CHECKING:
    from tumorboard.models import CaseResult

DEMO_DIR = Path(__file__).resolve().parent
DEMO_VCF = DEMO_DIR / "DEMO-001.tumor_normal.vep.vcf"
DEMO_PATIENT = DEMO_DIR / "DEMO-001.patient.yaml"


def _demo_registry(out: Path) -> Path:
    """A cohort registry beside the demo's files, holding the bundled IMPRESS-style cohorts."""
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.definitions import load_cohorts
    from tumorboard.cohorts.manage import sync_definitions
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.oncotree import OncoTree

    path = out / "demo-registry.sqlite"
    definitions = load_cohorts(None, catalog=load_catalog(), tree=OncoTree.load())
    with open_registry(str(path), user="tumorboard-demo", create=True) as registry:
        sync_definitions(registry, definitions)
    return path


def summary_line(case: CaseResult) -> str:
    """What ``tumorboard demo`` prints about the patient: the top option (one ranking)."""
    from tumorboard.ranking import option_text, top_option

    top = option_text(top_option(case)) or "no drug option in the catalog"
    return f"{case.patient.id} ({case.patient.tumor_type}): strongest option: {top}"


def run_demo(folder: str | Path = "tumorboard-demo") -> Path:
    """Analyse the demo patient; write report.html, report.nb.html, case.json and agenda.html
    (plus demo-registry.sqlite, a cohort registry with the bundled cohorts, for cohort status).

    Returns the path of the English report.
    """
    from tumorboard.casefile import load_patient
    from tumorboard.models import RunOptions
    from tumorboard.outputs import write_text_atomic
    from tumorboard.pipeline import Outputs, run
    from tumorboard.report import render_agenda, write_report

    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the demo folder: {exc.strerror}",
            where=str(out),
            hint="choose another folder with -o",
        ) from exc
    info = load_patient(DEMO_PATIENT)
    options = RunOptions(
        tumor_type=str(info["tumor_type"]),
        patient_age=info.get("age"),
        command=f"tumorboard demo -o {out}",
    )
    report = out / "report.html"
    done = run(
        [str(DEMO_VCF)],
        options,
        patient_file=DEMO_PATIENT,
        registry=str(_demo_registry(out)),
        outputs=Outputs(json=str(out / "case.json"), html=str(report)),
    )
    case = done.result()
    write_report(case, out / "report.nb.html", lang="nb")
    write_text_atomic(out / "agenda.html", render_agenda([(case, "report.html")]))
    return report


__all__ = ["DEMO_PATIENT", "DEMO_VCF", "run_demo", "summary_line"]
