"""Every write of the field app: what a phone's outbox sends, and the chair's review of it.

A phone sends each item once or many times (a retry after a timeout, the "send now" button);
the id it made (`client_id`) makes the first one count and every resend answer the same. The
work itself is done by the existing actions (record_visit, register_person + open_case,
distribute_items), which take the id as their idempotency key. When an item can no longer be
applied as sent, it is kept as an OfflineSubmission for the chair of the volunteer's center.
"""

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from asa.accounts.access import scope_of, visible
from asa.accounts.events import record_event
from asa.aid.models import Distribution, Item
from asa.cases.models import Case, Source, Urgency, Visit
from asa.centers.models import Center, Volunteer, VolunteerStatus
from asa.field.models import (
    OfflineSubmission,
    OfflineSubmissionFile,
    SubmissionFileRole,
    SubmissionKind,
    SubmissionStatus,
)

MAXIMUM_PHOTOS = 5


class NeedsAttention(Exception):
    """The item cannot be applied as sent; `reason` says why, in Thai."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class SyncResult:
    state: str  # "sent", "needs_attention" or "discarded"
    reason: str = ""
    url: str = ""


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _own_volunteer(actor) -> Volunteer | None:
    """The actor's active volunteer record (a chair is a volunteer of their center too)."""
    ids = scope_of(actor).volunteer_ids
    if not ids:
        return None
    return (
        Volunteer.objects.select_related("center")
        .filter(pk__in=ids, status=VolunteerStatus.ACTIVE)
        .order_by("pk")
        .first()
    )


def _case_for(actor, case_id) -> Case:
    """The case the item is about, still the actor's to write to; else why not, in Thai."""
    case = Case.objects.select_related("center").filter(pk=case_id).first() if case_id else None
    if case is None:
        raise NeedsAttention("ไม่พบกรณีนี้ในระบบ")
    scope = scope_of(actor)
    if not case.is_open:
        raise NeedsAttention(f"กรณี {case.number} ปิดไปแล้วระหว่างที่คุณออฟไลน์")
    managing = scope.national or scope.is_officer or scope.chair_center_ids
    if case.center_id not in scope.center_ids and not managing:
        raise NeedsAttention(f"กรณี {case.number} ถูกโอนไปยังศูนย์อื่นระหว่างที่คุณออฟไลน์")
    if not visible(actor, Case.objects.filter(pk=case.pk), write=True).exists():
        if case.center_id not in scope.center_ids:
            raise NeedsAttention(f"กรณี {case.number} อยู่นอกศูนย์ของคุณแล้ว")
        raise NeedsAttention(f"คุณไม่ได้รับมอบหมายกรณี {case.number} แล้ว")
    return case


def _when(value, field: str) -> dt.datetime:
    moment = parse_datetime(str(value or ""))
    if moment is None:
        raise ValidationError({field: "วันเวลาไม่ถูกต้อง"})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _day(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    day = parse_date(str(value))
    if day is None:
        raise ValidationError({field: "วันที่ไม่ถูกต้อง"})
    return day


def _apply_visit(*, actor, payload, photos, client_id, submitter: Volunteer | None) -> str:
    from asa.cases.actions import record_visit

    case = _case_for(actor, payload.get("case"))
    volunteers = []
    if submitter is not None and submitter.center_id == case.center_id:
        volunteers.append(submitter)
    others = [int(pk) for pk in payload.get("volunteers") or [] if str(pk).isdigit()]
    if others:
        volunteers += list(
            Volunteer.objects.filter(pk__in=others, center_id=case.center_id).exclude(
                pk__in=[volunteer.pk for volunteer in volunteers]
            )
        )
    visit = record_visit(
        actor=actor,
        case=case,
        visited_at=_when(payload.get("visited_at"), "visited_at"),
        observations=str(payload.get("observations") or ""),
        met_whom=str(payload.get("met_whom") or "")[:300],
        needs=str(payload.get("needs") or ""),
        next_visit_on=_day(payload.get("next_visit_on"), "next_visit_on"),
        latitude=payload.get("latitude") or None,
        longitude=payload.get("longitude") or None,
        volunteers=volunteers,
        photos=photos[:MAXIMUM_PHOTOS],
        client_id=client_id,
    )
    return reverse("cases:case_detail", args=[visit.case_id])


def _apply_report(*, actor, payload, client_id, submitter: Volunteer | None, override: str) -> str:
    from asa.cases.actions import open_case
    from asa.registry.actions import DuplicateSuspected, register_person

    center = submitter.center if submitter is not None else None
    person_fields = {
        field: str(payload.get(field) or "").strip()
        for field in ("title", "house_number", "moo", "village", "phone")
        if payload.get(field)
    }
    birth_year = str(payload.get("birth_year") or "").strip()
    if birth_year:
        if not birth_year.isdigit() or not 1900 <= int(birth_year) - 543 <= dt.date.today().year:
            raise ValidationError({"birth_year": "ปีเกิด (พ.ศ.) ไม่ถูกต้อง"})
        person_fields["birth_date"] = dt.date(int(birth_year) - 543, 1, 1)
        person_fields["birth_date_precision"] = "year"
    if payload.get("subdistrict"):
        person_fields["subdistrict"] = str(payload["subdistrict"])
    elif center is not None:
        person_fields["subdistrict"] = center.subdistrict_id
    try:
        person = register_person(
            actor=actor,
            first_name=str(payload.get("first_name") or "").strip(),
            last_name=str(payload.get("last_name") or "").strip(),
            center=None,
            duplicate_override_reason=override,
            source="field_app",
            **person_fields,
        )
    except DuplicateSuspected as error:
        names = ", ".join(
            f"{candidate.full_name} (รหัส {candidate.pk})" for candidate, _, _ in error.candidates
        )
        raise NeedsAttention(f"พบบุคคลที่อาจเป็นคนเดียวกันในระบบ: {names}") from error
    urgency = payload.get("urgency") if payload.get("urgency") in Urgency.values else "routine"
    case = open_case(
        actor=actor,
        person=person,
        source=Source.FIELD,
        story=str(payload.get("story") or ""),
        urgency=urgency,
        reported_at=_when(payload.get("reported_at"), "reported_at"),
        center=center,
        client_id=client_id,
    )
    return reverse("cases:case_detail", args=[case.pk])


def _apply_handover(*, actor, payload, signature, client_id) -> str:
    from asa.aid.actions import distribute_items

    case = _case_for(actor, payload.get("case"))
    wanted = {}
    for line in payload.get("lines") or []:
        try:
            item_id, quantity = int(line[0]), int(line[1])
        except (TypeError, ValueError, IndexError) as error:
            raise ValidationError({"lines": "รายการสิ่งของไม่ถูกต้อง"}) from error
        if quantity > 0:
            wanted[item_id] = wanted.get(item_id, 0) + quantity
    items = Item.objects.in_bulk(list(wanted))
    if len(items) != len(wanted):
        raise ValidationError({"lines": "ไม่พบสิ่งของบางรายการในบัญชีสิ่งของ"})
    if signature is None:
        raise ValidationError({"signature": "ยังไม่มีลายมือชื่อผู้รับ"})
    distribution = distribute_items(
        actor=actor,
        center=case.center,
        lines=[(items[item_id], quantity) for item_id, quantity in wanted.items()],
        distributed_on=_day(payload.get("distributed_on"), "distributed_on"),
        person=case.person,
        household=case.household,
        case=case,
        signature=signature,
        signed_by_name=str(payload.get("signed_by_name") or "")[:200],
        note=str(payload.get("note") or ""),
        client_id=client_id,
    )
    return reverse("aid:distribution_receipt", args=[distribution.pk])


def _applied_url(kind: str, client_id) -> str | None:
    """Where the item already lives, when it was applied before (a resend)."""
    if kind == SubmissionKind.VISIT:
        case_id = Visit.objects.filter(client_id=client_id).values_list("case_id", flat=True)
        return reverse("cases:case_detail", args=[case_id[0]]) if case_id else None
    if kind == SubmissionKind.REPORT:
        case_id = Case.objects.filter(client_id=client_id).values_list("pk", flat=True)
        return reverse("cases:case_detail", args=[case_id[0]]) if case_id else None
    pk = Distribution.objects.filter(client_id=client_id).values_list("pk", flat=True)
    return reverse("aid:distribution_receipt", args=[pk[0]]) if pk else None


def _apply(*, actor, kind, payload, photos, signature, client_id, submitter, override="") -> str:
    if kind == SubmissionKind.VISIT:
        return _apply_visit(
            actor=actor, payload=payload, photos=photos, client_id=client_id, submitter=submitter
        )
    if kind == SubmissionKind.REPORT:
        return _apply_report(
            actor=actor,
            payload=payload,
            client_id=client_id,
            submitter=submitter,
            override=override,
        )
    return _apply_handover(actor=actor, payload=payload, signature=signature, client_id=client_id)


def _result(submission: OfflineSubmission) -> SyncResult:
    if submission.status == SubmissionStatus.APPLIED:
        return SyncResult("sent", url=submission.result_url)
    if submission.status == SubmissionStatus.DISCARDED:
        return SyncResult("discarded", reason=submission.decision_note or submission.reason)
    return SyncResult("needs_attention", reason=submission.reason)


def _signature_file(data: str | None):
    """The signature drawn on the phone, sent as a PNG data URL or a file."""
    if not data:
        return None
    if hasattr(data, "read"):
        return ContentFile(data.read(), name="signature.png")
    prefix = "data:image/png;base64,"
    if not str(data).startswith(prefix):
        raise ValidationError({"signature": "ลายมือชื่อไม่ถูกต้อง"})
    try:
        return ContentFile(base64.b64decode(str(data)[len(prefix) :]), name="signature.png")
    except ValueError as error:
        raise ValidationError({"signature": "ลายมือชื่อไม่ถูกต้อง"}) from error


def submit_offline_item(
    *, actor, client_id, kind: str, payload: dict, photos=(), signature=None
) -> SyncResult:
    """Apply one item from a phone's outbox, once; or keep it for the chair with the reason.

    Never raises for what the world did meanwhile: the answer says "needs attention" and why.
    Raises ValidationError only for a request that cannot be read (no id, unknown kind).
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError as error:
        raise ValidationError({"client_id": "รหัสรายการจากเครื่องไม่ถูกต้อง"}) from error
    if kind not in SubmissionKind.values:
        raise ValidationError({"kind": "ไม่รู้จักประเภทรายการนี้"})
    kept = OfflineSubmission.objects.filter(client_id=client_id).first()
    if kept is not None:
        return _result(kept)
    url = _applied_url(kind, client_id)
    if url is not None:
        return SyncResult("sent", url=url)
    submitter = _own_volunteer(actor)
    photos = list(photos)
    try:
        signature_file = _signature_file(signature)
    except ValidationError as error:
        signature_file, reason = None, _messages(error)
    else:
        reason = ""
        try:
            with transaction.atomic():
                url = _apply(
                    actor=actor,
                    kind=kind,
                    payload=payload,
                    photos=photos,
                    signature=signature_file,
                    client_id=client_id,
                    submitter=submitter,
                )
            return SyncResult("sent", url=url)
        except NeedsAttention as problem:
            reason = problem.reason
        except ValidationError as error:
            reason = _messages(error)
        except PermissionDenied:
            reason = "คุณไม่มีสิทธิ์บันทึกรายการนี้แล้ว"
        except IntegrityError:
            # The same item sent twice at the same moment: the other request applied it.
            url = _applied_url(kind, client_id)
            if url is not None:
                return SyncResult("sent", url=url)
            raise
    return _keep(
        actor=actor,
        client_id=client_id,
        kind=kind,
        payload=payload,
        photos=photos,
        signature=signature_file,
        reason=reason,
        submitter=submitter,
    )


@transaction.atomic
def _keep(*, actor, client_id, kind, payload, photos, signature, reason, submitter) -> SyncResult:
    center = submitter.center if submitter is not None else None
    if center is None:
        # Not a volunteer of any center any more: nobody to review it with; nothing is kept.
        return SyncResult("discarded", reason="คุณไม่ได้เป็น อพม. ของศูนย์ใดแล้ว รายการนี้จึงไม่ถูกบันทึก")
    case_id = payload.get("case") if str(payload.get("case") or "").isdigit() else None
    case = Case.objects.filter(pk=case_id).first() if case_id else None
    submission, created = OfflineSubmission.objects.get_or_create(
        client_id=client_id,
        defaults={
            "kind": kind,
            "center": center,
            "case": case,
            "submitted_by": actor,
            "volunteer": submitter,
            "payload": payload,
            "reason": reason,
        },
    )
    if not created:
        return _result(submission)
    for index, photo in enumerate(photos, start=1):
        photo.seek(0)
        kept = OfflineSubmissionFile(submission=submission, role=SubmissionFileRole.PHOTO)
        kept.name = str(getattr(photo, "name", "photo"))[:200]
        kept.file.save(f"photo-{index}", ContentFile(photo.read()), save=False)
        kept.save()
    if signature is not None:
        signature.seek(0)
        kept = OfflineSubmissionFile(submission=submission, role=SubmissionFileRole.SIGNATURE)
        kept.file.save("signature.png", ContentFile(signature.read()), save=False)
        kept.save()
    record_event(
        actor=actor,
        action="keep_offline_submission",
        obj=submission,
        changes={"kind": kind, "center": center.code, "case": case_id},
        reason=reason,
    )
    from asa.accounts.actions import notify
    from asa.cases.actions import _chairs_of

    for chair in _chairs_of(center.pk):
        notify(
            user=chair,
            kind="offline_submission",
            url=reverse("field:review_detail", args=[submission.pk]),
            message=f"รายการจากเครื่องของ {submitter.full_name} รอตรวจสอบ: {reason}"[:250],
            dedupe_key=f"offline-submission:{submission.pk}",
        )
    return SyncResult("needs_attention", reason=reason)


def _stored_files(submission: OfflineSubmission):
    photos, signature = [], None
    for kept in submission.files.all():
        content = ContentFile(kept.file.read(), name=kept.name or kept.file.name)
        kept.file.close()
        if kept.role == SubmissionFileRole.SIGNATURE:
            signature = content
        else:
            photos.append(content)
    return photos, signature


def _check_open(actor, submission: OfflineSubmission) -> None:
    if submission.status != SubmissionStatus.NEEDS_ATTENTION:
        raise ValidationError({"status": "รายการนี้ตัดสินใจไปแล้ว"})
    scope = scope_of(actor)
    center: Center = submission.center
    if not (
        scope.national
        or center.pk in scope.chair_center_ids
        or center.district_id in scope.district_codes
        or center.district_id[:2] in scope.province_codes
    ):
        raise PermissionDenied


@transaction.atomic
def apply_offline_submission(*, actor, submission: OfflineSubmission, note: str = "") -> str:
    """The chair applies a kept item as themself (after reopening the case, restocking, or
    deciding a likely duplicate is a new person: `note` is then the reason recorded)."""
    _check_open(actor, submission)
    if submission.kind == SubmissionKind.REPORT and not note.strip():
        raise ValidationError({"note": "กรุณาระบุเหตุผล (เช่น ตรวจแล้วว่าเป็นคนละคน)"})
    photos, signature = _stored_files(submission)
    try:
        with transaction.atomic():
            url = _apply(
                actor=actor,
                kind=submission.kind,
                payload=submission.payload,
                photos=photos,
                signature=signature,
                client_id=submission.client_id,
                submitter=submission.volunteer,
                override=note.strip(),
            )
    except NeedsAttention as problem:
        raise ValidationError({"note": problem.reason}) from problem
    except ValidationError as error:
        raise ValidationError({"note": _messages(error)}) from error
    submission.status = SubmissionStatus.APPLIED
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.decision_note = note.strip()
    submission.result_url = url
    submission.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "result_url"]
    )
    record_event(
        actor=actor,
        action="apply_offline_submission",
        obj=submission,
        changes={"kind": submission.kind, "result": url},
        reason=note.strip(),
    )
    return url


@transaction.atomic
def discard_offline_submission(*, actor, submission: OfflineSubmission, note: str) -> None:
    """The chair decides a kept item is not to be recorded, with the reason (the volunteer sees
    it on their phone). The item and its files are kept for the audit trail."""
    _check_open(actor, submission)
    if not note.strip():
        raise ValidationError({"note": "กรุณาระบุเหตุผลที่ไม่นำไปบันทึก"})
    submission.status = SubmissionStatus.DISCARDED
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.decision_note = note.strip()
    submission.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_event(
        actor=actor,
        action="discard_offline_submission",
        obj=submission,
        changes={"kind": submission.kind},
        reason=note.strip(),
    )
