"""Who attended an event, and the hours each attendee gets for it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from asa.accounts.events import record_event
from asa.centers.actions import mark_centers_stale
from asa.centers.events import check_event_writer, event_center_ids, sync_training_records
from asa.centers.hours import MAXIMUM_HOURS_PER_DAY
from asa.centers.models import Attendance, Event, Volunteer, VolunteerStatus


def event_hours(event: Event) -> Decimal:
    """The hours an attendee gets by default: the event's length, at most 24, in half hours."""
    seconds = max((event.ends_at - event.starts_at).total_seconds(), 0)
    halves = max(round(seconds / 1800), 1)
    return min(Decimal(halves) / 2, MAXIMUM_HOURS_PER_DAY)


def eligible_attendees(event: Event):
    """Volunteers who may be ticked present: active members of the host and joint centers."""
    return Volunteer.objects.filter(
        center_id__in=event_center_ids(event), status=VolunteerStatus.ACTIVE
    )


@transaction.atomic
def take_attendance(*, actor, event: Event, attendees: dict) -> Event:
    """Set who attended the event: `attendees` maps each volunteer present to their hours
    (None: the event's length). Anyone left out is no longer counted present.

    A training gives each attendee a training record per topic, with a certificate number.
    """
    check_event_writer(actor, event.center)
    # One attendance taker at a time per event, so counts and certificate numbers stay exact.
    event = Event.objects.select_for_update().select_related("center").get(pk=event.pk)
    default_hours = event_hours(event)
    allowed = set(eligible_attendees(event).values_list("pk", flat=True))
    wanted: dict[int, Decimal] = {}
    errors = []
    for volunteer, hours in attendees.items():
        volunteer_id = getattr(volunteer, "pk", volunteer)
        if volunteer_id not in allowed:
            errors.append("มี อพม. ที่ไม่ได้อยู่ในศูนย์ผู้จัดหรือศูนย์ที่ร่วมจัด หรือไม่ได้ปฏิบัติงานอยู่")
            continue
        try:
            hours = default_hours if hours is None else Decimal(str(hours))
        except ArithmeticError:
            hours = Decimal("NaN")
        if (
            not hours.is_finite()
            or not Decimal(0) < hours <= MAXIMUM_HOURS_PER_DAY
            or hours != hours.quantize(Decimal("0.1"))
        ):
            errors.append("ชั่วโมงต้องมากกว่า 0 และไม่เกิน 24 (ทศนิยมหนึ่งตำแหน่ง)")
            continue
        wanted[volunteer_id] = hours
    if errors:
        raise ValidationError({"attendees": sorted(set(errors))})
    current = {row.volunteer_id: row for row in event.attendances.all()}
    removed = sorted(set(current) - set(wanted))
    added = sorted(set(wanted) - set(current))
    changed = sorted(
        volunteer_id
        for volunteer_id in set(wanted) & set(current)
        if current[volunteer_id].hours != wanted[volunteer_id]
    )
    if removed:
        Attendance.objects.filter(event=event, volunteer_id__in=removed).delete()
    Attendance.objects.bulk_create(
        [Attendance(event=event, volunteer_id=pk, hours=wanted[pk]) for pk in added]
    )
    for volunteer_id in changed:
        row = current[volunteer_id]
        row.hours = wanted[volunteer_id]
        row.save(update_fields=["hours"])
    if not (removed or added or changed):
        return event
    event.volunteer_count = len(wanted)
    event.save(update_fields=["volunteer_count", "updated_at"])
    certificates = sync_training_records(event)
    record_event(
        actor=actor,
        action="take_attendance",
        obj=event,
        changes={
            "added": added,
            "removed": removed,
            "hours_changed": changed,
            "volunteer_count": len(wanted),
            "certificates": certificates,
        },
    )
    mark_centers_stale(event_center_ids(event), timezone.localdate(event.starts_at))
    return event
