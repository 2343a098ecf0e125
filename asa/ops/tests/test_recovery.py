"""Stale imports are resumed and rollups are checked against the source rows (in-process)."""

import datetime as dt

import pytest
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.ops.actions import recover_stale_imports
from asa.ops.consistency import check_rollups
from asa.registry.importing import start_import
from asa.registry.models import ImportJob, ImportStatus, Person
from asa.reports.actions import rebuild_rollups, refresh_rollups
from asa.reports.models import AreaLevel, MonthlyFigure, StaleMonth

CSV = (
    "source_ref,ชื่อ,นามสกุล,วันเกิด,เพศ,รหัสตำบล\n"
    "R1,บุญมี,ศรีสุข,01/05/2493,หญิง,100502\n"
    "R2,สมชาย,ใจดี,01/05/2495,ชาย,100502\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_job(actor) -> ImportJob:
    return start_import(
        actor=actor, file=CSV.encode("utf-8-sig"), file_name="people.csv", source="ระบบเดิม"
    )


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_resumed(chair_a):
    job = make_job(chair_a)  # queued, but its task was never queued (or its worker died)
    now = timezone.now()
    assert recover_stale_imports(now=now) == {
        "resumed": 0,
        "jobs": [],
    }  # not idle for long enough yet
    later = now + dt.timedelta(minutes=11)
    result = recover_stale_imports(now=later)
    assert result == {"resumed": 1, "jobs": [job.pk]}
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE  # the immediate backend ran the resumed import
    assert Person.objects.filter(last_name__in=["ศรีสุข", "ใจดี"]).count() == 2
    assert AuditEvent.objects.filter(action="resume_import", object_id=str(job.pk)).exists()
    assert recover_stale_imports(now=later) == {"resumed": 0, "jobs": []}


@pytest.mark.django_db
def test_a_running_import_that_still_progresses_is_left_alone(chair_a):
    job = make_job(chair_a)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    # A batch was committed a minute ago: the worker is alive.
    AuditEvent.objects.create(
        action="import_people", object_type="registry.importjob", object_id=str(job.pk)
    )
    assert recover_stale_imports(now=timezone.now() + dt.timedelta(minutes=1)) == {
        "resumed": 0,
        "jobs": [],
    }
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING


@pytest.mark.django_db
def test_the_nightly_check_finds_a_figure_that_differs_from_the_source_rows(chair_a):
    rebuild_rollups()
    assert check_rollups()["mismatched"] == 0
    figure = MonthlyFigure.objects.filter(level=AreaLevel.CENTER).first()
    assert figure is not None
    MonthlyFigure.objects.filter(pk=figure.pk).update(value=figure.value + 7)
    result = check_rollups()
    assert result["mismatched"] == 1
    assert result["sample"][0].startswith(f"{figure.code} {figure.month.isoformat()}")
    # The wrong center-month is marked stale: the next refresh repairs it.
    assert StaleMonth.objects.filter(center_id=int(figure.code), month=figure.month).exists()
    refresh_rollups()
    assert check_rollups() == {"checked": result["checked"], "mismatched": 0,
                               "nation_mismatched": 0, "sample": []}  # fmt: skip
