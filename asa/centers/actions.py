"""Every write to centers and volunteers. Pages, API, CLI and the demo loader call these."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from asa.accounts.access import scope_of, writable_centers
from asa.accounts.actions import assign_role, remove_role
from asa.accounts.events import diff, record_event
from asa.accounts.models import Role, RoleAssignment
from asa.centers.models import (
    Center,
    CenterStatus,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
    VolunteerStatusChange,
)
from asa.geo.models import Subdistrict
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import ThaiDateError, check_ce_date

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


def mark_centers_stale(center_ids, on: dt.date) -> None:
    """Tell the dashboards that these centers' figures for that day must be counted again."""
    from asa.reports.actions import mark_rollups_stale

    for center_id in sorted(set(center_ids)):
        mark_rollups_stale(center_id=center_id, on=on)


def _check_center_in_scope(actor, center: Center) -> None:
    if not writable_centers(actor).filter(pk=center.pk).exists():
        raise ValidationError({"center": "คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"})


def _update_volunteer_count(center_id: int, delta: int) -> None:
    if delta:
        Center.objects.filter(pk=center_id).update(
            active_volunteer_count=F("active_volunteer_count") + delta
        )
        mark_centers_stale([center_id], timezone.localdate())  # volunteers active, on dashboards


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
    mark_centers_stale([center.pk], opened_on)  # centers opened, by fiscal year
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
            mark_centers_stale([center.pk], day)
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
