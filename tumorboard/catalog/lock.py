"""Catalog version discipline: ``catalog.lock`` beside the manifest holds the version and sha256.

The sha256 is the catalog's content hash (:attr:`Catalog.sha256`, over the parsed content of
every file, so comments and formatting do not count; the version is part of it). A change of
content must come with a new ``version`` in ``catalog.yaml``: :func:`check_lock` reports a
content change under an unchanged version, and a lock that was not refreshed, each with the way
to fix it. ``tumorboard catalog lock DIR`` writes the lock; ``--check`` only checks it (a test
runs the check on the bundled catalog). For the bundled catalog the lock also writes (and
checks) ``catalog.parsed.json``, its YAML already parsed (:mod:`tumorboard.catalog.parsed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tumorboard.catalog.loader import MANIFEST_NAME, load_catalog, parsed_text
from tumorboard.catalog.parsed import PARSED_NAME
from tumorboard.errors import CatalogError
from tumorboard.resources import catalog_dir

LOCK_NAME = "catalog.lock"
REFRESH = "tumorboard catalog lock drug_catalog"
"""The documented command that refreshes the bundled catalog's lock (run in a checkout)."""
_HEADER = (
    "# The drug catalog's version and content hash. A content change needs a new `version` in\n"
    "# catalog.yaml; then refresh this file with `tumorboard catalog lock <catalog folder>`.\n"
)


@dataclass(frozen=True, slots=True)
class Lock:
    version: str
    sha256: str


def _folder(path: str | Path) -> Path:
    p = Path(path)
    return p.parent if p.name == MANIFEST_NAME or p.is_file() else p


def _bundled(folder: Path) -> bool:
    return folder.resolve() == catalog_dir().resolve()


def lock_text(version: str, sha256: str) -> str:
    return f"{_HEADER}version: {version}\nsha256: {sha256}\n"


def read_lock(folder: str | Path) -> Lock | None:
    """The lock beside a catalog manifest, or ``None`` when there is none."""
    path = _folder(folder) / LOCK_NAME
    if not path.is_file():
        return None
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and ":" in line:
            key, _, value = line.partition(":")
            values[key.strip()] = value.strip()
    if set(values) != {"version", "sha256"}:
        raise CatalogError(
            "catalog.lock must hold exactly 'version' and 'sha256'",
            where=str(path),
            hint=f"regenerate it with `tumorboard catalog lock {_folder(folder)}`",
        )
    return Lock(values["version"], values["sha256"])


def check_lock(folder: str | Path) -> list[str]:
    """Problems with a catalog's lock, each saying how to fix it (empty: the lock is current)."""
    where = _folder(folder)
    cat = load_catalog([where / MANIFEST_NAME])
    lock = read_lock(where)
    refresh = f"`tumorboard catalog lock {where}`"
    if lock is None:
        return [f"{where}/{LOCK_NAME} is missing: run {refresh}"]
    if lock.version == cat.version and lock.sha256 != cat.sha256:
        return [
            f"the catalog content changed but its version is still {cat.version} "
            f"(sha256 {cat.sha256[:12]}, locked {lock.sha256[:12]}): bump `version` in "
            f"{where}/{MANIFEST_NAME}, then run {refresh} to refresh {LOCK_NAME}"
        ]
    if lock.version != cat.version or lock.sha256 != cat.sha256:
        return [
            f"{LOCK_NAME} records version {lock.version} but {MANIFEST_NAME} says "
            f"{cat.version}: run {refresh} to refresh it"
        ]
    if _bundled(where):
        path = where / PARSED_NAME
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != parsed_text(where):
            state = "is missing" if current is None else "does not hold what the YAML parses to"
            return [f"{where}/{PARSED_NAME} {state}: run {refresh} to refresh it"]
    return []


def write_lock(folder: str | Path) -> Path:
    """Write ``catalog.lock`` for the catalog in ``folder`` (atomically); returns its path."""
    from tumorboard.outputs import write_text_atomic

    where = _folder(folder)
    cat = load_catalog([where / MANIFEST_NAME])
    path = where / LOCK_NAME
    if _bundled(where):
        write_text_atomic(where / PARSED_NAME, parsed_text(where))
    write_text_atomic(path, lock_text(cat.version, cat.sha256))
    return path


__all__ = ["LOCK_NAME", "REFRESH", "Lock", "check_lock", "lock_text", "read_lock", "write_lock"]
