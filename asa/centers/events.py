"""Every write to a center's events (openings, trainings, meetings, ...) and their photos.

A training's records and certificate numbers follow its topics and attendees
(`sync_training_records`); who attended is `asa.centers.attendance`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from asa.accounts.access import writable_centers
from asa.accounts.events import diff, record_event
from asa.centers.actions import mark_centers_stale
from asa.centers.models import Center, Event, EventKind, EventPhoto, TrainingRecord
from asa.geo.models import Subdistrict
from asa.lib.thai import ThaiDateError, be_year, check_ce_date

EVENT_FIELDS = [
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "subdistrict",
    "speakers",
    "topics",
    "description",
    "staff_count",
    "guest_count",
]
MAXIMUM_EVENT_DAYS = 7  # a longer "event" is a typo in a date, not a week-long training


def event_center_ids(event: Event) -> set[int]:
    return {event.center_id, *event.other_centers.values_list("pk", flat=True)}


def split_lines(text: str) -> list[str]:
    """Speakers and topics are typed one per line; blank lines and repeats are dropped."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line and line not in seen:
            seen.append(line)
    return seen


def _check_event(data: dict, *, kind: str = "", topics: str = "") -> dict:
    """Validate event fields; returns cleaned data or raises ValidationError naming fields.

    `kind` and `topics` are the event's current ones, for a change that sends only one.
    """
    errors = {}
    cleaned = dict(data)
    for name, message in (("title", "กรุณากรอกชื่อกิจกรรม"), ("place", "กรุณากรอกสถานที่")):
        if name in data:
            cleaned[name] = " ".join((data[name] or "").split())
            if not cleaned[name]:
                errors[name] = message
    if "kind" in data and data["kind"] not in EventKind.values:
        errors["kind"] = "ประเภทกิจกรรมไม่ถูกต้อง"
    for name in ("speakers", "topics"):
        if name in data:
            cleaned[name] = "\n".join(split_lines(data[name]))
    if any(len(topic) > 200 for topic in split_lines(cleaned.get("topics", ""))):
        errors["topics"] = "หัวข้อแต่ละบรรทัดยาวได้ไม่เกิน 200 ตัวอักษร"
    if cleaned.get("kind", kind) == EventKind.TRAINING and not split_lines(
        cleaned.get("topics", topics)
    ):
        errors["topics"] = "การอบรมต้องระบุหัวข้ออย่างน้อยหนึ่งหัวข้อ (หนึ่งหัวข้อต่อบรรทัด)"
    for name in ("staff_count", "guest_count"):
        if name in data and (data[name] is None or data[name] < 0):
            errors[name] = "จำนวนต้องไม่ติดลบ"
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            continue
        try:
            check_ce_date(value.date())
        except ThaiDateError as error:
            errors[name] = str(error)
    if starts_at and ends_at and "starts_at" not in errors and "ends_at" not in errors:
        if ends_at < starts_at:
            errors["ends_at"] = "เวลาสิ้นสุดต้องไม่ก่อนเวลาเริ่ม"
        elif ends_at - starts_at > dt.timedelta(days=MAXIMUM_EVENT_DAYS):
            errors["ends_at"] = f"กิจกรรมหนึ่งรายการยาวได้ไม่เกิน {MAXIMUM_EVENT_DAYS} วัน"
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_event_writer(actor, center: Center) -> None:
    if actor is not None and not writable_centers(actor).filter(pk=center.pk).exists():
        raise ValidationError({"center": "คุณไม่มีสิทธิ์จัดกิจกรรมของศูนย์นี้"})


@transaction.atomic
def create_event(
    *,
    actor,
    center: Center,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    subdistrict: Subdistrict | None = None,
    speakers: str = "",
    topics: str = "",
    description: str = "",
    staff_count: int = 0,
    guest_count: int = 0,
    other_centers=(),
) -> Event:
    """Record an event a center holds (an opening, a training, a meeting, ...).

    The host's chair, officers of its area and the ministry may; `other_centers` took part.
    """
    check_event_writer(actor, center)
    data = _check_event(
        {
            "kind": kind,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "subdistrict": subdistrict,
            "speakers": speakers,
            "topics": topics,
            "description": description,
            "staff_count": staff_count,
            "guest_count": guest_count,
        }
    )
    joint = [other for other in other_centers if other.pk != center.pk]
    event = Event.objects.create(
        center=center,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **data,
    )
    if joint:
        event.other_centers.set(joint)
    record_event(
        actor=actor,
        action="create_event",
        obj=event,
        changes={
            "center": center.code,
            "kind": data["kind"],
            "starts_at": starts_at,
            "other_centers": sorted(other.code for other in joint),
        },
    )
    mark_centers_stale({center.pk, *(other.pk for other in joint)}, timezone.localdate(starts_at))
    return event


@transaction.atomic
def update_event(*, actor, event: Event, other_centers=None, **data) -> Event:
    """Change an event's details. A training's certificates follow its topics."""
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"update_event got unexpected fields: {sorted(unknown)}")
    check_event_writer(actor, event.center)
    # Both ends are checked together even when one changes.
    data = _check_event(
        {"starts_at": event.starts_at, "ends_at": event.ends_at} | data,
        kind=event.kind,
        topics=event.topics,
    )
    old_day = timezone.localdate(event.starts_at)
    old_centers = event_center_ids(event)
    changes = diff(event, data)
    if changes:
        for field, value in data.items():
            setattr(event, field, value)
        event.save(update_fields=[*changes, "updated_at"])
    if other_centers is not None:
        wanted = {other.pk for other in other_centers if other.pk != event.center_id}
        before = old_centers - {event.center_id}
        if wanted != before:
            event.other_centers.set(wanted)
            changes["other_centers"] = [sorted(before), sorted(wanted)]
    if not changes:
        return event
    if "other_centers" in changes:
        # Volunteers of a center that no longer takes part are no longer counted present.
        centers = event_center_ids(event)
        left = event.attendances.exclude(volunteer__center_id__in=centers)
        if left.exists():
            changes["attendees_removed"] = sorted(left.values_list("volunteer_id", flat=True))
            left.delete()
            event.volunteer_count = event.attendances.count()
            event.save(update_fields=["volunteer_count", "updated_at"])
    if {"kind", "topics", "starts_at", "ends_at", "other_centers"} & set(changes):
        sync_training_records(event)
    record_event(actor=actor, action="update_event", obj=event, changes=changes)
    new_day = timezone.localdate(event.starts_at)
    all_centers = old_centers | event_center_ids(event)
    mark_centers_stale(all_centers, old_day)
    if new_day != old_day:
        mark_centers_stale(all_centers, new_day)
    return event


@transaction.atomic
def add_event_photos(*, actor, event: Event, photos, caption: str = "") -> list[EventPhoto]:
    """Attach photos to an event: each checked by its content, resized, stored privately."""
    from asa.cases.actions import _resized_photo

    check_event_writer(actor, event.center)
    if not photos:
        raise ValidationError({"photos": "กรุณาเลือกภาพอย่างน้อยหนึ่งภาพ"})
    resized = [(_resized_photo(upload), getattr(upload, "name", "photo")) for upload in photos]
    saved = []
    start = event.photos.count()
    for index, (content, name) in enumerate(resized, start=start + 1):
        photo = EventPhoto(event=event, width=content.dimensions[0], height=content.dimensions[1])
        photo.image.save(f"{event.pk}-{index}.jpg", content, save=False)
        photo.caption = (" ".join(caption.split()) or str(name))[:200]
        photo.save()
        saved.append(photo)
    record_event(actor=actor, action="add_event_photos", obj=event, changes={"photos": len(saved)})
    mark_centers_stale(event_center_ids(event), timezone.localdate(event.starts_at))
    return saved


# --- Training records follow the attendees and topics ---------------------------------------


def sync_training_records(event: Event) -> int:
    """Keep a training's records in step with its attendees and topics; returns how many
    certificates were issued. Records of an event that is no longer a training are removed."""
    topics = split_lines(event.topics) if event.kind == EventKind.TRAINING else []
    records = TrainingRecord.objects.filter(event=event)
    existing = set(records.values_list("volunteer_id", "topic"))
    hours = dict(event.attendances.values_list("volunteer_id", "hours"))
    wanted = {(volunteer_id, topic) for volunteer_id in hours for topic in topics}
    stale = existing - wanted
    for volunteer_id, topic in stale:
        records.filter(volunteer_id=volunteer_id, topic=topic).delete()
    completed_on = timezone.localdate(event.starts_at)
    if existing & wanted:
        records.exclude(completed_on=completed_on).update(completed_on=completed_on)
    new = sorted(wanted - existing)
    if not new:
        return 0
    numbers = _certificate_numbers(event.center, completed_on, len(new))
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                volunteer_id=volunteer_id,
                topic=topic[:200],
                completed_on=completed_on,
                hours=hours[volunteer_id],
                provider=event.center.name_th[:200],
                event=event,
                certificate_number=number,
            )
            for (volunteer_id, topic), number in zip(new, numbers, strict=True)
        ]
    )
    return len(new)


def _certificate_numbers(center: Center, day: dt.date, count: int) -> list[str]:
    """The next `count` certificate numbers of a center for the BE year: BKK-1005-2569-0001."""
    prefix = f"{center.code}-{be_year(day.year)}-"
    # Longest then largest: "10000" sorts after "9999" once a center passes ten thousand.
    last = (
        TrainingRecord.objects.filter(certificate_number__startswith=prefix)
        .annotate(width=Length("certificate_number"))
        .order_by("-width", "-certificate_number")
        .values_list("certificate_number", flat=True)
        .first()
    )
    start = int(last.removeprefix(prefix)) + 1 if last else 1
    return [f"{prefix}{number:04d}" for number in range(start, start + count)]
