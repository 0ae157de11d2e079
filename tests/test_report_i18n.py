"""Message catalogs (issue 6): compiled, complete, and the Norwegian report is all Norwegian."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tumorboard.casefile import load_case
from tumorboard.report import render_agenda, render_html

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden_reports"
NB_PO = REPO / "tumorboard" / "locale" / "nb" / "LC_MESSAGES" / "messages.po"


def _compile_script():
    spec = importlib.util.spec_from_file_location(
        "compile_translations", REPO / "scripts" / "compile_translations.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def text_nodes(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def test_catalogs_are_compiled_complete_and_extracted() -> None:
    ct = _compile_script()
    assert ct.problems(ct.extract()) == []


def test_every_template_message_has_a_norwegian_translation() -> None:
    ct = _compile_script()
    wanted = {m.id for m in ct.extract() if m.id}
    with NB_PO.open("rb") as fh:
        nb = read_po(fh)
    translated = {m.id: m.string for m in nb if m.id}
    assert wanted <= set(translated)
    assert all(translated[mid] for mid in wanted)
    assert len(wanted) > 100


def _english_labels() -> tuple[set[str], set[str]]:
    """English msgid fragments that differ in Norwegian: (single words, phrases)."""
    with NB_PO.open("rb") as fh:
        nb = read_po(fh)
    words: set[str] = set()
    phrases: set[str] = set()
    for message in nb:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for mid in ids:
            if mid in strings:
                continue  # deliberately the same in both languages ("Variant", "Status")
            for fragment in re.split(r"%\(\w+\)s", mid):
                fragment = " ".join(fragment.strip(" ,.:;()").split())
                if len(fragment) < 3:
                    continue
                (phrases if " " in fragment else words).add(fragment)
    return words, phrases


@pytest.mark.parametrize(
    "name", ["ihch_braf_idh1", "coad_resistance", "luad_unannotated", "escaping"]
)
def test_norwegian_report_has_no_untranslated_english_label(name: str) -> None:
    case = load_case(GOLDEN / name / "case.json")
    words, phrases = _english_labels()
    data = {  # text that comes from the case itself (catalog rules, notes) may be English
        " ".join(str(s).split())
        for s in (
            *(m.rule for m in case.matches),
            *(line for m in case.matches for line in (*m.requires, *m.agency_status)),
            *(v.note for v in case.variants),
            *(v.label for v in case.variants),
        )
    }
    for page in (render_html(case, lang="nb"), render_agenda([(case, "r.html")], lang="nb")):
        nodes = [n for n in text_nodes(page) if n not in data]
        joined = "\n".join(nodes)
        leftovers = sorted(p for p in phrases if p in joined)
        leftovers += sorted(n for n in nodes if n.strip(" :,.()") in words)
        assert leftovers == []


def test_english_report_uses_english_labels() -> None:
    case = load_case(GOLDEN / "ihch_braf_idh1" / "case.json")
    page = render_html(case, lang="en")
    assert "Actionable alterations" in page
    assert "Behandlingsrelevante endringer" not in page
    nb = render_html(case, lang="nb")
    assert "Behandlingsrelevante endringer" in nb
    assert "Actionable alterations" not in nb


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("en", "2023-11-15", "Nov 15, 2023"),
        ("nb", "2023-11-15", "15. nov. 2023"),
        ("en", "2026-06", "Jun 2026"),
        ("nb", "2026-06", "juni 2026"),
        ("nb", "2026", "2026"),
        ("en", "2026-13", "2026-13"),
        ("en", "06-2026", "06-2026"),
    ],
)
def test_source_dates_share_one_style_per_language(lang: str, value: str, shown: str) -> None:
    """Label revisions are often a month (2026-06); they were printed as written beside
    localised full dates ("2026-06" next to "15. nov. 2023" in a Norwegian report)."""
    from tumorboard.report import _filters

    assert _filters(lang)["isodate"](value) == shown
