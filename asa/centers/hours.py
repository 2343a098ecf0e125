"""Hand-entered volunteer hours: entered by the volunteer (or for them), decided by the chair."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from asa.accounts.access import visible
from asa.accounts.events import record_event
from asa.centers.actions import mark_centers_stale
from asa.centers.models import HoursEntry, HoursStatus, Volunteer, VolunteerStatus
from asa.lib.thai import ThaiDateError, check_ce_date

MAXIMUM_HOURS_PER_DAY = Decimal(24)


def _check_hours(*, worked_on: dt.date, hours, description: str) -> dict:
    errors = {}
    try:
        check_ce_date(worked_on)
    except ThaiDateError as error:
        errors["worked_on"] = str(error)
    else:
        if worked_on > timezone.localdate():
            errors["worked_on"] = "วันที่ปฏิบัติงานต้องไม่อยู่ในอนาคต"
    try:
        hours = Decimal(str(hours))
    except (ArithmeticError, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or not Decimal(0) < hours <= MAXIMUM_HOURS_PER_DAY:
        errors["hours"] = "ชั่วโมงต้องมากกว่า 0 และไม่เกิน 24"
    elif hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = "ชั่วโมงมีทศนิยมได้หนึ่งตำแหน่ง เช่น 2.5"
    description = " ".join((description or "").split())
    if not description:
        errors["description"] = "กรุณาระบุงานที่ทำ"
    if errors:
        raise ValidationError(errors)
    return {"worked_on": worked_on, "hours": hours, "description": description[:300]}


@transaction.atomic
def enter_hours(
    *, actor, volunteer: Volunteer, worked_on: dt.date, hours, description: str
) -> HoursEntry:
    """Enter hours of volunteer work by hand; they count once the center's chair approves.

    A volunteer enters their own; a chair or officer may enter them for a volunteer they manage.
    """
    is_self = volunteer.user_id is not None and volunteer.user_id == getattr(actor, "pk", None)
    managed = Volunteer.objects.filter(pk=volunteer.pk)
    if actor is not None and not is_self and not visible(actor, managed, write=True).exists():
        raise ValidationError({"volunteer": "คุณบันทึกชั่วโมงได้เฉพาะของตนเองหรือ อพม. ที่คุณดูแล"})
    if volunteer.status == VolunteerStatus.LEFT:
        raise ValidationError({"volunteer": "อพม. ผู้นี้พ้นสภาพแล้ว"})
    data = _check_hours(worked_on=worked_on, hours=hours, description=description)
    entry = HoursEntry.objects.create(
        volunteer=volunteer,
        entered_by=actor if actor is not None and actor.is_authenticated else None,
        status=HoursStatus.PENDING,
        **data,
    )
    record_event(
        actor=actor,
        action="enter_hours",
        obj=entry,
        changes={"volunteer": volunteer.pk, "worked_on": worked_on, "hours": data["hours"]},
    )
    mark_centers_stale({volunteer.center_id}, worked_on)
    return entry


def _decide_hours(*, actor, entry: HoursEntry, status: str, note: str, action: str) -> HoursEntry:
    entry = HoursEntry.objects.select_for_update().select_related("volunteer").get(pk=entry.pk)
    if actor is not None:
        if not visible(actor, HoursEntry.objects.filter(pk=entry.pk), write=True).exists():
            raise PermissionDenied
        if entry.volunteer.user_id == actor.pk:
            raise ValidationError({"status": "อนุมัติชั่วโมงของตนเองไม่ได้ ต้องให้ผู้ดูแลคนอื่นพิจารณา"})
    if entry.status != HoursStatus.PENDING:
        raise ValidationError({"status": f"รายการนี้พิจารณาแล้ว ({HoursStatus(entry.status).label})"})
    note = " ".join((note or "").split())[:300]
    if status == HoursStatus.REJECTED and not note:
        raise ValidationError({"decision_note": "กรุณาระบุเหตุผลที่ไม่อนุมัติ"})
    entry.status = status
    entry.decided_by = actor if actor is not None and actor.is_authenticated else None
    entry.decided_at = timezone.now()
    entry.decision_note = note
    entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_event(
        actor=actor,
        action=action,
        obj=entry,
        changes={"status": [HoursStatus.PENDING, status], "hours": entry.hours},
        reason=note,
    )
    mark_centers_stale({entry.volunteer.center_id}, entry.worked_on)
    return entry


@transaction.atomic
def approve_hours_entry(*, actor, entry: HoursEntry, note: str = "") -> HoursEntry:
    """The chair (or an officer) accepts hand-entered hours: from now on they count."""
    approved = HoursStatus.APPROVED
    return _decide_hours(
        actor=actor, entry=entry, status=approved, note=note, action="approve_hours_entry"
    )


@transaction.atomic
def reject_hours_entry(*, actor, entry: HoursEntry, note: str) -> HoursEntry:
    """The chair (or an officer) turns hand-entered hours down, saying why."""
    rejected = HoursStatus.REJECTED
    return _decide_hours(
        actor=actor, entry=entry, status=rejected, note=note, action="reject_hours_entry"
    )
