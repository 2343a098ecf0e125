"""National ID and phone numbers encrypted at rest (PDPA): nothing readable in the tables, the
ORM reads them back, search / duplicate checks / uniqueness / the batch duplicate finder work
through keyed hashes, import and export round-trip, and `asa rotate_field_key` moves every row
to a new key (and a new lookup key) without losing one."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from asa.accounts.models import AuditEvent
from asa.cases.actions import open_case
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.lib.crypto import (
    current_key_id,
    decrypt,
    generate_key,
    identity_hash,
    looks_encrypted,
    stored_key_id,
)
from asa.registry.actions import register_person, update_person
from asa.registry.dedup import find_duplicates
from asa.registry.importing import import_file
from asa.registry.management.commands.rotate_field_key import rotate_field_keys
from asa.registry.models import DuplicateCandidate, Person

ID_1 = "1103702071811"
ID_TYPO = "1103702071820"  # ID_1 with two digits changed, still checksum-valid
PHONE = "081-234-5678"
STORED_PHONE = "0812345678"  # phones are kept in one form (thai_text.phone_key)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _person(**fields) -> Person:
    values = {
        "first_name": "บุญมี",
        "last_name": "ศรีสุข",
        "birth_date": dt.date(1950, 5, 1),
        "subdistrict": "100502",
        "id_type": "national_id",
        "id_number": ID_1,
        "phone": PHONE,
    }
    return register_person(actor=None, check_duplicates=False, **(values | fields))


def test_the_tables_hold_no_readable_number_and_the_orm_reads_them_back(center_a, chair_a):
    person = _person()
    volunteer = make_volunteer(center_a, phone="0899999999")
    case = open_case(
        actor=chair_a,
        person=person,
        source="hotline",
        story="ผู้สูงอายุอยู่ลำพัง",
        reporter_phone="0861112222",
    )
    stored = {
        "id_number": _raw("registry_person", "id_number", person.pk),
        "phone": _raw("registry_person", "phone", person.pk),
        "national_id": _raw("centers_volunteer", "national_id", volunteer.pk),
        "volunteer phone": _raw("centers_volunteer", "phone", volunteer.pk),
        "reporter_phone": _raw("cases_case", "reporter_phone", case.pk),
    }
    for name, value in stored.items():
        assert looks_encrypted(value), name
        assert stored_key_id(value) == current_key_id(), name
    assert ID_1 not in stored["id_number"] and "5678" not in stored["phone"]
    assert volunteer.national_id not in stored["national_id"]
    assert "0861112222" not in stored["reporter_phone"]
    # Nor the digits in a side column: the phone key became a keyed hash.
    assert "0812345678" not in str(
        Person.objects.filter(pk=person.pk).values_list("phone_hash", "id_number_hash").get()
    )
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone) == (ID_1, STORED_PHONE)
    assert Volunteer.objects.get(pk=volunteer.pk).phone == "0899999999"
    case.refresh_from_db()
    assert case.reporter_phone == "0861112222"


def test_search_by_id_and_phone_works_on_the_page_and_the_api(
    client_for, api_client_for, chair_a, volunteer_b
):
    person = _person()
    _person(first_name="มาลี", id_number="3100600123450", phone="0899990000")
    page = client_for(chair_a).get("/people/", {"q": "1-1037-02071-81-1"}).content.decode()
    assert "บุญมี" in page and "มาลี" not in page
    page = client_for(chair_a).get("/people/", {"q": "0812345678"}).content.decode()
    assert "บุญมี" in page and "มาลี" not in page
    api = api_client_for(chair_a)
    found = api.get("/api/v1/people", {"q": ID_1}).json()
    assert [item["id"] for item in found["items"]] == [person.pk]
    assert [i["id"] for i in api.get("/api/v1/people", {"q": PHONE}).json()["items"]] == [person.pk]
    # A part of a number finds nobody (only whole numbers have hashes).
    assert api.get("/api/v1/people", {"q": ID_1[:9]}).json()["items"] == []
    # Outside the scope, a right number still finds nothing.
    assert api_client_for(volunteer_b).get("/api/v1/people", {"q": ID_1}).json()["items"] == []


def test_the_same_id_is_refused_through_its_hash(center_a):
    first = _person()
    with pytest.raises(ValidationError) as refused:
        _person(first_name="สมศรี", phone="")
    assert "id_number" in refused.value.message_dict
    # And by the database itself: the unique constraint moved to (id_type, id_number_hash).
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            first_name="ซ้ำ",
            name_key="ซ้ำ",
            id_type="national_id",
            id_number=ID_1,
            id_number_hash=first.id_number_hash,
        )
    other = _person(first_name="มาลี", id_number="3100600123450", phone="")
    with pytest.raises(ValidationError):
        update_person(actor=None, person=other, id_type="national_id", id_number=ID_1)


def test_edits_keep_numbers_out_of_the_audit_log_and_hashes_current(center_a):
    person = _person()
    update_person(
        actor=None,
        person=person,
        phone="0891231234",
        id_type="national_id",
        id_number="3100600123450",
    )
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.phone == "0891231234" and fresh.id_number_hash == identity_hash("3100600123450")
    event = AuditEvent.objects.filter(action="update_person").latest("id")
    assert event.changes["phone"] == ["***", "***"]
    assert "0891231234" not in str(event.changes) and "3100600123450" not in str(event.changes)


def test_the_duplicate_finder_still_sees_mistyped_ids_and_shared_phones(center_a):
    original = _person()
    typo = _person(first_name="บุญมี", id_number=ID_TYPO, phone="0899990001")
    phone_only = _person(
        first_name="บุนมี", id_type="none", id_number="", phone=PHONE, birth_date=None
    )
    find_duplicates(actor=None)
    reasons = {
        (candidate.person_a_id, candidate.person_b_id): candidate.reasons
        for candidate in DuplicateCandidate.objects.all()
    }
    assert "เลขเอกสารต่างกันเพียง 1–2 หลัก (อาจพิมพ์ผิด)" in reasons[(original.pk, typo.pk)]
    assert "หมายเลขโทรศัพท์เดียวกัน" in reasons[(original.pk, phone_only.pk)]


def test_import_writes_ciphertext_and_hashes_and_export_gives_the_numbers_back(
    tmp_path, settings, chair_a, api_client_for
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "people.csv"
    path.write_text(
        "source_ref,เลขประจำตัวประชาชน,ชื่อ,นามสกุล,วันเกิด,โทรศัพท์,รหัสตำบล\n"
        f"A1,{ID_1},บุญมี,ศรีสุข,01/05/2493,{PHONE},100502\n"
        "A2,3100600123450,มาลี,ศรีสุข,01/05/2495,0899990000,100502\n",
        encoding="utf-8-sig",
    )
    job = import_file(path, actor=chair_a, source="tpmap")
    assert job.counts["imported"] == 2, job.error
    person = Person.objects.get(source_ref="A1")
    assert looks_encrypted(_raw("registry_person", "id_number", person.pk))
    assert looks_encrypted(_raw("registry_person", "phone", person.pk))
    assert person.id_number == ID_1 and person.id_number_hash == identity_hash(ID_1)
    # The import's duplicate check compares hashes: the same file again under a new source
    # is reported as duplicates, not imported twice.
    again = import_file(path, actor=chair_a, source="other")
    assert again.counts["imported"] == 0 and again.counts["duplicate"] == 2
    response = api_client_for(chair_a).get("/api/v1/people/export?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ID_1 in text and STORED_PHONE in text and "3100600123450" in text


def test_rotation_moves_every_row_to_the_new_key_and_lookup_key(settings, center_a):
    key_a, key_b = generate_key(), generate_key()
    settings.ASA_FIELD_KEYS = [key_a]
    person = _person()
    volunteer = make_volunteer(center_a, phone="0899999999")
    under_a = _raw("registry_person", "id_number", person.pk)

    settings.ASA_FIELD_KEYS = [key_b, key_a]  # B encrypts, A still decrypts
    assert Person.objects.get(pk=person.pk).id_number == ID_1
    output = StringIO()
    call_command("rotate_field_key", stdout=output)
    assert "registry_person: 1 rows read, 1 rewritten" in output.getvalue()
    under_b = _raw("registry_person", "id_number", person.pk)
    assert stored_key_id(under_b) == current_key_id() != stored_key_id(under_a)
    # Idempotent: a second run rewrites nothing.
    assert rotate_field_keys(say=lambda text: None)["registry_person"] == (1, 0)

    settings.ASA_FIELD_KEYS = [key_b]  # A dropped: everything is still readable
    assert Person.objects.get(pk=person.pk).id_number == ID_1
    assert Volunteer.objects.get(pk=volunteer.pk).national_id == volunteer.national_id
    assert decrypt(_raw("centers_volunteer", "phone", volunteer.pk)) == "0899999999"

    # A new lookup key: the same command recomputes the hashes, and search works again.
    settings.ASA_LOOKUP_KEY = "a-new-lookup-key-" + generate_key()
    assert not Person.objects.filter(id_number_hash=identity_hash(ID_1)).exists()
    counts = rotate_field_keys(say=lambda text: None)
    assert counts["registry_person"] == (1, 1) and counts["centers_volunteer"] == (1, 1)
    assert Person.objects.get(id_number_hash=identity_hash(ID_1)).pk == person.pk
    assert Volunteer.objects.get(national_id_hash=identity_hash(volunteer.national_id))


def test_generate_prints_a_key_and_changes_nothing():
    output = StringIO()
    call_command("rotate_field_key", "--generate", stdout=output)
    key = output.getvalue().strip()
    assert len(key) == 44 and key != generate_key()


def test_a_referral_snapshot_keeps_the_phone_sealed_and_shows_it_to_the_partner(
    settings, chair_a, agency, agency_user, api_client_for, client_for
):
    from django.utils import timezone

    from asa.referrals import actions as referral_actions
    from asa.referrals.models import Referral, Service
    from asa.registry.actions import record_consent

    person = _person()
    case = open_case(actor=chair_a, person=person, source="field", story="นอนริมคลอง")
    record_consent(
        actor=chair_a,
        person=person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    shelter = Service.objects.get(code="shelter")
    referral_actions.update_agency(actor=None, agency=agency, services=[shelter], area_codes=["10"])
    referral = referral_actions.send_referral(
        actor=chair_a, case=case, agency=agency, service=shelter, need="ที่พัก"
    )
    stored = Referral.objects.values_list("shared_data", flat=True).get(pk=referral.pk)
    assert looks_encrypted(stored["phone"]) and STORED_PHONE not in str(stored)
    body = api_client_for(agency_user).get(f"/api/v1/referrals/{referral.pk}").json()
    assert body["shared_data"]["phone"] == STORED_PHONE
    page = client_for(agency_user).get(f"/referrals/{referral.pk}/").content.decode()
    assert STORED_PHONE in page

    settings.ASA_FIELD_KEYS = [generate_key(), *settings.ASA_FIELD_KEYS]
    counts = rotate_field_keys(say=lambda text: None)
    assert counts["referrals_referral"] == (1, 1)
    stored = Referral.objects.values_list("shared_data", flat=True).get(pk=referral.pk)
    assert stored_key_id(stored["phone"]) == current_key_id()
    assert rotate_field_keys(say=lambda text: None)["referrals_referral"] == (1, 0)


def test_a_name_fragment_is_still_found_after_the_table_was_rebuilt(center_a, chair_a):
    # SQLite rebuilt registry_person for the encrypted columns; the trigram name index (FTS5
    # kept by triggers) must still follow new rows.
    from asa.registry.queries import people_for, search_people

    person = _person(first_name="ประเสริฐศักดิ์", last_name="วงศ์ใหญ่ยิ่ง", phone="")
    found = search_people(people_for(chair_a), "ใหญ่ยิ่ง")
    assert [match.pk for match in found] == [person.pk]


def test_a_volunteer_id_is_unique_through_its_hash(center_a):
    first = make_volunteer(center_a)
    with pytest.raises(ValidationError) as refused:
        make_volunteer(center_a, first_name="สมศรี", national_id=first.national_id)
    assert "national_id" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.create(
            center=center_a,
            title="นาง",
            first_name="ซ้ำ",
            last_name="ซ้ำ",
            national_id=first.national_id,
            national_id_hash=first.national_id_hash,
            birth_date=dt.date(1970, 1, 1),
            sex="female",
            subdistrict_id="100502",
            joined_on=dt.date(2020, 1, 1),
        )
