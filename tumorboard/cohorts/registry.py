"""The cohort registry: SQLAlchemy Core schema, versioned migrations, audit log and locking.

SQLite file by default (``--registry PATH`` or ``TUMORBOARD_REGISTRY``), PostgreSQL by URL
(``postgresql+psycopg://user@host/db``). Every change runs in one transaction that first locks
what it changes: on SQLite the transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time,
others wait up to the busy timeout); on PostgreSQL the cohort (and patient) rows are locked with
``SELECT ... FOR UPDATE``. A process killed mid-transaction therefore leaves nothing behind: the
database rolls the transaction back. Every change also writes an audit row in the same
transaction (UTC time, user, action, details), so the audit log and the tables never disagree.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from tumorboard.errors import RegistryError, RegistryVersionError

if TYPE_CHECKING:
    from tumorboard.cohorts.rows import CohortRow, PatientRow

ENV_REGISTRY = "TUMORBOARD_REGISTRY"
BUSY_TIMEOUT_S = 60.0
ACTIVE = ("enrolled", "waitlisted")

metadata = MetaData()

migrations_table = Table(
    "tumorboard_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(80), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("drugs", JSON, nullable=False),
    Column("drugs_key", String(200), nullable=False),
    Column("biomarker", String(120), nullable=False),
    Column("tumor_scope", JSON, nullable=False),
    Column("n1", Integer, nullable=False),
    Column("r1", Integer, nullable=False),
    Column("n", Integer, nullable=False),
    Column("r", Integer, nullable=False),
    Column("replace_ne", Boolean, nullable=False),
    Column("sd_weeks", Integer, nullable=False),
    Column("state", String(20), nullable=False),  # planned, open, positive, negative, closed
    Column("suspended", Boolean, nullable=False, default=False),
    Column("stage", Integer, nullable=False, default=1),
    Column("sponsor", Text, nullable=False, default=""),
    Column("notes", Text, nullable=False, default=""),
    Column("origin", String(40), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("opened_at", String(40)),
    Column("closed_at", String(40)),
    Column("waitlist_seq", Integer, nullable=False, default=0),
)

patients = Table(
    "patients",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("tumor_type", String(40), nullable=False),
    Column("case_data", JSON, nullable=False),
    Column("registered_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(120), ForeignKey("patients.id"), nullable=False),
    Column("cohort_id", String(80), ForeignKey("cohorts.id"), nullable=False),
    Column("status", String(20), nullable=False),  # enrolled, waitlisted, ended, released
    Column("stage", Integer),
    Column("queue_seq", Integer),
    Column("match", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("enrolled_at", String(40)),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("patient_id", "cohort_id", name="uq_assignment_patient_cohort"),
)
Index("ix_assignments_cohort", assignments.c.cohort_id, assignments.c.status)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assignment_id", Integer, ForeignKey("assignments.id"), nullable=False),
    Column("response", String(2), nullable=False),
    Column("week", Integer, nullable=False),
    Column("assessed_on", String(10), nullable=False),
    Column("confirmed", Boolean, nullable=False, default=False),
    Column("recorded_at", String(40), nullable=False),
    Column("superseded_by", Integer),
)
Index("ix_outcomes_assignment", outcomes.c.assignment_id)

audit = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user", String(120), nullable=False),
    Column("action", String(40), nullable=False),
    Column("cohort_id", String(80)),
    Column("patient_id", String(120)),
    Column("details", JSON, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False, unique=True),
    Column("tumor_type", String(40), nullable=False),
    Column("biomarker", String(120), nullable=False),
    Column("drugs", JSON, nullable=False),
    Column("match", JSON, nullable=False),
    Column("state", String(20), nullable=False),  # open, accepted
    Column("cohort_id", String(80)),
    Column("created_at", String(40), nullable=False),
)

proposal_patients = Table(
    "proposal_patients",
    metadata,
    Column("proposal_id", Integer, ForeignKey("proposals.id"), primary_key=True),
    Column("patient_id", String(120), ForeignKey("patients.id"), primary_key=True),
    Column("created_at", String(40), nullable=False),
)

# One active (enrolled or waitlisted) assignment per patient, enforced by the database too.
one_active = Index(
    "uq_assignments_one_active",
    assignments.c.patient_id,
    unique=True,
    sqlite_where=assignments.c.status.in_(ACTIVE),
    postgresql_where=assignments.c.status.in_(ACTIVE),
)


decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(120), ForeignKey("patients.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("choices", JSON, nullable=False),  # options chosen, each with its match snapshot
    Column("rationale", Text, nullable=False),
    Column("meeting_date", String(10), nullable=False),
    Column("tumor_type", String(40), nullable=False),
    Column("catalog", JSON, nullable=False),  # name, version, sha256 of the analysed case
    Column("case_ref", JSON, nullable=False),  # the analysis: created, tumorboard version, sha256
    Column("notes", JSON, nullable=False),  # what recording it said (cohorts, warnings)
    Column("recorded_by", String(120), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("superseded_by", Integer),  # the version that amended this one
    UniqueConstraint("patient_id", "version", name="uq_decision_patient_version"),
)

# One current (not superseded) decision per patient, enforced by the database too.
one_current_decision = Index(
    "uq_decisions_one_current",
    decisions.c.patient_id,
    unique=True,
    sqlite_where=decisions.c.superseded_by.is_(None),
    postgresql_where=decisions.c.superseded_by.is_(None),
)


def _create(*tables: Table) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return run


def _create_index(conn: Connection) -> None:
    one_active.create(conn, checkfirst=True)


def _create_decisions(conn: Connection) -> None:
    decisions.create(conn, checkfirst=True)
    one_current_decision.create(conn, checkfirst=True)


#: Ordered, named migrations. Never edit an applied one; append a new one.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (
        1,
        "cohorts, patients, assignments, outcomes, audit log",
        _create(cohorts, patients, assignments, outcomes, audit),
    ),
    (2, "proposals for new cohorts", _create(proposals, proposal_patients)),
    (3, "one active assignment per patient", _create_index),
    (4, "board decisions, amended with history", _create_decisions),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def utcnow() -> str:
    """Now, UTC, ISO 8601 with offset (what every timestamp column holds)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def default_user() -> str:
    """The OS user name (``--user`` overrides it)."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers): still record something
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def resolve_target(target: str | None) -> str:
    """``--registry`` value, else ``$TUMORBOARD_REGISTRY``; error when neither is set."""
    value = target or os.environ.get(ENV_REGISTRY, "")
    if not value:
        raise RegistryError(
            "no cohort registry given",
            hint=f"pass --registry PATH (SQLite file) or a postgresql+psycopg:// URL, or set "
            f"{ENV_REGISTRY}",
        )
    return value


def _is_url(target: str) -> bool:
    return "://" in target


def display_target(target: str) -> str:
    """The target without a password, for messages."""
    if not _is_url(target):
        return target
    try:
        from sqlalchemy.engine import make_url

        return make_url(target).render_as_string(hide_password=True)
    except ArgumentError:
        return "<database URL>"


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("tb_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def make_engine(target: str, *, create: bool) -> Engine:
    """An engine for a SQLite path or a database URL; a missing SQLite file only if ``create``."""
    if _is_url(target):
        try:
            return create_engine(target, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise RegistryError(
                f"cannot use registry URL: {exc}",
                where=display_target(target),
                hint="use postgresql+psycopg://user:password@host:port/dbname (pip install "
                "'tumorboard[postgres]') or a SQLite file path",
            ) from exc
    path = Path(target).expanduser()
    if not path.exists() and not create:
        raise RegistryError(
            "registry not found",
            where=str(path),
            hint="create it with `tumorboard cohort init --registry PATH`, or check the path",
        )
    if not path.parent.is_dir():
        raise RegistryError(
            "the registry's folder does not exist", where=str(path), hint="create the folder"
        )
    if path.exists() and not path.is_file():
        raise RegistryError(
            "the registry path is not a regular file (a folder, device or pipe)",
            where=str(path),
            hint="give the path of a SQLite registry file made by `tumorboard cohort init`",
        )
    return _sqlite_engine(path.resolve())


class Registry:
    """An open, migrated registry. Use :func:`open_registry`; close with :meth:`close`."""

    def __init__(self, engine: Engine, target: str, user: str) -> None:
        self.engine = engine
        self.target = target
        self.user = user

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction (SQLite: ``BEGIN IMMEDIATE`` when writing); commit or roll back."""
        try:
            with self.engine.connect().execution_options(tb_write=write) as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise _db_error(exc, self.target) from exc

    def audit(
        self,
        conn: Connection,
        action: str,
        *,
        cohort_id: str | None = None,
        patient_id: str | None = None,
        **details: Any,
    ) -> None:
        """Append one audit row (same transaction as the change it records)."""
        conn.execute(
            insert(audit).values(
                at=utcnow(),
                user=self.user,
                action=action,
                cohort_id=cohort_id,
                patient_id=patient_id,
                details=json.loads(json.dumps(details, default=str)),
            )
        )

    def lock_cohort(self, conn: Connection, cohort_id: str) -> CohortRow | None:
        """The cohort row, locked for this transaction (PostgreSQL ``FOR UPDATE``)."""
        from tumorboard.cohorts.rows import CohortRow

        row = (
            conn.execute(select(cohorts).where(cohorts.c.id == cohort_id).with_for_update())
            .mappings()
            .first()
        )
        return CohortRow.from_row(row) if row else None

    def lock_patient(self, conn: Connection, patient_id: str) -> PatientRow | None:
        """The patient row, locked for this transaction."""
        from tumorboard.cohorts.rows import PatientRow

        row = (
            conn.execute(select(patients).where(patients.c.id == patient_id).with_for_update())
            .mappings()
            .first()
        )
        return PatientRow.from_row(row) if row else None

    def cohort_rows(self, conn: Connection, cohort_id: str | None = None) -> list[CohortRow]:
        """Every cohort (or one), ordered by id, as typed rows (not locked)."""
        from tumorboard.cohorts.rows import CohortRow

        query = select(cohorts).order_by(cohorts.c.id)
        if cohort_id is not None:
            query = query.where(cohorts.c.id == cohort_id)
        return [CohortRow.from_row(r) for r in conn.execute(query).mappings()]


def _db_error(exc: DBAPIError, target: str) -> RegistryError:
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in text_ or "busy" in text_:
        return RegistryError(
            f"the registry stayed locked for more than {BUSY_TIMEOUT_S:.0f} s",
            where=display_target(target),
            hint="another tumorboard process holds it; retry, or use PostgreSQL for many sites",
        )
    return RegistryError(
        f"database error: {text_.splitlines()[0] if text_ else type(exc).__name__}",
        where=display_target(target),
        hint="check the registry path or URL, and that the database server is reachable",
    )


def current_version(conn: Connection) -> int:
    """Highest applied migration (0 for an empty database)."""
    if not inspect(conn).has_table(migrations_table.name):
        return 0
    return int(conn.execute(select(func.max(migrations_table.c.version))).scalar() or 0)


def _refuse_newer(registry: Registry, version: int) -> None:
    """A registry written by a newer tumorboard is never opened (nor silently downgraded)."""
    if version > SCHEMA_VERSION:
        raise RegistryVersionError(
            f"registry schema version {version} is newer than this tumorboard supports "
            f"({SCHEMA_VERSION})",
            where=display_target(registry.target),
            hint="upgrade tumorboard (pip install -U tumorboard); never open a newer "
            "registry with an older tumorboard",
        )


def migrate(registry: Registry, *, target_version: int = SCHEMA_VERSION) -> list[int]:
    """Apply missing migrations up to ``target_version``; refuse a newer registry."""
    applied: list[int] = []
    with registry.transaction() as conn:
        if registry.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(5050505)"))
        version = current_version(conn)
        _refuse_newer(registry, version)
        migrations_table.create(conn, checkfirst=True)
        for number, name, run in MIGRATIONS:
            if version < number <= target_version:
                run(conn)
                conn.execute(
                    insert(migrations_table).values(version=number, name=name, applied_at=utcnow())
                )
                registry.audit(conn, "registry.migrate", version=number, name=name)
                applied.append(number)
    return applied


NOT_A_REGISTRY_HINT = (
    "give a registry made by `tumorboard cohort init`; an empty or foreign database is never "
    "used (for a new registry, remove the file and run `tumorboard cohort init` again)"
)


def _check_version(registry: Registry, *, create: bool) -> int:
    """The registry's schema version, read without taking the write lock."""
    with registry.transaction(write=False) as conn:
        version = current_version(conn)
    _refuse_newer(registry, version)
    if version == 0 and not create:
        raise RegistryError(
            "not a tumorboard cohort registry (it has no tumorboard_migrations table)",
            where=display_target(registry.target),
            hint=NOT_A_REGISTRY_HINT,
        )
    return version


def _create_sqlite(path: Path, user: str) -> None:
    """A new, migrated SQLite registry at ``path``, made in a temporary file and linked into
    place: a killed ``init`` never leaves a half-made registry under the real name."""
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        registry = Registry(_sqlite_engine(tmp), str(tmp), user)
        try:
            migrate(registry)
        finally:
            registry.close()
        with contextlib.suppress(FileExistsError):  # never replace one made meanwhile
            os.link(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)


def open_registry(
    target: str | None = None, *, user: str | None = None, create: bool = False
) -> Registry:
    """Open the registry at ``target`` (path or URL, else ``$TUMORBOARD_REGISTRY``).

    With ``create=True`` a missing SQLite file is created (atomically, mode 0600: it holds
    patient data) and an empty database is initialised; otherwise a database without
    tumorboard's migrations table is refused. An older schema is upgraded; a newer one raises
    :class:`RegistryVersionError`. A current registry is opened without taking the write lock,
    so a read-only command never waits for a writer.
    """
    resolved = resolve_target(target)
    who = user or default_user()
    engine = make_engine(resolved, create=create)
    if create and not _is_url(resolved):
        path = Path(resolved).expanduser()
        if not path.exists():
            try:
                _create_sqlite(path, who)
            except (OSError, DBAPIError) as exc:
                engine.dispose()
                raise RegistryError(
                    f"cannot create the registry: {getattr(exc, 'strerror', None) or exc}",
                    where=str(path),
                    hint="check that the folder is writable",
                ) from exc
        create = False  # an existing file must already be a registry
    registry = Registry(engine, resolved, who)
    try:
        if _check_version(registry, create=create) < SCHEMA_VERSION:
            migrate(registry)
    except (RegistryError, DBAPIError) as exc:
        registry.close()
        if isinstance(exc, DBAPIError):
            raise _db_error(exc, resolved) from exc
        raise
    return registry


__all__ = [
    "ACTIVE",
    "ENV_REGISTRY",
    "MIGRATIONS",
    "NOT_A_REGISTRY_HINT",
    "SCHEMA_VERSION",
    "Registry",
    "assignments",
    "audit",
    "cohorts",
    "current_version",
    "decisions",
    "default_user",
    "display_target",
    "make_engine",
    "metadata",
    "migrate",
    "open_registry",
    "outcomes",
    "patients",
    "proposal_patients",
    "proposals",
    "resolve_target",
    "utcnow",
]
