"""Retention: the dry run counts exactly what the run anonymises; identity goes, statistics stay;
the anonymised no longer match a search; erasure requests reuse the same anonymisation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.cases import actions as case_actions
from asa.cases.models import Case, Visit, VisitPhoto
from asa.privacy import actions, retention
from asa.privacy.models import Anonymisation
from asa.registry import actions as registry_actions
from asa.registry.models import Person, TargetGroup
from asa.registry.queries import search_people

from .conftest import jpeg

ELEVEN_YEARS = dt.timedelta(days=11 * 366)


def _person(chair, first_name, **fields):
    return registry_actions.register_person(
        actor=chair,
        first_name=first_name,
        last_name="ทดสอบเก็บรักษา",
        birth_date=dt.date(1948, 7, 9),
        sex="female",
        subdistrict="100502",
        house_number="12/3",
        phone=fields.pop("phone", ""),
        **fields,
    )


@pytest.fixture
def closed(chair_a):
    """A person whose only case is closed, with a visit and a photo."""
    from asa.conftest import new_national_id

    person = _person(
        chair_a,
        "ประไพ",
        phone="0823456789",
        id_type="national_id",
        id_number=new_national_id(),
        target_groups=[TargetGroup.objects.first()],
    )
    case = case_actions.open_case(
        actor=chair_a, person=person, source="field", story="อยู่คนเดียว ลูกหลานไม่มาเยี่ยม"
    )
    case_actions.record_visit(
        actor=chair_a,
        case=case,
        visited_at=timezone.now(),
        observations="ยายประไพนอนติดเตียง",
        met_whom="หลานสาว",
        photos=[jpeg()],
    )
    case_actions.close_case(actor=chair_a, case=case, outcome="resolved", note="ย้ายไปอยู่กับลูก")
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def still_open(chair_a):
    person = _person(chair_a, "สมปอง")
    case_actions.open_case(actor=chair_a, person=person, source="hotline", story="ยังช่วยอยู่")
    return person


@pytest.fixture
def never_helped(chair_a):
    return _person(chair_a, "วันดี")


def _counts(report):
    return {row["policy"].code: row["count"] for row in report}


def test_the_dry_run_counts_what_the_run_anonymises(dpo, closed, still_open, never_helped):
    later = timezone.now() + ELEVEN_YEARS
    assert _counts(retention.dry_run())["closed_cases"] == 0  # nothing is old yet
    report = retention.dry_run(now=later)
    counts = _counts(report)
    assert counts["closed_cases"] == 1 and counts["inactive_people"] == 1
    closed_row = next(row for row in report if row["policy"].code == "closed_cases")
    assert [sample["id"] for sample in closed_row["sample"]] == [closed.pk]
    assert set(closed_row["sample"][0]) == {"id", "area", "date"}  # identifiers only
    events_before = AuditEvent.objects.count()
    done = retention.run(actor=dpo, now=later)
    assert done["closed_cases"] == counts["closed_cases"]
    assert done["inactive_people"] == counts["inactive_people"]
    assert done["audit_log"] == 0  # never anonymised
    assert AuditEvent.objects.count() > events_before  # the run is audited
    assert set(Anonymisation.objects.values_list("person_id", flat=True)) == {
        closed.pk,
        never_helped.pk,
    }
    # Idempotent: a second run finds nothing and changes nothing.
    assert _counts(retention.dry_run(now=later))["closed_cases"] == 0
    assert retention.run(actor=dpo, now=later) == {
        "closed_cases": 0,
        "inactive_people": 0,
        "import_files": 0,
        "audit_log": 0,
    }
    still_open.refresh_from_db()
    assert still_open.first_name == "สมปอง"


def test_an_anonymised_person_keeps_statistics_and_leaves_searches(dpo, closed):
    case = Case.objects.get(person=closed)
    id_number = closed.id_number
    groups = set(closed.target_groups.values_list("pk", flat=True))
    problems = set(case.problems.values_list("pk", flat=True))
    assert search_people(Person.objects.all(), "ประไพ")
    assert search_people(Person.objects.all(), id_number)
    actions.anonymise_people(actor=dpo, person_ids=[closed.pk], reason="retention")
    person = Person.objects.get(pk=closed.pk)
    assert person.first_name == actions.PLACEHOLDER and person.last_name == ""
    assert person.id_number == "" and person.phone == "" and person.house_number == ""
    assert person.birth_date == dt.date(1948, 1, 1) and person.birth_date_precision == "year"
    assert person.sex == "female" and person.district_id == "1005"
    assert set(person.target_groups.values_list("pk", flat=True)) == groups
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "resolved"
    assert set(case.problems.values_list("pk", flat=True)) == problems
    assert case.story == actions.PLACEHOLDER and case.closure_note == ""
    visit = Visit.objects.get(case=case)
    assert visit.observations == actions.PLACEHOLDER and visit.met_whom == ""
    assert not VisitPhoto.objects.filter(visit=visit).exists()
    for text in ("ประไพ", "ประไพ ทดสอบเก็บรักษา", id_number, "0823456789"):
        assert search_people(Person.objects.all(), text) == [], text
    assert person.name_key == "" and person.first_name_sound == ""
    assert person.id_number_hash == "" and person.phone_hash == ""
    # A second anonymisation is a no-op.
    assert actions.anonymise_people(actor=dpo, person_ids=[closed.pk], reason="retention") == 0


def test_the_command_reports_and_runs(dpo, closed, capsys, settings):
    settings.RETENTION_DAYS = {"closed_cases": 0}  # everything closed is past retention now
    call_command("retention", "--dry-run")
    out = capsys.readouterr().out
    assert "closed_cases: 1" in out and f"{closed.pk}" in out
    assert Person.objects.get(pk=closed.pk).first_name == "ประไพ"
    call_command("retention")
    assert "closed_cases: 1" in capsys.readouterr().out
    assert Person.objects.get(pk=closed.pk).first_name == actions.PLACEHOLDER


def test_erasure_is_refused_while_a_case_is_open_and_done_after(dpo, chair_a, still_open):
    item = actions.receive_privacy_request(
        actor=dpo,
        kind="erasure",
        requester_name="สมปอง ทดสอบเก็บรักษา",
        received_on=timezone.localdate(),
        person=still_open,
    )
    actions.verify_requester_identity(actor=dpo, privacy_request=item, method="id_card_in_person")
    with pytest.raises(ValidationError) as error:
        actions.erase_person_data(actor=dpo, privacy_request=item)
    assert "กรณีที่เปิดอยู่" in str(error.value)
    assert Person.objects.get(pk=still_open.pk).first_name == "สมปอง"
    case = Case.objects.get(person=still_open)
    case_actions.close_case(actor=chair_a, case=case, outcome="declined")
    assert actions.erase_person_data(actor=dpo, privacy_request=item) == 1
    item.refresh_from_db()
    assert item.status == "answered"
    assert Anonymisation.objects.get(person=still_open).privacy_request == item
    assert Person.objects.get(pk=still_open.pk).first_name == actions.PLACEHOLDER


def test_a_household_keeps_its_address_until_all_its_members_are_anonymised(dpo, chair_a):
    from asa.registry.models import Household

    head = _person(chair_a, "หัวหน้า")
    partner = _person(chair_a, "คู่ชีวิต")
    household = registry_actions.create_household(
        actor=chair_a, head=head, house_number="45/6", subdistrict="100502"
    )
    registry_actions.add_household_member(
        actor=chair_a, household=household, person=partner, relationship="spouse"
    )
    actions.anonymise_people(actor=dpo, person_ids=[head.pk], reason="retention")
    assert Household.objects.get(pk=household.pk).house_number == "45/6"
    actions.anonymise_people(actor=dpo, person_ids=[partner.pk], reason="retention")
    household.refresh_from_db()
    assert household.house_number == "" and household.district_id == "1005"


def test_import_files_past_retention_are_deleted(
    dpo, chair_a, center_a, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from asa.registry.models import ImportJob

    path = default_storage.save("imports/old.csv", ContentFile("first_name\nประไพ\n".encode()))
    job = ImportJob.objects.create(
        uploaded_by=chair_a, center=center_a, file_name="old.csv", file_path=path, source="test"
    )
    policy = retention.POLICY_BY_CODE["import_files"]
    assert retention.due(policy).count() == 0
    later = timezone.now() + dt.timedelta(days=91)
    assert retention.due(policy, now=later).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.run(actor=dpo, now=later)["import_files"] == 1
    job.refresh_from_db()
    assert job.file_path == "" and not default_storage.exists(path)
