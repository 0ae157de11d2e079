"""Bounded reading of the small documents tumorboard trusts least: patient and case files,
catalogs, cohort definitions, samplesheets, CIViC exports, batch manifests.

Every read here is limited in size and never waits on something that is not a file:

* :func:`read_bytes` opens without blocking (``O_NONBLOCK``) and then looks at what it opened.
  A regular file is read if it is not larger than the limit. A pipe (``<(...)``, a named FIFO)
  is read once, to its end, only when something is writing to it: a FIFO nobody writes to is an
  error at once instead of a hang. Devices (``/dev/zero``), folders and sockets are refused.
  ``-`` is standard input where the caller allows it.
* :func:`decode` turns bytes into text; bytes that are not UTF-8 are an error naming the byte
  offset (never a traceback).
* :func:`load_json` parses JSON with a nesting limit; :func:`check_yaml_graph` bounds a YAML node
  graph before anything is built from it: a document whose aliases would expand to more than
  :data:`YAML_MAX_NODES` nodes ("billion laughs"), an alias that contains itself, or nesting
  deeper than :data:`MAX_DEPTH` is an error, found in time proportional to the file's size.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.errors import FormatError, InputError, InputNotFoundError, TumorBoardError, excerpt

if TYPE_CHECKING:
    import yaml

MiB = 1 << 20
MAX_DEPTH = 64
"""Deepest nesting accepted in a JSON or YAML document (tumorboard's own go 8 deep)."""
YAML_MAX_NODES = 1_000_000
"""Most YAML nodes a document may expand to, aliases counted at every use (the bundled catalog's
largest file has under 2,000)."""

LIMITS = {
    "case file": 256 * MiB,
    "patient file": 1 * MiB,
    "catalog file": 64 * MiB,
    "cohort definitions": 16 * MiB,
    "ledger file": 16 * MiB,
    "samplesheet": 16 * MiB,
    "CIViC file": 256 * MiB,
    "batch manifest": 64 * MiB,
    "template": 4 * MiB,
}
"""Largest accepted size of each kind of document (bytes)."""

_CHUNK = 1 << 16


def _fail(error: type[TumorBoardError], message: str, where: str, hint: str) -> TumorBoardError:
    return error(message, where=where, hint=hint)


def read_bytes(
    path: str | Path,
    what: str,
    *,
    error: type[TumorBoardError] = InputError,
    stdin: bool = False,
    limit: int | None = None,
) -> bytes:
    """The whole content of ``path`` (see the module docstring); ``what`` names it in errors.

    ``error`` is the class raised for an unusable file (a missing one is
    :class:`InputNotFoundError` unless ``error`` is not an :class:`InputError`).
    """
    cap = limit if limit is not None else LIMITS.get(what, 64 * MiB)
    where = str(path)
    if stdin and where == "-":
        return _read_stdin(cap, what, error)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        missing = InputNotFoundError if issubclass(error, InputError) else error
        raise missing(
            f"{what} not found", where=where, hint="check the path (and the current folder)"
        ) from exc
    except IsADirectoryError as exc:  # Windows; Linux opens folders and fstat tells below
        raise _not_regular(error, what, where) from exc
    except OSError as exc:
        raise _fail(
            error,
            f"cannot open the {what}: {exc.strerror or exc}",
            where,
            "check the path and its permissions",
        ) from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):
            if st.st_size > cap:
                raise _too_large(error, what, where, cap)
            os.set_blocking(fd, True)
            return _read_stream(fd, cap, what, where, error)
        if stat.S_ISFIFO(st.st_mode):
            return _read_pipe(fd, cap, what, where, error)
        raise _not_regular(error, what, where)
    finally:
        os.close(fd)


def _read_stdin(cap: int, what: str, error: type[TumorBoardError]) -> bytes:
    """Standard input, read once to its end (at most ``cap`` bytes)."""
    stream = sys.stdin.buffer
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise _too_large(error, what, "<stdin>", cap)
    return data


def _read_pipe(fd: int, cap: int, what: str, where: str, error: type[TumorBoardError]) -> bytes:
    """A pipe opened without blocking: EOF at once means nobody writes to it."""
    try:
        first = os.read(fd, _CHUNK)
    except BlockingIOError:  # a writer is there, nothing written yet: wait for it
        first = None
    if first == b"":
        raise _fail(
            error,
            f"the {what} is a named pipe (FIFO) that nothing is writing to",
            where,
            f"give the {what} as a regular file, or start the program writing to the pipe first",
        )
    os.set_blocking(fd, True)
    rest = _read_stream(fd, cap - len(first or b""), what, where, error)
    return (first or b"") + rest


def _read_stream(fd: int, cap: int, what: str, where: str, error: type[TumorBoardError]) -> bytes:
    parts: list[bytes] = []
    size = 0
    while block := os.read(fd, _CHUNK):
        size += len(block)
        if size > cap:
            raise _too_large(error, what, where, cap)
        parts.append(block)
    return b"".join(parts)


def _too_large(error: type[TumorBoardError], what: str, where: str, cap: int) -> TumorBoardError:
    return _fail(
        error,
        f"the {what} is larger than {cap // MiB} MB",
        where,
        f"a {what} is far smaller; check that the right file was given",
    )


def _not_regular(error: type[TumorBoardError], what: str, where: str) -> TumorBoardError:
    return _fail(
        error,
        f"the {what} is not a regular file (a folder, device or socket)",
        where,
        f"give the path of a {what}"
        + (" (or - for standard input)" if what == "case file" else ""),
    )


def decode(
    data: bytes, what: str, where: str, *, error: type[TumorBoardError] = FormatError
) -> str:
    """UTF-8 text of ``data`` (a leading byte-order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = excerpt(data[exc.start : exc.start + 4])
        raise error(
            f"the {what} is not UTF-8 text (byte {exc.start}: {bad})",
            where=where,
            hint=f"save the {what} as UTF-8 text",
        ) from exc


def read_text(
    path: str | Path,
    what: str,
    *,
    error: type[TumorBoardError] = InputError,
    stdin: bool = False,
) -> str:
    """:func:`read_bytes` + :func:`decode` (``error`` for both)."""
    data = read_bytes(path, what, error=error, stdin=stdin)
    return decode(data, what, "<stdin>" if stdin and str(path) == "-" else str(path), error=error)


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists/dicts in ``value`` (iterative); stops counting past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (list, dict)):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(text: str, what: str, where: str, hint: str) -> Any:
    """Parse JSON text, with nesting at most :data:`MAX_DEPTH` deep."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON: {exc.msg}",
            where=f"{where}:{exc.lineno}",
            hint=hint,
        ) from exc
    except _NotJson as exc:
        raise FormatError(
            f"not valid JSON: {exc} is not a JSON number", where=where, hint=hint
        ) from exc
    except RecursionError as exc:
        raise _too_deep(what, where) from exc
    if nesting_depth(data) > MAX_DEPTH:
        raise _too_deep(what, where)
    return data


class _NotJson(ValueError):
    """NaN or Infinity: not JSON, though Python's json module would accept them."""


def _no_constant(name: str) -> Any:
    raise _NotJson(name)


def _too_deep(what: str, where: str) -> FormatError:
    return FormatError(
        f"the {what} nests more than {MAX_DEPTH} levels deep",
        where=where,
        hint=f"this is not a {what} tumorboard wrote; check the file",
    )


def check_yaml_graph(
    root: yaml.Node, display: str, error: type[TumorBoardError], *, anchors: bool = True
) -> None:
    """Refuse a YAML node graph that is cyclic, too deep, or expands to too many nodes.

    Aliases make the composed graph a DAG whose shared nodes count once per use; sizes are
    computed bottom-up with memoisation, so a "billion laughs" document is measured in
    microseconds, never expanded. ``anchors=False`` says the text has no ``&`` at all, so no
    anchor and hence no alias: the graph is a tree, and one walk counting depth and nodes does
    (a third of the time on the bundled catalog).
    """
    if not anchors:
        _check_yaml_tree(root, display, error)
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > YAML_MAX_NODES or depth[key] > MAX_DEPTH:
                raise _yaml_limit(node, display, error, size[key] > YAML_MAX_NODES)
            continue
        if key in size:
            continue
        if key in active:
            raise error(
                "a YAML alias refers to a node that contains it (a recursive alias)",
                where=f"{display}:{node.start_mark.line + 1}",
                hint="remove the recursive anchor/alias; tumorboard documents are trees",
            )
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _check_yaml_tree(root: yaml.Node, display: str, error: type[TumorBoardError]) -> None:
    """check_yaml_graph for a graph without aliases (a tree): depth and node count in one walk."""
    import yaml

    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, level = stack.pop()
        count += 1
        if level > MAX_DEPTH or count > YAML_MAX_NODES:
            raise _yaml_limit(node, display, error, count > YAML_MAX_NODES)
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, level + 1) for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, level + 1) for n in node.value)


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _yaml_limit(
    node: yaml.Node, display: str, error: type[TumorBoardError], too_many: bool
) -> TumorBoardError:
    what = (
        f"expands to more than {YAML_MAX_NODES:,} nodes (aliases counted at every use)"
        if too_many
        else f"nests more than {MAX_DEPTH} levels deep"
    )
    return error(
        f"the YAML document {what}",
        where=f"{display}:{node.start_mark.line + 1}",
        hint="this is not a document tumorboard can use; remove the repeated aliases",
    )


__all__ = [
    "LIMITS",
    "MAX_DEPTH",
    "YAML_MAX_NODES",
    "check_yaml_graph",
    "decode",
    "load_json",
    "nesting_depth",
    "read_bytes",
    "read_text",
]
