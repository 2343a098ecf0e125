"""Background work through a REAL `asa db_worker` process (and `asa scheduler`, `asa run`),
against the test database, one test per kind of job. The rest of the suite runs tasks
in-process (asa/conftest.py), which would hide a missing worker; these would not.

The subprocesses reach the test database through DATABASE_URL (on SQLite the test database is
a file, see asa/settings.py), so the tests commit for real (transaction=True). Each waits a
bounded time for the outcome. Run only these: `pytest -m worker`.
"""

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from asa.accounts.actions import create_api_token, notify
from asa.accounts.models import (
    AuditEvent,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Notification,
)
from asa.cases.actions import open_case
from asa.cases.models import Case
from asa.ops.models import JobRun, RunOutcome
from asa.registry.actions import register_person
from asa.registry.importing import enqueue_import, start_import
from asa.registry.models import ImportJob, ImportStatus, Person
from asa.registry.tasks import run_import_job
from asa.reports.models import AreaLevel, MonthlyFigure

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60  # generous for a loaded machine; each test usually needs a few seconds
CSV = (
    "source_ref,ชื่อ,นามสกุล,วันเกิด,เพศ,รหัสตำบล\n"
    "W1,บุญมี,ทำงานจริง,01/05/2493,หญิง,100502\n"
    "W2,สมชาย,ทำงานจริง,01/05/2495,ชาย,100502\n"
)


def database_url() -> str:
    """The test database, as DATABASE_URL for the subprocesses."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{config['USER']}{password}@{host}:{port}/{config['NAME']}"


class Background:
    """Starts the real processes against the test database and stops them afterwards."""

    def __init__(self, tmp_path: Path):
        self.var = tmp_path / "var"
        self.log = tmp_path / "processes.log"
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ASA_VAR_DIR": str(self.var),
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, *arguments: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            [sys.executable, "-m", "asa", *arguments],
            env=self.environment,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def start_worker(self) -> subprocess.Popen:
        return self.start("db_worker", "--interval", "0.2", "--no-startup-delay")

    def scheduler_once(self, now: str | None = None) -> None:
        arguments = ["scheduler", "--once", *(["--now", now] if now else [])]
        self.start(*arguments).wait(timeout=WAIT_SECONDS)

    def wait_for(self, condition, what: str):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if value := condition():
                return value
            time.sleep(0.2)
        log = self.log.read_text() if self.log.exists() else ""
        pytest.fail(f"waited {WAIT_SECONDS} s for {what}; the processes said:\n{log[-3000:]}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def background(settings, tmp_path):
    # This test process queues into the database, as the site does; the worker takes it there.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    processes = Background(tmp_path)
    yield processes
    processes.stop()


def _job_done(job_id):
    return ImportJob.objects.filter(pk=job_id, status=ImportStatus.DONE).exists()


def test_an_uploaded_import_reaches_done(background, chair_a):
    job = start_import(actor=chair_a, file=CSV.encode(), file_name="p.csv", source="ระบบเดิม")
    enqueue_import(job)  # after commit: at once here (autocommit)
    queued = DBTaskResult.objects.filter(task_path=run_import_job.module_path)
    assert queued.get().status == TaskResultStatus.READY
    background.start_worker()
    background.wait_for(lambda: _job_done(job.pk), "the import to finish")
    assert Person.objects.filter(last_name="ทำงานจริง").count() == 2


def test_the_dashboard_refreshes_after_a_new_case_through_the_scheduler(
    background, volunteer_a, chair_a, center_a
):
    person = register_person(
        actor=chair_a, first_name="บุญมี", last_name="ศรีสุข", birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )  # fmt: skip
    open_case(actor=volunteer_a, person=person, source="field", urgency="routine", story="ขาดรายได้")
    # Lose the refresh the case queued: the scheduler's periodic refresh must find the mark.
    DBTaskResult.objects.all().delete()
    background.start_worker()
    background.scheduler_once()
    figure = background.wait_for(
        lambda: MonthlyFigure.objects.filter(
            level=AreaLevel.CENTER, code=str(center_a.pk), metric="cases_opened"
        ).first(),
        "the center's cases_opened figure",
    )
    assert figure.value == 1
    assert MonthlyFigure.objects.filter(level=AreaLevel.NATION, metric="cases_opened").exists()
    background.wait_for(
        lambda: JobRun.objects.filter(
            job__name="refresh_rollups", outcome=RunOutcome.SUCCESS
        ).exists(),
        "the refresh_rollups run to be recorded",
    )


def test_a_notification_is_delivered_to_the_mail_folder(background, chair_a):
    ChannelPreference.objects.create(user=chair_a, channel="email", address="chair@example.org")
    notify(user=chair_a, kind="test", message="มีการส่งต่อถึงศูนย์", url="/", dedupe_key="w")
    delivery = Delivery.objects.get(notification__user=chair_a)
    assert delivery.status == DeliveryStatus.PENDING
    background.start_worker()
    background.wait_for(
        lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists(),
        "the email delivery",
    )
    mails = list((background.var / "mail").iterdir())
    assert mails and "chair@example.org" in mails[0].read_text()


def test_the_watch_list_tells_the_chair_the_next_morning(background, volunteer_a, chair_a):
    person = register_person(
        actor=chair_a, first_name="สมศรี", last_name="รอเยี่ยม", birth_date=dt.date(1940, 1, 1),
        subdistrict="100502",
    )  # fmt: skip
    case = open_case(
        actor=volunteer_a, person=person, source="field", urgency="emergency", story="ล้มป่วย"
    )
    background.start_worker()
    background.scheduler_once()  # today: the emergency is not 24 hours old yet
    background.wait_for(
        lambda: JobRun.objects.filter(job__name="watch_list", outcome="success").exists(),
        "today's watch list run",
    )
    unvisited = Notification.objects.filter(user=chair_a, kind="emergency_unvisited")
    assert not unvisited.exists()
    reported = timezone.localtime(Case.objects.get(pk=case.pk).reported_at)
    morning = (reported + dt.timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    if morning < reported + dt.timedelta(hours=24):
        morning += dt.timedelta(days=1)
    background.scheduler_once(now=morning.isoformat())  # the clock moved to the next morning
    notification = background.wait_for(unvisited.first, "the emergency_unvisited notification")
    assert case.number in notification.message


def test_an_import_whose_worker_died_is_resumed(background, chair_a, settings):
    job = start_import(actor=chair_a, file=CSV.encode(), file_name="p.csv", source="ระบบเดิม")
    # Its worker took the task, then died: the task stays "running" and nothing moves.
    run_import_job.enqueue(job.pk)
    long_ago = timezone.now() - dt.timedelta(minutes=settings.IMPORT_STALE_MINUTES + 5)
    dead = DBTaskResult.objects.get(task_path=run_import_job.module_path)
    DBTaskResult.objects.filter(pk=dead.pk).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["died"]
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=long_ago, created_at=long_ago
    )
    background.start_worker()
    background.scheduler_once()
    background.wait_for(lambda: _job_done(job.pk), "the resumed import to finish")
    assert DBTaskResult.objects.get(pk=dead.pk).status == TaskResultStatus.FAILED
    assert Person.objects.filter(last_name="ทำงานจริง").count() == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_asa_run_serves_works_in_the_background_and_stops_on_ctrl_c(background, chair_a):
    port = _free_port()
    environment = {key: value for key, value in background.environment.items()}
    environment.pop("SITE_URL", None)
    background.environment = environment
    runner = background.start("run", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            return requests.get(f"{base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not up yet
            return False

    background.wait_for(healthy, "/healthz to answer 200 (web up, worker beating)")
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="run test")
    response = requests.post(
        f"{base}/api/v1/imports",
        headers={"Authorization": f"Bearer {secret}"},
        files={"file": ("people.csv", CSV.encode(), "text/csv")},
        data={"source": "ระบบเดิม"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    background.wait_for(lambda: _job_done(job_id), "the uploaded import to finish")
    # The scheduler seals the audit chain every few seconds: the import's events join it.
    background.wait_for(
        lambda: AuditEvent.objects.filter(
            action="import_people", object_id=str(job_id), sequence__isnull=False
        ).exists(),
        "the import's audit event to be sealed",
    )
    pids = [int(pid) for pid in re.findall(r"pid (\d+)", background.log.read_text())]
    assert len(pids) == 3
    for pid in pids:  # the links emailed point at the address served, not port 8000
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"SITE_URL=http://127.0.0.1:{port}".encode() in environ
    runner.send_signal(signal.SIGINT)
    assert runner.wait(timeout=30) == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_asa_run_stops_everything_when_one_part_dies(background):
    with socket.socket() as taken:  # the web server cannot bind: it gives up and exits
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        runner = background.start("run", "--port", str(port), "--workers", "1")
        assert runner.wait(timeout=WAIT_SECONDS) == 1
    log = background.log.read_text()
    assert "asa run: the web stopped" in log
    for pid in [int(pid) for pid in re.findall(r"pid (\d+)", log)]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
