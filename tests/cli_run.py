"""Running ``tumorboard annotate`` in-process for tests, shared by the reader test modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tumorboard.cli import main


def write(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` written to ``tmp_path / name``; the path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def annotate(args: list[str]) -> tuple[int, str, dict[str, Any]]:
    """``tumorboard annotate ARGS`` (which name the JSON output with ``-o``): exit code, output
    and the case JSON (``{}`` when the run failed)."""
    out = Path(args[args.index("-o") + 1])
    result = CliRunner().invoke(main, ["annotate", *args])
    case = json.loads(out.read_text()) if result.exit_code == 0 else {}
    return result.exit_code, result.output, case


def refused(args: list[str]) -> list[str]:
    """``tumorboard annotate ARGS`` (naming the output with ``-o``) refused as bad input: exit 1,
    exactly one ``Error:`` and one ``Hint:`` line, no output file. Returns the two lines."""
    out = Path(args[args.index("-o") + 1])
    result = CliRunner().invoke(main, ["annotate", *args])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Error", "Hint"], lines
    assert not out.exists()
    return lines
