"""`asa watch`: flag unvisited emergencies and overdue follow-ups to the chairs, then print counts.

Run it hourly from cron (or `--background` to queue it for the task worker). Each case is
flagged once per kind and overdue date, so repeated runs never repeat a notification.
"""

from django.core.management.base import BaseCommand

from asa.cases.actions import flag_overdue_cases
from asa.cases.tasks import flag_overdue_cases_task


class Command(BaseCommand):
    help = "Flag emergencies not visited within 24 hours and overdue follow-ups to the chairs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--background", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args, background, **options):
        if background:
            result = flag_overdue_cases_task.enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        counts = flag_overdue_cases()
        self.stdout.write(
            f"กรณีฉุกเฉินที่ยังไม่ได้เยี่ยมภายใน 24 ชั่วโมง: {counts['emergency_unvisited']}\n"
            f"กรณีที่เลยกำหนดติดตาม: {counts['follow_up_overdue']}"
        )
