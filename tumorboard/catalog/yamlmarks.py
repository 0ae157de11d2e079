"""YAML reading with line marks, and mapping pydantic error locations back to ``file:line``.

PyYAML composes a node tree (``CSafeLoader`` when libyaml is available); every node carries its
start mark. We construct the Python data from that tree and, walking data and nodes together,
record the line of every mapping key and sequence item under its path
(``("indications", 3, "jurisdiction") -> 42``). A pydantic error location is then resolved to the
longest known prefix of its path. Timestamps stay strings (the schema validates ISO dates), and
duplicate keys in a mapping are an error instead of PyYAML's silent "last one wins".

Speed (the bundled catalog is read on every run): plain documents (string-keyed mappings,
sequences and the standard scalars) are constructed and line-marked in one pass over the nodes,
with implicit scalar tags resolved from a per-first-character table. Anything else (merge keys
``<<``, explicit or unusual tags, non-string keys, a scalar PyYAML would reject) makes the whole
document go through PyYAML's own constructor instead, so the result is always what
``SafeLoader`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from tumorboard.catalog.schema import BIOMARKER_TYPES
from tumorboard.errors import CatalogError, CatalogSchemaError

try:  # libyaml is much faster; fall back to the pure-Python loader when it is missing
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

Path_ = tuple[str | int, ...]


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode
_SequenceNode = yaml.SequenceNode


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps timestamps as strings."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # Same answer as Resolver.resolve, without building the candidate list per scalar.
        if kind is _ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            for tag, regexp in _IMPLICIT.get(value[:1], _IMPLICIT_ANY):
                if regexp.match(value):
                    return tag  # type: ignore[no-any-return]
            return _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


def _timestamp_as_str(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_str)

_IMPLICIT_ANY = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {
    first: (*resolvers, *_IMPLICIT_ANY)
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}
# Scalar tags built by their (simple, non-recursive) SafeLoader constructor in the fast pass.
_SCALARS = {
    tag: _Loader.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    )
}


class _Unusual(Exception):
    """The document needs PyYAML's full constructor (see the module docstring)."""


def _duplicate(key: str, key_node: yaml.Node, where: str) -> CatalogSchemaError:
    return CatalogSchemaError(
        f"duplicate key {key!r}",
        where=f"{where}:{key_node.start_mark.line + 1}",
        hint="each key may appear once in a mapping; remove or merge the repeat",
    )


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], where: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise _duplicate(key, key_node, where)
            seen.add(key)
            key_path: Path_ = (*path, key)
            _walk(value_node, key_path, lines, where)
            lines[key_path] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, where)


class _Builder:
    """One pass over a plain node tree: the data, the line map and the duplicate-key check.

    Visits nodes in the order of :func:`_walk` (so the first duplicate key found is the same)
    and builds what SafeLoader builds; aliases give the same object again. Raises
    :class:`_Unusual` before anything that PyYAML's constructor could treat differently.
    """

    def __init__(self, loader: Any, lines: dict[Path_, int], where: str) -> None:
        self.loader = loader
        self.lines = lines
        self.where = where
        self.built: dict[yaml.Node, Any] = {}

    def build(self, node: yaml.Node, path: Path_) -> Any:
        lines = self.lines
        lines[path] = node.start_mark.line + 1
        cls = type(node)
        if cls is _ScalarNode:
            tag = node.tag
            if tag == _STR:
                return node.value
            constructor = _SCALARS.get(tag)
            if constructor is None:
                raise _Unusual
            try:
                return constructor(self.loader, node)
            except Exception as exc:  # PyYAML reports it (or not) in its own way
                raise _Unusual from exc
        if node in self.built:  # an alias: same object, lines under this path too
            _walk(node, path, lines, self.where)
            return self.built[node]
        if cls is _MappingNode and node.tag == _MAP:
            mapping: dict[str, Any] = {}
            self.built[node] = mapping
            for key_node, value_node in node.value:
                if type(key_node) is not _ScalarNode or key_node.tag != _STR:
                    raise _Unusual  # merge key, non-string key
                key = key_node.value
                if key in mapping:
                    raise _duplicate(key, key_node, self.where)
                key_path: Path_ = (*path, key)
                mapping[key] = self.build(value_node, key_path)
                lines[key_path] = key_node.start_mark.line + 1
            return mapping
        if cls is _SequenceNode and node.tag == _SEQ:
            items: list[Any] = []
            self.built[node] = items
            for i, item in enumerate(node.value):
                items.append(self.build(item, (*path, i)))
            return items
        raise _Unusual


def _construct(loader: Any, node: yaml.Node, display: str) -> tuple[Any, dict[Path_, int]]:
    lines: dict[Path_, int] = {}
    try:
        return _Builder(loader, lines, display).build(node, ()), lines
    except _Unusual:
        pass
    lines = {}
    _walk(node, (), lines, display)
    return loader.construct_document(node), lines


def read_yaml(path: Path, display: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML file; return its data and a path -> line map. Errors carry file:line."""
    return parse_yaml(read_text(path, display), display)


def read_text(path: Path, display: str) -> str:
    """A catalog file's text (UTF-8); a missing or unreadable file is a :class:`CatalogError`."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(
            "catalog file not found", where=display, hint="check the path or the manifest's files"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog file: {exc}", where=display) from exc


def parse_yaml(text: str, display: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text read from ``display``: its data and a path -> line map (see read_yaml)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        data, lines = _construct(loader, node, display)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CatalogSchemaError(
            f"not valid YAML: {exc.problem or exc.context}",
            where=f"{display}{line}",
            hint="check indentation, colons and quoting around that line",
        ) from exc
    except yaml.YAMLError as exc:
        raise CatalogSchemaError(f"not valid YAML: {exc}", where=display) from exc
    finally:
        loader.dispose()
    return data, lines


def locate(lines: dict[Path_, int], loc: Sequence[str | int]) -> tuple[int | None, str]:
    """Line of the longest known prefix of ``loc``, and the field path in words.

    Discriminator tags that pydantic inserts (``biomarkers.2.exact.changes``) are dropped from the
    path when they are not keys of the document.
    """
    path: list[str | int] = []
    line = lines.get(())
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path.append(part)
            line = lines[candidate]
        elif isinstance(part, str) and (part in _TAGS or part.startswith("function-")):
            continue
        else:
            path.append(part)
    return line, _format_path(path)


def _format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_TAGS = frozenset(BIOMARKER_TYPES)  # discriminator tags pydantic puts in error locations

__all__ = ["locate", "parse_yaml", "read_text", "read_yaml"]
