"""Reviews waiting on a record that is merged follow the survivor: a refused import row and a
pending duplicate pair stay in their queues, pointing at the survivor; undo puts them back."""

import datetime as dt

from openpyxl import Workbook

from asa.registry.actions import merge_people, register_person, undo_merge
from asa.registry.import_review import review_queue
from asa.registry.importing import import_file
from asa.registry.models import DuplicateCandidate, ImportRowResult

BANG_KHEN = "100502"


def _person(first_name, last_name, born, **more):
    return register_person(
        actor=None,
        first_name=first_name,
        last_name=last_name,
        birth_date=born,
        subdistrict=BANG_KHEN,
        duplicate_override_reason="ทดสอบ",
        **more,
    )


def test_a_refused_import_row_follows_the_survivor_of_a_merge(
    tmp_path, chair_a, center_a, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    known = _person("บุญมี", "ศรีสุข", dt.date(1950, 5, 1))
    book = Workbook()
    book.active.append(["source_ref", "ชื่อ", "นามสกุล", "วันเกิด", "รหัสตำบล"])
    book.active.append(["H1", "บุญมี", "ศรีสุก", "01/05/2493", BANG_KHEN])
    book.save(tmp_path / "rows.xlsx")
    job = import_file(tmp_path / "rows.xlsx", actor=chair_a, source="hospital")
    row = ImportRowResult.objects.get(job=job, outcome="duplicate")
    assert row.person == known and row in review_queue(chair_a)
    survivor = _person("บุญมี", "ศรีสุข", dt.date(1950, 5, 1), phone="0812345678")
    merge = merge_people(actor=None, survivor=survivor, merged=known)
    row.refresh_from_db()
    assert row.person == survivor and row in review_queue(chair_a)  # still waiting, on the survivor
    undo_merge(actor=None, merge=merge)
    row.refresh_from_db()
    assert row.person == known and row in review_queue(chair_a)


def test_a_pending_pair_follows_the_survivor_of_a_merge(chair_a, client_for, center_a):
    first = _person("สมศักดิ์", "ใจดี", dt.date(1960, 3, 5))
    second = _person("สมศักดิ์", "ใจดี", dt.date(1960, 3, 5), phone="0822222222")
    third = _person("สมสักดิ์", "ใจดี", dt.date(1960, 3, 5), phone="0833333333")
    DuplicateCandidate.objects.all().delete()
    pending = DuplicateCandidate.objects.create(person_a=first, person_b=third, score=0.7)
    DuplicateCandidate.objects.create(person_a=first, person_b=second, score=0.9)
    merge = merge_people(actor=None, survivor=second, merged=first)
    followed = DuplicateCandidate.objects.get(person_a=second, person_b=third)
    assert followed.status == "pending" and followed.score == pending.score
    queue = client_for(chair_a).get("/duplicates/").content.decode()
    assert f"/duplicates/{followed.pk}/" in queue and f"/duplicates/{pending.pk}/" not in queue
    undo_merge(actor=None, merge=merge)
    assert not DuplicateCandidate.objects.filter(pk=followed.pk).exists()
    queue = client_for(chair_a).get("/duplicates/").content.decode()
    assert f"/duplicates/{pending.pk}/" in queue
