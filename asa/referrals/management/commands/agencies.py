"""asa agencies import FILE [--user USERNAME]
asa agencies export FILE [--format csv|xlsx]

The One Home directory as CSV/XLSX: import creates or updates agencies by Thai name and prints
a line for each bad row; export writes every agency in the same columns."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from asa.referrals import importing
from asa.referrals.models import Agency


class Command(BaseCommand):
    help = "นำเข้า (import FILE) หรือส่งออก (export FILE) ทำเนียบหน่วยงานภาคี One Home"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["import", "export"])
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--user", metavar="USERNAME", help="act as this user (audit, scope)")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="export format (default: from the name)"
        )

    def handle(self, *args, what, file, user, format, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"ไม่พบผู้ใช้ {user}")
        path = Path(file)
        if what == "export":
            file_format = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
            data = importing.export_directory(
                actor=actor, agencies=Agency.objects.all(), file_format=file_format
            )
            path.write_bytes(data)
            self.stdout.write(f"ส่งออกทำเนียบหน่วยงานแล้ว: {path}")
            return
        if not path.exists():
            raise CommandError(f"ไม่พบไฟล์ {path}")
        try:
            report = importing.import_directory_file(actor=actor, path=path)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for line in report.lines():
            self.stdout.write(line)
