"""The public surface, import hygiene and docs drift."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import click

import tumorboard
import tumorboard.cli
from tumorboard.cli import main
from tumorboard.cli._base import TumorBoardGroup

REPO = Path(__file__).resolve().parent.parent


def test_exported_members_are_sorted_and_importable() -> None:
    assert tumorboard.__all__ == sorted(tumorboard.__all__)
    for name in tumorboard.__all__:
        assert getattr(tumorboard, name) is not None


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_models_do_not_load_pysam_click_or_jinja() -> None:
    loaded = _modules_after("import tumorboard.models, tumorboard.alterations")
    assert not {"pysam", "click", "jinja2", "sqlalchemy", "pandas"} & loaded


def test_import_tumorboard_is_light() -> None:
    loaded = _modules_after("import tumorboard")
    assert not {"pysam", "click", "jinja2", "sqlalchemy", "pandas", "pydantic"} & loaded


def test_cli_commands_load_lazily_and_the_lazy_table_is_complete() -> None:
    loaded = _modules_after("from tumorboard.cli import main")
    assert not {m for m in loaded if m.startswith("tumorboard.cli.")} - {"tumorboard.cli._base"}
    helpers = {"_base", "options"}  # shared by the command modules; they define no command
    modules = {m.name for m in pkgutil.iter_modules(tumorboard.cli.__path__)} - helpers
    for name in modules:
        importlib.import_module(f"tumorboard.cli.{name}")
    assert set(main.commands) == set(main.lazy_commands)
    assert {m for mods in main.lazy_commands.values() for m in mods} == {
        f"tumorboard.cli.{name}" for name in modules
    }


def test_annotate_does_not_import_pandas() -> None:
    loaded = _modules_after(
        "from click.testing import CliRunner; from tumorboard.cli import main; "
        "CliRunner().invoke(main, ['annotate', '--help'])"
    )
    assert "pandas" not in loaded


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    commands = group.load_all() if isinstance(group, TumorBoardGroup) else group.commands
    for name, cmd in sorted(commands.items()):
        full = f"{prefix}{name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, full + " "))
    return out


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing_help, missing_docs = [], []
    for name, cmd in _commands(main):
        text = cmd.help or ""
        if not text.strip():
            missing_help.append(name)
        if isinstance(cmd, click.Group):
            continue
        if "xample" not in text:
            missing_help.append(f"{name} (no example)")
        if f"tumorboard {name}" not in readme:
            missing_docs.append(name)
    assert not missing_help, f"commands without help/example: {missing_help}"
    assert not missing_docs, f"commands missing from README.md: {missing_docs}"


def test_python_dash_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tumorboard", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"tumorboard, version {tumorboard.__version__}"
