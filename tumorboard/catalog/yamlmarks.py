"""YAML reading with line marks, and mapping pydantic error locations back to ``file:line``.

PyYAML composes a node tree (``CSafeLoader`` when libyaml is available); every node carries its
start mark. We construct the Python data from that tree and, walking data and nodes together,
record the line of every mapping key and sequence item under its path
(``("indications", 3, "jurisdiction") -> 42``). A pydantic error location is then resolved to the
longest known prefix of its path. Timestamps stay strings (the schema validates ISO dates), and
duplicate keys in a mapping are an error instead of PyYAML's silent "last one wins".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tumorboard.bounded import check_yaml_graph
from tumorboard.catalog.schema import BIOMARKER_TYPES
from tumorboard.catalog.source_text import read_text
from tumorboard.errors import (
    CatalogSchemaError,
    TumorBoardError,
    excerpt,
    printable,
)

try:  # libyaml is much faster; fall back to the pure-Python loader when it is missing
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps timestamps as strings."""


def _timestamp_as_str(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_str)

Path_ = tuple[str | int, ...]


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], where: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise CatalogSchemaError(
                    f"duplicate key {excerpt(key)}",
                    where=f"{where}:{key_node.start_mark.line + 1}",
                    hint="each key may appear once in a mapping; remove or merge the repeat",
                )
            seen.add(key)
            key_path: Path_ = (*path, key)
            _walk(value_node, key_path, lines, where)
            lines[key_path] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, where)


def read_yaml(path: Path, display: str, what: str = "catalog file") -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML file; return its data and a path -> line map. Errors carry file:line."""
    return parse_yaml(read_text(path, display, what), display)


_MAYBE_ANCHOR = re.compile(r"(?<![0-9A-Za-z])&")
"""Where an anchor could start: an ``&`` not right after an ASCII letter or digit (an anchor
always follows a space, a line start or an indicator; ``&`` inside a URL's query, as in the
catalog's source links, follows a letter or digit). No match: no anchor, so no alias."""


def compose(text: str, display: str, error: type[TumorBoardError]) -> tuple[Any, yaml.Node | None]:
    """The YAML node graph of ``text`` (bounded: aliases, depth) and the data built from it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        check_yaml_graph(node, display, error, anchors=_MAYBE_ANCHOR.search(text) is not None)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = printable(str(exc.problem or exc.context))
        raise error(
            f"not valid YAML: {problem}",
            where=f"{display}{line}",
            hint="check indentation, colons and quoting around that line",
        ) from exc
    except yaml.YAMLError as exc:
        raise error(
            f"not valid YAML: {excerpt(exc, 80)}",
            where=display,
            hint="check that the file is YAML text",
        ) from exc
    except RecursionError as exc:  # only without libyaml, which stops at 1000 levels itself
        raise error(
            "the YAML document nests too deeply",
            where=display,
            hint="this is not a document tumorboard can use",
        ) from exc
    finally:
        loader.dispose()


def parse_yaml(text: str, display: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text read from ``display``: its data and a path -> line map (see read_yaml)."""
    data, node = compose(text, display, CatalogSchemaError)
    if node is None:
        return {}, {}
    lines: dict[Path_, int] = {}
    _walk(node, (), lines, display)
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


def schema_errors(
    exc: ValidationError, lines: dict[Path_, int], display: str, hint: str
) -> list[CatalogSchemaError]:
    """A pydantic error of a YAML document as ``file:line: field: problem`` errors, in order."""
    out: list[CatalogSchemaError] = []
    for err in exc.errors(include_url=False):
        line, field_path = locate(lines, err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        out.append(
            CatalogSchemaError(
                f"{field_path}: {msg}" if field_path else msg,
                where=f"{display}:{line}" if line else display,
                hint=hint,
            )
        )
    return out


def _format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_TAGS = frozenset(BIOMARKER_TYPES)  # discriminator tags pydantic puts in error locations

__all__ = ["Path_", "compose", "locate", "parse_yaml", "read_text", "read_yaml"]
