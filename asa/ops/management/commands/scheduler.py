"""`asa scheduler`: queue the periodic jobs (asa/ops/jobs.py) for `asa db_worker` when due.

Production runs it as its own service next to `gunicorn asa.wsgi` and `asa db_worker`; `make
run` (`asa run`) starts all three. Several schedulers may run at once: each due run is queued
by one of them only (see asa/ops/actions.py). It looks every few seconds: the audit chain's
sealing (asa/accounts/audit.py) runs in its own loop at that pace.
"""

import datetime as dt
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from asa.ops.actions import enqueue_due_jobs


class Command(BaseCommand):
    help = "Queue the periodic jobs when they are due (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds between looks (default 5)"
        )
        parser.add_argument("--once", action="store_true", help="look once, then exit")
        parser.add_argument(
            "--now",
            help="pretend the clock reads this ISO date-time (then runs on from it): to try "
            "what the jobs do tomorrow morning",
        )

    def handle(self, *args, interval: float, once: bool, now: str | None, **options):
        offset = dt.timedelta(0)
        if now:
            try:
                moved = dt.datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now: not an ISO date-time: {now}") from error
            if timezone.is_naive(moved):
                moved = timezone.make_aware(moved)
            offset = moved - timezone.now()
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            self.stdout.write(f"scheduler: looking for due jobs every {interval:g} s")
        while True:
            clock = timezone.now() + offset
            try:
                queued = enqueue_due_jobs(now=clock)
            except Exception as error:  # the database may be away for a moment; try again
                if once:
                    raise
                self.stderr.write(f"scheduler: {type(error).__name__}: {error}")
                queued = []
            finally:
                if not once:  # a long-running loop must not keep a broken connection
                    close_old_connections()
            if queued or options["verbosity"] > 1:
                self.stdout.write(
                    f"scheduler {clock:%Y-%m-%d %H:%M:%S}: queued {', '.join(queued) or 'nothing'}"
                )
            if once or stop.wait(interval):
                break
