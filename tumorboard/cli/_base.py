"""The root click group and the error-to-exit-code mapping shared by every command."""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import click

from tumorboard import __version__
from tumorboard.errors import (
    CatalogError,
    InputError,
    OutputError,
    RegistryError,
    TumorBoardError,
    printable,
)
from tumorboard.gcpause import gc_paused
from tumorboard.signals import Terminated, handle_termination

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USER_ERROR",
    "echo",
    "echo_json",
    "fail",
    "gc_paused",
    "main",
]

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_INTERNAL = 3

_DEFAULT_HINTS: tuple[tuple[type[TumorBoardError], str], ...] = (
    (InputError, "check the file named above; `tumorboard COMMAND --help` lists what it takes"),
    (CatalogError, "run `tumorboard catalog validate` on the catalog for every problem"),
    (RegistryError, "check --registry; `tumorboard cohort status` shows what the registry holds"),
    (OutputError, "choose another output path"),
    (TumorBoardError, "see `tumorboard COMMAND --help`"),
)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT}


def echo(text: str = "", *, err: bool = False) -> None:
    """``click.echo`` for text that holds values from input files or the registry: control
    characters (terminal escape sequences) are printed as visible escapes."""
    click.echo(printable(text, keep_newlines=True), err=err)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def echo_json(document: Any, **kwargs: Any) -> None:
    """Print a JSON document; characters a terminal could act on (C1 controls) are written as
    ``\\uXXXX`` escapes, which is the same JSON."""
    text = json.dumps(document, ensure_ascii=False, **kwargs)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def _hint_for(exc: TumorBoardError) -> str:
    if exc.hint:
        return exc.hint
    return next(hint for cls, hint in _DEFAULT_HINTS if isinstance(exc, cls))


def fail(exc: TumorBoardError) -> None:
    """Print a library error as one ``Error: ...`` line and one ``Hint: ...`` line on stderr
    (control characters and newlines escaped) and exit 1."""
    where = f"{exc.where}: " if exc.where else ""
    click.echo(printable(f"Error: {where}{exc.message}"), err=True)
    click.echo(printable(f"Hint: {_hint_for(exc)}"), err=True)
    sys.exit(EXIT_USER_ERROR)


def _silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so the interpreter's last flush
    cannot fail again (and print a second message)."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _write_failed(exc: OSError) -> None:
    """Standard output (or an output file) could not be written: full disk, closed pipe."""
    _silence_stdout()
    if exc.errno == errno.EPIPE:
        message = "standard output was closed before all output was written (broken pipe)"
        hint = "the program reading tumorboard's output stopped early; what it got is incomplete"
    else:
        message = f"cannot write the output: {exc.strerror or exc}"
        hint = "free some space, or write to another device with -o"
    fail(OutputError(message, hint=hint))


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
            with handle_termination():
                result = super().invoke(ctx)
                sys.stdout.flush()  # a full disk or closed pipe is reported here, not at exit
                return result
        except TumorBoardError as exc:
            fail(exc)
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                _internal(exc)
            _write_failed(exc)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _interrupted("interrupted (Ctrl-C)", 130)
        except Terminated as exc:
            _interrupted(f"interrupted by {exc.name}", 128 + exc.signum)
        except Exception as exc:
            _internal(exc)
        return None


def _interrupted(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    click.echo(
        "Hint: nothing half-written was left behind (outputs are written whole or not at all); "
        "run the command again",
        err=True,
    )
    sys.exit(code)


def _internal(exc: BaseException) -> None:
    if os.environ.get("TUMORBOARD_DEBUG"):
        raise exc
    message = printable(f"{type(exc).__name__}: {exc}")[:300]
    click.echo(f"Error: internal error: {message}", err=True)
    click.echo(
        "Hint: this is a bug in tumorboard; rerun with TUMORBOARD_DEBUG=1 for the "
        "traceback and report it",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


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
