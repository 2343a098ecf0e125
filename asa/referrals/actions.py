"""Every write to One Home: the partner directory, referrals, links, case conferences."""

import datetime as dt
import hashlib
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from asa.accounts.actions import notify
from asa.accounts.events import diff, record_event
from asa.lib.crypto import seal_values
from asa.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    Agency,
    AgencyArea,
    AgencyContact,
    AgencyKind,
    CaseConference,
    ConferenceAction,
    Referral,
    ReferralLink,
    ReferralStatus,
    Service,
)
from asa.reports.actions import mark_referral_rollups_stale


@transaction.atomic
def register_agency(
    *,
    actor,
    name_th: str,
    kind: str,
    name_en: str = "",
    province=None,
    phone: str = "",
    email: str = "",
) -> Agency:
    """Add a partner agency to the One Home directory."""
    name_th = " ".join((name_th or "").split())
    if not name_th:
        raise ValidationError({"name_th": "กรุณากรอกชื่อหน่วยงาน"})
    if Agency.objects.filter(name_th=name_th).exists():
        raise ValidationError({"name_th": "มีหน่วยงานชื่อนี้ในทำเนียบแล้ว"})
    agency = Agency.objects.create(
        name_th=name_th,
        name_en=name_en,
        kind=AgencyKind(kind),
        province=province,
        phone=phone,
        email=email,
    )
    record_event(actor=actor, action="register_agency", obj=agency, changes={"kind": kind})
    return agency


# --- Directory ---------------------------------------------------------------------------------


@transaction.atomic
def update_agency(*, actor, agency: Agency, services=None, area_codes=None, **fields) -> Agency:
    """Change an agency's details, its services and the DOPA areas it covers."""
    allowed = {"name_th", "name_en", "kind", "province", "phone", "email", "address", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"update_agency got unexpected fields: {sorted(unknown)}")
    changes = diff(agency, fields)
    for field, value in fields.items():
        setattr(agency, field, value)
    if changes:
        agency.save(update_fields=list(changes))
    if services is not None:
        before = set(agency.services.values_list("pk", flat=True))
        after = {service.pk for service in services}
        if before != after:
            agency.services.set(services)
            changes["services"] = [sorted(before), sorted(after)]
    if area_codes is not None:
        codes = _check_area_codes(area_codes)
        before = set(agency.areas.values_list("area_code", flat=True))
        if before != codes:
            agency.areas.exclude(area_code__in=codes).delete()
            AgencyArea.objects.bulk_create(
                [AgencyArea(agency=agency, area_code=code) for code in codes - before]
            )
            changes["areas"] = [sorted(before), sorted(codes)]
    if changes:
        record_event(actor=actor, action="update_agency", obj=agency, changes=changes)
    return agency


def _check_area_codes(area_codes) -> set[str]:
    from asa.geo.models import District, Province, Subdistrict

    codes = {str(code).strip() for code in area_codes if str(code).strip()}
    known = (
        set(Province.objects.filter(code__in=codes).values_list("code", flat=True))
        | set(District.objects.filter(code__in=codes).values_list("code", flat=True))
        | set(Subdistrict.objects.filter(code__in=codes).values_list("code", flat=True))
    )
    unknown = codes - known
    if unknown:
        raise ValidationError({"areas": f"ไม่พบรหัสพื้นที่: {', '.join(sorted(unknown))}"})
    return codes


@transaction.atomic
def add_agency_contact(
    *,
    actor,
    agency: Agency,
    name: str,
    position: str = "",
    phone: str = "",
    email: str = "",
    line_id: str = "",
    receives_referrals: bool = True,
) -> AgencyContact:
    if not name.strip():
        raise ValidationError({"name": "กรุณากรอกชื่อผู้ประสานงาน"})
    if receives_referrals and not (email.strip() or phone.strip() or line_id.strip()):
        raise ValidationError({"email": "ผู้รับลิงก์ส่งต่อต้องมีอีเมล โทรศัพท์ หรือ LINE อย่างน้อยหนึ่งช่องทาง"})
    contact = AgencyContact.objects.create(
        agency=agency,
        name=name.strip(),
        position=position.strip(),
        phone=phone.strip(),
        email=email.strip(),
        line_id=line_id.strip(),
        receives_referrals=receives_referrals,
    )
    record_event(
        actor=actor, action="add_agency_contact", obj=agency, changes={"contact": contact.name}
    )
    return contact


# --- Referral ----------------------------------------------------------------------------------


def sharing_basis(person):
    """The current consent record that allows sharing with partners, or None.

    A basis other than consent (vital interest, public task, legal obligation) allows sharing;
    consent allows it only when the person (or guardian) agreed to sharing.
    """
    from asa.registry.models import LegalBasis

    for consent in person.consents.filter(withdrawn_on__isnull=True).order_by("-given_on", "-id"):
        if consent.basis != LegalBasis.CONSENT or consent.allows_sharing:
            return consent
    return None


def shared_snapshot(case, service: Service, need: str) -> dict:
    """The minimum the partner sees for this service, copied at sending."""
    person = case.person
    today = timezone.localdate()
    age = None
    if person.birth_date:
        age = (
            today.year
            - person.birth_date.year
            - ((today.month, today.day) < (person.birth_date.month, person.birth_date.day))
        )
    available = {
        "full_name": person.full_name,
        "sex": person.get_sex_display(),
        "age": age,
        "phone": person.phone,
        "address": person.address_line,
        "need": need,
        "target_groups": [group.name_th for group in person.target_groups.all()],
        "problems": [
            row.problem_type.name_th for row in person.problems.select_related("problem_type")
        ],
        "disability": person.disability_type,
        "national_id": person.id_number if person.id_type == "national_id" else "",
        "household": _household_summary(case),
    }
    fields = service.shared_fields or ["full_name", "need"]
    snapshot = {field: available.get(field) for field in fields}
    # Who to call back: the partner closes the loop with the sending center, not the person.
    snapshot["sender_center"] = case.center.name_th
    snapshot["sender_contact"] = case.center.phone or case.center.email
    return seal_values(snapshot)  # the person's phone and ID stay encrypted at rest


def _household_summary(case) -> str:
    if not case.household_id:
        return ""
    members = case.household.memberships.filter(ended_on__isnull=True).count()
    return f"{case.household.code} ({members} คน)"


@transaction.atomic
def send_referral(
    *, actor, case, agency: Agency, service: Service, need: str, note: str = "", plan_item=None
) -> Referral:
    """Refer the case's person to an agency for a service, sharing only what it needs.

    Refused without a legal basis or consent to share, or to an agency not offering the
    service.
    """
    errors = {}
    if not need.strip():
        errors["need"] = "กรุณาระบุความต้องการที่ส่งต่อ"
    if not agency.is_active:
        errors["agency"] = "หน่วยงานนี้ไม่ได้ใช้งานแล้ว"
    elif not agency.services.filter(pk=service.pk).exists():
        errors["service"] = f"{agency.name_th} ไม่ได้ให้บริการ “{service.name_th}”"
    if not case.is_open:
        errors["case"] = "กรณีนี้ปิดแล้ว"
    consent = sharing_basis(case.person)
    if consent is None:
        errors["consent"] = (
            "ยังไม่มีฐานทางกฎหมายหรือความยินยอมให้ส่งต่อข้อมูล กรุณาบันทึกความยินยอมที่หน้าข้อมูลบุคคลก่อน"
        )
    if plan_item is not None and plan_item.case_id != case.pk:
        errors["plan_item"] = "แผนนี้ไม่ใช่ของกรณีนี้"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    referral = Referral.objects.create(
        case=case,
        center_id=case.center_id,
        district_id=case.district_id,
        agency=agency,
        service=service,
        need=need.strip(),
        note=note.strip(),
        plan_item=plan_item,
        consent=consent,
        shared_data=shared_snapshot(case, service, need),
        respond_by=today + dt.timedelta(days=service.respond_within_days),
        complete_by=today + dt.timedelta(days=service.complete_within_days),
        sent_by=_user(actor),
    )
    mark_referral_rollups_stale(referral=referral)
    record_event(
        actor=actor,
        action="send_referral",
        obj=case,
        changes={
            "referral": referral.pk,
            "agency": agency.name_th,
            "service": service.code,
            "shared": sorted(referral.shared_data),
        },
    )
    for user in agency_users(agency):
        notify(
            user=user,
            kind="referral_received",
            url=f"/referrals/{referral.pk}/",
            message=f"มีการส่งต่อใหม่: {service.name_th} — {need.strip()[:100]}",
            dedupe_key=f"referral-received:{referral.pk}",
        )
    return referral


def agency_users(agency: Agency):
    from asa.accounts.models import Role, User

    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.AGENCY_USER, role_assignments__agency=agency
        ).distinct()
    )


# Allowed moves: (from, to) → who answers (the partner, or the sender).
PARTNER_MOVES = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {
        ReferralStatus.IN_SERVICE,
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
    },
    ReferralStatus.IN_SERVICE: {ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED},
}
NEEDS_REASON = {
    ReferralStatus.DECLINED,
    ReferralStatus.NOT_COMPLETED,
    ReferralStatus.COMPLETED,
    ReferralStatus.WITHDRAWN,
}


@transaction.atomic
def answer_referral(
    *,
    actor,
    referral: Referral,
    status: str,
    reason: str = "",
    via_link: bool = False,
    expected_version: int | None = None,
) -> Referral:
    """The partner accepts, declines (why), starts, completes (what) or cannot complete (why)."""
    status = ReferralStatus(status)
    if status not in PARTNER_MOVES.get(ReferralStatus(referral.status), set()):
        raise ValidationError(
            {
                "status": f"เปลี่ยนจาก “{ReferralStatus(referral.status).label}” "
                f"เป็น “{status.label}” ไม่ได้"
            }
        )
    if status in NEEDS_REASON and not reason.strip():
        raise ValidationError(
            {
                "reason": {
                    ReferralStatus.DECLINED: "กรุณาระบุเหตุผลที่ปฏิเสธ",
                    ReferralStatus.COMPLETED: "กรุณาระบุบริการที่ให้",
                    ReferralStatus.NOT_COMPLETED: "กรุณาระบุเหตุผลที่ให้บริการไม่สำเร็จ",
                }[status]
            }
        )
    _move(referral, status, reason, expected_version)
    record_event(
        actor=actor,
        action=f"referral_{status}",
        obj=referral.case,
        changes={
            "referral": referral.pk,
            "agency": referral.agency.name_th,
            "status": status,
            "via_link": via_link,
        },
        reason=reason.strip(),
    )
    _tell_sender(referral, status)
    if status in (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED, ReferralStatus.DECLINED):
        # Finished: the links still open for it (other contacts, earlier steps) stop now.
        revoke_referral_links(actor=actor, referrals=[referral], reason="การส่งต่อสิ้นสุดแล้ว")
        _update_plan(referral, actor)
    return referral


@transaction.atomic
def withdraw_referral(
    *, actor, referral: Referral, reason: str, expected_version: int | None = None
) -> Referral:
    if not referral.is_open:
        raise ValidationError({"status": "การส่งต่อนี้สิ้นสุดแล้ว"})
    if not reason.strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุผลที่ถอนการส่งต่อ"})
    _move(referral, ReferralStatus.WITHDRAWN, reason, expected_version)
    record_event(
        actor=actor,
        action="referral_withdrawn",
        obj=referral.case,
        changes={"referral": referral.pk},
        reason=reason.strip(),
    )
    revoke_referral_links(actor=actor, referrals=[referral], reason="ถอนการส่งต่อ")
    for user in agency_users(referral.agency):
        notify(
            user=user,
            kind="referral_withdrawn",
            url=f"/referrals/{referral.pk}/",
            message=f"ผู้ส่งถอนการส่งต่อ: {referral.service.name_th}",
            dedupe_key=f"referral-withdrawn:{referral.pk}",
        )
    return referral


def _move(referral: Referral, status: str, reason: str, expected_version: int | None) -> None:
    now = timezone.now()
    values = {"status": status, "status_reason": reason.strip(), "updated_at": now}
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        values["responded_at"] = now
    if status in (
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    ):
        values["finished_at"] = now
    query = Referral.objects.filter(pk=referral.pk, status=referral.status)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if not query.update(version=F("version") + 1, **values):
        raise ValidationError({"version": "การส่งต่อนี้ถูกเปลี่ยนโดยผู้อื่นแล้ว กรุณาโหลดหน้าใหม่"})
    for field, value in values.items():
        setattr(referral, field, value)
    referral.version += 1
    mark_referral_rollups_stale(referral=referral)


def _tell_sender(referral: Referral, status: str) -> None:
    from asa.cases.models import CaseAssignment

    people = set()
    if referral.sent_by_id:
        people.add(referral.sent_by)
    for assignment in CaseAssignment.objects.filter(
        case=referral.case_id, ended_at__isnull=True, volunteer__user__isnull=False
    ).select_related("volunteer__user"):
        people.add(assignment.volunteer.user)
    label = ReferralStatus(status).label
    for user in people:
        notify(
            user=user,
            kind="referral_answered",
            url=f"/cases/{referral.case_id}/",
            message=f"{referral.agency.name_th}: {label} — {referral.service.name_th}",
            dedupe_key=f"referral-answered:{referral.pk}:{status}",
        )


def _update_plan(referral: Referral, actor) -> None:
    """When every referral for a plan item's need has ended, the plan item is done."""
    from asa.cases.actions import update_plan_item
    from asa.cases.models import PlanItemStatus

    item = referral.plan_item
    if item is None or item.status in (PlanItemStatus.DONE, PlanItemStatus.CANCELLED):
        return
    if item.referrals.filter(status__in=OPEN_REFERRAL_STATUSES).exists():
        return
    completed = item.referrals.filter(status=ReferralStatus.COMPLETED).exists()
    update_plan_item(
        actor=actor,
        item=item,
        status=PlanItemStatus.DONE if completed else PlanItemStatus.IN_PROGRESS,
        progress_note=("ภาคีให้บริการครบตามที่ส่งต่อ" if completed else "การส่งต่อไม่สำเร็จ ต้องวางแผนใหม่"),
    )


# --- Links for partners without users ----------------------------------------------------------

LINK_SALT = "asa.referral-link"
LINK_LIFETIME = dt.timedelta(days=7)
LINK_ACTIONS = {
    "accept": ReferralStatus.ACCEPTED,
    "decline": ReferralStatus.DECLINED,
    "start": ReferralStatus.IN_SERVICE,
    "complete": ReferralStatus.COMPLETED,
    "not_complete": ReferralStatus.NOT_COMPLETED,
}


@transaction.atomic
def issue_referral_link(
    *,
    actor,
    referral: Referral,
    contact: AgencyContact | None = None,
    lifetime: dt.timedelta = LINK_LIFETIME,
) -> str:
    """Make a single-use signed link for the agency's contact; returns its path."""
    if contact is not None and contact.agency_id != referral.agency_id:
        raise ValidationError({"contact": "ผู้ประสานงานไม่ใช่ของหน่วยงานที่รับการส่งต่อ"})
    if not referral.is_open:
        raise ValidationError({"status": "การส่งต่อนี้สิ้นสุดแล้ว"})
    token = signing.dumps({"r": referral.pk, "n": secrets.token_urlsafe(16)}, salt=LINK_SALT)
    link = ReferralLink.objects.create(
        referral=referral,
        contact=contact,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + lifetime,
    )
    path = f"/r/{token}/"
    record_event(
        actor=actor,
        action="issue_referral_link",
        obj=referral.case,
        changes={
            "referral": referral.pk,
            "link": link.pk,
            "contact": contact.name if contact else "",
        },
    )
    if contact is not None:
        _send_link(contact, referral, path)
    return path


def _send_link(contact: AgencyContact, referral: Referral, path: str) -> None:
    import logging

    from django.conf import settings

    from asa.accounts.channels import DeliveryError, channel_for

    message = (
        f"Asa (อาสา): มีการส่งต่อ “{referral.service.name_th}” ถึง {referral.agency.name_th} "
        "กรุณาตอบรับหรือรายงานผลผ่านลิงก์ (ใช้ได้ครั้งเดียว)"
    )
    url = settings.SITE_URL.rstrip("/") + path

    def send():
        # A provider's refusal must not turn the sender's page into an error: the link is on
        # the page to copy or share (LINE share) either way. A typed LINE ID is not a
        # Messaging API user id, so LINE contacts get the link through the share button.
        try:
            if contact.email:
                channel_for("email").send(contact.email, message, path)
            elif contact.phone:
                channel_for("sms").send(contact.phone, f"{message} {url}", "")
        except DeliveryError as error:
            logging.getLogger(__name__).warning(
                "referral link to contact %s not sent: %s", contact.pk, error.reason
            )

    transaction.on_commit(send)


@transaction.atomic
def revoke_referral_links(*, actor, referrals, reason: str) -> int:
    """Stop every open link (unused, unexpired, not yet revoked) of these referrals at once.

    Called when a referral is withdrawn or finished, when the consent it was sent under is
    withdrawn, and when its case moves to another center: the partner's page would otherwise
    keep showing the person until the link expired. Returns how many links were revoked.
    """
    now = timezone.now()
    open_links = ReferralLink.objects.filter(
        referral__in=referrals, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    revoked = list(open_links.values_list("pk", "referral_id"))
    if revoked:
        ReferralLink.objects.filter(pk__in=[pk for pk, _ in revoked]).update(revoked_at=now)
        by_referral: dict[int, list[int]] = {}
        for pk, referral_id in revoked:
            by_referral.setdefault(referral_id, []).append(pk)
        for referral_id, links in by_referral.items():
            record_event(
                actor=actor,
                action="revoke_referral_links",
                object_type="referrals.referral",
                object_id=str(referral_id),
                changes={"referral": referral_id, "links": links},
                reason=reason,
            )
    return len(revoked)


class LinkRefused(Exception):
    """A referral link that cannot be used; the message is Thai and says why."""


def referral_for_link(token: str) -> tuple[Referral, ReferralLink]:
    """The referral a link points to, if the link is genuine, unexpired and unused."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as error:
        raise LinkRefused("ลิงก์ไม่ถูกต้อง") from error
    link = (
        ReferralLink.objects.select_related(
            "referral__agency", "referral__service", "referral__consent"
        )
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    if link is None or link.referral_id != payload.get("r"):
        raise LinkRefused("ลิงก์ไม่ถูกต้อง")
    if link.used_at is not None:
        raise LinkRefused("ลิงก์นี้ถูกใช้ไปแล้ว (ใช้ได้ครั้งเดียว)")
    if (
        link.revoked_at is not None
        or not link.referral.is_open
        or link.referral.consent.withdrawn_on is not None
    ):
        # Revoked with its referral (withdrawn, finished, consent withdrawn, case moved); the
        # status and consent are checked too, so a link missed by a revocation still stops.
        raise LinkRefused("ลิงก์นี้ถูกยกเลิกแล้ว กรุณาติดต่อศูนย์ที่ส่งต่อ")
    if link.expires_at < timezone.now():
        raise LinkRefused("ลิงก์นี้หมดอายุแล้ว กรุณาติดต่อศูนย์ที่ส่งต่อเพื่อขอลิงก์ใหม่")
    return link.referral, link


@transaction.atomic
def answer_by_link(*, token: str, action: str, reason: str = "") -> Referral:
    """A partner without users answers through its link; the link is then spent."""
    referral, link = referral_for_link(token)
    if action not in LINK_ACTIONS:
        raise ValidationError({"action": "ไม่รู้จักคำสั่งนี้"})
    spent = ReferralLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now(), used_for=action
    )
    if not spent:  # a concurrent use won the race
        raise LinkRefused("ลิงก์นี้ถูกใช้ไปแล้ว (ใช้ได้ครั้งเดียว)")
    answer_referral(
        actor=None, referral=referral, status=LINK_ACTIONS[action], reason=reason, via_link=True
    )
    if referral.is_open:
        # The partner will need to report again (e.g. completion after accepting).
        issue_referral_link(actor=None, referral=referral, contact=link.contact)
    return referral


# --- Overdue -----------------------------------------------------------------------------------


@transaction.atomic
def flag_overdue_referrals(*, today: dt.date | None = None) -> int:
    """Tell senders about referrals not answered or not finished by their due dates (once)."""
    today = today or timezone.localdate()
    overdue = Referral.objects.filter(
        models.Q(status=ReferralStatus.SENT, respond_by__lt=today)
        | models.Q(
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
        )
    ).select_related("sent_by", "agency", "service")
    count = 0
    for referral in overdue:
        if referral.sent_by_id:
            notify(
                user=referral.sent_by,
                kind="referral_overdue",
                url=f"/cases/{referral.case_id}/",
                message=f"การส่งต่อถึง {referral.agency.name_th} เลยกำหนด "
                f"({ReferralStatus(referral.status).label})",
                dedupe_key=f"referral-overdue:{referral.pk}:{referral.status}",
            )
        count += 1
    return count


# --- One Home team -----------------------------------------------------------------------------


@transaction.atomic
def hold_conference(
    *,
    actor,
    case,
    held_on: dt.date,
    decisions: str,
    agencies=(),
    place: str = "",
    attendees: str = "",
) -> CaseConference:
    """Record a case conference of the center and partner agencies."""
    errors = {}
    if held_on > timezone.localdate() + dt.timedelta(days=60):
        errors["held_on"] = "วันที่ประชุมไกลเกินไป กรุณาตรวจสอบ"
    if not decisions.strip():
        errors["decisions"] = "กรุณาบันทึกมติที่ประชุม"
    if errors:
        raise ValidationError(errors)
    conference = CaseConference.objects.create(
        case=case,
        held_on=held_on,
        place=place.strip(),
        attendees=attendees.strip(),
        decisions=decisions.strip(),
        recorded_by=_user(actor),
    )
    if agencies:
        conference.agencies.set(agencies)
    record_event(
        actor=actor,
        action="hold_conference",
        obj=case,
        changes={"conference": conference.pk, "agencies": [agency.name_th for agency in agencies]},
    )
    return conference


@transaction.atomic
def add_conference_action(
    *,
    actor,
    conference: CaseConference,
    action: str,
    due_on: dt.date,
    owner_agency: Agency | None = None,
    owner_center=None,
) -> ConferenceAction:
    errors = {}
    if not action.strip():
        errors["action"] = "กรุณาระบุสิ่งที่ต้องทำ"
    if owner_agency is None and owner_center is None:
        errors["owner_agency"] = "กรุณาระบุหน่วยงานหรือศูนย์ที่รับผิดชอบ"
    if due_on < conference.held_on:
        errors["due_on"] = "กำหนดเสร็จต้องไม่ก่อนวันประชุม"
    if errors:
        raise ValidationError(errors)
    row = ConferenceAction.objects.create(
        conference=conference,
        action=action.strip(),
        due_on=due_on,
        owner_agency=owner_agency,
        owner_center=owner_center,
    )
    record_event(
        actor=actor,
        action="add_conference_action",
        obj=conference.case,
        changes={"conference": conference.pk, "action": row.action},
    )
    return row


@transaction.atomic
def complete_conference_action(
    *, actor, action: ConferenceAction, note: str = ""
) -> ConferenceAction:
    if action.done_on is not None:
        raise ValidationError({"action": "งานนี้เสร็จแล้ว"})
    action.done_on = timezone.localdate()
    action.done_note = note.strip()
    action.save(update_fields=["done_on", "done_note"])
    record_event(
        actor=actor,
        action="complete_conference_action",
        obj=action.conference.case,
        changes={"conference": action.conference_id, "action": action.action},
    )
    return action


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- Audit of link pages -----------------------------------------------------------------------


@transaction.atomic
def record_link_opened(*, link: ReferralLink) -> None:
    """Audit that a partner opened its link and so saw the shared fields."""
    record_event(
        actor=None,
        action="referral_link_opened",
        object_type="referrals.referral",
        object_id=str(link.referral_id),
        changes={"referral": link.referral_id, "link": link.pk},
    )


@transaction.atomic
def record_referral_opened(*, actor, referral: Referral, via: str) -> None:
    """Audit that a user of the partner agency opened a referral (its shared fields: name,
    phone, address...), through the page or the API — as a signed-link opening is."""
    record_event(
        actor=actor,
        action="referral_opened",
        object_type="referrals.referral",
        object_id=str(referral.pk),
        changes={"referral": referral.pk, "agency": referral.agency_id, "via": via},
    )


@transaction.atomic
def record_link_refusal(*, token: str, reason: str, action: str = "") -> ReferralLink | None:
    """Audit a refused use of a referral link (tampered, used or expired).

    Returns the link when the token is one Asa issued (used or expired), None when it is not
    (tampered or made up). Only a prefix of the token's hash is kept, never the token.
    """
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    link = ReferralLink.objects.filter(token_hash=token_hash).first()
    record_event(
        actor=None,
        action="referral_link_refused",
        object_type="referrals.referral" if link else "referrals.referrallink",
        object_id=str(link.referral_id) if link else "",
        changes={
            "referral": link.referral_id if link else None,
            "link": link.pk if link else None,
            "token_hash": token_hash[:16],
            "action": action[:20],
        },
        reason=reason,
    )
    return link


@transaction.atomic
def update_agency_contact(*, actor, contact: AgencyContact, **fields) -> AgencyContact:
    """Change a contact person's details (name, position, phone, email, LINE, link receipt)."""
    allowed = {"name", "position", "phone", "email", "line_id", "receives_referrals"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"update_agency_contact got unexpected fields: {sorted(unknown)}")
    fields = {
        key: value.strip() if isinstance(value, str) else value for key, value in fields.items()
    }
    if "name" in fields and not fields["name"]:
        raise ValidationError({"name": "กรุณากรอกชื่อผู้ประสานงาน"})
    changes = diff(contact, fields)
    if not changes:
        return contact
    for field, value in fields.items():
        setattr(contact, field, value)
    if contact.receives_referrals and not (contact.email or contact.phone or contact.line_id):
        raise ValidationError({"email": "ผู้รับลิงก์ส่งต่อต้องมีอีเมล โทรศัพท์ หรือ LINE อย่างน้อยหนึ่งช่องทาง"})
    contact.save(update_fields=list(changes))
    record_event(
        actor=actor,
        action="update_agency_contact",
        obj=contact.agency,
        changes={"contact": contact.name, **changes},
    )
    return contact
