"""asa import people FILE [--source NAME] [--center CODE] [--all-or-nothing] [--dry-run]
                  [--user USERNAME]
asa import people --template FILE

Runs an import in the foreground, printing progress and a summary; or writes the template."""

import threading
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from asa.centers.models import Center
from asa.registry import importing
from asa.registry.models import ImportJob


class Command(BaseCommand):
    help = "นำเข้าข้อมูลบุคคลจาก CSV/XLSX (import people FILE) หรือเขียนแม่แบบ (--template FILE)"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["people"], help="what to import: people")
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--template", metavar="FILE", help="write the XLSX template here")
        parser.add_argument("--source", default="", help="source system name (default: file)")
        parser.add_argument("--center", metavar="CODE", help="center code for rows without one")
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report; write nothing"
        )
        parser.add_argument("--user", metavar="USERNAME", help="import as this user (scope)")

    def handle(self, *args, **options):
        if options["template"]:
            with open(options["template"], "wb") as out:
                importing.write_template(out)
            self.stdout.write(f"เขียนแม่แบบแล้ว: {options['template']}")
            return
        if not options["file"]:
            raise CommandError("ระบุไฟล์ที่จะนำเข้า หรือ --template FILE")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"ไม่พบผู้ใช้ {options['user']}")
        center = None
        if options["center"]:
            center = Center.objects.filter(code=options["center"]).first()
            if center is None:
                raise CommandError(f"ไม่พบศูนย์รหัส {options['center']}")
        source = options["source"] or options["file"].rsplit("/", 1)[-1]
        try:
            with open(options["file"], "rb") as handle:
                job = importing.start_import(
                    actor=actor,
                    file=handle,
                    file_name=options["file"],
                    source=source,
                    center=center,
                    all_or_nothing=options["all_or_nothing"],
                    dry_run=options["dry_run"],
                )
        except FileNotFoundError:
            raise CommandError(f"ไม่พบไฟล์ {options['file']}") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"งานนำเข้า #{job.pk}: {job.total_rows} แถว จาก {job.file_name}")
        started = time.perf_counter()
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(job.pk, done), daemon=True)
        watcher.start()
        try:
            job = importing.run_import(job.pk)
        finally:
            done.set()
            watcher.join(timeout=2)
        elapsed = time.perf_counter() - started
        counts = job.counts
        self.stdout.write(
            f"สถานะ: {job.get_status_display()} · {job.processed_rows} แถวใน {elapsed:.1f} วินาที"
        )
        if job.dry_run:
            self.stdout.write("ตรวจสอบอย่างเดียว: ยังไม่ได้บันทึกข้อมูลใด (--dry-run)")
        for outcome in ("imported", "updated", "changed", "unchanged", "duplicate", "error"):
            self.stdout.write(f"  {outcome}: {counts.get(outcome, 0)}")
        if job.error:
            self.stdout.write(job.error)
        if job.status != "done":
            raise CommandError("การนำเข้าไม่สำเร็จ")

    def _watch(self, job_id: int, done: threading.Event) -> None:
        # Batches commit as they go, so another connection sees the progress.
        from django.db import connection

        try:
            while not done.wait(2):
                job = ImportJob.objects.filter(pk=job_id).values("processed_rows", "total_rows")
                row = job.first()
                if row:
                    self.stdout.write(f"  ... {row['processed_rows']} / {row['total_rows']}")
        finally:
            connection.close()
