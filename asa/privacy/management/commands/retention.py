"""`asa retention`: report (--dry-run) or anonymise what is past its retention period.

asa retention --dry-run       counts per policy and a sample of record ids, changes nothing
asa retention                 anonymise now, in batches (audited as the system)
asa retention --background    queue the run for the task worker
"""

from django.core.management.base import BaseCommand

from asa.privacy import retention
from asa.privacy.tasks import run_retention_task


class Command(BaseCommand):
    help = "Anonymise records past their retention period (PDPA); --dry-run reports only."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument(
            "--background", action="store_true", help="queue the run for the task worker"
        )

    def handle(self, *args, dry_run, background, **options):
        if dry_run:
            for row in retention.dry_run():
                policy = row["policy"]
                ids = ", ".join(str(item["id"]) for item in row["sample"])
                self.stdout.write(
                    f"{policy.code}: {row['count']} (ก่อน {row['cutoff']:%Y-%m-%d})"
                    + ("" if policy.anonymises else " — บันทึกเพื่อทราบ ไม่ทำให้เป็นนิรนาม")
                    + (f" ตัวอย่างรหัส: {ids}" if ids else "")
                )
            return
        if background:
            result = run_retention_task.enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        counts = retention.run(actor=None)
        for code, count in counts.items():
            self.stdout.write(f"{code}: {count}")
