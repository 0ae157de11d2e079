"""HTML to PDF through headless Chromium (``--pdf`` of ``tumorboard letter``).

Chromium prints a temporary copy of the page (never the output file itself) to a temporary
PDF; only a complete PDF is returned. Which Chromium: ``$TUMORBOARD_CHROMIUM`` when set, else
``chromium``, ``chromium-browser``, ``google-chrome`` or ``google-chrome-stable`` on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tumorboard.errors import OutputError

ENV_CHROMIUM = "TUMORBOARD_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-extensions",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
)
_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or set "
    f"{ENV_CHROMIUM} to its path; or open the HTML in a browser and print it"
)


def find_chromium() -> str | None:
    """The Chromium to print with, or ``None`` when there is none."""
    given = os.environ.get(ENV_CHROMIUM)
    if given is not None:
        path = Path(given)
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _reason(stderr: bytes) -> str:
    """The last line of Chromium's complaints that is not about D-Bus (always noisy)."""
    lines = [
        line.strip()
        for line in stderr.decode("utf-8", "replace").splitlines()
        if line.strip() and "dbus" not in line.lower()
    ]
    return lines[-1][:200] if lines else "no message"


def html_to_pdf(html: str) -> bytes:
    """The page printed to PDF by headless Chromium (A4 from the page's own ``@page`` rule)."""
    exe = find_chromium()
    if exe is None:
        where = os.environ.get(ENV_CHROMIUM) or None
        raise OutputError("headless Chromium is needed for --pdf and was not found",
                          where=where, hint=_HINT)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tumorboard-pdf-") as tmp:
        page, out = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [exe, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}",
               page.as_uri()]  # fmt: skip
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OutputError(
                f"Chromium did not finish the PDF within {TIMEOUT_S} s", where=exe, hint=_HINT
            ) from exc
        except OSError as exc:
            raise OutputError(
                f"cannot run Chromium: {exc.strerror}", where=exe, hint=_HINT
            ) from exc
        data = out.read_bytes() if out.is_file() else b""
        if done.returncode != 0 or not data.startswith(b"%PDF"):
            raise OutputError(
                f"Chromium could not print the PDF (exit code {done.returncode}: "
                f"{_reason(done.stderr)})",
                where=exe,
                hint=_HINT,
            )
        return data


__all__ = ["ENV_CHROMIUM", "find_chromium", "html_to_pdf"]
