"""The recommendation letter (issue 15): content in English and Norwegian, the decision version,
cohort enrolment, refusals with exact texts, PDF through headless Chromium, template overrides,
all-or-nothing outputs and escaping of hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.casefile import case_json, load_case
from tumorboard.catalog import load_catalog
from tumorboard.cli import main
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import sync_definitions
from tumorboard.cohorts.registry import open_registry
from tumorboard.decisions.choices import resolve
from tumorboard.decisions.letter import build_letter, render_letter
from tumorboard.decisions.pdf import ENV_CHROMIUM, find_chromium
from tumorboard.decisions.store import record_decision
from tumorboard.decisions.views import Decision, DecisionState
from tumorboard.errors import DecisionError
from tumorboard.models import CaseResult
from tumorboard.oncotree import OncoTree

DATA = Path(__file__).parent / "data" / "cohorts"
CATALOG, TREE = load_catalog(), OncoTree.load()
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def patient_case(pid: str = "P1", **extra: str) -> CaseResult:
    c = load_case(DATA / "ihch_braf.json")
    patient = c.patient.model_copy(update={"id": pid, "sample": "P1-T", "extra": extra})
    return c.model_copy(update={"patient": patient})


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, str]:
    """A registry with the small cohorts, a case file and a recorded decision."""
    target = str(tmp_path / "r.sqlite")
    with open_registry(target, user="dr-a", create=True) as reg:
        sync_definitions(reg, load_cohorts(DATA / "small.yaml", catalog=CATALOG, tree=TREE))
        c = patient_case(**{"referring physician": "Dr. Nordmann, Haukeland"})
        record_decision(reg, c, resolve(c, ["1", "germline testing"]), rationale="BRAF; slot",
                        meeting_date="2026-03-12", catalog=CATALOG, tree=TREE)  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(case_json(c), encoding="utf-8")
    return target, str(path)


def letter(setup: tuple[str, str], *args: str):
    target, case = setup
    return CliRunner().invoke(main, ["letter", case, "--registry", target, *args])


def test_letter_names_the_recommendation_status_enrolment_and_provenance(
    setup: tuple[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "letter.html"
    res = letter(setup, "-o", str(out))
    assert (res.exit_code, res.stdout) == (0, f"{out}\n")
    page = out.read_text(encoding="utf-8")
    for text in (
        "<h1>Recommendation of the molecular tumour board</h1>",
        "<dt>To</dt><dd>Dr. Nordmann, Haukeland</dd>",
        "<dt>Patient (pseudonym)</dt><dd>P1</dd>",
        "Intrahepatic Cholangiocarcinoma (IHCH)",
        "<strong>dabrafenib + trametinib</strong> for BRAF V600E: "
        '<span class="badge b-off-label">off-label</span>',
        "<strong>germline genetic testing</strong>",
        "<strong>Rationale:</strong> BRAF; slot",
        "eligible for cohort T-BRAF-SOLID (dabrafenib + trametinib), stage 1, 2 of 2 slots left",
        "off-label for this tumour type: treatment within a study",
        "Germline genetic testing (with genetic counselling) as recommended above.",
        "version 1 of 1, board meeting Mar 12, 2026",
        "sha256 0000000000000000000000000000000000000000000000000000000000000000",
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'',
    ):
        assert text in page, text
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page)
    assert "url(" not in page
    assert "@page { size: A4" in page
    again = tmp_path / "again.html"
    assert letter(setup, "-o", str(again)).exit_code == 0
    assert again.read_text(encoding="utf-8") == page  # the registry, not the clock, decides


def test_letter_in_norwegian(setup: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "brev.html"
    assert letter(setup, "-o", str(out), "--lang", "nb").exit_code == 0
    page = out.read_text(encoding="utf-8")
    for text in (
        '<html lang="nb">',
        "Anbefaling fra det molekylære tumorstyret",
        "Tumorstyret anbefaler",
        "Må bekreftes før behandling",
        "genetisk testing av kimbane",
        "utenfor indikasjon",
        "Begrunnelse",
    ):
        assert text in page, text
    for english in ("The board recommends", "To be confirmed", "Rationale", "Evidence and sources"):
        assert english not in page


def test_letter_after_enrolment_and_of_an_earlier_version(
    setup: tuple[str, str], tmp_path: Path
) -> None:
    target, case = setup
    res = CliRunner().invoke(
        main, ["cohort", "assign", case, "-t", "IHCH", "--patient-id", "P1", "--decided",
               "--registry", target],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    with open_registry(target, user="dr-b") as reg:
        c = load_case(case)
        record_decision(reg, c, resolve(c, ["re-biopsy"]), rationale="amended", amend=True,
                        meeting_date="2026-03-12", catalog=CATALOG, tree=TREE)  # fmt: skip
    current, old = tmp_path / "current.html", tmp_path / "v1.html"
    assert letter(setup, "-o", str(current)).exit_code == 0
    assert letter(setup, "-o", str(old), "--decision-version", "1").exit_code == 0
    now = current.read_text(encoding="utf-8")
    assert "<strong>a new biopsy (re-biopsy)</strong>" in now
    assert "enrolled in cohort T-BRAF-SOLID (dabrafenib + trametinib), stage 1" in now
    assert "version 2 of 2" in now
    assert "Not applicable: no drug option was recommended." not in now  # enrolled: shown
    first = old.read_text(encoding="utf-8")
    assert "version 1 of 2" in first
    assert "<strong>(superseded by version 2)</strong>" in first
    bad = letter(setup, "-o", str(tmp_path / "x.html"), "--decision-version", "5")
    assert (bad.exit_code, bad.stderr) == (
        1,
        "Error: patient P1 has no decision version 5\n"
        "Hint: versions 1 to 2 exist (tumorboard decision show P1)\n",
    )


def test_no_decision_and_other_catalog_are_refused(setup: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "letter.html"
    res = letter(setup, "-o", str(out), "--patient-id", "P2")
    assert (res.exit_code, res.stderr) == (
        1,
        "Error: no decision is recorded for patient P2\n"
        "Hint: record the board's decision first: tumorboard decision record CASE.json "
        "--option N --rationale TEXT --registry ...\n",
    )
    target, case = setup
    other = load_case(case)
    other = other.model_copy(
        update={
            "catalog": other.catalog.model_copy(update={"version": "2027.1", "sha256": "f" * 64})
        }
    )
    moved = tmp_path / "other.json"
    moved.write_text(case_json(other), encoding="utf-8")
    res = CliRunner().invoke(main, ["letter", str(moved), "--registry", target, "-o", str(out)])
    assert res.exit_code == 1
    assert res.stderr == (
        "Error: the decision (version 1) was made on an analysis with catalog tumorboard-default "
        "test, but this case was analysed with tumorboard-default 2027.1\n"
        "Hint: give the case JSON the board decided on, or amend the decision for this analysis "
        "(tumorboard decision amend)\n"
    )
    assert not out.exists()


def test_letter_outputs_are_checked_before_anything_is_written(
    setup: tuple[str, str], tmp_path: Path
) -> None:
    case = setup[1]
    res = letter(setup, "-o", case)
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {case}: the output would replace the input {case}\n")
    same = str(tmp_path / "x.html")
    res = letter(setup, "-o", same, "--pdf", same)
    assert res.stderr.startswith(f"Error: {same}: the same file is named for two outputs\n")
    assert not Path(same).exists()


def test_pdf_without_chromium_is_a_clean_error_and_writes_nothing(
    setup: tuple[str, str], tmp_path: Path
) -> None:
    out, pdf = tmp_path / "letter.html", tmp_path / "letter.pdf"
    target, case = setup
    res = CliRunner().invoke(
        main,
        ["letter", case, "--registry", target, "-o", str(out), "--pdf", str(pdf)],
        env={ENV_CHROMIUM: str(tmp_path / "no-chromium")},
    )
    assert (res.exit_code, res.stderr) == (
        1,
        f"Error: {tmp_path / 'no-chromium'}: headless Chromium is needed for --pdf and was not "
        "found\nHint: install Chromium (Debian/Ubuntu: apt-get install chromium) or set "
        "TUMORBOARD_CHROMIUM to its path; or open the HTML in a browser and print it\n",
    )
    assert not out.exists()
    assert not pdf.exists()


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_through_headless_chromium(setup: tuple[str, str], tmp_path: Path) -> None:
    if find_chromium() is None:
        pytest.skip("headless Chromium not installed")
    out, pdf = tmp_path / "letter.html", tmp_path / "letter.pdf"
    res = letter(setup, "-o", str(out), "--pdf", str(pdf))
    assert (res.exit_code, res.stdout) == (0, f"{out}\n{pdf}\n")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.search(rb"/Type /Pages\s*/Count (\d+)", data) or re.search(rb"/Count (\d+)", data)
    assert pages is not None
    assert 1 <= int(pages.group(1)) <= 2  # one or two A4 pages
    boxes = re.findall(rb"/MediaBox \[([^\]]*)\]", data)
    assert {tuple(round(float(x)) for x in m.split()) for m in boxes} == {(0, 0, 595, 842)}


def test_templates_override_the_letter(setup: tuple[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "tpl" / "partials"
    folder.mkdir(parents=True)
    (folder / "letter_styles.html").write_text(
        "{# Context: none. #}<style>h1 { color: purple; }</style>", encoding="utf-8"
    )
    out = tmp_path / "letter.html"
    assert letter(setup, "-o", str(out), "--templates", str(tmp_path / "tpl")).exit_code == 0
    assert "h1 { color: purple; }" in out.read_text(encoding="utf-8")


def _hostile_state(pid: str, case: CaseResult) -> DecisionState:
    choices = resolve(case, ["1"])
    decision = Decision(
        id=1, patient_id=pid, version=1, choices=choices, rationale=f"because {XSS}",
        meeting_date="2026-03-12", tumor_type="IHCH", catalog=case.catalog,
        case_ref={}, notes=(f"note {XSS}",), recorded_by=XSS,
        recorded_at="2026-03-12T10:00:00+00:00",
    )  # fmt: skip
    return DecisionState(pid, (decision,))


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_hostile_patient_id_sample_rationale_and_user_are_escaped(lang: str) -> None:
    case = patient_case(XSS, **{"referring physician": XSS})
    case = case.model_copy(update={"patient": case.patient.model_copy(update={"sample": XSS})})
    page = render_letter(build_letter(case, _hostile_state(XSS, case), lang=lang))
    assert XSS not in page
    assert "<script" not in page
    assert page.count(ESCAPED) >= 5  # title, header, to, sample, rationale, recorded by


def test_build_letter_needs_a_decision() -> None:
    with pytest.raises(DecisionError) as err:
        build_letter(patient_case(), DecisionState("P1"))
    assert err.value.message == "no decision is recorded for patient P1"


def test_an_on_label_if_option_says_what_the_board_must_confirm() -> None:
    golden = load_case(Path(__file__).parent / "golden_reports" / "ihch_braf_idh1" / "case.json")
    choices = resolve(golden, ["ivosidenib"])
    decision = Decision(
        id=1, patient_id="DEMO-001", version=1, choices=choices, rationale="IDH1 R132C",
        meeting_date="2026-03-12", tumor_type="IHCH", catalog=golden.catalog, case_ref={},
        notes=(), recorded_by="dr-a", recorded_at="2026-03-12T10:00:00+00:00",
    )  # fmt: skip
    requires = choices[0].match.requires if choices[0].match else []
    assert requires  # the label's prior-therapy condition cannot be seen in the data
    for lang, words in (("en", "on-label if"), ("nb", "godkjent indikasjon hvis")):
        page = render_letter(
            build_letter(golden, DecisionState("DEMO-001", (decision,)), lang=lang)
        )
        assert f'<span class="badge b-on-label">{words}</span>' in page
        confirm = page[page.index('id="confirm"') : page.index('id="evidence"')]
        assert f"<li><strong>ivosidenib</strong>: {requires[0]}</li>" in confirm
