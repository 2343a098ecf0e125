import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from asa.accounts.access import visible
from asa.accounts.models import AuditEvent, Notification
from asa.cases import actions
from asa.cases.models import Case, Status, Visit
from asa.cases.queries import assistance_totals, cases_for, watch_counts, watch_list
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.registry.actions import create_household, register_person


@pytest.fixture
def person(chair_a):
    return register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )


@pytest.fixture
def case(volunteer_a, person, chair_a):
    create_household(actor=chair_a, head=person)
    return actions.open_case(
        actor=volunteer_a,
        person=person,
        source="field",
        urgency="emergency",
        story="ผู้สูงอายุอยู่ลำพัง ขาดอาหาร",
    )


def volunteer_of(user):
    return Volunteer.objects.get(user=user)


def jpeg(size=(2400, 1800)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db(transaction=True)
def test_it_routes_a_case_to_the_covering_center_and_tells_the_chair(case, center_a, chair_a):
    assert case.center == center_a and case.status == Status.NEW
    assert case.next_follow_up_on == timezone.localdate()  # emergencies are due at once
    assert Notification.objects.filter(user=chair_a, kind="case_opened").count() == 1
    assert AuditEvent.objects.filter(action="open_case", object_id=str(case.pk)).exists()


def test_it_assigns_only_volunteers_of_the_cases_center(case, chair_a, volunteer_a, center_b):
    outsider = make_volunteer(center_b)
    with pytest.raises(ValidationError) as error:
        actions.assign_case(actor=chair_a, case=case, volunteers=[outsider])
    assert "volunteers" in error.value.message_dict
    actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])
    assert case.assignments.count() == 1


def test_a_volunteer_cannot_assign(case, volunteer_a):
    with pytest.raises(PermissionDenied):
        actions.assign_case(actor=volunteer_a, case=case, volunteers=[volunteer_of(volunteer_a)])


def test_it_records_a_visit_with_reassessment_photos_and_next_date(case, volunteer_a):
    now = timezone.now()
    visit = actions.record_visit(
        actor=volunteer_a,
        case=case,
        visited_at=now,
        observations="บ้านทรุดโทรม",
        volunteers=[volunteer_of(volunteer_a)],
        indicators={"clean_water": True},
        next_visit_on=timezone.localdate() + dt.timedelta(days=3),
        photos=[jpeg()],
    )
    case.refresh_from_db()
    assert case.status == Status.ASSESSED and case.first_visit_at == now
    assert case.next_follow_up_on == timezone.localdate() + dt.timedelta(days=3)
    assert visit.assessment.housing_score == 25
    photo = visit.photos.get()
    assert max(photo.width, photo.height) == 1600


def test_it_refuses_bad_visits_and_saves_nothing(case, volunteer_a):
    bad = [
        ({"visited_at": timezone.now() + dt.timedelta(days=1)}, "visited_at"),
        ({"visited_at": case.reported_at - dt.timedelta(days=2)}, "visited_at"),
        ({"photos": [SimpleUploadedFile("x.jpg", b"not an image")]}, "photos"),
    ]
    for overrides, field in bad:
        values = {"visited_at": timezone.now(), "observations": "พบ", **overrides}
        with pytest.raises(ValidationError) as error:
            actions.record_visit(actor=volunteer_a, case=case, **values)
        assert field in error.value.message_dict
    assert Visit.objects.count() == 0


def test_it_needs_an_owner_for_a_plan_action(case, chair_a):
    with pytest.raises(ValidationError) as error:
        actions.add_plan_item(
            actor=chair_a, case=case, need="อาหาร", action="ถุงยังชีพ", due_on=timezone.localdate()
        )
    assert "responsible_volunteer" in error.value.message_dict


def test_it_refuses_absurd_assistance_and_totals_the_rest(case, chair_a, person):
    for amount in (Decimal("-1"), Decimal("9000000")):
        with pytest.raises(ValidationError):
            actions.record_assistance(
                actor=chair_a,
                case=case,
                kind="emergency_grant",
                amount=amount,
                regulation="ระเบียบฯ 2552",
                description="เงินสงเคราะห์",
                given_on=timezone.localdate(),
            )
    actions.record_assistance(
        actor=chair_a,
        case=case,
        kind="emergency_grant",
        amount=Decimal("3000"),
        regulation="ระเบียบฯ 2552",
        description="เงินสงเคราะห์",
        given_on=timezone.localdate(),
    )
    totals = assistance_totals(person=person)
    assert totals == [{"kind": "emergency_grant", "count": 1, "amount": Decimal("3000.00")}]


def test_closing_needs_an_outcome_and_a_chairs_approval(case, volunteer_a, chair_a):
    with pytest.raises(ValidationError):
        actions.request_closure(actor=volunteer_a, case=case, outcome="")
    actions.request_closure(actor=volunteer_a, case=case, outcome="resolved")
    with pytest.raises(PermissionDenied):
        actions.approve_closure(actor=volunteer_a, case=case)
    actions.approve_closure(actor=chair_a, case=case)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "resolved"
    actions.reopen_case(actor=chair_a, case=case, reason="ปัญหากลับมาอีก")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_the_second_of_two_concurrent_edits_is_refused(case, chair_a, officer):
    version = case.version
    actions.change_case_status(
        actor=chair_a, case=case, status="assessed", expected_version=version
    )
    stale = Case.objects.get(pk=case.pk)
    stale.version = version
    with pytest.raises(ValidationError) as error:
        actions.change_case_status(
            actor=officer, case=stale, status="plan_agreed", expected_version=version
        )
    assert "version" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Status.ASSESSED


def test_the_watch_list_buckets_by_due_date_and_urgency(case, chair_a):
    today = timezone.localdate()
    assert list(watch_list(cases_for(chair_a), bucket="today", today=today)) == [case]
    assert watch_counts(cases_for(chair_a), today=today + dt.timedelta(days=1))["overdue"] == 1


@pytest.mark.django_db(transaction=True)
def test_unvisited_emergencies_and_overdue_follow_ups_are_flagged_once(case, chair_a):
    later = timezone.now() + dt.timedelta(hours=25)
    first = actions.flag_overdue_cases(now=later)
    again = actions.flag_overdue_cases(now=later)
    assert first == {"emergency_unvisited": 1, "follow_up_overdue": 1}
    assert again["emergency_unvisited"] == 0
    kinds = set(Notification.objects.filter(user=chair_a).values_list("kind", flat=True))
    assert {"emergency_unvisited", "follow_up_overdue"} <= kinds
    assert Notification.objects.filter(user=chair_a, kind="follow_up_overdue").count() == 1


def test_another_centers_volunteer_sees_nothing(case, volunteer_b, chair_b, volunteer_a):
    assert not visible(volunteer_b, Case.objects.all()).exists()
    assert not visible(chair_b, Case.objects.all()).exists()
    assert visible(volunteer_a, Case.objects.all()).get() == case  # reported it
