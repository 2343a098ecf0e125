"""`asa referrals overdue`: tell senders about referrals past their due dates, print the count.

Run it hourly from cron (or `--background` to queue it for the task worker). Each referral is
flagged once per status, so repeated runs never repeat a notification.
`asa referrals deliver` sends queued email/SMS/LINE notifications now (retrying failures).
"""

from django.core.management.base import BaseCommand

from asa.accounts.actions import deliver_pending_notifications
from asa.referrals.actions import flag_overdue_referrals
from asa.referrals.tasks import deliver_notifications, flag_overdue_referrals_task


class Command(BaseCommand):
    help = "One Home: flag overdue referrals (overdue) or send queued notifications (deliver)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["overdue", "deliver"])
        parser.add_argument(
            "--background", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args, what, background, **options):
        task = flag_overdue_referrals_task if what == "overdue" else deliver_notifications
        if background:
            result = task.enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        if what == "overdue":
            self.stdout.write(f"การส่งต่อที่เลยกำหนด: {flag_overdue_referrals()}")
        else:
            counts = deliver_pending_notifications()
            self.stdout.write(
                f"ส่งแล้ว {counts['sent']} รอส่งใหม่ {counts['retry']} ส่งไม่สำเร็จ {counts['failed']}"
            )
