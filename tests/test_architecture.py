"""The house rules a newcomer relies on (issue 14): no import cycles between tumorboard's
modules, readers never import their dispatcher, one definition of the reported record, no
``Any`` at a seam."""

from __future__ import annotations

import ast
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import tumorboard
from tumorboard.alterations import Alteration
from tumorboard.models import COMPUTED_FIELDS, TSV_COLUMNS, Variant

PACKAGE = Path(tumorboard.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules a module imports, at module level or inside functions (lazy imports count:
    a cycle hidden in a function is still a cycle); only ``TYPE_CHECKING`` blocks are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(sub) for sub in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)  # submodules by name
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m == "tumorboard" or m.startswith("tumorboard.")}


def _only_submodules(path: Path, package: str, modules: dict[str, Path]) -> bool:
    """Does every ``from package import a, b`` in ``path`` name submodules only?"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == package
            and any(f"{package}.{a.name}" not in modules for a in node.names)
        ):
            return False
    return True


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        imported = _imports(path)
        for module in imported:
            # "from tumorboard.x import y": y is a submodule when tumorboard.x.y exists, else a
            # name defined in tumorboard.x itself
            is_sub = any(m.startswith(module + ".") and m in modules for m in imported)
            if (
                module in modules
                and module != name
                and not (is_sub and _only_submodules(path, module, modules))
            ):
                targets.add(module)
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles() -> None:
    graph = _graph()
    assert len(graph) > 60
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_readers_never_import_their_dispatcher_or_the_pipeline() -> None:
    graph = _graph()
    for name, targets in graph.items():
        if name.startswith("tumorboard.readers."):
            assert not targets & {"tumorboard.readers", "tumorboard.pipeline", "tumorboard.api"}
    assert "tumorboard.readers" not in graph["tumorboard.readers.detect"]


def test_every_copied_variant_field_is_an_alteration_attribute() -> None:
    """The Variant model is the one definition: what is not computed comes from Alteration."""
    attributes = {f.name for f in fields(Alteration)} | {"label"}
    for name in Variant.model_fields:
        assert name in COMPUTED_FIELDS or name in attributes, name
    assert set(TSV_COLUMNS) - {"matches"} <= set(Variant.model_fields)
    assert TSV_COLUMNS.index("matches") == TSV_COLUMNS.index("note") - 1


# --- no Any at a seam -------------------------------------------------------------------------
_JSON_OBJECT = ("dict[str, Any]", "Mapping[str, Any]")
"""A JSON object (a case file, a catalog document, a database row): keys are known, values are
whatever the document holds; typed further where it is read."""

ANY_ALLOWED = {
    # a value of a parsed JSON or YAML document, before it is validated into a typed record
    "tumorboard/bounded.py": {"nesting_depth", "load_json", "_no_constant"},
    "tumorboard/catalog/loader.py": {"_validate", "_str_keys"},
    "tumorboard/catalog/parsed.py": {"document"},
    "tumorboard/catalog/yamlmarks.py": {"read_yaml", "compose", "parse_yaml"},
    "tumorboard/catalog/diff.py": {"_relation", "_same_type_relation", "_scope", "_changed"},
    "tumorboard/models.py": {"_label_text"},  # a pydantic "before" validator sees the raw input
    # whatever a command prints as JSON
    "tumorboard/cli/_base.py": {"echo_json", "invoke"},  # invoke: click's own signature
    "tumorboard/cli/cohort.py": {"_jsonable", "_emit"},
    "tumorboard/cli/decision.py": {"_emit"},
    # a database row or the dict it was built from (SQLAlchemy's RowMapping keys are Any)
    "tumorboard/decisions/views.py": {"from_row"},
    # the DB-API connection of SQLAlchemy's connect event (the driver's own type)
    "tumorboard/cohorts/registry.py": {"_connect"},
    # PEP 562 lazy attributes, and pandas imported only when a frame is asked for
    "tumorboard/__init__.py": {"__getattr__"},
    "tumorboard/frames.py": {"_pandas"},
}
"""Where ``Any`` stays in a signature, and why. Everything else (panel, catalog, OncoTree,
options, records, pysam's files, headers and records) has its own type."""


def _any_in_signatures() -> dict[str, set[str]]:
    """Functions whose parameters or return name ``Any`` (``*args``/``**kwargs`` passed on to
    click, jinja2 or SQLAlchemy, and JSON objects, left out), by file."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            notes = [a.annotation for a in args if a.annotation is not None]
            notes += [node.returns] if node.returns is not None else []
            for note in notes:
                text = ast.unparse(note)
                for json_object in _JSON_OBJECT:
                    text = text.replace(json_object, "")
                if "Any" in text.replace("[", " ").replace("]", " ").replace(",", " ").split():
                    found.setdefault(rel, set()).add(node.name)
    return found


def test_no_any_at_a_seam() -> None:
    found = _any_in_signatures()
    extra = {f: names - ANY_ALLOWED.get(f, set()) for f, names in found.items()}
    extra = {f: sorted(n) for f, n in extra.items() if n}
    assert not extra, f"Any in signatures (give them a type, or a reason in ANY_ALLOWED): {extra}"
    stale = {f: sorted(n - found.get(f, set())) for f, n in ANY_ALLOWED.items()}
    assert not {f: n for f, n in stale.items() if n}, f"ANY_ALLOWED lists typed functions: {stale}"


def test_the_any_finder_sees_a_bare_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "tumorboard"
    pkg.mkdir()
    (pkg / "seam.py").write_text(
        "from typing import Any\n"
        "def read(panel: Any, rows: dict[str, Any], *a: Any, **k: Any) -> list[Any]: ...\n"
        "def fine(rows: Mapping[str, Any], **k: Any) -> None: ...\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    assert _any_in_signatures() == {"tumorboard/seam.py": {"read"}}
