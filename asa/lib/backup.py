"""Backups: one archive with the database, the private uploads and a manifest to verify both.

`asa backup` writes a gzipped tar holding
- `manifest.json`: when, which engine, the row count of every table, the SHA-256 of the database
  part and of every uploaded file;
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the site runs) or
  `database.pgdump` (`pg_dump -Fc`, taken in the same snapshot as the row counts);
- `media/...`: the private uploads (visit photos, signatures, import files).

`asa restore` checks every checksum first, refuses a database that already holds user accounts
unless told `--force`, restores, then counts the rows of every table again and compares them with
the manifest. SQLite archives restore into SQLite and PostgreSQL archives into PostgreSQL.
"""

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore only, argument lists, never a shell
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
MEDIA_PREFIX = "media/"
# Where the people who can sign in live: a database holding any is in use.
IN_USE_TABLE = "accounts_user"


class BackupError(Exception):
    """Something a person must act on: a bad archive, a refused target, a failed tool."""


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into, as plain connection details."""

    engine: str  # "sqlite" or "postgresql"
    name: str  # the file (SQLite) or the database name
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, values: dict) -> "Target":
        engine = "sqlite" if "sqlite" in values["ENGINE"] else "postgresql"
        if engine == "postgresql" and "postgresql" not in values["ENGINE"]:
            raise BackupError(f"unsupported database engine {values['ENGINE']}")
        return cls(
            engine=engine,
            name=str(values["NAME"]),
            user=values.get("USER") or "",
            password=values.get("PASSWORD") or "",
            host=values.get("HOST") or "",
            port=str(values.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Target":
        return cls.from_settings(dj_database_url.parse(url))

    @classmethod
    def default(cls) -> "Target":
        return cls.from_settings(connections["default"].settings_dict)

    # PostgreSQL tools take the connection from arguments and PGPASSWORD.
    def tool_arguments(self) -> list[str]:
        arguments = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                arguments += [flag, value]
        return [*arguments, "-d", self.name]

    def tool_environment(self) -> dict:
        import os

        environment = dict(os.environ)
        if self.password:
            environment["PGPASSWORD"] = self.password
        return environment

    def connect_postgres(self):
        import psycopg

        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
        )


# --- Counting rows ----------------------------------------------------------------------------


def _sqlite_counts(path: Path | str) -> dict[str, int]:
    with _sqlite_connect(path) as database:
        return _sqlite_counts_on(database)


def _sqlite_connect(path: Path | str):
    # closing(): a sqlite3 connection used as a context manager commits but stays open.
    return contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def _sqlite_counts_on(database: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        # Table names come from the database's own catalogue, quoted.
        counts[table] = database.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]  # noqa: S608  # nosec B608
    return counts


def _postgres_counts_on(cursor) -> dict[str, int]:
    from psycopg import sql

    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(target: Target) -> dict[str, int]:
    if target.engine == "sqlite":
        return _sqlite_counts(target.name) if Path(target.name).exists() else {}
    with target.connect_postgres() as connection, connection.cursor() as cursor:
        return _postgres_counts_on(cursor)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Backup -----------------------------------------------------------------------------------


def _dump_sqlite(target: Target, destination: Path) -> dict[str, int]:
    source = sqlite3.connect(target.name)
    copy = sqlite3.connect(destination)
    try:
        source.backup(copy)  # a consistent copy, even while the site writes
    finally:
        copy.close()
        source.close()
    return _sqlite_counts(destination)


def _dump_postgres(target: Target, destination: Path) -> dict[str, int]:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    from psycopg import IsolationLevel

    with target.connect_postgres() as connection:
        # The counts and the dump read the same snapshot, so the manifest matches the dump.
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _postgres_counts_on(cursor)
            result = subprocess.run(  # noqa: S603  # nosec B603  # a fixed tool, an argument list
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={destination}",
                    *target.tool_arguments(),
                ],
                env=target.tool_environment(),
                capture_output=True,
                text=True,
                check=False,
            )
        connection.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def create_backup(output: Path, *, target: Target | None = None) -> dict:
    """Write the archive to `output`; returns its manifest. Verifies the archive it wrote."""
    target = target or Target.default()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="asa-backup-") as work:
        part_name = SQLITE_PART if target.engine == "sqlite" else POSTGRES_PART
        part = Path(work) / part_name
        if target.engine == "sqlite":
            counts = _dump_sqlite(target, part)
        else:
            counts = _dump_postgres(target, part)
        media = {
            str(path.relative_to(media_root)): _sha256(path) for path in _media_files(media_root)
        }
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": target.engine,
            "database": {"file": part_name, "sha256": _sha256(part)},
            "tables": counts,
            "rows": sum(counts.values()),
            "media": media,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(part, arcname=part_name)
            for name in media:
                archive.add(media_root / name, arcname=MEDIA_PREFIX + name)
        partial.chmod(0o600)  # the archive holds personal data
        partial.replace(output)
    verify_archive(output)
    return manifest


# --- Verify and restore -----------------------------------------------------------------------


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        name = member.name
        if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"the archive holds an unexpected entry: {name!r}")
    return members


def _extract(archive_path: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            _safe_members(archive)
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"cannot read the archive: {error}") from error
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError("the archive has no readable manifest") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _check_extracted(into: Path, manifest: dict) -> None:
    part = into / manifest["database"]["file"]
    if not part.exists() or _sha256(part) != manifest["database"]["sha256"]:
        raise BackupError("the database part does not match its checksum: the archive is damaged")
    for name, digest in manifest["media"].items():
        path = into / MEDIA_PREFIX / name
        if not path.exists() or _sha256(path) != digest:
            raise BackupError(f"the uploaded file {name!r} does not match its checksum")
    if manifest["engine"] == "sqlite":
        with _sqlite_connect(part) as database:
            if database.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the SQLite copy fails its integrity check")
            if _sqlite_counts_on(database) != manifest["tables"]:
                raise BackupError("the SQLite copy's row counts differ from the manifest")


def verify_archive(archive_path: Path) -> dict:
    """Check an archive without restoring it: checksums, and for SQLite the copy's row counts."""
    with tempfile.TemporaryDirectory(prefix="asa-verify-") as work:
        manifest = _extract(archive_path, Path(work))
        _check_extracted(Path(work), manifest)
    return manifest


def _in_use(target: Target) -> bool:
    return table_counts(target).get(IN_USE_TABLE, 0) > 0


def _restore_sqlite(part: Path, target: Target) -> None:
    for connection in connections.all():
        connection.close()  # Django's own handle must not hold the file while it is replaced
    Path(target.name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(part)
    destination = sqlite3.connect(target.name)
    try:
        source.backup(destination)  # page by page, replacing the whole database
    finally:
        destination.close()
        source.close()


def _restore_postgres(part: Path, target: Target) -> None:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client)")
    for connection in connections.all():
        connection.close()
    result = subprocess.run(  # noqa: S603  # nosec B603  # a fixed tool, an argument list
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *target.tool_arguments(),
            str(part),
        ],
        env=target.tool_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def restore_backup(archive_path: Path, *, target: Target | None = None, force: bool = False):
    """Verify, restore, verify again. Returns (manifest, counts found after the restore)."""
    target = target or Target.default()
    with tempfile.TemporaryDirectory(prefix="asa-restore-") as work:
        into = Path(work)
        manifest = _extract(archive_path, into)
        _check_extracted(into, manifest)
        if manifest["engine"] != target.engine:
            raise BackupError(
                f"this is a {manifest['engine']} backup; the target database is {target.engine}"
            )
        if not force and _in_use(target):
            raise BackupError(
                "the target database already holds user accounts; restore into an empty database "
                "or pass --force to replace everything in it"
            )
        part = into / manifest["database"]["file"]
        if target.engine == "sqlite":
            _restore_sqlite(part, target)
        else:
            _restore_postgres(part, target)
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["media"]:
            destination = media_root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(into / MEDIA_PREFIX / name, destination)
    counts = table_counts(target)
    differences = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    if differences:
        raise BackupError(f"after the restore the row counts differ: {differences}")
    for name, digest in manifest["media"].items():
        if _sha256(Path(settings.MEDIA_ROOT) / name) != digest:
            raise BackupError(f"after the restore {name!r} differs from the backup")
    return manifest, counts
