"""The breach register: the 72-hour clock and the affected people found in the audit log."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from asa.accounts.events import record_event
from asa.accounts.models import AuditEvent
from asa.cases.actions import open_case
from asa.privacy import actions
from asa.privacy.models import BreachStatus
from asa.privacy.queries import affected_people
from asa.registry.actions import add_household_member, create_household, register_person

DISCOVERED = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.UTC)


def _person(chair, first_name):
    return register_person(
        actor=chair, first_name=first_name, last_name="ผลกระทบ", subdistrict="100502"
    )


def _breach(dpo, accounts, *, start=None, end=None, discovered=DISCOVERED):
    now = timezone.now()
    return actions.record_breach(
        actor=dpo,
        discovered_at=discovered,
        description="บัญชี อพม. ถูกใช้เปิดดูข้อมูลจำนวนมากในเวลากลางคืน",
        kind="confidentiality",
        period_start=start or now - dt.timedelta(hours=1),
        period_end=end or now + dt.timedelta(hours=1),
        suspected_accounts=accounts,
    )


def test_the_regulator_clock_is_72_hours(dpo):
    breach = _breach(dpo, [])
    assert breach.regulator_deadline == DISCOVERED + dt.timedelta(hours=72)
    assert breach.hours_left(DISCOVERED + dt.timedelta(hours=70)) == pytest.approx(2)
    assert breach.is_regulator_late(DISCOVERED + dt.timedelta(hours=73))
    actions.notify_regulator(actor=dpo, breach=breach, at=DISCOVERED + dt.timedelta(hours=80))
    assert breach.status == BreachStatus.REGULATOR_NOTIFIED
    assert not breach.is_regulator_late(DISCOVERED + dt.timedelta(hours=100))
    event = AuditEvent.objects.get(action="notify_regulator")
    assert event.changes["late"] is True
    with pytest.raises(ValidationError):
        actions.notify_regulator(actor=dpo, breach=breach)
    actions.notify_breach_people(actor=dpo, breach=breach)
    actions.close_breach(actor=dpo, breach=breach, notes="เปลี่ยนรหัสผ่านและเพิกถอนโทเคนแล้ว")
    assert breach.status == BreachStatus.CLOSED
    assert AuditEvent.objects.filter(object_type="privacy.breach").count() == 4


def test_a_breach_period_must_be_in_order(dpo):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        _breach(dpo, [], start=now, end=now - dt.timedelta(days=1))
    assert "period_end" in error.value.message_dict


def test_affected_people_come_from_the_suspected_accounts_reads_in_the_period(
    dpo, chair_a, volunteer_a, chair_b
):
    read_directly = _person(chair_a, "อ่านตรง")
    head = _person(chair_a, "หัวหน้าบ้าน")
    member = _person(chair_a, "สมาชิกบ้าน")
    household = create_household(actor=chair_a, head=head)
    add_household_member(actor=chair_a, household=household, person=member, relationship="child")
    with_case = _person(chair_a, "มีกรณี")
    case = open_case(actor=chair_a, person=with_case, source="field", story="ทดสอบ")
    read_by_someone_else = _person(chair_a, "คนอื่นอ่าน")
    read_too_early = _person(chair_a, "อ่านก่อนเกิดเหตุ")
    # Audit events are append-only (their time cannot be changed): the early read happens
    # before the breach period starts.
    record_event(actor=volunteer_a, action="view_record", obj=read_too_early)
    start = timezone.now() + dt.timedelta(microseconds=1)
    for obj in (read_directly, household, case):
        record_event(actor=volunteer_a, action="view_record", obj=obj)
    record_event(actor=chair_b, action="view_record", obj=read_by_someone_else)
    breach = _breach(dpo, [volunteer_a], start=start)
    found = set(affected_people(breach).values_list("first_name", flat=True))
    assert found == {"อ่านตรง", "หัวหน้าบ้าน", "สมาชิกบ้าน", "มีกรณี"}
