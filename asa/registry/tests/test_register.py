import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from asa.accounts.models import AuditEvent
from asa.registry.actions import (
    DuplicateSuspected,
    add_household_member,
    create_household,
    merge_people,
    record_consent,
    record_household_assessment,
    record_problem,
    register_person,
    undo_merge,
    update_person,
)
from asa.registry.models import (
    HouseholdMembership,
    Person,
    PersonProblem,
    ProblemType,
    Relationship,
    TargetGroup,
)
from asa.registry.queries import people_for, search_people

ANUSAWARI = "100502"  # แขวงอนุสาวรีย์ เขตบางเขน (center A)


def person(actor, **overrides):
    values = {
        "title": "นาง",
        "first_name": "บุญมี",
        "last_name": "ศรีสุข",
        "birth_date": dt.date(1950, 5, 1),
        "sex": "female",
        "subdistrict": ANUSAWARI,
        "house_number": "12/3",
    }
    values.update(overrides)
    return register_person(actor=actor, **values)


def test_it_registers_a_person_in_the_covering_center(chair_a, center_a):
    registered = person(chair_a, target_groups=[TargetGroup.objects.get(code="elderly")])
    assert registered.center == center_a
    assert registered.district_id == "1005" and registered.province_id == "10"
    assert registered.postal_code == "10220"
    assert registered.name_key == "บุญมีศรีสุข"
    assert AuditEvent.objects.filter(action="register_person", object_id=str(registered.pk))


def test_it_accepts_a_person_without_any_identity_document(volunteer_a, center_a):
    registered = person(volunteer_a, id_type="none", birth_date=None)
    assert registered.id_number == "" and registered.birth_date is None


def test_it_refuses_bad_input_with_thai_messages_and_saves_nothing(chair_a):
    cases = [
        ({"id_type": "national_id", "id_number": "1234567890123"}, "id_number"),
        ({"birth_date": dt.date(1826, 1, 1)}, "birth_date"),
        ({"birth_date": dt.date(2099, 1, 1)}, "birth_date"),
        ({"birth_date": dt.date(2562, 3, 11)}, "birth_date"),
        ({"subdistrict": "999999"}, "subdistrict"),
        ({"postal_code": "50000"}, "postal_code"),
        ({"first_name": "  "}, "first_name"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as error:
            person(chair_a, **overrides)
        assert field in error.value.message_dict, overrides
    assert Person.objects.count() == 0


def test_it_refuses_an_address_outside_the_registrars_area(volunteer_b, center_a):
    with pytest.raises(ValidationError) as error:
        person(volunteer_b)
    assert "subdistrict" in error.value.message_dict


def test_it_stops_on_a_likely_duplicate_unless_a_reason_is_given(chair_a):
    first = person(chair_a, phone="081-234-5678")
    with pytest.raises(DuplicateSuspected) as stopped:
        person(chair_a, first_name="บุญมี", last_name="ศรีสุก", phone="")
    assert stopped.value.candidates[0][0] == first
    second = person(chair_a, last_name="ศรีสุก", duplicate_override_reason="คนละคน ตรวจบัตรแล้ว")
    event = AuditEvent.objects.get(action="register_person", object_id=str(second.pk))
    assert event.reason == "คนละคน ตรวจบัตรแล้ว"


def test_it_never_registers_the_same_national_id_twice(chair_a):
    person(chair_a, id_type="national_id", id_number="1-1037-02071-81-1")
    with pytest.raises(ValidationError) as error:
        person(chair_a, first_name="อื่น", id_type="national_id", id_number="1103702071811")
    assert "id_number" in error.value.message_dict


def test_it_searches_by_name_without_tone_marks_titles_or_spaces(chair_a, volunteer_b):
    target = person(chair_a, first_name="แก้ว", last_name="ใจดี")
    people = people_for(chair_a)
    assert search_people(people, "แกว") == [target]
    assert search_people(people, "นาง แก้ว ใจดี") == [target]
    assert list(search_people(people_for(volunteer_b), "แก้ว")) == []


def test_it_refuses_a_stale_edit(chair_a, officer):
    registered = person(chair_a)
    update_person(actor=chair_a, person=registered, expected_version=1, phone="0811111111")
    with pytest.raises(ValidationError) as error:
        update_person(actor=officer, person=registered, expected_version=1, notes="แก้ไขซ้อน")
    assert "version" in error.value.message_dict
    registered.refresh_from_db()
    assert registered.notes == "" and registered.phone == "0811111111"


def test_it_keeps_household_history_when_a_person_moves(chair_a):
    head = person(chair_a)
    child = person(chair_a, first_name="ต้น", birth_date=dt.date(2015, 1, 1), title="เด็กชาย")
    first = create_household(actor=chair_a, head=head)
    add_household_member(
        actor=chair_a, household=first, person=child, relationship=Relationship.CHILD
    )
    other_head = person(chair_a, first_name="สมศรี", last_name="มั่นคง")
    second = create_household(actor=chair_a, head=other_head)
    add_household_member(
        actor=chair_a, household=second, person=child, relationship=Relationship.GRANDCHILD
    )
    memberships = HouseholdMembership.objects.filter(person=child).order_by("id")
    assert [m.household_id for m in memberships] == [first.pk, second.pk]
    assert memberships[0].ended_on is not None and memberships[1].ended_on is None


def test_it_scores_an_assessment_per_dimension(chair_a):
    household = create_household(actor=chair_a, head=person(chair_a))
    row = record_household_assessment(
        actor=chair_a,
        household=household,
        indicators={"income_above_line": True, "working_age_employed": True, "clean_water": True},
    )
    assert row.income_score == 50 and row.housing_score == 25 and row.health_score == 0


def test_it_requires_a_guardian_for_a_minor_and_a_witness_for_verbal_consent(chair_a):
    child = person(chair_a, first_name="ต้น", birth_date=dt.date(2018, 1, 1))
    with pytest.raises(ValidationError) as error:
        record_consent(
            actor=chair_a,
            person=child,
            basis="consent",
            given_by="self",
            given_on=dt.date(2026, 1, 5),
            method="verbal_witnessed",
        )
    assert {"given_by", "witness_name"} <= set(error.value.message_dict)
    consent = record_consent(
        actor=chair_a,
        person=child,
        basis="consent",
        given_by="guardian",
        guardian_name="นางบุญมี ศรีสุข",
        given_on=dt.date(2026, 1, 5),
        method="signed_paper",
    )
    assert consent.is_current


def test_it_merges_and_undoes_a_merge(chair_a):
    survivor = person(chair_a)
    merged = person(
        chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        house_number="99",
        subdistrict="100508",
        duplicate_override_reason="ทดสอบ",
    )
    record_problem(actor=chair_a, person=merged, problem_type=ProblemType.objects.get(code="debt"))
    merge = merge_people(actor=chair_a, survivor=survivor, merged=merged, reason="คนเดียวกัน")
    assert PersonProblem.objects.get().person == survivor
    assert not people_for(chair_a).filter(pk=merged.pk).exists()
    undo_merge(actor=chair_a, merge=merge)
    assert PersonProblem.objects.get().person == merged
    assert people_for(chair_a).filter(pk=merged.pk).exists()
