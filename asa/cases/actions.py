"""Every write to casework: intake, routing, assignment, visits, plans, help, closure.

Each action checks what only it can know (transitions, the center of a volunteer, who may
approve a closure), writes in one transaction with an audit event — the case timeline is those
events — and tells people after the commit.
"""

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.actions import notify
from asa.accounts.events import record_event
from asa.cases.models import (
    OPEN_STATUSES,
    URGENCY_ORDER,
    Assistance,
    AssistanceKind,
    Case,
    CaseAssignment,
    CaseReopening,
    Outcome,
    PlanItem,
    PlanItemStatus,
    Source,
    Status,
    Urgency,
    Visit,
    VisitPhoto,
)
from asa.centers.models import Center, Volunteer, VolunteerRole, VolunteerStatus
from asa.lib.thai import be_year
from asa.reports.actions import mark_case_rollups_stale, mark_rollups_stale

# First follow-up (the first visit) is due this many days after intake, by urgency.
FIRST_VISIT_DAYS = {Urgency.EMERGENCY: 0, Urgency.URGENT: 3, Urgency.ROUTINE: 7}
MAXIMUM_ASSISTANCE_BAHT = Decimal("500000")  # far above any grant regulation: a typo guard
MAXIMUM_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_LONG_EDGE = 1600

# Allowed moves between statuses (closing and reopening have their own actions).
TRANSITIONS = {
    Status.NEW: {Status.ASSESSED, Status.PLAN_AGREED, Status.IN_PROGRESS},
    Status.ASSESSED: {Status.PLAN_AGREED, Status.IN_PROGRESS},
    Status.PLAN_AGREED: {Status.IN_PROGRESS, Status.FOLLOW_UP},
    Status.IN_PROGRESS: {Status.FOLLOW_UP, Status.PLAN_AGREED},
    Status.FOLLOW_UP: {Status.IN_PROGRESS, Status.PLAN_AGREED},
    Status.CLOSURE_REQUESTED: {Status.IN_PROGRESS, Status.FOLLOW_UP},
}


class StaleCase(ValidationError):
    def __init__(self):
        super().__init__(
            {
                "version": "กรณีนี้ถูกแก้ไขโดยผู้อื่นหลังจากที่คุณเปิดหน้า "
                "กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง (ยังไม่ได้บันทึกการเปลี่ยนแปลงของคุณ)"
            }
        )


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _bump(case: Case, expected_version: int | None, **values) -> None:
    """Write `values` and the next version, refusing if someone changed the case meanwhile."""
    query = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    values["updated_at"] = timezone.now()
    previous = (case.center_id, case.closed_at)
    if not query.update(version=F("version") + 1, **values):
        raise StaleCase()
    for field, value in values.items():
        setattr(case, field, value)
    mark_case_rollups_stale(case=case, previous=previous)
    case.version = (expected_version if expected_version is not None else case.version) + 1


def _case_url(case: Case) -> str:
    try:
        return reverse("cases:case_detail", args=[case.pk])
    except Exception:  # the pages may not be mounted in every configuration
        return f"/cases/{case.pk}/"


def _chairs_of(center_id: int):
    return [
        volunteer.user
        for volunteer in Volunteer.objects.select_related("user").filter(
            center_id=center_id,
            role=VolunteerRole.CHAIR,
            status=VolunteerStatus.ACTIVE,
            user__isnull=False,
        )
    ]


def _chairs_by_center(center_ids) -> dict[int, list]:
    chairs: dict[int, list] = {}
    for volunteer in Volunteer.objects.select_related("user").filter(
        center_id__in=center_ids,
        role=VolunteerRole.CHAIR,
        status=VolunteerStatus.ACTIVE,
        user__isnull=False,
    ):
        chairs.setdefault(volunteer.center_id, []).append(volunteer.user)
    return chairs


def _may_manage(actor, case: Case) -> bool:
    """Chairs of the case's center, officers of its area and the ministry manage a case."""
    if actor is None:
        return True
    scope = scope_of(actor)
    return (
        scope.national
        or case.center_id in scope.chair_center_ids
        or case.district_id in scope.district_codes
        or case.district_id[:2] in scope.province_codes
    )


def _pending_number() -> str:
    import uuid

    return "new-" + uuid.uuid4().hex[:24]


def _number_case(case: Case) -> None:
    """Case numbers come from the row id, so two intakes at the same moment never collide."""
    case.number = f"{be_year(timezone.localtime(case.reported_at).year)}-{case.pk:07d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)


# --- Intake and routing ------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    actor,
    person,
    source: str,
    story: str,
    urgency: str = Urgency.ROUTINE,
    reported_at: dt.datetime | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    problems=(),
    target_groups=(),
    household=None,
    center: Center | None = None,
    client_id=None,
) -> Case:
    """Take in a report of distress about a registry person.

    The case goes to the center covering the person's address (subdistrict → district →
    center); without one, to the given center or the reporting volunteer's own. A report made
    offline carries the phone's `client_id`: sent again, it returns the first case.
    """
    if client_id is not None:
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    now = timezone.now()
    reported_at = reported_at or now
    errors = {}
    if not (story or "").strip():
        errors["story"] = "กรุณาเล่าเรื่องโดยย่อ"
    if reported_at > now + dt.timedelta(minutes=5):
        errors["reported_at"] = "เวลารับแจ้งต้องไม่อยู่ในอนาคต"
    if person.merged_into_id:
        errors["person"] = "บุคคลนี้ถูกรวมกับข้อมูลอื่นแล้ว กรุณาเลือกข้อมูลหลัก"
    routed = person.center or center
    if routed is None and actor is not None:
        own = scope_of(actor).center_ids
        if len(own) == 1:
            routed = Center.objects.get(pk=next(iter(own)))
    if routed is None:
        errors["center"] = "ไม่พบศูนย์ที่ดูแลที่อยู่นี้ กรุณาเลือกศูนย์ที่รับผิดชอบ"
    if errors:
        raise ValidationError(errors)
    if household is None:
        membership = person.memberships.filter(ended_on__isnull=True).first()
        household = membership.household if membership else None
    case = Case.objects.create(
        number=_pending_number(),
        person=person,
        household=household,
        center=routed,
        district_id=routed.district_id,
        source=Source(source),
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        reported_at=reported_at,
        urgency=Urgency(urgency),
        urgency_order=URGENCY_ORDER[Urgency(urgency)],
        story=story.strip(),
        next_follow_up_on=timezone.localdate(reported_at)
        + dt.timedelta(days=FIRST_VISIT_DAYS[Urgency(urgency)]),
        created_by=_user(actor),
        client_id=client_id,
    )
    _number_case(case)
    mark_case_rollups_stale(case=case)
    if problems:
        case.problems.set(problems)
    if target_groups:
        case.target_groups.set(target_groups)
    record_event(
        actor=actor,
        action="open_case",
        obj=case,
        changes={
            "person": person.pk,
            "center": routed.code,
            "source": source,
            "urgency": urgency,
            "problems": [p.code for p in problems],
        },
    )
    kind = "ฉุกเฉิน" if urgency == Urgency.EMERGENCY else "ใหม่"
    for chair in _chairs_of(routed.pk):
        notify(
            user=chair,
            kind="case_opened",
            url=_case_url(case),
            message=f"กรณี{kind} {case.number}: {person.full_name}",
            dedupe_key=f"case-opened:{case.pk}",
        )
    return case


@transaction.atomic
def assign_case(*, actor, case: Case, volunteers, expected_version: int | None = None) -> Case:
    """The chair assigns volunteers of the case's own center."""
    if not _may_manage(actor, case):
        raise PermissionDenied
    volunteers = list(volunteers)
    if not volunteers:
        raise ValidationError({"volunteers": "กรุณาเลือก อพม. อย่างน้อย 1 คน"})
    for volunteer in volunteers:
        if volunteer.center_id != case.center_id:
            raise ValidationError(
                {"volunteers": f"{volunteer.full_name} ไม่ใช่ อพม. ของศูนย์ที่รับผิดชอบกรณีนี้"}
            )
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise ValidationError({"volunteers": f"{volunteer.full_name} ไม่ได้ปฏิบัติงานอยู่"})
    _bump(case, expected_version)
    current = set(
        case.assignments.filter(ended_at__isnull=True).values_list("volunteer_id", flat=True)
    )
    added = [v for v in volunteers if v.pk not in current]
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=case, volunteer=v, assigned_by=_user(actor)) for v in added]
    )
    record_event(
        actor=actor, action="assign_case", obj=case, changes={"volunteers": [v.pk for v in added]}
    )
    for volunteer in added:
        if volunteer.user_id:
            notify(
                user=volunteer.user,
                kind="case_assigned",
                url=_case_url(case),
                message=f"คุณได้รับมอบหมายกรณี {case.number}: {case.person.full_name}",
                dedupe_key=f"case-assigned:{case.pk}:{volunteer.pk}",
            )
    return case


@transaction.atomic
def unassign_volunteer(*, actor, case: Case, volunteer: Volunteer, reason: str = "") -> Case:
    if not _may_manage(actor, case):
        raise PermissionDenied
    ended = case.assignments.filter(volunteer=volunteer, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    if ended:
        record_event(
            actor=actor,
            action="unassign_volunteer",
            obj=case,
            changes={"volunteer": volunteer.pk},
            reason=reason,
        )
    return case


@transaction.atomic
def transfer_case(
    *, actor, case: Case, to_center: Center, reason: str, expected_version: int | None = None
) -> Case:
    """Move a case to another center, with a reason; current assignments end."""
    if not _may_manage(actor, case):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุผลการโอนกรณี"})
    if to_center.pk == case.center_id:
        raise ValidationError({"to_center": "กรณีนี้อยู่ในความรับผิดชอบของศูนย์นี้แล้ว"})
    if not case.is_open:
        raise ValidationError({"to_center": "ไม่สามารถโอนกรณีที่ปิดแล้ว"})
    old = case.center
    _bump(case, expected_version, center=to_center, district_id=to_center.district_id)
    case.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    # Its referrals carry the case's center and district (who may see them): they move too.
    case.referrals.update(center=to_center, district_id=to_center.district_id)
    # Links the old center issued stop: the new center decides what its partners see.
    from asa.referrals.actions import revoke_referral_links

    revoke_referral_links(actor=actor, referrals=case.referrals.all(), reason="โอนกรณีไปศูนย์อื่น")
    record_event(
        actor=actor,
        action="transfer_case",
        obj=case,
        changes={"center": [old.code, to_center.code]},
        reason=reason.strip(),
    )
    for chair in _chairs_of(to_center.pk):
        notify(
            user=chair,
            kind="case_transferred",
            url=_case_url(case),
            message=f"มีกรณีโอนมาจาก{old.name_th}: {case.number}",
            dedupe_key=f"case-transferred:{case.pk}:{to_center.pk}:{case.version}",
        )
    return case


@transaction.atomic
def change_case_status(
    *, actor, case: Case, status: str, reason: str = "", expected_version: int | None = None
) -> Case:
    """Move an open case along new → assessed → plan agreed → in progress → follow-up."""
    status = Status(status)
    if status in (Status.CLOSED, Status.CLOSURE_REQUESTED):
        raise ValidationError({"status": "การปิดกรณีต้องใช้การขอปิดและการอนุมัติ"})
    if status not in TRANSITIONS.get(Status(case.status), set()):
        raise ValidationError(
            {"status": f"เปลี่ยนสถานะจาก “{Status(case.status).label}” เป็น “{status.label}” ไม่ได้"}
        )
    old = case.status
    _bump(case, expected_version, status=status)
    record_event(
        actor=actor,
        action="change_case_status",
        obj=case,
        changes={"status": [old, status]},
        reason=reason,
    )
    return case


# --- Visits ------------------------------------------------------------------------------------


def _resized_photo(upload) -> ContentFile:
    """Check an upload is really an image (by content), then resize and re-encode it as JPEG.

    Re-encoding also drops whatever else the file carried (EXIF location, scripts).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size > MAXIMUM_PHOTO_BYTES:
        raise ValidationError({"photos": "ไฟล์ภาพใหญ่เกิน 10 MB กรุณาย่อภาพก่อนส่ง"})
    try:
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = ImageOps.exif_transpose(Image.open(upload))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError({"photos": "ไฟล์ที่แนบไม่ใช่ภาพ (รองรับ JPEG, PNG, WebP)"}) from error
    image = image.convert("RGB")
    image.thumbnail((PHOTO_LONG_EDGE, PHOTO_LONG_EDGE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    content = ContentFile(buffer.getvalue())
    content.dimensions = image.size
    return content


@transaction.atomic
def record_visit(
    *,
    actor,
    case: Case,
    visited_at: dt.datetime,
    observations: str,
    volunteers=(),
    staff_names: str = "",
    partner_names: str = "",
    met_whom: str = "",
    needs: str = "",
    next_visit_on: dt.date | None = None,
    latitude=None,
    longitude=None,
    at_household_address: bool = True,
    indicators: dict[str, bool] | None = None,
    photos=(),
    client_id=None,
) -> Visit:
    """Record a home visit; optionally reassess the household; set the next follow-up.

    A visit made offline carries the phone's `client_id`: sent again (a retry after a timeout),
    it returns the first visit and writes nothing.
    """
    if client_id is not None:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    errors = {}
    now = timezone.now()
    if visited_at > now + dt.timedelta(minutes=5):
        errors["visited_at"] = "วันเวลาที่เยี่ยมต้องไม่อยู่ในอนาคต"
    elif visited_at < case.reported_at - dt.timedelta(minutes=1):
        errors["visited_at"] = "วันเวลาที่เยี่ยมต้องไม่ก่อนวันที่รับแจ้งกรณี"
    if not (observations or "").strip():
        errors["observations"] = "กรุณาบันทึกสิ่งที่พบเห็น"
    if next_visit_on is not None and next_visit_on < timezone.localdate(visited_at):
        errors["next_visit_on"] = "วันนัดเยี่ยมครั้งถัดไปต้องไม่ก่อนวันที่เยี่ยม"
    if not case.is_open:
        errors["case"] = "กรณีนี้ปิดแล้ว กรุณาเปิดกรณีใหม่อีกครั้งก่อนบันทึกการเยี่ยม"
    for volunteer in volunteers:
        if volunteer.center_id != case.center_id:
            errors["volunteers"] = f"{volunteer.full_name} ไม่ใช่ อพม. ของศูนย์ที่รับผิดชอบกรณีนี้"
    for field, low, high in (("latitude", 5, 21), ("longitude", 97, 106)):
        value = {"latitude": latitude, "longitude": longitude}[field]
        if value not in (None, "") and not low <= float(value) <= high:
            errors[field] = "พิกัดอยู่นอกประเทศไทย"
    resized = []
    if not errors:
        for upload in photos:
            resized.append((_resized_photo(upload), getattr(upload, "name", "photo")))
    if errors:
        raise ValidationError(errors)
    assessment = None
    if indicators is not None:
        if case.household_id is None:
            raise ValidationError({"indicators": "กรณีนี้ยังไม่ผูกกับครัวเรือน จึงประเมินครัวเรือนไม่ได้"})
        from asa.registry.actions import record_household_assessment

        assessment = record_household_assessment(
            actor=actor,
            household=case.household,
            indicators=indicators,
            assessed_on=timezone.localdate(visited_at),
            notes=f"จากการเยี่ยมบ้าน กรณี {case.number}",
        )
    visit = Visit.objects.create(
        case=case,
        visited_at=visited_at,
        staff_names=staff_names.strip(),
        partner_names=partner_names.strip(),
        met_whom=met_whom.strip(),
        observations=observations.strip(),
        needs=needs.strip(),
        next_visit_on=next_visit_on,
        latitude=latitude or None,
        longitude=longitude or None,
        at_household_address=at_household_address,
        assessment=assessment,
        recorded_by=_user(actor),
        client_id=client_id,
    )
    if volunteers:
        visit.volunteers.set(volunteers)
    for index, (content, name) in enumerate(resized, start=1):
        photo = VisitPhoto(visit=visit, width=content.dimensions[0], height=content.dimensions[1])
        photo.image.save(f"{visit.pk}-{index}.jpg", content, save=False)
        photo.caption = str(name)[:200]
        photo.save()
    values = {}
    if case.first_visit_at is None or visited_at < case.first_visit_at:
        values["first_visit_at"] = visited_at
    if next_visit_on is not None:
        values["next_follow_up_on"] = next_visit_on
    if case.status == Status.NEW:
        values["status"] = Status.ASSESSED
    _bump(case, None, **values)
    mark_case_rollups_stale(case=case, on=visited_at)
    record_event(
        actor=actor,
        action="record_visit",
        obj=case,
        changes={
            "visit": visit.pk,
            "visited_at": visited_at,
            "next_visit_on": next_visit_on,
            "reassessed": assessment is not None,
            "photos": len(resized),
        },
    )
    return visit


# --- Plan and help -----------------------------------------------------------------------------


@transaction.atomic
def add_plan_item(
    *,
    actor,
    case: Case,
    need: str,
    action: str,
    due_on: dt.date,
    responsible_volunteer: Volunteer | None = None,
    responsible_other: str = "",
) -> PlanItem:
    """Add a planned action for a need, with who is responsible and by when."""
    errors = {}
    if not need.strip():
        errors["need"] = "กรุณาระบุความต้องการหรือปัญหา"
    if not action.strip():
        errors["action"] = "กรุณาระบุสิ่งที่จะทำ"
    if responsible_volunteer is None and not responsible_other.strip():
        errors["responsible_volunteer"] = "กรุณาระบุผู้รับผิดชอบ (อพม. หรือหน่วยงาน/บุคคลอื่น)"
    if responsible_volunteer is not None and responsible_volunteer.center_id != case.center_id:
        errors["responsible_volunteer"] = "ผู้รับผิดชอบต้องเป็น อพม. ของศูนย์ที่รับผิดชอบกรณีนี้"
    if due_on < timezone.localdate(case.reported_at):
        errors["due_on"] = "กำหนดเสร็จต้องไม่ก่อนวันที่รับแจ้งกรณี"
    if not case.is_open:
        errors["case"] = "กรณีนี้ปิดแล้ว"
    if errors:
        raise ValidationError(errors)
    item = PlanItem.objects.create(
        case=case,
        need=need.strip(),
        action=action.strip(),
        due_on=due_on,
        responsible_volunteer=responsible_volunteer,
        responsible_other=responsible_other.strip(),
    )
    _sync_follow_up(case)
    record_event(
        actor=actor,
        action="add_plan_item",
        obj=case,
        changes={"plan_item": item.pk, "need": item.need, "due_on": due_on},
    )
    return item


@transaction.atomic
def update_plan_item(*, actor, item: PlanItem, status: str, progress_note: str = "") -> PlanItem:
    old = item.status
    item.status = PlanItemStatus(status)
    if progress_note.strip():
        item.progress_note = progress_note.strip()
    item.done_on = timezone.localdate() if item.status == PlanItemStatus.DONE else None
    item.save(update_fields=["status", "progress_note", "done_on"])
    _sync_follow_up(item.case)
    record_event(
        actor=actor,
        action="update_plan_item",
        obj=item.case,
        changes={"plan_item": item.pk, "status": [old, item.status]},
    )
    return item


def _sync_follow_up(case: Case) -> None:
    """The next follow-up is the earlier of the next visit and the next open plan due date."""
    next_due = (
        case.plan_items.filter(status__in=[PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS])
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    last_visit_next = (
        case.visits.order_by("-visited_at").values_list("next_visit_on", flat=True).first()
    )
    dates = [d for d in (next_due, last_visit_next) if d is not None]
    if dates and min(dates) != case.next_follow_up_on:
        _bump(case, None, next_follow_up_on=min(dates))


@transaction.atomic
def record_assistance(
    *,
    actor,
    case: Case,
    kind: str,
    description: str,
    given_on: dt.date,
    amount: Decimal | None = None,
    regulation: str = "",
    provider: str = "",
) -> Assistance:
    """Record help given on a case: a grant, cash, goods, a service or a referral."""
    kind = AssistanceKind(kind)
    errors = {}
    if amount is not None:
        amount = Decimal(amount)
        if amount <= 0:
            errors["amount"] = "จำนวนเงินต้องมากกว่า 0 บาท"
        elif amount > MAXIMUM_ASSISTANCE_BAHT:
            errors["amount"] = "จำนวนเงินสูงผิดปกติ (เกิน 500,000 บาท) กรุณาตรวจสอบ"
        elif amount != amount.quantize(Decimal("0.01")):
            errors["amount"] = "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"
    if kind in (AssistanceKind.EMERGENCY_GRANT, AssistanceKind.CASH) and amount is None:
        errors["amount"] = "ความช่วยเหลือที่เป็นเงินต้องระบุจำนวนเงิน"
    if kind == AssistanceKind.EMERGENCY_GRANT and not regulation.strip():
        errors["regulation"] = "กรุณาระบุระเบียบหรือประเภทเงินสงเคราะห์"
    if not description.strip():
        errors["description"] = "กรุณาระบุรายละเอียดความช่วยเหลือ"
    if given_on > timezone.localdate():
        errors["given_on"] = "วันที่ให้ความช่วยเหลือต้องไม่อยู่ในอนาคต"
    elif given_on < timezone.localdate(case.reported_at):
        errors["given_on"] = "วันที่ให้ความช่วยเหลือต้องไม่ก่อนวันที่รับแจ้งกรณี"
    if errors:
        raise ValidationError(errors)
    row = Assistance.objects.create(
        case=case,
        person=case.person,
        household=case.household,
        center=case.center,
        kind=kind,
        amount=amount,
        regulation=regulation.strip(),
        description=description.strip(),
        given_on=given_on,
        provider=provider.strip(),
        recorded_by=_user(actor),
    )
    record_event(
        actor=actor,
        action="record_assistance",
        obj=case,
        changes={"assistance": row.pk, "kind": kind, "amount": amount},
    )
    if case.closed_at is not None:
        # Help and the outcome of its case count in the month the case was closed.
        mark_rollups_stale(center_id=case.center_id, on=case.closed_at)
    return row


# --- Closing -----------------------------------------------------------------------------------


@transaction.atomic
def request_closure(
    *, actor, case: Case, outcome: str, note: str = "", expected_version: int | None = None
) -> Case:
    """Ask to close a case with an outcome; a chair or officer approves (or closes directly)."""
    if not outcome:
        raise ValidationError({"outcome": "กรุณาเลือกผลการดำเนินงานก่อนปิดกรณี"})
    outcome = Outcome(outcome)
    if not case.is_open:
        raise ValidationError({"outcome": "กรณีนี้ปิดแล้ว"})
    _bump(
        case,
        expected_version,
        status=Status.CLOSURE_REQUESTED,
        outcome=outcome,
        closure_note=note.strip(),
        closure_requested_by=_user(actor),
    )
    record_event(
        actor=actor, action="request_closure", obj=case, changes={"outcome": outcome}, reason=note
    )
    for chair in _chairs_of(case.center_id):
        notify(
            user=chair,
            kind="closure_requested",
            url=_case_url(case),
            message=f"ขออนุมัติปิดกรณี {case.number} ({outcome.label})",
            dedupe_key=f"closure-requested:{case.pk}:{case.version}",
        )
    return case


@transaction.atomic
def approve_closure(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """A chair or an officer closes the case with the requested outcome."""
    if not _may_manage(actor, case):
        raise PermissionDenied
    if case.status != Status.CLOSURE_REQUESTED or not case.outcome:
        raise ValidationError({"outcome": "ยังไม่มีคำขอปิดกรณีพร้อมผลการดำเนินงาน"})
    _bump(
        case,
        expected_version,
        status=Status.CLOSED,
        closed_at=timezone.now(),
        closed_by=_user(actor),
        next_follow_up_on=None,
    )
    case.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    record_event(actor=actor, action="approve_closure", obj=case, changes={"outcome": case.outcome})
    return case


@transaction.atomic
def close_case(
    *, actor, case: Case, outcome: str, note: str = "", expected_version: int | None = None
) -> Case:
    """A chair or officer closes in one step (request and approval together)."""
    if not _may_manage(actor, case):
        raise PermissionDenied
    request_closure(
        actor=actor, case=case, outcome=outcome, note=note, expected_version=expected_version
    )
    return approve_closure(actor=actor, case=case)


@transaction.atomic
def reopen_case(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    if not _may_manage(actor, case):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุผลการเปิดกรณีอีกครั้ง"})
    if case.is_open:
        raise ValidationError({"reason": "กรณีนี้ยังเปิดอยู่"})
    old_outcome, old_closed_at = case.outcome, case.closed_at
    _bump(
        case,
        expected_version,
        status=Status.IN_PROGRESS,
        outcome="",
        closed_at=None,
        closed_by=None,
        next_follow_up_on=timezone.localdate() + dt.timedelta(days=7),
    )
    if old_closed_at is not None:
        CaseReopening.objects.create(
            case=case, closed_at=old_closed_at, outcome=old_outcome, reopened_at=timezone.now()
        )
    record_event(
        actor=actor,
        action="reopen_case",
        obj=case,
        changes={"outcome": [old_outcome, ""]},
        reason=reason.strip(),
    )
    return case


# --- Watch (เฝ้าระวัง) ------------------------------------------------------------------------


@transaction.atomic
def flag_overdue_cases(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Tell chairs about emergencies not visited within 24 h and about overdue follow-ups.

    Each case is flagged once per kind (and once per overdue date), so running this every
    hour never repeats a notification.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"emergency_unvisited": 0, "follow_up_overdue": 0}
    emergencies = Case.objects.filter(
        status__in=OPEN_STATUSES,
        urgency=Urgency.EMERGENCY,
        first_visit_at__isnull=True,
        emergency_flagged_at__isnull=True,
        reported_at__lt=now - dt.timedelta(hours=24),
    ).select_related("person")
    emergencies = list(emergencies)
    overdue = list(
        Case.objects.filter(status__in=OPEN_STATUSES, next_follow_up_on__lt=today).only(
            "pk", "number", "center_id", "next_follow_up_on"
        )
    )
    chairs = _chairs_by_center({case.center_id for case in [*emergencies, *overdue]})
    for case in emergencies:
        for chair in chairs.get(case.center_id, []):
            notify(
                user=chair,
                kind="emergency_unvisited",
                url=_case_url(case),
                message=f"กรณีฉุกเฉิน {case.number} ยังไม่มีการเยี่ยมภายใน 24 ชั่วโมง",
                dedupe_key=f"emergency-unvisited:{case.pk}",
            )
        Case.objects.filter(pk=case.pk).update(emergency_flagged_at=now)
        counts["emergency_unvisited"] += 1
    for case in overdue:
        for chair in chairs.get(case.center_id, []):
            notify(
                user=chair,
                kind="follow_up_overdue",
                url=_case_url(case),
                message=f"กรณี {case.number} เลยกำหนดติดตาม",
                dedupe_key=f"follow-up-overdue:{case.pk}:{case.next_follow_up_on}",
            )
        counts["follow_up_overdue"] += 1
    return counts
