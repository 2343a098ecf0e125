"""`asa dedup`: run the batch duplicate finder in the foreground and print its summary.

`--background` queues it as a task instead (run by `asa db_worker`).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from asa.registry.dedup import MAX_BLOCK, THRESHOLD, find_duplicates, find_duplicates_in_background


class Command(BaseCommand):
    help = "Find likely duplicate people over the whole registry and fill the review queue."

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, default=THRESHOLD, help="lowest score kept")
        parser.add_argument(
            "--max-block", type=int, default=MAX_BLOCK, help="largest block compared pairwise"
        )
        parser.add_argument("--user", default="", help="username recorded in the audit event")
        parser.add_argument(
            "--background", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args, threshold, max_block, user, background, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"ไม่พบผู้ใช้ {user}")
        if background:
            result = find_duplicates_in_background.enqueue(actor_id=actor.pk if actor else None)
            self.stdout.write(f"ส่งงานค้นหาข้อมูลซ้ำเข้าคิวแล้ว (รหัสงาน {result.id})")
            return
        summary = find_duplicates(actor=actor, threshold=threshold, max_block=max_block)
        for line in summary.lines():
            self.stdout.write(line)
