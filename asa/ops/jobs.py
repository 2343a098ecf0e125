"""The periodic jobs, defined once: name, what it runs, how often. `asa scheduler` enqueues the
due ones for the task worker (`asa db_worker`); the ops page (/ops/) lists them.

Adding a job is one line in JOBS: a function taking `now` (the scheduler's clock, which a test
can move) and returning something JSON can hold (shown on the ops page).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    function: Callable[..., object]
    every: dt.timedelta | None = None  # run every so often ...
    daily_at: dt.time | None = None  # ... or once a day at this local (Bangkok) time
    # A run holding the lock longer than this is taken to be dead (its worker was killed).
    timeout: dt.timedelta = HOUR
    # Run by the scheduler itself when due, not queued for the worker: for a short, frequent
    # job that must not wait behind a long import or check in the worker's queue.
    in_scheduler: bool = False

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name}: give exactly one of every / daily_at")

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """When the job is due next, after a run due at `now`."""
        if self.every is not None:
            return now + self.every
        local = timezone.localtime(now)
        at = local.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0
        )
        if at <= local:
            at = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), self.daily_at)
            )
        return at

    @property
    def cadence(self) -> str:
        if self.daily_at is not None:
            return _("ทุกวัน เวลา %(time)s น.") % {"time": self.daily_at.strftime("%H:%M")}
        seconds = int(self.every.total_seconds())
        if seconds < 60:
            return _("ทุก %(seconds)s วินาที") % {"seconds": seconds}
        minutes = seconds // 60
        if minutes % 60 == 0:
            return _("ทุก %(hours)s ชั่วโมง") % {"hours": minutes // 60}
        return _("ทุก %(minutes)s นาที") % {"minutes": minutes}


# -- what each job runs (imports inside: the scheduler loads this list without the apps' code)


def heartbeat(*, now: dt.datetime) -> dict:
    """Nothing but its own run: the worker that records it is alive (/healthz reads it)."""
    return {}


def watch_list(*, now: dt.datetime) -> dict:
    from asa.cases.actions import flag_overdue_cases

    return flag_overdue_cases(now=now)


def overdue_referrals(*, now: dt.datetime) -> dict:
    from asa.referrals.actions import flag_overdue_referrals

    return {"flagged": flag_overdue_referrals(today=timezone.localdate(now))}


def refresh_rollups(*, now: dt.datetime) -> dict:
    from asa.reports.actions import refresh_rollups

    return refresh_rollups()


def refresh_current_figures(*, now: dt.datetime) -> dict:
    from asa.reports.actions import refresh_current_figures

    return refresh_current_figures()


def check_rollups(*, now: dt.datetime) -> dict:
    from asa.ops.consistency import check_rollups

    return check_rollups()


def deliver_notifications(*, now: dt.datetime) -> dict:
    from asa.accounts.actions import deliver_pending_notifications

    return deliver_pending_notifications()


def retention(*, now: dt.datetime) -> dict:
    from asa.privacy.retention import run

    return run(actor=None, now=now)


# Each run seals at most this many events, so that a backlog (a large import's events) holds the
# scheduler for seconds at most; the next runs take the rest.
SEAL_PER_RUN = 20_000


def seal_audit(*, now: dt.datetime) -> dict:
    from asa.accounts.audit import seal_pending

    return {"sealed": seal_pending(limit=SEAL_PER_RUN)}


def publish_audit_head(*, now: dt.datetime) -> dict:
    from asa.accounts.audit import publish_audit_head

    return publish_audit_head(today=timezone.localdate(now))


def recover_stale_imports(*, now: dt.datetime) -> dict:
    from asa.ops.actions import recover_stale_imports

    return recover_stale_imports(now=now)


def forget_old_runs(*, now: dt.datetime) -> dict:
    from asa.ops.actions import forget_old_runs

    return forget_old_runs(now=now)


JOBS: list[Job] = [
    Job("heartbeat", _("สัญญาณชีพของตัวทำงานเบื้องหลัง"), heartbeat, every=MINUTE),
    Job(
        "deliver_notifications",
        _("ส่งการแจ้งเตือน (อีเมล SMS LINE)"),
        deliver_notifications,
        every=MINUTE,
    ),
    Job("refresh_rollups", _("ปรับปรุงตัวเลขแดชบอร์ด"), refresh_rollups, every=5 * MINUTE),
    Job("recover_stale_imports", _("กู้งานนำเข้าที่ค้าง"), recover_stale_imports, every=5 * MINUTE),
    # Requests write audit events unsealed; this chains them (asa/accounts/audit.py).
    Job(
        "seal_audit",
        _("ผนึกบันทึกการใช้งาน (hash chain)"),
        seal_audit,
        every=5 * SECOND,
        timeout=5 * MINUTE,
        in_scheduler=True,
    ),
    # The day's head hash to the DPOs (kept outside this database: deleting the tail shows).
    Job(
        "publish_audit_head",
        _("ส่งค่าแฮชล่าสุดของบันทึกการใช้งานให้ DPO"),
        publish_audit_head,
        daily_at=dt.time(0, 30),
    ),
    Job("watch_list", _("เฝ้าระวังกรณีฉุกเฉินและการติดตามที่เลยกำหนด"), watch_list, every=HOUR),
    Job("overdue_referrals", _("การส่งต่อที่เลยกำหนด"), overdue_referrals, every=HOUR),
    Job(
        "refresh_current_figures",
        _("ตัวเลขคงค้างประจำวัน"),
        refresh_current_figures,
        daily_at=dt.time(0, 10),
    ),
    Job(
        "check_rollups",
        _("ตรวจตัวเลขแดชบอร์ดกับข้อมูลต้นทาง"),
        check_rollups,
        daily_at=dt.time(2, 30),
        timeout=3 * HOUR,
    ),
    Job(
        "retention", _("ลบข้อมูลที่พ้นระยะเก็บรักษา"), retention, daily_at=dt.time(3, 0), timeout=3 * HOUR
    ),
    Job("forget_old_runs", _("ลบประวัติการทำงานเก่า"), forget_old_runs, daily_at=dt.time(4, 0)),
]

JOBS_BY_NAME: dict[str, Job] = {job.name: job for job in JOBS}
