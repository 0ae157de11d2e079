#!/usr/bin/env python3
"""Extract, update and compile the report's message catalogs (Babel).

    python scripts/compile_translations.py            # extract -> update .po -> compile .mo
    python scripts/compile_translations.py --check    # exit 1 if anything is out of date

Sources are the jinja2 templates in ``templates/``; catalogs live in
``tumorboard/locale/{messages.pot,<lang>/LC_MESSAGES/messages.{po,mo}}``. The equivalent
pybabel commands are::

    pybabel extract -F babel.cfg -o tumorboard/locale/messages.pot templates
    pybabel update -i tumorboard/locale/messages.pot -d tumorboard/locale
    pybabel compile -d tumorboard/locale

``--check`` also fails when a Norwegian (nb) message has no translation.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
LOCALE = REPO / "tumorboard" / "locale"
LANGUAGES = ("en", "nb")
METHODS = [("**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}


def extract() -> Catalog:
    """All messages the templates use, as a template catalog."""
    catalog = Catalog(project="tumorboard", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(TEMPLATES), METHODS, OPTIONS
    ):
        catalog.add(
            message,
            None,
            [(f"templates/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def compiled(po: Path) -> bytes:
    """The .mo bytes a .po compiles to (deterministic)."""
    with po.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def messages_of_mo(data: bytes) -> dict[object, object]:
    """What a compiled catalog says, id -> translation. Compared instead of the bytes: Babel
    releases lay the same catalog out differently (2.18 and 2.19 write different .mo bytes)."""
    catalog = read_mo(io.BytesIO(data))

    def key(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {(m.context, key(m.id)): key(m.string) for m in catalog if m.id}


def problems(template: Catalog) -> list[str]:
    """Everything that is out of date or untranslated."""
    found = []
    wanted = {m.id for m in template if m.id}
    for lang in LANGUAGES:
        po = po_path(lang)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        have = {m.id for m in catalog if m.id}
        found += [f"{po}: missing msgid {mid!r}" for mid in sorted(wanted - have, key=str)]
        if lang == "nb":
            found += [
                f"{po}: no translation for {m.id!r}"
                for m in catalog
                if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
            ]
        mo = po.with_suffix(".mo")
        if not mo.is_file() or messages_of_mo(mo.read_bytes()) != messages_of_mo(compiled(po)):
            found.append(f"{mo}: out of date; run scripts/compile_translations.py")
    return found


def update(template: Catalog) -> None:
    with (LOCALE / "messages.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True)
    for lang in LANGUAGES:
        po = po_path(lang)
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="tumorboard")
        catalog.update(template, no_fuzzy_matching=True)
        with po.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True)
        po.with_suffix(".mo").write_bytes(compiled(po))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; change nothing")
    args = parser.parse_args(argv)
    template = extract()
    if not args.check:
        update(template)
    issues = problems(template)
    for issue in issues:
        print(issue, file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
