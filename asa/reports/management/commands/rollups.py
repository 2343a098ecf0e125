"""`asa rollups rebuild|refresh|current`: the dashboards' rollup tables.

* rebuild — recompute every figure from the base tables (after loading data outside the
  actions, or weekly to heal drift; minutes at national scale, readers keep the old figures
  until it commits);
* refresh — recompute the center-months marked stale (what the task worker does after actions);
* current — recompute every stock figure (run nightly from cron: "overdue" moves with the date).

`--background` queues the work for the task worker (`asa db_worker`) instead.
"""

from django.core.management.base import BaseCommand

from asa.reports import actions, tasks


class Command(BaseCommand):
    help = "Rebuild, refresh or recompute the current figures of the dashboards' rollup tables."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rebuild", "refresh", "current"])
        parser.add_argument(
            "--background", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args, what, background, **options):
        work = {
            "rebuild": (actions.rebuild_rollups, tasks.rebuild_rollups_task),
            "refresh": (actions.refresh_rollups, tasks.refresh_stale_rollups),
            "current": (actions.refresh_current_figures, tasks.refresh_current_figures_task),
        }[what]
        if background:
            result = work[1].enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        self.stdout.write(str(work[0]()))
