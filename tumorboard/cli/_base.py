"""The root click group and the error-to-exit-code mapping shared by every command."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import click

from tumorboard import __version__
from tumorboard.errors import TumorBoardError
from tumorboard.gcpause import gc_paused

__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_USER_ERROR", "fail", "gc_paused", "main"]

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_INTERNAL = 3


def fail(exc: TumorBoardError) -> None:
    """Print a library error as ``Error: ...`` (+ ``Hint: ...``) on stderr and exit 1."""
    where = f"{exc.where}: " if exc.where else ""
    click.echo(f"Error: {where}{exc.message}", err=True)
    if exc.hint:
        click.echo(f"Hint: {exc.hint}", err=True)
    sys.exit(EXIT_USER_ERROR)


class TumorBoardGroup(click.Group):
    """A click group that maps tumorboard errors to exit codes, never to tracebacks.

    Commands can be registered lazily: ``lazy_commands`` maps a command name to the modules
    that define it (they add it to the group on import), so running one command imports only
    its own module; listing them all (``--help``) imports every module.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, ...]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self.load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load_command(self, cmd_name: str) -> None:
        """Import the modules defining ``cmd_name`` (nothing when it is loaded or unknown)."""
        for module in self.lazy_commands.get(cmd_name, ()):
            importlib.import_module(module)

    def load_all(self) -> MutableMapping[str, click.Command]:
        """Import every command module; return ``commands`` (now complete)."""
        for name in list(self.lazy_commands):
            self.load_command(name)
        return self.commands

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TumorBoardError as exc:
            fail(exc)
        except BrokenPipeError:
            # Output piped into `head` and friends: stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("TUMORBOARD_DEBUG"):
                raise
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo(
                "Hint: this is a bug in tumorboard; rerun with TUMORBOARD_DEBUG=1 for the "
                "traceback and report it",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        return None


@click.group(cls=TumorBoardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tumorboard")
def main() -> None:
    """tumorboard: molecular tumour board toolkit.

    Stream tumour variants, match approved drugs on- and off-label, assign IMPRESS-style
    cohorts and render tumour-board reports.

    \b
    Example:
      tumorboard annotate tumour.vcf.gz --tumor-type LUAD --format json -o case.json
    """
