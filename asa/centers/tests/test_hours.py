"""Volunteer hours: hand entry and approval, the definition (events + approved entries + visits),
the outstanding-volunteer ranking, and their pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.centers import attendance as attendance_actions
from asa.centers import events as event_actions
from asa.centers import hours as hours_actions
from asa.centers import queries
from asa.centers.models import EventKind, HoursStatus, Volunteer
from asa.conftest import make_volunteer
from asa.lib.thai import fiscal_year_be, format_be_date_numeric

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def own(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


def this_year() -> int:
    return fiscal_year_be(timezone.localdate())


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def meeting(center, day, hours=2, **overrides):
    return event_actions.create_event(
        actor=None,
        center=center,
        kind=overrides.pop("kind", EventKind.MEETING),
        title=overrides.pop("title", "ประชุมประจำเดือน"),
        starts_at=at(day, 9),
        ends_at=at(day, 9 + hours),
        place="ศูนย์ประสานงาน",
        **overrides,
    )


def visit(volunteers, *, when=None, story="ผู้สูงอายุอยู่ลำพัง"):
    from asa.cases import actions as case_actions
    from asa.registry.actions import create_household, register_person

    center = volunteers[0].center
    person = register_person(
        actor=None,
        first_name="ทดสอบ",
        last_name=f"ผู้ประสบปัญหา{Volunteer.objects.count()}{story[:3]}",
        birth_date=dt.date(1950, 1, 1),
        subdistrict=center.subdistrict.code,
        check_duplicates=False,
    )
    create_household(actor=None, head=person)
    case = case_actions.open_case(
        actor=None,
        person=person,
        source="field",
        story=story,
        reported_at=(when or timezone.now()) - dt.timedelta(days=1),
    )
    case = case_actions.assign_case(actor=None, case=case, volunteers=volunteers)
    case_actions.record_visit(
        actor=None,
        case=case,
        visited_at=when or timezone.now(),
        observations="เยี่ยมบ้าน",
        volunteers=volunteers,
    )
    return case


# --- Hand entry and approval ------------------------------------------------------------------


def test_a_volunteer_enters_hours_and_the_chair_approves(volunteer_a, chair_a):
    entry = hours_actions.enter_hours(
        actor=volunteer_a,
        volunteer=own(volunteer_a),
        worked_on=TODAY,
        hours="2.5",
        description="ช่วยจัดถุงยังชีพ",
    )
    assert entry.status == HoursStatus.PENDING
    before = queries.volunteer_hours(own(volunteer_a), fiscal_year=this_year())
    assert before.total == 0  # pending hours do not count
    hours_actions.approve_hours_entry(actor=chair_a, entry=entry, note="")
    entry.refresh_from_db()
    assert entry.status == HoursStatus.APPROVED and entry.decided_by == chair_a
    after = queries.volunteer_hours(own(volunteer_a), fiscal_year=this_year())
    assert after.entry_hours == Decimal("2.5") and after.total == Decimal("2.5")
    logged = AuditEvent.objects.filter(object_type="centers.hoursentry", object_id=str(entry.pk))
    assert set(logged.values_list("action", flat=True)) == {"enter_hours", "approve_hours_entry"}
    with pytest.raises(ValidationError) as error:
        hours_actions.reject_hours_entry(actor=chair_a, entry=entry, note="ช้าไป")
    assert "status" in error.value.message_dict  # decided once


def test_a_rejection_needs_a_reason(volunteer_a, chair_a):
    entry = hours_actions.enter_hours(
        actor=volunteer_a, volunteer=own(volunteer_a), worked_on=TODAY, hours=1, description="x"
    )
    with pytest.raises(ValidationError) as error:
        hours_actions.reject_hours_entry(actor=chair_a, entry=entry, note=" ")
    assert "decision_note" in error.value.message_dict
    hours_actions.reject_hours_entry(actor=chair_a, entry=entry, note="ซ้ำกับกิจกรรม")
    assert queries.volunteer_hours(own(volunteer_a), fiscal_year=this_year()).total == 0


def test_nobody_approves_their_own_hours(chair_a):
    entry = hours_actions.enter_hours(
        actor=chair_a, volunteer=own(chair_a), worked_on=TODAY, hours=3, description="งานศูนย์"
    )
    with pytest.raises(ValidationError):
        hours_actions.approve_hours_entry(actor=chair_a, entry=entry)


def test_only_managers_decide(volunteer_a, chair_b, center_a):
    colleague = make_volunteer(center_a, first_name="เพื่อน")
    entry = hours_actions.enter_hours(
        actor=None, volunteer=colleague, worked_on=TODAY, hours=1, description="งาน"
    )
    for outsider in (volunteer_a, chair_b):
        with pytest.raises(PermissionDenied):
            hours_actions.approve_hours_entry(actor=outsider, entry=entry)


@pytest.mark.parametrize(
    ("hours", "worked_on", "field"),
    [
        ("0", TODAY, "hours"),
        ("25", TODAY, "hours"),
        ("NaN", TODAY, "hours"),
        ("1.25", TODAY, "hours"),
        ("2", TODAY + dt.timedelta(days=3), "worked_on"),
        ("2", dt.date(2567, 1, 1), "worked_on"),  # a BE year typed as CE
    ],
)
def test_it_refuses_bad_hours(volunteer_a, hours, worked_on, field):
    with pytest.raises(ValidationError) as error:
        hours_actions.enter_hours(
            actor=volunteer_a,
            volunteer=own(volunteer_a),
            worked_on=worked_on,
            hours=hours,
            description="งาน",
        )
    assert field in error.value.message_dict


def test_a_volunteer_may_not_enter_hours_for_a_colleague(volunteer_a, center_a):
    colleague = make_volunteer(center_a, first_name="เพื่อน")
    with pytest.raises(ValidationError) as error:
        hours_actions.enter_hours(
            actor=volunteer_a, volunteer=colleague, worked_on=TODAY, hours=1, description="งาน"
        )
    assert "volunteer" in error.value.message_dict


# --- The definition ---------------------------------------------------------------------------


def test_hours_are_events_plus_approved_entries_plus_visits(
    chair_a, volunteer_a, center_a, center_b, volunteer_b, settings
):
    settings.ASA_HOURS_PER_VISIT = 3
    member = own(volunteer_a)
    fiscal_year = this_year()
    first_day, last_day = queries.fiscal_year_days(fiscal_year)
    last_year_day = first_day - dt.timedelta(days=1)
    # Events: one in the year (2 h), one the year before (does not count).
    attendance_actions.take_attendance(
        actor=None, event=meeting(center_a, TODAY), attendees={member: None}
    )
    attendance_actions.take_attendance(
        actor=None, event=meeting(center_a, last_year_day), attendees={member: None}
    )
    # Hand entries: approved (counts), pending and rejected (do not).
    approved = hours_actions.enter_hours(
        actor=None, volunteer=member, worked_on=TODAY, hours=4, description="ก"
    )
    hours_actions.approve_hours_entry(actor=chair_a, entry=approved)
    hours_actions.enter_hours(
        actor=None, volunteer=member, worked_on=TODAY, hours=5, description="ข"
    )
    # Two visits this year, one with a colleague; another center's volunteer visits too.
    visit([member])
    visit([member, make_volunteer(center_a, first_name="คู่เยี่ยม")], story="เด็กขาดเรียน")
    visit([own(volunteer_b)], story="คนไร้บ้าน")

    hours = queries.volunteer_hours(member, fiscal_year=fiscal_year)
    assert hours.event_hours == 2
    assert hours.entry_hours == 4
    assert hours.visit_count == 2 and hours.visit_hours == 6
    assert hours.total == 12

    # Grouped: the same figures, in a fixed number of queries however many volunteers.
    with CaptureQueriesContext(connection) as grouped:
        by_volunteer = queries.hours_by_volunteer(
            Volunteer.objects.all(), first_day=first_day, last_day=last_day
        )
    assert len(grouped) == 3
    assert by_volunteer[member.pk] == hours
    by_center = queries.hours_by_center(
        [center_a.pk, center_b.pk], first_day=first_day, last_day=last_day
    )
    assert by_center[center_a.pk].visit_count == 3  # two by the member, one by the partner
    assert by_center[center_b.pk].visit_count == 1
    # The annotated version used for rankings agrees.
    ranked = queries.with_hours(Volunteer.objects.filter(pk=member.pk), fiscal_year=fiscal_year)
    assert ranked.get().total_hours == 12


def test_fiscal_year_days_follow_the_thai_fiscal_year():
    assert queries.fiscal_year_days(2562) == (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
    first, last = queries.fiscal_year_days(2569)
    assert fiscal_year_be(first) == fiscal_year_be(last) == 2569
    assert fiscal_year_be(first - dt.timedelta(days=1)) == 2568


def test_outstanding_candidates_rank_by_hours_visits_and_cases_closed(
    chair_a, volunteer_a, center_a, officer
):
    from asa.cases import actions as case_actions

    member = own(volunteer_a)
    busy = make_volunteer(center_a, first_name="ขยัน")
    quiet = make_volunteer(center_a, first_name="เงียบ")
    attendance_actions.take_attendance(
        actor=None, event=meeting(center_a, TODAY, hours=4), attendees={busy: None}
    )
    case = visit([member])
    case_actions.close_case(actor=chair_a, case=case, outcome="resolved")
    candidates = list(queries.outstanding_candidates(chair_a, fiscal_year=this_year()))
    assert [volunteer.first_name for volunteer in candidates] == ["ขยัน", "อาสาเอ"]
    assert candidates[1].visit_count == 1 and candidates[1].cases_closed == 1
    assert quiet not in candidates  # nothing to show
    # An officer sees the same across the area; a volunteer manages nobody.
    assert len(queries.outstanding_candidates(officer, fiscal_year=this_year())) == 2
    assert not queries.outstanding_candidates(volunteer_a, fiscal_year=this_year()).exists()


# --- Pages -------------------------------------------------------------------------------------


def test_a_volunteer_enters_hours_on_the_page(client_for, volunteer_a):
    client = client_for(volunteer_a)
    response = client.post(
        reverse("centers:hours_entry_create"),
        {"worked_on": format_be_date_numeric(TODAY), "hours": "2", "description": "ช่วยงานศูนย์"},
    )
    assert response.status_code == 302
    html = client.get(reverse("centers:my_hours")).content.decode()
    assert "ช่วยงานศูนย์" in html and "รออนุมัติ" in html


def test_the_hours_form_says_what_is_wrong(client_for, volunteer_a):
    response = client_for(volunteer_a).post(
        reverse("centers:hours_entry_create"),
        {"worked_on": "11/03/2019", "hours": "30", "description": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ปี พ.ศ." in html and "ไม่เกิน 24 ชั่วโมงต่อวัน" in html and "กรุณาระบุงานที่ทำ" in html
    assert not own(volunteer_a).hours_entries.exists()


def test_the_chair_approves_on_the_page(client_for, chair_a, volunteer_a):
    entry = hours_actions.enter_hours(
        actor=volunteer_a, volunteer=own(volunteer_a), worked_on=TODAY, hours=2, description="ก"
    )
    client = client_for(chair_a)
    assert "อาสาเอ" in client.get(reverse("centers:hours_review")).content.decode()
    url = reverse("centers:hours_entry_decide", args=[entry.pk])
    response = client.post(url, {"decision": "reject", "note": ""})
    assert response.status_code == 200 and "กรุณาระบุเหตุผลที่ไม่อนุมัติ" in response.content.decode()
    response = client.post(url, {"decision": "approve", "note": "ขอบคุณ"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == HoursStatus.APPROVED


def test_a_chair_of_another_center_cannot_decide(client_for, chair_b, volunteer_a):
    entry = hours_actions.enter_hours(
        actor=volunteer_a, volunteer=own(volunteer_a), worked_on=TODAY, hours=2, description="ก"
    )
    response = client_for(chair_b).post(
        reverse("centers:hours_entry_decide", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == HoursStatus.PENDING


def test_volunteers_see_no_center_hours_or_candidates(client_for, volunteer_a, center_a):
    client = client_for(volunteer_a)
    assert client.get(reverse("centers:center_hours", args=[center_a.pk])).status_code == 403
    assert client.get(reverse("centers:outstanding")).status_code == 403
    assert client.get(reverse("centers:hours_review")).status_code == 403


def _grow(center, count: int) -> None:
    for index in range(count):
        volunteer = make_volunteer(center, first_name=f"อาสา{index}x{Volunteer.objects.count()}")
        attendance_actions.take_attendance(
            actor=None,
            event=meeting(center, TODAY, title=f"ประชุม {index}"),
            attendees={volunteer: 1},
        )
        entry = hours_actions.enter_hours(
            actor=None, volunteer=volunteer, worked_on=TODAY, hours=1, description="งาน"
        )
        hours_actions.approve_hours_entry(actor=None, entry=entry)


@pytest.mark.parametrize(
    "name", ["center_hours", "outstanding", "hours_review", "my_hours", "event_list"]
)
def test_hours_pages_take_a_constant_number_of_queries(
    client_for, chair_a, volunteer_a, center_a, name
):
    client = client_for(chair_a)
    url = (
        reverse("centers:center_hours", args=[center_a.pk])
        if name == "center_hours"
        else reverse(f"centers:{name}")
    )
    _grow(center_a, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(center_a, 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [query["sql"][:120] for query in large.captured_queries]
    assert len(large) <= 20
