"""Probing an all-or-nothing import: the refused import writes nothing, but the audit of its
outside-scope matches, the count that locks imports and the DPO's notice survive it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from asa.accounts.models import AuditEvent, Notification
from asa.lib.national_id import make_national_id
from asa.registry.actions import register_person
from asa.registry.importing import IMPORT_LOCKED_MESSAGE, import_file, start_import
from asa.registry.models import Person

NUMBERS = [make_national_id(f"31007{n:07d}") for n in range(4)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def theirs(chair_b, center_b):
    return [
        register_person(
            actor=chair_b,
            first_name=name,
            last_name="ทวีวัฒนา",
            id_type="national_id",
            id_number=number,
            birth_date=dt.date(1980, 2, 3),
            subdistrict=center_b.subdistrict,
        )
        for name, number in zip(["สมศรี", "วันดี", "ประยูร", "มานพ"], NUMBERS, strict=True)
    ]


def _probe(tmp_path, numbers, name):
    book = Workbook()
    book.active.append(["source_ref", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "รหัสตำบล"])
    for n, number in enumerate(numbers):
        book.active.append([f"X{n}", number, f"ลอง{n}", "ดู", "100502"])
    book.save(tmp_path / name)
    return tmp_path / name


@pytest.mark.django_db(transaction=True)
def test_a_refused_all_or_nothing_import_keeps_the_audit_of_its_probes(
    tmp_path, chair_a, theirs, settings
):
    settings.IMPORT_OUTSIDE_MATCH_LIMIT = 10
    path = _probe(tmp_path, NUMBERS[:2], "probe.xlsx")
    job = import_file(path, actor=chair_a, source="probe", all_or_nothing=True)
    assert job.status == "failed" and job.counts["outside_scope"] == 2
    event = AuditEvent.objects.get(action="import_outside_scope_matches", actor=chair_a)
    assert event.changes["count"] == 2 and event.object_id == str(job.pk)
    assert Person.objects.count() == len(theirs)


@pytest.mark.django_db(transaction=True)
def test_a_probe_past_the_limit_locks_imports_and_tells_the_dpo_all_or_nothing(
    tmp_path, chair_a, theirs, dpo, settings
):
    settings.IMPORT_OUTSIDE_MATCH_LIMIT = 3
    path = _probe(tmp_path, NUMBERS, "probe.xlsx")
    job = import_file(path, actor=chair_a, source="probe", all_or_nothing=True)
    assert job.status == "failed" and job.error == IMPORT_LOCKED_MESSAGE
    assert AuditEvent.objects.filter(action="import_outside_scope_matches", actor=chair_a).exists()
    assert AuditEvent.objects.filter(action="lock_imports", actor=chair_a).exists()
    assert Notification.objects.filter(user=dpo, kind="import_probe").exists()
    with pytest.raises(ValidationError) as error:  # the lock holds: its count was kept
        start_import(actor=chair_a, file=b"a\n1\n", file_name="x.csv", source="s")
    assert IMPORT_LOCKED_MESSAGE in error.value.messages
    assert Person.objects.count() == len(theirs)
