"""Every write to centers and volunteers. Pages, API, CLI and the demo loader call these."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from asa.accounts.access import scope_of, visible, writable_centers
from asa.accounts.actions import assign_role, remove_role
from asa.accounts.events import diff, record_event
from asa.accounts.models import Role, RoleAssignment
from asa.centers.models import (
    Attendance,
    Center,
    CenterStatus,
    Event,
    EventKind,
    EventPhoto,
    HoursEntry,
    HoursStatus,
    TrainingRecord,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
    VolunteerStatusChange,
)
from asa.geo.models import Subdistrict
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import ThaiDateError, be_year, check_ce_date

VOLUNTEER_MINIMUM_AGE = 15  # youth volunteers (อพม. เยาวชน) start young; nobody younger
VOLUNTEER_MAXIMUM_AGE = 110

CENTER_FIELDS = ["name_th", "name_en", "address", "venue", "phone", "email", "status"]
VOLUNTEER_FIELDS = [
    "title",
    "first_name",
    "last_name",
    "national_id",
    "birth_date",
    "sex",
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict",
    "postal_code",
    "is_youth",
    "joined_on",
]
OWN_PROFILE_FIELDS = [
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict",
    "postal_code",
]


def _search_name(first_name: str, last_name: str) -> str:
    return (first_name + last_name).replace(" ", "").lower()


def _check_dates(*, birth_date: dt.date | None, joined_on: dt.date | None) -> dict:
    errors = {}
    today = timezone.localdate()
    for field, value in (("birth_date", birth_date), ("joined_on", joined_on)):
        if value is None:
            continue
        try:
            check_ce_date(value)
        except ThaiDateError as error:
            errors[field] = str(error)
            continue
        if value > today:
            errors[field] = "วันที่ต้องไม่อยู่ในอนาคต"
    if birth_date and "birth_date" not in errors:
        age = (today - birth_date).days // 365
        if age < VOLUNTEER_MINIMUM_AGE:
            errors["birth_date"] = f"อพม. ต้องมีอายุอย่างน้อย {VOLUNTEER_MINIMUM_AGE} ปี"
        elif age > VOLUNTEER_MAXIMUM_AGE:
            errors["birth_date"] = "อายุเกิน 110 ปี กรุณาตรวจสอบปีเกิด (พ.ศ./ค.ศ.)"
    if birth_date and joined_on and not errors and joined_on < birth_date:
        errors["joined_on"] = "วันที่เข้าร่วมต้องไม่ก่อนวันเกิด"
    return errors


def _check_volunteer(data: dict, *, instance: Volunteer | None = None) -> dict:
    """Validate volunteer fields; returns cleaned data or raises ValidationError naming fields."""
    errors = {}
    cleaned = dict(data)
    if "national_id" in data:
        try:
            cleaned["national_id"] = normalize_national_id(data["national_id"])
        except NationalIdError as error:
            errors["national_id"] = str(error)
        else:
            # Stored encrypted: uniqueness and lookups go through the keyed hash.
            cleaned["national_id_hash"] = identity_hash(cleaned["national_id"])
            taken = Volunteer.objects.filter(national_id_hash=cleaned["national_id_hash"])
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors["national_id"] = "เลขประจำตัวประชาชนนี้ลงทะเบียนเป็น อพม. แล้ว"
    for name in ("first_name", "last_name"):
        if name in data:
            cleaned[name] = " ".join((data[name] or "").split())
            if not cleaned[name]:
                errors[name] = "กรุณากรอกชื่อและนามสกุล"
    errors |= _check_dates(
        birth_date=data.get("birth_date", instance.birth_date if instance else None),
        joined_on=data.get("joined_on", instance.joined_on if instance else None),
    )
    subdistrict = data.get("subdistrict")
    postal_code = data.get("postal_code")
    if subdistrict is not None and postal_code and postal_code not in subdistrict.postal_code_list:
        errors["postal_code"] = (
            f"รหัสไปรษณีย์ไม่ตรงกับแขวง/ตำบล{subdistrict.name_th} "
            f"(ที่ถูกต้อง: {', '.join(subdistrict.postal_code_list)})"
        )
    if subdistrict is not None and not postal_code and "postal_code" in data:
        cleaned["postal_code"] = subdistrict.postal_code_list[0]
    if (
        subdistrict is not None
        and "postal_code" not in data
        and instance is not None
        and instance.postal_code not in subdistrict.postal_code_list
    ):
        # Only the subdistrict changed: the old postal code would now be wrong.
        cleaned["postal_code"] = subdistrict.postal_code_list[0]
    if "phone" in cleaned:
        cleaned["phone_hash"] = phone_hash(cleaned["phone"] or "")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _loggable(changes: dict) -> dict:
    """The changes an audit event may keep: encrypted numbers masked, their hashes left out."""
    for hidden in ("national_id", "phone"):
        if hidden in changes:
            changes[hidden] = ["***", "***"]  # never copy identity or phone numbers into the log
    for digest in ("national_id_hash", "phone_hash"):
        changes.pop(digest, None)
    return changes


def _check_center_in_scope(actor, center: Center) -> None:
    if not writable_centers(actor).filter(pk=center.pk).exists():
        raise ValidationError({"center": "คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"})


def _update_volunteer_count(center_id: int, delta: int) -> None:
    if delta:
        Center.objects.filter(pk=center_id).update(
            active_volunteer_count=F("active_volunteer_count") + delta
        )
        _rollups_stale([center_id], timezone.localdate())  # volunteers active, on dashboards


@transaction.atomic
def open_center(
    *,
    actor,
    code: str,
    name_th: str,
    subdistrict: Subdistrict,
    opened_on: dt.date,
    name_en: str = "",
    address: str = "",
    venue: str = "",
    phone: str = "",
    email: str = "",
) -> Center:
    """Open a coordination center in the district of `subdistrict` (one per district)."""
    district = subdistrict.district
    if actor is not None and not _may_open(actor, district):
        raise PermissionDenied
    errors = {}
    if Center.objects.filter(district=district).exists():
        errors["subdistrict"] = f"{district.name_th} มีศูนย์ประสานงานแล้ว (หนึ่งเขต/อำเภอ หนึ่งศูนย์)"
    if Center.objects.filter(code=code).exists():
        errors["code"] = "รหัสศูนย์นี้มีอยู่แล้ว"
    try:
        check_ce_date(opened_on)
    except ThaiDateError as error:
        errors["opened_on"] = str(error)
    if errors:
        raise ValidationError(errors)
    center = Center.objects.create(
        code=code,
        name_th=name_th,
        name_en=name_en,
        district=district,
        subdistrict=subdistrict,
        address=address,
        venue=venue,
        opened_on=opened_on,
        phone=phone,
        email=email,
        status=CenterStatus.ACTIVE,
    )
    record_event(
        actor=actor,
        action="open_center",
        obj=center,
        changes={"code": code, "district": district.code, "opened_on": opened_on},
    )
    _rollups_stale([center.pk], opened_on)  # centers opened, by fiscal year
    return center


def _may_open(actor, district) -> bool:
    scope = scope_of(actor)
    return (
        scope.national
        or district.province_id in scope.province_codes
        or district.code in scope.district_codes
    )


@transaction.atomic
def update_center(*, actor, center: Center, **data) -> Center:
    """Change a center's details (name, address, venue, contact, status)."""
    unknown = set(data) - set(CENTER_FIELDS)
    if unknown:
        raise TypeError(f"update_center got unexpected fields: {sorted(unknown)}")
    changes = diff(center, data)
    if not changes:
        return center
    if "status" in changes and actor is not None:
        scope = scope_of(actor)
        if not (scope.national or scope.is_officer):
            # Suspending or closing a center is the officers' decision, not its chair's.
            raise ValidationError({"status": "เฉพาะเจ้าหน้าที่ระดับเขต/จังหวัดหรือส่วนกลางเปลี่ยนสถานะศูนย์ได้"})
    opened_before = center.opened_on
    for field, value in data.items():
        setattr(center, field, value)
    center.save(update_fields=list(changes))
    record_event(actor=actor, action="update_center", obj=center, changes=changes)
    if "status" in changes or "opened_on" in changes:
        for day in (opened_before, center.opened_on, timezone.localdate()):
            _rollups_stale([center.pk], day)
    return center


@transaction.atomic
def register_volunteer(
    *,
    actor,
    center: Center,
    title: str,
    first_name: str,
    last_name: str,
    national_id: str,
    birth_date: dt.date,
    sex: str,
    subdistrict: Subdistrict,
    joined_on: dt.date,
    role: str = VolunteerRole.MEMBER,
    phone: str = "",
    house_number: str = "",
    moo: str = "",
    village: str = "",
    soi: str = "",
    road: str = "",
    postal_code: str = "",
    is_youth: bool = False,
    skills=(),
    user=None,
) -> Volunteer:
    """Register a volunteer in a center the actor manages. Refuses a second active chair."""
    if actor is not None:
        _check_center_in_scope(actor, center)
    data = _check_volunteer(
        {
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "national_id": national_id,
            "birth_date": birth_date,
            "sex": sex,
            "phone": phone,
            "house_number": house_number,
            "moo": moo,
            "village": village,
            "soi": soi,
            "road": road,
            "subdistrict": subdistrict,
            "postal_code": postal_code,
            "is_youth": is_youth,
            "joined_on": joined_on,
        }
    )
    if role == VolunteerRole.CHAIR:
        _check_no_other_chair(center)
    volunteer = Volunteer(
        center=center,
        role=role,
        status=VolunteerStatus.ACTIVE,
        user=user,
        search_name=_search_name(data["first_name"], data["last_name"]),
        **data,
    )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as error:  # a concurrent second chair or ID loses here
        raise ValidationError({"role": "ศูนย์นี้มีประธาน อพม. อยู่แล้ว"}) from error
    if skills:
        volunteer.skills.set(skills)
    _update_volunteer_count(center.pk, 1)
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        field="status",
        new_value=VolunteerStatus.ACTIVE,
        changed_by=actor if actor and actor.is_authenticated else None,
        reason="ลงทะเบียน",
    )
    if user is not None:
        _sync_account_roles(actor=actor, volunteer=volunteer)
    record_event(
        actor=actor,
        action="register_volunteer",
        obj=volunteer,
        changes={"center": center.code, "role": role},
    )
    return volunteer


def _check_no_other_chair(center: Center, *, except_volunteer: Volunteer | None = None) -> None:
    chairs = Volunteer.objects.filter(
        center=center, role=VolunteerRole.CHAIR, status=VolunteerStatus.ACTIVE
    )
    if except_volunteer is not None:
        chairs = chairs.exclude(pk=except_volunteer.pk)
    current = chairs.first()
    if current is not None:
        raise ValidationError(
            {
                "role": f"ศูนย์นี้มีประธาน อพม. อยู่แล้ว ({current.full_name}) "
                "กรุณาเปลี่ยนบทบาทของประธานคนเดิมก่อน"
            }
        )


@transaction.atomic
def update_volunteer(*, actor, volunteer: Volunteer, **data) -> Volunteer:
    """Change a volunteer's personal details (not role, status or center: those have actions)."""
    unknown = set(data) - set(VOLUNTEER_FIELDS) - {"skills"}
    if unknown:
        raise TypeError(f"update_volunteer got unexpected fields: {sorted(unknown)}")
    _check_center_in_scope(actor, volunteer.center)
    skills = data.pop("skills", None)
    data = _check_volunteer(data, instance=volunteer)
    changes = diff(volunteer, data)
    for field, value in data.items():
        setattr(volunteer, field, value)
    if {"first_name", "last_name"} & set(changes):
        volunteer.search_name = _search_name(volunteer.first_name, volunteer.last_name)
        changes["search_name"] = True
    if changes:
        volunteer.save(
            update_fields=[
                *(f for f in changes if f != "search_name"),
                *(["search_name"] if "search_name" in changes else []),
                "updated_at",
            ]
        )
    if skills is not None:
        before = set(volunteer.skills.values_list("pk", flat=True))
        after = {skill.pk for skill in skills}
        if before != after:
            volunteer.skills.set(skills)
            changes["skills"] = [sorted(before), sorted(after)]
    if changes:
        changes.pop("search_name", None)
        record_event(
            actor=actor, action="update_volunteer", obj=volunteer, changes=_loggable(changes)
        )
    return volunteer


@transaction.atomic
def update_own_profile(*, actor, **data) -> Volunteer:
    """A volunteer corrects their own phone and address."""
    volunteer = Volunteer.objects.select_for_update().get(user=actor)
    unknown = set(data) - set(OWN_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"update_own_profile got unexpected fields: {sorted(unknown)}")
    data = _check_volunteer(data, instance=volunteer)
    changes = diff(volunteer, data)
    if changes:
        for field, value in data.items():
            setattr(volunteer, field, value)
        volunteer.save(update_fields=[*changes, "updated_at"])
        record_event(
            actor=actor, action="update_own_profile", obj=volunteer, changes=_loggable(changes)
        )
    return volunteer


@transaction.atomic
def change_volunteer_status(*, actor, volunteer: Volunteer, status: str, reason: str) -> Volunteer:
    """Activate, pause or end a volunteer's service; the history keeps every change."""
    _check_center_in_scope(actor, volunteer.center)
    status = VolunteerStatus(status)
    if not reason.strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุผล"})
    old = volunteer.status
    if old == status:
        return volunteer
    if status == VolunteerStatus.ACTIVE and volunteer.role == VolunteerRole.CHAIR:
        _check_no_other_chair(volunteer.center, except_volunteer=volunteer)
    volunteer.status = status
    volunteer.save(update_fields=["status", "updated_at"])
    was_active, is_active = old == VolunteerStatus.ACTIVE, status == VolunteerStatus.ACTIVE
    _update_volunteer_count(volunteer.center_id, int(is_active) - int(was_active))
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        field="status",
        old_value=old,
        new_value=status,
        changed_by=actor,
        reason=reason.strip(),
    )
    if volunteer.user_id:
        _sync_account_roles(actor=actor, volunteer=volunteer)
    record_event(
        actor=actor,
        action="change_volunteer_status",
        obj=volunteer,
        changes={"status": [old, status]},
        reason=reason.strip(),
    )
    return volunteer


@transaction.atomic
def change_volunteer_role(*, actor, volunteer: Volunteer, role: str, reason: str = "") -> Volunteer:
    """Give a volunteer a role in their center. Only one active chair per center at a time."""
    _check_center_in_scope(actor, volunteer.center)
    role = VolunteerRole(role)
    old = volunteer.role
    if old == role:
        return volunteer
    if role == VolunteerRole.CHAIR:
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise ValidationError({"role": "ประธาน อพม. ต้องเป็น อพม. ที่ปฏิบัติงานอยู่"})
        _check_no_other_chair(volunteer.center, except_volunteer=volunteer)
    volunteer.role = role
    try:
        with transaction.atomic():
            volunteer.save(update_fields=["role", "updated_at"])
    except IntegrityError as error:
        raise ValidationError({"role": "ศูนย์นี้มีประธาน อพม. อยู่แล้ว"}) from error
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        field="role",
        old_value=old,
        new_value=role,
        changed_by=actor,
        reason=reason.strip(),
    )
    if volunteer.user_id:
        _sync_account_roles(actor=actor, volunteer=volunteer)
    record_event(
        actor=actor,
        action="change_volunteer_role",
        obj=volunteer,
        changes={"role": [old, role]},
        reason=reason,
    )
    return volunteer


def _sync_account_roles(*, actor, volunteer: Volunteer) -> None:
    """Keep the volunteer's sign-in roles in step with their role and status in the center."""
    from asa.accounts.token_cache import forget_tokens_of

    user = volunteer.user
    # The volunteer's status and record are part of their scope even when no role changes.
    forget_tokens_of(user.pk)
    wanted = set()
    if volunteer.status == VolunteerStatus.ACTIVE:
        wanted.add(Role.VOLUNTEER)
        if volunteer.role == VolunteerRole.CHAIR:
            wanted.add(Role.CENTER_CHAIR)
    for assignment in RoleAssignment.objects.filter(
        user=user, center=volunteer.center, role__in=[Role.VOLUNTEER, Role.CENTER_CHAIR]
    ):
        if assignment.role not in wanted:
            remove_role(actor=actor, assignment=assignment)
        else:
            wanted.discard(assignment.role)
    for role in wanted:
        assign_role(actor=actor, user=user, role=role, scope=volunteer.center)


@transaction.atomic
def link_volunteer_account(*, actor, volunteer: Volunteer, user) -> Volunteer:
    """Let a volunteer sign in: link their record to an account and give it their roles."""
    if Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).exists():
        raise ValidationError({"user": "บัญชีนี้เชื่อมกับ อพม. คนอื่นแล้ว"})
    volunteer.user = user
    volunteer.save(update_fields=["user", "updated_at"])
    _sync_account_roles(actor=actor, volunteer=volunteer)
    record_event(
        actor=actor,
        action="link_volunteer_account",
        obj=volunteer,
        changes={"username": user.get_username()},
    )
    return volunteer


# --- Events, attendance, training certificates ------------------------------------------------

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
MAXIMUM_HOURS_PER_DAY = Decimal(24)


def _rollups_stale(center_ids, on: dt.date) -> None:
    """Tell the dashboards that these centers' figures for that day must be counted again."""
    from asa.reports.actions import mark_rollups_stale

    for center_id in sorted(set(center_ids)):
        mark_rollups_stale(center_id=center_id, on=on)


def _event_center_ids(event: Event) -> set[int]:
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


def _check_event_writer(actor, center: Center) -> None:
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
    _check_event_writer(actor, center)
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
    _rollups_stale({center.pk, *(other.pk for other in joint)}, timezone.localdate(starts_at))
    return event


@transaction.atomic
def update_event(*, actor, event: Event, other_centers=None, **data) -> Event:
    """Change an event's details. A training's certificates follow its topics."""
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"update_event got unexpected fields: {sorted(unknown)}")
    _check_event_writer(actor, event.center)
    # Both ends are checked together even when one changes.
    data = _check_event(
        {"starts_at": event.starts_at, "ends_at": event.ends_at} | data,
        kind=event.kind,
        topics=event.topics,
    )
    old_day = timezone.localdate(event.starts_at)
    old_centers = _event_center_ids(event)
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
        centers = _event_center_ids(event)
        left = event.attendances.exclude(volunteer__center_id__in=centers)
        if left.exists():
            changes["attendees_removed"] = sorted(left.values_list("volunteer_id", flat=True))
            left.delete()
            event.volunteer_count = event.attendances.count()
            event.save(update_fields=["volunteer_count", "updated_at"])
    if {"kind", "topics", "starts_at", "ends_at", "other_centers"} & set(changes):
        _sync_attendance(event)
    record_event(actor=actor, action="update_event", obj=event, changes=changes)
    new_day = timezone.localdate(event.starts_at)
    all_centers = old_centers | _event_center_ids(event)
    _rollups_stale(all_centers, old_day)
    if new_day != old_day:
        _rollups_stale(all_centers, new_day)
    return event


def event_hours(event: Event) -> Decimal:
    """The hours an attendee gets by default: the event's length, at most 24, in half hours."""
    seconds = max((event.ends_at - event.starts_at).total_seconds(), 0)
    halves = max(round(seconds / 1800), 1)
    return min(Decimal(halves) / 2, MAXIMUM_HOURS_PER_DAY)


def eligible_attendees(event: Event):
    """Volunteers who may be ticked present: active members of the host and joint centers."""
    return Volunteer.objects.filter(
        center_id__in=_event_center_ids(event), status=VolunteerStatus.ACTIVE
    )


@transaction.atomic
def take_attendance(*, actor, event: Event, attendees: dict) -> Event:
    """Set who attended the event: `attendees` maps each volunteer present to their hours
    (None: the event's length). Anyone left out is no longer counted present.

    A training gives each attendee a training record per topic, with a certificate number.
    """
    _check_event_writer(actor, event.center)
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
    certificates = _sync_attendance(event)
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
    _rollups_stale(_event_center_ids(event), timezone.localdate(event.starts_at))
    return event


def _sync_attendance(event: Event) -> int:
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


@transaction.atomic
def add_event_photos(*, actor, event: Event, photos, caption: str = "") -> list[EventPhoto]:
    """Attach photos to an event: each checked by its content, resized, stored privately."""
    from asa.cases.actions import _resized_photo

    _check_event_writer(actor, event.center)
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
    _rollups_stale(_event_center_ids(event), timezone.localdate(event.starts_at))
    return saved


# --- Hand-entered volunteer hours --------------------------------------------------------------


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
    _rollups_stale({volunteer.center_id}, worked_on)
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
    _rollups_stale({entry.volunteer.center_id}, entry.worked_on)
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
