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
