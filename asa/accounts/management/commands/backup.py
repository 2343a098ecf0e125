"""`asa backup [--output FILE]`: the database, the uploads and a manifest in one archive."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from asa.lib.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database (a consistent copy), the private uploads and a "
        "manifest of row counts and checksums; the archive is verified after it is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the archive to write (default: var/backups/asa-<date-time>.tar.gz)",
        )

    def handle(self, *args, output=None, **options):
        if output:
            path = Path(output)
        else:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"asa-{stamp}.tar.gz"
        try:
            manifest = create_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {manifest['engine']}: {len(manifest['tables'])} tables, "
            f"{manifest['rows']} rows, {len(manifest['media'])} uploaded files; verified."
        )
        self.stdout.write(str(path))
