import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook, load_workbook

from asa.accounts.models import AuditEvent
from asa.lib.crypto import phone_hash
from asa.registry import importing
from asa.registry.importing import import_file, parse_date, run_import, start_import
from asa.registry.models import (
    Household,
    HouseholdMembership,
    ImportJob,
    ImportRowResult,
    Person,
    PersonProblem,
)

ID_1 = "1103702071811"
ID_2 = "3100600123450"  # checksum-valid synthetic numbers (see make_national_id)

HEADER = (
    "source_ref,เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,วันเกิด,เพศ,โทรศัพท์,รหัสตำบล,"
    "รหัสครัวเรือน,ความสัมพันธ์กับหัวหน้าครัวเรือน,กลุ่มเป้าหมาย,ปัญหา"
)
GOOD = [
    f"A1,{ID_1},นาง,บุญมี,ศรีสุข,01/05/2493,หญิง,081-234-5678,100502,H1,หัวหน้าครัวเรือน,elderly;low_income,debt",
    "A2,,เด็กชาย,ต้น,ศรีสุข,๑๕/๐๖/๒๕๕๘,ชาย,,100502,H1,บุตร,เด็ก,",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write(tmp_path, name, text, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def results(job):
    return list(
        ImportRowResult.objects.filter(job=job).values_list("row_number", "outcome", "field")
    )


def test_it_reads_dates_in_every_form_people_type_them():
    assert parse_date("01/05/2493") == (dt.date(1950, 5, 1), "exact")
    assert parse_date("01/05/1950") == (dt.date(1950, 5, 1), "exact")
    assert parse_date("๐๑/๐๕/๒๔๙๓") == (dt.date(1950, 5, 1), "exact")
    assert parse_date("2493-05-01") == (dt.date(1950, 5, 1), "exact")
    assert parse_date(18384) == (dt.date(1950, 5, 1), "exact")  # Excel serial
    assert parse_date("1 พ.ค. 2493") == (dt.date(1950, 5, 1), "exact")
    assert parse_date("2493") == (dt.date(1950, 1, 1), "year")
    assert parse_date(dt.datetime(2493, 5, 1)) == (dt.date(1950, 5, 1), "exact")
    with pytest.raises(importing.CellError):
        parse_date("31/02/2500")


def test_it_imports_a_utf8_bom_csv_with_thai_headers_and_households(tmp_path, chair_a, center_a):
    job = import_file(
        write(tmp_path, "p.csv", "\n".join([HEADER, *GOOD])), actor=chair_a, source="tpmap"
    )
    assert job.status == "done" and job.counts["imported"] == 2, job.error
    mother = Person.objects.get(source_ref="A1")
    child = Person.objects.get(source_ref="A2")
    assert mother.id_number == ID_1 and mother.birth_date == dt.date(1950, 5, 1)
    assert mother.center == center_a and mother.postal_code == "10220"
    assert mother.name_key == "บุญมีศรีสุข" and mother.phone_hash == phone_hash("0812345678")
    assert child.birth_date == dt.date(2015, 6, 15) and child.sex == "male"
    assert set(mother.target_groups.values_list("code", flat=True)) == {"elderly", "low_income"}
    assert PersonProblem.objects.get().person == mother
    household = Household.objects.get()
    assert household.head == mother and household.center == center_a
    assert HouseholdMembership.objects.filter(household=household).count() == 2
    event = AuditEvent.objects.get(action="import_people", object_id=str(job.pk))
    assert event.changes["counts"] == {"imported": 2}


def test_it_detects_a_tis620_csv(tmp_path, chair_a):
    job = import_file(
        write(tmp_path, "p.csv", "\n".join([HEADER, *GOOD]), "cp874"), actor=chair_a, source="old"
    )
    assert job.counts["imported"] == 2
    assert Person.objects.filter(first_name="บุญมี").exists()


def test_it_imports_xlsx_with_thai_headers_excel_serials_be_dates_and_thai_digits(
    tmp_path, chair_a
):
    book = Workbook()
    sheet = book.active
    sheet.append(["ชื่อ", "นามสกุล", "วันเกิด", "เพศ", "รหัสตำบล", "เลขประจำตัวประชาชน", "โทรศัพท์"])
    sheet.append(["สมศรี", "มั่นคง", 18384, "หญิง", "100502", int(ID_2), 812345678])
    sheet.append(["สมชาย", "มั่นคง", "๐๑/๐๑/๒๕๐๐", "ชาย", "๑๐๐๕๐๒", None, None])
    sheet.append(["สมปอง", "มั่นคง", dt.datetime(1960, 2, 3), "ช", "100502", None, None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    job = import_file(path, actor=chair_a, source="xlsx")
    assert job.counts["imported"] == 3, results(job)
    assert Person.objects.get(first_name="สมศรี").birth_date == dt.date(1950, 5, 1)
    assert Person.objects.get(first_name="สมศรี").id_number == ID_2
    assert Person.objects.get(first_name="สมชาย").birth_date == dt.date(1957, 1, 1)
    assert Person.objects.get(first_name="สมปอง").birth_date == dt.date(1960, 2, 3)


def test_importing_the_same_file_twice_creates_nothing_new(tmp_path, chair_a):
    no_refs = "ชื่อ,นามสกุล,รหัสตำบล\nมานี,มีนา,100502\nปิติ,ใจดี,100502\n"
    for name, text in (("a.csv", "\n".join([HEADER, *GOOD])), ("b.csv", no_refs)):
        path = write(tmp_path, name, text)
        import_file(path, actor=chair_a, source="s")
        counts = (
            Person.objects.count(),
            Household.objects.count(),
            HouseholdMembership.objects.count(),
            PersonProblem.objects.count(),
        )
        again = import_file(path, actor=chair_a, source="s")
        assert again.counts["imported"] == 0 and again.counts["unchanged"] == again.total_rows
        assert counts == (
            Person.objects.count(),
            Household.objects.count(),
            HouseholdMembership.objects.count(),
            PersonProblem.objects.count(),
        )


def test_a_changed_row_with_the_same_source_ref_updates_the_person(tmp_path, chair_a):
    import_file(write(tmp_path, "a.csv", "\n".join([HEADER, *GOOD])), actor=chair_a, source="s")
    changed = GOOD[0].replace("081-234-5678", "089-999-9999")
    job = import_file(
        write(tmp_path, "b.csv", "\n".join([HEADER, changed])), actor=chair_a, source="s"
    )
    assert job.counts["changed"] == 1  # a phone is part of who someone is: before and after
    person = Person.objects.get(source_ref="A1")
    assert (
        person.phone == "0899999999"  # phones are kept in one form
        and person.phone_hash == phone_hash("0899999999")
        and person.version == 2
    )


def test_bad_rows_are_reported_with_column_and_reason_while_good_rows_import(tmp_path, chair_a):
    bad = [
        "B1,1234567890123,นาย,ก,ข,01/01/2500,ชาย,,100502,,,,",  # checksum
        "B2,,นาย,ค,ง,01/01/1800,ชาย,,100502,,,,",  # 200 years old
        "B3,,นาย,จ,ฉ,01/01/2650,ชาย,,100502,,,,",  # future
        "B4,,นาย,ช,ซ,01/01/2500,ชาย,,999999,,,,",  # unknown subdistrict
        "B5,,นาย,,ซ,01/01/2500,ชาย,,100502,,,,",  # no first name
        "B6,,นาย,ฌ,ญ,01/01/2500,ชาย,,100502,,,unknown_group,",
        'B7,,นาย,<script>alert(1)</script>,=HYPERLINK("http://x"),01/01/2500,ชาย,,100502,,,,',
    ]
    job = import_file(
        write(tmp_path, "p.csv", "\n".join([HEADER, *GOOD, *bad])), actor=chair_a, source="s"
    )
    rows = {number: (outcome, field) for number, outcome, field in results(job)}
    assert rows[2][0] == rows[3][0] == rows[10][0] == "imported"
    assert rows[4] == ("error", "national_id")
    assert rows[5] == ("error", "birth_date") and rows[6] == ("error", "birth_date")
    assert rows[7] == ("error", "subdistrict_code") and rows[8] == ("error", "first_name")
    assert rows[9] == ("error", "target_groups")
    message = ImportRowResult.objects.get(job=job, row_number=4).message
    assert "หลักตรวจสอบ" in message
    html = Person.objects.get(source_ref="B7")
    assert html.first_name == "<script>alert(1)</script>" and html.last_name.startswith(
        "=HYPERLINK"
    )


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(tmp_path, chair_a):
    text = "\n".join([HEADER, *GOOD, "B1,,นาย,,ข,,,,100502,,,,"])
    job = import_file(
        write(tmp_path, "p.csv", text), actor=chair_a, source="s", all_or_nothing=True
    )
    assert job.status == "failed" and "ไม่ได้นำเข้า" in job.error
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert results(job) == [(4, "error", "first_name")]
    job = import_file(
        write(tmp_path, "q.csv", "\n".join([HEADER, *GOOD])),
        actor=chair_a,
        source="s",
        all_or_nothing=True,
    )
    assert job.status == "done" and Person.objects.count() == 2


def test_a_killed_import_rerun_finishes_with_nothing_lost_or_doubled(
    tmp_path, chair_a, monkeypatch
):
    monkeypatch.setattr(importing.engine, "BATCH_SIZE", 2)
    lines = [
        f"R{i},,นาย,คน{i},ทดสอบ{i},,ชาย,,100502,H{i // 3},{'หัวหน้า' if i % 3 == 0 else 'บุตร'},,debt"
        for i in range(9)
    ]
    path = write(tmp_path, "p.csv", "\n".join([HEADER, *lines]))
    with path.open("rb") as handle:
        job = start_import(actor=chair_a, file=handle, file_name="p.csv", source="s")
    real = importing.Importer._import_batch
    calls = {"n": 0}

    def crash_on_third(self, batch, last):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")
        return real(self, batch, last)

    monkeypatch.setattr(importing.Importer, "_import_batch", crash_on_third)
    with pytest.raises(SystemExit):
        run_import(job.pk)
    job.refresh_from_db()
    assert job.processed_rows == 4 and Person.objects.count() == 4
    monkeypatch.setattr(importing.Importer, "_import_batch", real)
    job = run_import(job.pk)
    assert job.status == "done" and job.counts["imported"] == 9
    assert Person.objects.count() == 9 and ImportRowResult.objects.filter(job=job).count() == 9
    assert Household.objects.count() == 3 and HouseholdMembership.objects.count() == 9
    assert PersonProblem.objects.count() == 9


def test_a_likely_duplicate_is_reported_not_imported(tmp_path, chair_a):
    import_file(write(tmp_path, "a.csv", "\n".join([HEADER, GOOD[0]])), actor=chair_a, source="one")
    job = import_file(
        write(tmp_path, "b.csv", "\n".join([HEADER, GOOD[0].replace("A1", "X9")])),
        actor=chair_a,
        source="two",
    )
    [(_number, outcome, field)] = results(job)
    assert outcome == "duplicate" and field == "national_id"
    row = ImportRowResult.objects.get(job=job)
    assert row.person == Person.objects.get(source_ref="A1")
    assert Person.objects.count() == 1


def test_rows_outside_the_importers_area_are_refused(tmp_path, chair_b, center_a, center_b):
    text = "\n".join([HEADER, *GOOD, "C1,,นาย,ใน,พื้นที่,,ชาย,,104802,,,,"])
    job = import_file(write(tmp_path, "p.csv", text), actor=chair_b, source="s")
    assert [r[1:] for r in results(job)] == [("error", "subdistrict_code")] * 2 + [("imported", "")]


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_thai(chair_a):
    for content in (
        b"just some words\nnothing tabular",
        b"\x00\x01binary",
        b"PK\x03\x04broken zip",
    ):
        with pytest.raises(ValidationError) as error:
            start_import(actor=chair_a, file=content, file_name="people.xlsx", source="s")
        assert "ไม่ใช่ตารางข้อมูล" in error.value.message_dict["file"][0]
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_is_refused_in_thai(chair_a, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        start_import(
            actor=chair_a,
            file=io.BytesIO(b"first_name\n" + b"x\n" * 1000),
            file_name="p.csv",
            source="s",
        )
    assert "ใหญ่เกิน" in error.value.message_dict["file"][0]


def test_the_cli_imports_with_progress_and_writes_the_template(tmp_path, chair_a, center_a):
    template = tmp_path / "template.xlsx"
    out = io.StringIO()
    call_command("import", "people", "--template", str(template), stdout=out)
    sheet = load_workbook(template).active
    assert [cell.value for cell in sheet[1]] == importing.COLUMNS
    job_out = io.StringIO()
    call_command(
        "import",
        "people",
        str(template),
        "--source",
        "cli",
        "--user",
        chair_a.username,
        stdout=job_out,
    )
    assert "imported: 1" in job_out.getvalue()
    assert Person.objects.get(source="cli").first_name == "บุญมี"


def _threads(monkeypatch) -> list[bool]:
    """Whether each import's BatchWriter wrote in a thread of its own."""
    seen = []
    real = importing.BatchWriter.__init__

    def init(self, threaded):
        real(self, threaded)
        seen.append(self.thread is not None)

    monkeypatch.setattr(importing.BatchWriter, "__init__", init)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_batch_read_while_the_one_before_is_written_still_finds_its_duplicates(
    tmp_path, chair_a, monkeypatch
):
    # Outside a transaction on PostgreSQL the writer commits batch k while batch k+1 is read
    # and checked: rows duplicating (by ID, phone and name) or joining households of the batch
    # in flight must come out as if the batches had been imported one after the other.
    monkeypatch.setattr(importing.engine, "BATCH_SIZE", 3)
    threads = _threads(monkeypatch)
    lines = [
        # batch 1
        f"R1,{ID_1},นาง,บุญมี,ศรีสุข,01/05/2493,หญิง,081-234-5678,100502,H1,หัวหน้าครัวเรือน,,debt",
        "R2,,นาย,สมหมาย,ศรีสุข,02/03/2490,ชาย,,100502,H1,คู่สมรส,,",
        "R3,,นางสาว,มะลิ,ใจดี,,หญิง,,100502,H2,บุตร,,",
        # batch 2: duplicates of batch 1, by ID, by phone and name, by sound-alike name and date
        f"R4,{ID_1},นาง,บุญมา,ศรีสุก,,หญิง,,100502,,,,",
        "R5,,นาง,บุญมี,ศรีสุข,,หญิง,0812345678,100502,,,,",
        "R6,,นาย,สมหมาย,สีสุข,02/03/2490,ชาย,,100502,,,,",
        # batch 3: joins batch 1's household H1, heads H2 (made in batch 1 without a head)
        "R7,,เด็กชาย,ต้น,ศรีสุข,๑๕/๐๖/๒๕๕๘,ชาย,,100502,H1,บุตร,,",
        "R8,,นาย,ดำ,ใจดี,,ชาย,,100502,H2,หัวหน้าครัวเรือน,,",
    ]
    path = write(tmp_path, "p.csv", "\n".join([HEADER, *lines]))
    job = import_file(path, actor=chair_a, source="s")
    assert threads == [connection.vendor == "postgresql"]
    assert job.status == "done", job.error
    outcomes = {number: outcome for number, outcome, _ in results(job)}
    assert outcomes == {
        2: "imported", 3: "imported", 4: "imported",
        5: "duplicate", 6: "duplicate", 7: "duplicate",
        8: "imported", 9: "imported",
    }  # fmt: skip
    first = Person.objects.get(source_ref="R1")
    assert ImportRowResult.objects.get(job=job, row_number=5).person == first
    assert ImportRowResult.objects.get(job=job, row_number=6).person == first
    assert ImportRowResult.objects.get(job=job, row_number=7).person.source_ref == "R2"
    one, two = Household.objects.order_by("id")
    assert one.head == first and two.head == Person.objects.get(source_ref="R8")
    members = set(one.memberships.values_list("person__source_ref", flat=True))
    assert members == {"R1", "R2", "R7"}
    assert job.processed_rows == 8 and Person.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_while_written_fails_the_job_and_a_rerun_finishes_it(
    tmp_path, chair_a, monkeypatch
):
    monkeypatch.setattr(importing.engine, "BATCH_SIZE", 2)
    lines = [f"R{i},,นาย,คน{i},ทดสอบ{i},,ชาย,,100502,,,,debt" for i in range(7)]
    path = write(tmp_path, "p.csv", "\n".join([HEADER, *lines]))
    with path.open("rb") as handle:
        job = start_import(actor=chair_a, file=handle, file_name="p.csv", source="s")
    real = importing.Importer._commit
    calls = {"n": 0}

    def fail_second(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self, *args)

    monkeypatch.setattr(importing.Importer, "_commit", fail_second)
    with pytest.raises(RuntimeError):
        run_import(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "นำเข้าซ้ำได้" in job.error
    assert job.processed_rows == 2 and Person.objects.count() == 2 and calls["n"] == 2
    monkeypatch.setattr(importing.Importer, "_commit", real)
    job = run_import(job.pk)
    assert job.status == "done" and job.counts["imported"] == 7
    assert Person.objects.count() == 7 and PersonProblem.objects.count() == 7
