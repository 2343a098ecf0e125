"""`asa restore FILE`: check an archive from `asa backup`, restore it, check the result."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from asa.lib.backup import BackupError, Target, restore_backup, verify_archive


class Command(BaseCommand):
    help = (
        "Restore an archive made by `asa backup`: checksums first, then the database and the "
        "uploads, then every table's row count compared with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds user accounts",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the archive (checksums, SQLite integrity); restore nothing",
        )
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of DATABASE_URL (e.g. a scratch copy)",
        )

    def handle(self, *args, archive, force=False, check=False, database_url=None, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        try:
            if check:
                manifest = verify_archive(path)
                self.stdout.write(
                    f"Archive OK: {manifest['engine']} backup of {manifest['created_at']}, "
                    f"{manifest['rows']} rows, {len(manifest['media'])} uploaded files."
                )
                return
            target = Target.from_url(database_url) if database_url else None
            manifest, counts = restore_backup(path, target=target, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if target is None:  # the site's own database now holds other figures
            from asa.reports.cache import reset

            reset()
        self.stdout.write(
            f"Restored the {manifest['engine']} backup of {manifest['created_at']}: "
            f"{len(counts)} tables, {sum(counts.values())} rows, "
            f"{len(manifest['media'])} uploaded files. Verified: every table's row count "
            "matches the manifest."
        )
