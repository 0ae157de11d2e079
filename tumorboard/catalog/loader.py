"""Load a catalog: manifest + data files -> validated, cross-checked, indexed :class:`Catalog`.

A catalog path is a manifest (``catalog.yaml`` with ``files``), a folder holding one, or a single
data file (any of the five sections). ``load_catalog()`` with no paths loads the bundled
``drug_catalog/``; ``paths`` replace it (``--catalog``); ``extend`` adds to it
(``--catalog-extend``). Extensions add records; an id defined twice is an error, never a silent
override.

Checks, each reported with ``file:line`` and the field path:

* schema (pydantic, ``extra="forbid"``), e.g.
  ``drug_catalog/indications/braf.yaml:42: indications[3].jurisdiction: Input should be 'EMA' or
  'FDA'``;
* duplicate YAML keys, duplicate ids (per section; indication, resistance and evidence ids share
  one namespace);
* references: unknown drug id, unknown biomarker id, unknown OncoTree code (with the tree's
  suggestion), an exclusion outside the record's tumour types, a tumour-agnostic exclusion that is
  not a solid tumour;
* ``any_of`` rules: every member exists, is a gene-level rule (never MSI/TMB/HRD nor a
  ``wild_type`` rule, which never fires) and no rule reaches itself through its members.

The catalog's sha256 is computed over the canonical JSON of every file's parsed content (keys
sorted, file names relative to the manifest), so comments and formatting do not change it and the
same content always gives the same hash.

A catalog that reads and validates cleanly is kept in memory for the rest of the process and
reused while its files are unchanged (same text); the reference checks run on every load. There
is no cache on disk. The bundled catalog ships its YAML already parsed
(``catalog.parsed.json``, written with its lock; :mod:`tumorboard.catalog.parsed`): used only
when every YAML file it was made from still has the same text, validated like YAML data, and
set aside for the YAML at the first problem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.schema import (
    GENOME_WIDE_TYPES,
    AnyOfRule,
    CatalogFile,
    CatalogManifest,
    EvidenceRecord,
    Indication,
    Resistance,
)
from tumorboard.errors import CatalogError, CatalogSchemaError, OncoTreeError
from tumorboard.models import CatalogInfo
from tumorboard.resources import catalog_dir

if TYPE_CHECKING:
    from tumorboard.catalog.yamlmarks import Path_
    from tumorboard.oncotree import TreeLike


MANIFEST_NAME = "catalog.yaml"


@dataclass(slots=True)
class _Part:
    """One parsed data file."""

    display: str
    rel: str
    data: Any
    lines: dict[Path_, int]
    model: CatalogFile | None = None


@dataclass(slots=True)
class _Source:
    """One catalog given by the user (or the bundled one): identity + data files."""

    name: str
    version: str
    date: str = ""
    description: str = ""
    parts: list[_Part] = field(default_factory=list)
    patterns: list[str] | None = None
    """The manifest's ``files`` (None: a single data file)."""
    read: list[_Read] = field(default_factory=list)
    """Every file read (the manifest first), to tell when a cached catalog is still current."""
    parsed_sha256: str = ""
    """The content hash recorded in ``catalog.parsed.json`` (set when the data came from it)."""


_Read = tuple[str, str, str]
"""(path, display name, sha256 of the text) of one file read."""


@cache
def _bundled_root() -> Path:
    return catalog_dir().resolve()


def _display(path: Path) -> str:
    try:
        return str(Path("drug_catalog") / path.resolve().relative_to(_bundled_root()))
    except ValueError:
        return str(path)


def _read(path: Path, display: str, text: str) -> _Read:
    return str(path), display, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _validate(model: type[BaseModel], data: Any, part: _Part) -> tuple[Any, list[CatalogError]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        from tumorboard.catalog.yamlmarks import schema_errors

        hint = "see drug_catalog/README.md or `tumorboard schema catalog`"
        return None, list(schema_errors(exc, part.lines, part.display, hint))


def _expand(base: Path, patterns: list[str]) -> list[Path]:
    out: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            out.extend(sorted(p for p in base.glob(pattern) if p.is_file()))
        else:
            out.append(base / pattern)
    seen: set[Path] = set()
    return [p for p in out if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _read_source(path: Path, *, parsed_ok: bool = False) -> _Source:
    """One catalog path's files, parsed (``parsed_ok``: from ``catalog.parsed.json`` when it
    matches the files' texts)."""
    from tumorboard.catalog.source_text import read_text

    path = _root_file(path)
    display = _display(path)
    text = read_text(path, display)
    if parsed_ok:
        src = _parsed_source(path, display, text)
        if src is not None:
            return src
    from tumorboard.catalog.yamlmarks import parse_yaml

    data, lines = parse_yaml(text, display)
    if isinstance(data, dict) and "files" in data:
        manifest, errs = _validate(CatalogManifest, data, _Part(display, path.name, data, lines))
        if errs:
            raise errs[0]
        src = _Source(manifest.name, manifest.version, manifest.date, manifest.description)
        src.patterns = list(manifest.files)
        src.read.append(_read(path, display, text))
        for file in _expand(path.parent, manifest.files):
            fdisplay = _display(file)
            ftext = read_text(file, fdisplay)
            fdata, flines = parse_yaml(ftext, fdisplay)
            src.parts.append(
                _Part(fdisplay, file.relative_to(path.parent).as_posix(), fdata, flines)
            )
            src.read.append(_read(file, fdisplay, ftext))
        return src
    src = _Source(path.stem, "unversioned")
    src.parts.append(_Part(display, path.name, data, lines))
    src.read.append(_read(path, display, text))
    return src


def _parsed_source(path: Path, display: str, text: str) -> _Source | None:
    """The manifest's catalog from ``catalog.parsed.json``, when it was made from exactly the
    files the manifest names now, with the same texts; else ``None`` (parse the YAML)."""
    from tumorboard.catalog import parsed
    from tumorboard.catalog.source_text import read_text

    folder = path.parent
    doc = parsed.read(folder)
    if doc is None:
        return None
    try:
        read = [_read(path, display, text)]
        for file in _expand(folder, list(doc["patterns"])):
            fdisplay = _display(file)
            read.append(_read(file, fdisplay, read_text(file, fdisplay)))
        if not parsed.matches(doc, _fingerprint(folder, read)):
            return None
        src = _Source(doc["name"], doc["version"], doc["date"], doc["description"])
        src.patterns, src.read, src.parsed_sha256 = list(doc["patterns"]), read, doc["sha256"]
        for part in doc["parts"]:
            lines: dict[Path_, int] = {
                (section, i, "id"): line
                for section, found in part["id_lines"].items()
                for i, line in enumerate(found)
                if line
            }
            rel = part["file"]
            src.parts.append(_Part(_display(folder / rel), rel, part["data"], lines))
    except (CatalogError, KeyError, TypeError, ValueError):  # the YAML path says what is wrong
        return None
    return src


def _fingerprint(folder: Path, read: Sequence[_Read]) -> list[tuple[str, str]]:
    """(path relative to ``folder``, sha256 of the text) of every file read, in order: what
    ``catalog.parsed.json`` records and is checked against."""
    return [(Path(path).relative_to(folder).as_posix(), sha) for path, _, sha in read]


def parsed_text(folder: Path) -> str:
    """What ``catalog.parsed.json`` must hold for the catalog in ``folder``, from its YAML."""
    from tumorboard.catalog import parsed

    issues: list[CatalogError] = []
    src = _read_source(folder / MANIFEST_NAME)
    cat = _merge([src], issues)
    if issues:
        raise issues[0]
    parts = []
    for part in src.parts:
        if json.loads(json.dumps(part.data, ensure_ascii=False)) != part.data:
            raise CatalogError(  # e.g. a non-string mapping key: JSON would change it
                "this file's data do not survive a JSON round trip",
                where=part.display,
                hint="use string mapping keys only",
            )
        parts.append((part.rel, part.data, parsed.id_lines(part.lines)))
    doc = parsed.document(
        name=src.name,
        version=src.version,
        date=src.date,
        description=src.description,
        patterns=src.patterns or [],
        files=_fingerprint(folder, src.read),
        parts=parts,
        sha256=cat.sha256,
    )
    return parsed.dumps(doc)


def _is_bundled(path: Path, bundled: Path) -> bool:
    """Whether ``path`` names the bundled catalog's manifest (or its folder)."""
    root = _root_file(path)
    return root.name == MANIFEST_NAME and root.parent.resolve() == bundled


def _root_file(path: Path) -> Path:
    return path / MANIFEST_NAME if path.is_dir() else path


_MEMO: dict[tuple[str, ...], tuple[list[tuple[list[str] | None, list[_Read]]], Catalog]] = {}
_MEMO_SIZE = 8


def _remembered(given: Sequence[Path]) -> Catalog | None:
    """The catalog this process already built from ``given``, when every file it was read from
    still has the same text (sha256): a batch worker or a library caller analysing many
    patients parses the YAML once. Nothing is kept on disk."""
    entry = _MEMO.get(tuple(str(p) for p in given))
    if entry is None:
        return None
    checks, cat = entry
    try:
        for given_path, (patterns, read) in zip(given, checks, strict=True):
            if _reads(given_path, patterns) != read:
                return None
    except (CatalogError, OSError, ValueError):  # gone or unreadable: loading reports it
        return None
    return cat


def _remember(given: Sequence[Path], sources: Sequence[_Source], cat: Catalog) -> None:
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[tuple(str(p) for p in given)] = ([(s.patterns, s.read) for s in sources], cat)


def _reads(given_path: Path, patterns: list[str] | None) -> list[_Read]:
    """The (path, display, sha256) of every file a catalog path reads now."""
    from tumorboard.catalog.source_text import read_text

    path = _root_file(given_path)
    files = [path] if patterns is None else [path, *_expand(path.parent, patterns)]
    return [_read(f, _display(f), read_text(f, _display(f))) for f in files]


def _canonical_hash(sources: Sequence[_Source]) -> str:
    payload = [[s.name, s.version, [[p.rel, _str_keys(p.data)] for p in s.parts]] for s in sources]
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _str_keys(data: Any) -> Any:
    """``data`` with every mapping key a string (YAML allows ``1:`` and ``null:`` keys, which
    JSON's sorted output cannot mix with strings)."""
    if isinstance(data, dict):
        return {str(k): _str_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_str_keys(v) for v in data]
    return data


def _where(part: _Part, *loc: str | int) -> str:
    line = part.lines.get(loc)  # a record's id: known (no YAML import on the parsed path)
    if line is None:
        from tumorboard.catalog.yamlmarks import locate

        line, _ = locate(part.lines, loc)
    return f"{part.display}:{line}" if line else part.display


def _merge(sources: Sequence[_Source], issues: list[CatalogError]) -> Catalog:
    base = sources[0]
    name = "+".join(s.name for s in sources)
    version = "+".join(s.version for s in sources)
    recorded = sources[0].parsed_sha256 if len(sources) == 1 else ""
    info = CatalogInfo(name=name, version=version, sha256=recorded or _canonical_hash(sources))
    cat = Catalog(info=info, date=base.date, description=base.description)
    record_ids: dict[str, str] = {}
    for src in sources:
        for part in src.parts:
            cat.files.append(part.display)
            data = part.data if part.data else {}
            if isinstance(data, dict):  # top-level x-* keys hold YAML anchors only
                data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
            model, errs = _validate(CatalogFile, data, part)
            issues.extend(errs)
            if model is None:
                continue
            part.model = model
            _add_records(cat, model, part, record_ids, issues)
    cat.build_index()
    return cat


def _dup(kind: str, rid: str, where: str, first: str) -> CatalogSchemaError:
    return CatalogSchemaError(
        f"duplicate {kind} id {rid!r} (first defined at {first})",
        where=where,
        hint="ids must be unique across the catalog and its extensions; rename one",
    )


def _add_records(
    cat: Catalog,
    model: CatalogFile,
    part: _Part,
    record_ids: dict[str, str],
    issues: list[CatalogError],
) -> None:
    for i, drug in enumerate(model.drugs):
        where = _where(part, "drugs", i, "id")
        if drug.id in cat.drugs:
            issues.append(_dup("drug", drug.id, where, cat.where[f"drug:{drug.id}"]))
            continue
        cat.drugs[drug.id] = drug
        cat.where[f"drug:{drug.id}"] = where
    for i, rule in enumerate(model.biomarkers):
        where = _where(part, "biomarkers", i, "id")
        if rule.id in cat.biomarkers:
            issues.append(_dup("biomarker", rule.id, where, cat.where[f"biomarker:{rule.id}"]))
            continue
        cat.biomarkers[rule.id] = rule
        cat.where[f"biomarker:{rule.id}"] = where
    for section in ("indications", "resistance", "evidence"):
        records = getattr(model, section)
        target = getattr(cat, section)
        for i, rec in enumerate(records):
            where = _where(part, section, i, "id")
            if rec.id in record_ids:
                issues.append(_dup("record", rec.id, where, record_ids[rec.id]))
                continue
            record_ids[rec.id] = where
            cat.where[rec.id] = where
            target.append(rec)


def _any_of_problem(cat: Catalog, rule: AnyOfRule) -> str | None:
    for member in rule.rules:
        found = cat.biomarkers.get(member)
        if found is None:
            return f"unknown member rule {member!r}"
        if found.type in GENOME_WIDE_TYPES or found.type == "wild_type":
            return f"member {member!r} is a {found.type} rule (only gene-level rules are members)"
    stack, seen = list(rule.rules), set[str]()
    while stack:
        rid = stack.pop()
        if rid == rule.id:
            return "it lists itself (directly or through another any_of rule)"
        nested = cat.biomarkers.get(rid)
        if rid in seen or not isinstance(nested, AnyOfRule):
            continue
        seen.add(rid)
        stack.extend(nested.rules)
    return None


def _check_rules(cat: Catalog, issues: list[CatalogError]) -> None:
    for rule in cat.biomarkers.values():
        if not isinstance(rule, AnyOfRule):
            continue
        problem = _any_of_problem(cat, rule)
        if problem:
            issues.append(
                CatalogSchemaError(
                    f"any_of rule {rule.id}: {problem}",
                    where=cat.where.get(f"biomarker:{rule.id}", ""),
                    hint="an any_of rule lists at least two existing gene-level rules "
                    "(exact, codon, region, mutation, fusion...) and never itself",
                )
            )


def _check_references(cat: Catalog, tree: TreeLike | None, issues: list[CatalogError]) -> None:
    _check_rules(cat, issues)
    records: list[Indication | Resistance | EvidenceRecord] = [
        *cat.indications,
        *cat.resistance,
        *cat.evidence,
    ]
    for rec in records:
        where = cat.where[rec.id]
        for drug in rec.drugs:
            if drug not in cat.drugs:
                issues.append(
                    CatalogSchemaError(
                        f"{rec.id}: unknown drug {drug!r}",
                        where=where,
                        hint="add it to drugs.yaml (id = INN in lower case) or fix the spelling",
                    )
                )
        if rec.biomarker not in cat.biomarkers:
            issues.append(
                CatalogSchemaError(
                    f"{rec.id}: unknown biomarker {rec.biomarker!r}",
                    where=where,
                    hint="define it in biomarkers.yaml or use an existing id",
                )
            )
        context = rec.context if isinstance(rec, Resistance) else []
        for rule_id in [r for r in context if r not in cat.biomarkers]:
            issues.append(
                CatalogSchemaError(
                    f"{rec.id}: unknown context biomarker {rule_id!r}",
                    where=where,
                    hint="context lists biomarker ids defined in biomarkers.yaml",
                )
            )
        if tree is not None:
            _check_codes(rec, where, tree, issues)


def _check_codes(
    rec: Indication | Resistance | EvidenceRecord,
    where: str,
    tree: TreeLike,
    issues: list[CatalogError],
) -> None:
    good: list[str] = []
    for code in [*rec.tumor_types, *rec.exclude]:
        try:
            tree.resolve(code)
        except OncoTreeError as exc:
            issues.append(
                CatalogSchemaError(f"{rec.id}: {exc.message}", where=where, hint=exc.hint)
            )
            continue
        good.append(code)
    for code in rec.exclude:
        if code not in good:
            continue
        if rec.tumor_agnostic == "solid" and not tree.is_solid(code):
            issues.append(
                CatalogSchemaError(
                    f"{rec.id}: excluded code {code} is not a solid tumour type",
                    where=where,
                    hint="a solid-tumour-agnostic record can only exclude solid tumour types",
                )
            )
        elif rec.tumor_types and not any(
            t in good and tree.is_descendant(code, t) for t in rec.tumor_types
        ):
            issues.append(
                CatalogSchemaError(
                    f"{rec.id}: excluded code {code} is not within {', '.join(rec.tumor_types)}",
                    where=where,
                    hint="exclusions narrow the record's own tumour types; remove or fix it",
                )
            )


def _default_tree() -> TreeLike:
    from tumorboard.oncotree import OncoTree

    return OncoTree.load()


def check_catalog(
    paths: Sequence[str | Path] | None = None,
    extend: Iterable[str | Path] = (),
    *,
    oncotree: TreeLike | None = None,
    check_codes: bool = True,
) -> tuple[Catalog | None, list[CatalogError]]:
    """Load and check a catalog, collecting every problem instead of stopping at the first.

    Unreadable files and invalid YAML still raise (nothing further can be checked).
    """
    issues: list[CatalogError] = []
    roots = [Path(p) for p in paths] if paths else [catalog_dir()]
    given = [*roots, *(Path(e) for e in extend)]
    cat = _remembered(given)
    if cat is None:
        bundled = _bundled_root()
        sources = [_read_source(p, parsed_ok=_is_bundled(p, bundled)) for p in given]
        cat = _merge(sources, issues)
        if issues and any(s.parsed_sha256 for s in sources):  # say it from the YAML, file:line
            issues.clear()
            sources = [_read_source(p) for p in given]
            cat = _merge(sources, issues)
        if not issues:
            _remember(given, sources, cat)
    tree = oncotree if oncotree is not None else (_default_tree() if check_codes else None)
    _check_references(cat, tree, issues)
    return (None if issues else cat), issues


def load_catalog(
    paths: Sequence[str | Path] | None = None,
    extend: Iterable[str | Path] = (),
    *,
    oncotree: TreeLike | None = None,
    check_codes: bool = True,
) -> Catalog:
    """Load, validate and index a catalog; raise the first problem found (with file:line)."""
    cat, issues = check_catalog(paths, extend, oncotree=oncotree, check_codes=check_codes)
    if issues:
        first = issues[0]
        more = f" ({len(issues) - 1} more problem(s))" if len(issues) > 1 else ""
        hint = (first.hint or "") + (
            "; run `tumorboard catalog validate` to see all" if more else ""
        )
        raise type(first)(first.message + more, where=first.where, hint=hint.strip("; "))
    assert cat is not None
    return cat


__all__ = ["MANIFEST_NAME", "check_catalog", "load_catalog", "parsed_text"]
