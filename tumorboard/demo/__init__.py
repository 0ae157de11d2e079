"""The bundled demo patient (synthetic) and ``run_demo``, behind ``tumorboard demo``.

DEMO-001 is an invented patient: intrahepatic cholangiocarcinoma (OncoTree IHCH) after
first-line chemo-immunotherapy, with a tumour/normal TSO500-style VCF annotated by Ensembl VEP
(GRCh38, MANE Select). It carries BRAF V600E (dabrafenib + trametinib: off-label under EMA,
on-label under FDA's tumour-agnostic label; an open IMPRESS-style cohort), PIK3CA H1047R,
TP53 R248Q, a low-VAF ARID1A frameshift, a synonymous APC variant, an intronic ATM variant,
an off-panel intergenic variant, a FILTER-failing KRAS G12D call and a germline-filtered
TP53 P72R polymorphism, so every section of the report has something to show.

The demo runs the board's whole loop: the analysis (case.json), the board's decision recorded
in a fresh demo registry (the strongest option, off-label, which an open cohort offers), the
enrolment that follows from it, the agenda and the reports showing the decision, the
recommendation letter (HTML in both languages, PDF when headless Chromium is installed) and
the cohort dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.errors import OutputError

if TYPE_CHECKING:
    from tumorboard.models import CaseResult

DEMO_DIR = Path(__file__).resolve().parent
DEMO_VCF = DEMO_DIR / "DEMO-001.tumor_normal.vep.vcf"
DEMO_PATIENT = DEMO_DIR / "DEMO-001.patient.yaml"
REGISTRY = "demo-registry.sqlite"
RATIONALE = (
    "BRAF V600E: dabrafenib + trametinib is the strongest option; it is off-label for "
    "intrahepatic cholangiocarcinoma under EMA rules and the IMPRESS-style BRAF cohort has a "
    "free slot, so the board recommends treatment within that cohort. (Synthetic demo patient.)"
)


@dataclass
class DemoRun:
    """What ``tumorboard demo`` wrote and did (its printed summary)."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    decision: str = ""
    enrolment: str = ""
    pdf_skipped: str = ""

    @property
    def report(self) -> Path:
        return self.files["report"]

    def summary(self) -> str:
        f = self.files
        lines = [
            f"tumorboard demo: synthetic patient DEMO-001 (IHCH), files in {self.folder}",
            f"  analysis   {f['case']}",
            f"  report     {f['report']} (Norwegian: {f['report_nb']})",
            f"  agenda     {f['agenda']}",
            f"  decision   {self.decision} (registry {f['registry']})",
            f"  enrolment  {self.enrolment}",
            f"  letter     {f['letter']} (Norwegian: {f['letter_nb']})",
            f"  letter PDF {f.get('letter_pdf', self.pdf_skipped)}",
            f"  dashboard  {f['dashboard']}",
        ]
        return "\n".join(lines)


def _fresh_registry(path: Path) -> None:
    """A new cohort registry at ``path`` holding the bundled IMPRESS-style cohorts."""
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.definitions import load_cohorts
    from tumorboard.cohorts.manage import sync_definitions
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.oncotree import OncoTree

    path.unlink(missing_ok=True)
    definitions = load_cohorts(None, catalog=load_catalog(), tree=OncoTree.load())
    with open_registry(str(path), user="tumorboard-demo", create=True) as registry:
        sync_definitions(registry, definitions)


def summary_line(case: CaseResult) -> str:
    """What ``tumorboard demo`` prints about the patient: the top option (one ranking)."""
    from tumorboard.ranking import option_text, top_option

    top = option_text(top_option(case)) or "no drug option in the catalog"
    return f"{case.patient.id} ({case.patient.tumor_type}): strongest option: {top}"


def _folder(folder: str | Path) -> Path:
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the demo folder: {exc.strerror}",
            where=str(out),
            hint="choose another folder with -o",
        ) from exc
    return out


def _analyse(out: Path, registry: Path) -> Path:
    from tumorboard.casefile import load_patient
    from tumorboard.models import RunOptions
    from tumorboard.pipeline import Outputs, run

    info = load_patient(DEMO_PATIENT)
    options = RunOptions(
        tumor_type=str(info["tumor_type"]),
        patient_age=info.get("age"),
        command=f"tumorboard demo -o {out}",
    )
    case_path = out / "case.json"
    run([str(DEMO_VCF)], options, patient_file=DEMO_PATIENT, registry=str(registry),
        outputs=Outputs(json=str(case_path)))  # fmt: skip
    return case_path


def _decide_and_enrol(done: DemoRun, case_path: Path, registry: Path) -> None:
    """Record the board's decision (the strongest option) and enrol the patient by it."""
    from tumorboard.casefile import load_case
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.assign import assign_case
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.decisions.choices import resolve
    from tumorboard.decisions.store import decided_options, record_decision
    from tumorboard.oncotree import OncoTree

    case, catalog, tree = load_case(case_path), load_catalog(), OncoTree.load()
    with open_registry(str(registry), user="tumorboard-demo") as reg:
        recorded = record_decision(
            reg,
            case,
            resolve(case, ["1"]),
            rationale=RATIONALE,
            meeting_date=case.created.date().isoformat(),
            catalog=catalog,
            tree=tree,
        )
        enrolled = assign_case(
            reg, case, catalog=catalog, tree=tree, decided=decided_options(reg, case.patient.id)
        )
    done.decision = f"version 1: {recorded.decision.summary()}"
    where = enrolled.cohort.id if enrolled.cohort else "no cohort"
    done.enrolment = f"{enrolled.status} ({where})"


def _documents(done: DemoRun, case_path: Path, registry: Path) -> None:
    """Agenda, reports, letters and dashboard, all showing the registry's decision."""
    from tumorboard.casefile import add_cohort_status, load_case
    from tumorboard.cohorts.dashboard import build_dashboard, render_dashboard
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.decisions.letter import write_letter
    from tumorboard.decisions.pdf import find_chromium
    from tumorboard.decisions.store import decision_state
    from tumorboard.outputs import write_text_atomic
    from tumorboard.report import render_agenda, write_report

    out, target = done.folder, str(registry)
    case = add_cohort_status(load_case(case_path), target)
    with open_registry(target) as reg:
        state = decision_state(reg, case.patient.id)
        dashboard = render_dashboard(build_dashboard(reg))
    names = {"report": "report.html", "report_nb": "report.nb.html", "agenda": "agenda.html"}
    names |= {"letter": "letter.html", "letter_nb": "letter.nb.html", "dashboard": "dashboard.html"}
    done.files |= {key: out / name for key, name in names.items()}
    write_report(case, done.files["report"], decision=state)
    write_report(case, done.files["report_nb"], lang="nb", decision=state)
    agenda = render_agenda([(case, "report.html")], decisions={case.patient.id: state})
    write_text_atomic(done.files["agenda"], agenda)
    pdf = out / "letter.pdf" if find_chromium() else None
    write_letter(case, target, str(done.files["letter"]), pdf=str(pdf) if pdf else None)
    write_letter(case, target, str(done.files["letter_nb"]), lang="nb")
    if pdf is not None:
        done.files["letter_pdf"] = pdf
    else:
        done.pdf_skipped = "not written: headless Chromium not found (apt-get install chromium)"
    write_text_atomic(done.files["dashboard"], dashboard)


def run_demo(folder: str | Path = "tumorboard-demo") -> DemoRun:
    """Run the whole loop on the demo patient into ``folder`` (see the module docstring).

    The demo registry is built afresh each run (in a temporary file renamed into place at the
    end), so running the demo again gives the same result.
    """
    out = _folder(folder)
    final = out / REGISTRY
    if final.exists() and not final.is_file():
        raise OutputError(
            "the demo registry path exists and is not a regular file",
            where=str(final),
            hint="choose another folder with -o",
        )
    partial = out / f".{REGISTRY}.partial"
    done = DemoRun(out, {"registry": final})
    try:
        _fresh_registry(partial)
        case_path = _analyse(out, partial)
        done.files["case"] = case_path
        _decide_and_enrol(done, case_path, partial)
        _documents(done, case_path, partial)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    return done


__all__ = ["DEMO_PATIENT", "DEMO_VCF", "DemoRun", "run_demo", "summary_line"]
