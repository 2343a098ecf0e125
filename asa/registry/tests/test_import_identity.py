"""Imports never lose or silently change anyone's identity, and never tell who is registered
outside the importer's area (issue: one person, one record)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from asa.accounts.models import AuditEvent, Notification
from asa.lib.thai_text import name_key, phone_key, sound_key
from asa.registry.actions import register_person
from asa.registry.api import REGISTERED_ELSEWHERE
from asa.registry.importing import (
    IMPORT_LOCKED_MESSAGE,
    NO_ROWS,
    OUTSIDE_SCOPE_MESSAGE,
    import_file,
    start_import,
)
from asa.registry.models import ImportJob, ImportRowResult, Person
from asa.registry.queries import search_people

ID_1 = "1103702071811"
HEADER = ["source_ref", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "วันเกิด", "โทรศัพท์", "รหัสตำบล"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(tmp_path, rows, name="people.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def report(job):
    return list(
        ImportRowResult.objects.filter(job=job)
        .order_by("row_number")
        .values_list("row_number", "outcome", "person_id", "message")
    )


def test_phones_are_kept_in_one_form_whatever_way_they_are_written():
    for written in ("+66 81 496 6696", "66814966696", "081-496-6696", "0814966696", "814966696"):
        assert phone_key(written) == "0814966696", written
    assert phone_key("๐๘๑๔๙๖๖๖๙๖") == "0814966696"  # Thai digits
    assert phone_key("21234567") == "021234567"  # a Bangkok land line Excel shortened
    assert phone_key("+856 20 5555 1234") == "+8562055551234"  # Laos, in E.164
    for not_a_phone in ("12345", "0812345", "1300", "0012", "0112345678"):
        assert phone_key(not_a_phone) == "", not_a_phone


def test_an_xlsx_of_numeric_phones_changes_no_one(tmp_path, chair_a):
    names = ["บุญมี", "สมศรี", "มาลี", "ประยูร", "วิไล", "จันทร์เพ็ญ", "ทองใบ", "สำราญ", "อรุณ", "ละเอียด"]
    rows = [
        [f"P{n}", None, name, "ใจงาม", f"01/05/{2490 + n}", f"08149666{n:02d}", "100502"]
        for n, name in enumerate(names)
    ]
    first = import_file(xlsx(tmp_path, rows, "text.xlsx"), actor=chair_a, source="hospital")
    assert first.counts["imported"] == 10
    # The same file saved by Excel with the phone column as numbers: 814966600, ...
    for row in rows:
        row[5] = int(row[5])
    again = import_file(xlsx(tmp_path, rows, "numbers.xlsx"), actor=chair_a, source="hospital")
    assert again.counts["unchanged"] == 10, report(again)[:3]
    assert sorted(Person.objects.values_list("phone", flat=True)) == [
        f"08149666{n:02d}" for n in range(10)
    ]


def test_any_way_of_writing_a_phone_finds_the_person(chair_a, center_a):
    person = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        phone="081 496 6696",
        subdistrict=center_a.subdistrict,
    )
    assert person.phone == "0814966696"
    for typed in ("+66 81 496 6696", "66814966696", "081-496-6696", "0814966696"):
        assert search_people(Person.objects.all(), typed) == [person], typed
    assert search_people(Person.objects.all(), "12345") == []  # not a phone: no one


def test_a_re_import_that_changes_a_name_says_so_with_before_and_after(tmp_path, chair_a):
    row = ["A1", ID_1, "สมศรี", "มั่นคง", "01/05/2500", "0812345678", "100502"]
    import_file(xlsx(tmp_path, [row], "a.xlsx"), actor=chair_a, source="s")
    married = ["A1", ID_1, "สมศรี", "ใจดี", "01/05/2500", "0899999999", "100502"]
    job = import_file(xlsx(tmp_path, [married], "b.xlsx"), actor=chair_a, source="s")
    [(_number, outcome, person_id, message)] = report(job)
    assert outcome == "changed" and job.counts["changed"] == 1
    assert person_id == Person.objects.get(source_ref="A1").pk
    assert "นามสกุล: มั่นคง → ใจดี" in message
    assert "โทรศัพท์: ••••••5678 → ••••••9999" in message  # numbers masked in the report
    assert "0812345678" not in message


def test_a_dry_run_writes_nothing_and_gives_the_same_report(tmp_path, chair_a, capsys):
    rows = [
        ["A1", ID_1, "สมศรี", "มั่นคง", "01/05/2500", "0812345678", "100502"],
        ["A2", ID_1, "สมศรี", "มั่นคง", "01/05/2500", "0812345678", "100502"],  # same ID
        ["A3", None, "ปิติ", "", "ไม่ใช่วันที่", None, "100502"],
    ]
    path = xlsx(tmp_path, rows)
    call_command("import", "people", str(path), "--user", chair_a.username, "--dry-run")
    assert "ยังไม่ได้บันทึกข้อมูล" in capsys.readouterr().out
    dry = ImportJob.objects.get()
    assert dry.dry_run and Person.objects.count() == 0
    real = import_file(path, actor=chair_a, source=dry.source)
    assert [(n, o) for n, o, _, _ in report(dry)] == [(n, o) for n, o, _, _ in report(real)]
    assert [o for _, o, _, _ in report(real)] == ["imported", "duplicate", "error"]
    assert "แถวที่ 2 (A1)" in report(real)[1][3]  # names the earlier row, not "person 0"
    assert Person.objects.count() == 1


def test_a_header_only_file_says_there_is_nothing_to_import(tmp_path, chair_a):
    with pytest.raises(ValidationError) as error:
        start_import(
            actor=chair_a, file=xlsx(tmp_path, []).read_bytes(), file_name="x.xlsx", source="s"
        )
    assert NO_ROWS in error.value.messages


def test_volunteers_do_not_import(volunteer_a):
    with pytest.raises(ValidationError) as error:
        start_import(actor=volunteer_a, file=b"a,b\n1,2\n", file_name="x.csv", source="s")
    assert "เฉพาะประธาน" in " ".join(error.value.messages)


def test_an_import_does_not_tell_who_is_registered_outside_the_importers_area(
    tmp_path, chair_a, chair_b, center_b, dpo, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_OUTSIDE_MATCH_LIMIT = 3
    from asa.lib.national_id import make_national_id

    numbers = [make_national_id(f"31006{n:07d}") for n in range(6)]
    others = [
        register_person(
            actor=chair_b,
            first_name=name,
            last_name="ทวีวัฒนา",
            id_type="national_id",
            id_number=number,
            birth_date=dt.date(1980, 1, 1),
            subdistrict=center_b.subdistrict,
        )
        for name, number in zip(["สมศรี", "วันดี", "ประยูร"], numbers[:3], strict=True)
    ]
    # Chair of Bang Khen uploads the other center's people's IDs with a Bang Khen address.
    probe = [
        [f"X{n}", number, f"ลอง{n}", "ดู", "01/01/2523", None, "100502"]
        for n, number in enumerate(numbers[:3])
    ]
    job = import_file(xlsx(tmp_path, probe, "probe.xlsx"), actor=chair_a, source="probe")
    for _number, outcome, person_id, message in report(job):
        assert (outcome, person_id, message) == ("duplicate", None, OUTSIDE_SCOPE_MESSAGE)
        assert not any(str(person.pk) in message for person in others)
    assert job.counts["outside_scope"] == 3
    assert AuditEvent.objects.filter(action="import_outside_scope_matches", actor=chair_a).exists()
    # One more such row in the same day passes the limit: the import stops, the DPO is told.
    more = [["X9", numbers[0], "ลอง", "อีก", "01/01/2523", None, "100502"]]
    with django_capture_on_commit_callbacks(execute=True):
        stopped = import_file(xlsx(tmp_path, more, "more.xlsx"), actor=chair_a, source="probe2")
    assert stopped.status == "failed" and stopped.error == IMPORT_LOCKED_MESSAGE
    assert Notification.objects.filter(user=dpo, kind="import_probe").exists()
    with pytest.raises(ValidationError) as error:
        start_import(actor=chair_a, file=b"a\n1\n", file_name="x.csv", source="s")
    assert IMPORT_LOCKED_MESSAGE in error.value.messages
    assert Person.objects.count() == 3  # nothing was imported by the probes


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("คุณัญญา", "คุณัญญา"),  # a given name that starts like the title คุณ
        ("นางาม", "นางาม"),  # a family name that starts like นาง
        ("นาย", "นาย"),  # a given name that is a title word
        ("นาย สมชาย", "สมชาย"),  # a title as a word of its own goes
        ("น.ส.สมใจ", "สมใจ"),  # an abbreviated title needs no space
    ],
)
def test_titles_are_stripped_only_as_whole_words(name, key):
    assert name_key(name) == key
    assert sound_key(name)


def test_letters_that_sound_alike_give_one_sound_key():
    assert sound_key("ขันธุลา") == sound_key("ขันทุลา")
    assert sound_key("ปฏิมา") == sound_key("ปติมา")
    assert sound_key("ศรีสุข") == sound_key("สรีสุข")


def test_a_refused_row_waits_for_review_and_its_id_is_taken_over_in_one_step(
    tmp_path, chair_a, chair_b, center_a, client_for
):
    known = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict=center_a.subdistrict,
    )
    # The same woman again, from a hospital list that knows her ID (the record has none).
    row = ["H1", ID_1, "บุญมี", "ศรีสุก", "01/05/2493", "0812345678", "100502"]
    job = import_file(xlsx(tmp_path, [row]), actor=chair_a, source="hospital")
    [(_number, outcome, person_id, _message)] = report(job)
    assert (outcome, person_id) == ("duplicate", known.pk)
    client = client_for(chair_a)
    queue = client.get("/imports/review/").content.decode()
    result = ImportRowResult.objects.get(job=job)
    assert f"/imports/review/{result.pk}/" in queue
    page = client.get(f"/imports/review/{result.pk}/").content.decode()
    assert "ศรีสุก" in page and "บุคคลเดิมยังไม่มี" in page
    assert client_for(chair_b).get(f"/imports/review/{result.pk}/").status_code == 404
    response = client.post(f"/imports/review/{result.pk}/", {"decision": "taken_over"})
    assert response.status_code == 302
    known.refresh_from_db()
    assert (known.id_number, known.phone) == (ID_1, "0812345678")
    assert known.last_name == "ศรีสุข"  # the record's own name is not overwritten
    result.refresh_from_db()
    assert result.review == "taken_over" and result.reviewed_by == chair_a
    assert AuditEvent.objects.filter(action="review_import_row", actor=chair_a).exists()
    assert f"/imports/review/{result.pk}/" not in client.get("/imports/review/").content.decode()
    assert Person.objects.count() == 1


def test_a_refused_row_can_be_registered_after_all(tmp_path, chair_a, center_a, client_for):
    register_person(
        actor=chair_a,
        first_name="สมชาย",
        last_name="ใจดี",
        birth_date=dt.date(1960, 1, 1),
        subdistrict=center_a.subdistrict,
    )
    row = ["N1", None, "สมชาย", "ใจดี", "05/05/2503", None, "100502"]
    job = import_file(xlsx(tmp_path, [row]), actor=chair_a, source="list")
    result = ImportRowResult.objects.get(job=job, outcome="duplicate")
    client_for(chair_a).post(
        f"/imports/review/{result.pk}/", {"decision": "registered", "reason": "คนละคน บ้านต่างกัน"}
    )
    assert Person.objects.filter(first_name="สมชาย").count() == 2
    assert Person.objects.get(source_ref="N1").birth_date == dt.date(1960, 5, 5)


def test_the_api_does_not_say_whose_id_or_phone_it_is_outside_the_callers_area(
    chair_a, chair_b, center_b, api_client_for
):
    theirs = register_person(
        actor=chair_b,
        first_name="วิไล",
        last_name="ทวีสุข",
        id_type="national_id",
        id_number=ID_1,
        phone="0891112222",
        subdistrict=center_b.subdistrict,
    )
    client = api_client_for(chair_a)
    same_id = {
        "first_name": "ลอง",
        "last_name": "ดู",
        "id_type": "national_id",
        "id_number": ID_1,
        "subdistrict": "100502",
    }
    answer = client.post("/api/v1/people", same_id, content_type="application/json")
    message = answer.json()["detail"]
    assert answer.status_code == 422 and "นอกพื้นที่ของคุณ" in message
    assert "รหัสบุคคล" not in message and str(theirs.pk) not in message
    # The same name and phone in another district of the province: a likely duplicate (a
    # phone alone is not: a household shares one).
    same_phone = {
        "first_name": "วิไล",
        "last_name": "ทวีสุข",
        "phone": "089-111-2222",
        "subdistrict": "100502",
    }
    conflict = client.post("/api/v1/people", same_phone, content_type="application/json")
    assert conflict.status_code == 409
    [candidate] = conflict.json()["candidates"]
    assert candidate["id"] is None and candidate["full_name"] is None
    assert candidate["reasons"] == [REGISTERED_ELSEWHERE]
