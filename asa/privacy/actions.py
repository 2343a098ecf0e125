"""Every write of the privacy app: requests and their answers, anonymisation, breaches.

Each action checks that the actor is the data protection officer or the ministry (the only
people who handle personal data rights), writes, and leaves an audit event in the same
transaction.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case as Conditional
from django.db.models import F, Q, Value, When
from django.db.models.functions import TruncYear
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.privacy.models import (
    ANSWER_DAYS,
    COPY_KINDS,
    Anonymisation,
    AnonymisationReason,
    Breach,
    BreachKind,
    BreachStatus,
    IdentityMethod,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
)

PLACEHOLDER = "ลบข้อมูลแล้ว"  # what an anonymised name or story reads


def may_handle_privacy(user) -> bool:
    scope = scope_of(user)
    return scope.national or scope.data_protection_officer


def require_privacy_officer(user) -> None:
    """Refuse (403) anyone but the data protection officer and the ministry."""
    if user is not None and not may_handle_privacy(user):
        raise PermissionDenied


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _open(privacy_request: PrivacyRequest) -> None:
    if not privacy_request.is_open:
        raise ValidationError(
            {"status": f"คำขอนี้{privacy_request.get_status_display()}แล้ว ดำเนินการต่อไม่ได้"}
        )


# --- Requests ----------------------------------------------------------------------------------


@transaction.atomic
def receive_privacy_request(
    *,
    actor,
    kind: str,
    requester_name: str,
    received_on: dt.date,
    requester_contact: str = "",
    details: str = "",
    person=None,
    on_behalf: bool = False,
) -> PrivacyRequest:
    """Record a data subject's request; its 30-day clock starts on the day it was received."""
    require_privacy_officer(actor)
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = "ประเภทคำขอไม่ถูกต้อง"
    if not (requester_name or "").strip():
        errors["requester_name"] = "กรุณากรอกชื่อผู้ยื่นคำขอ"
    if received_on > timezone.localdate():
        errors["received_on"] = "วันที่รับคำขอต้องไม่อยู่ในอนาคต"
    if errors:
        raise ValidationError(errors)
    privacy_request = PrivacyRequest.objects.create(
        kind=kind,
        person=person,
        requester_name=requester_name.strip(),
        requester_contact=(requester_contact or "").strip(),
        on_behalf=on_behalf,
        details=(details or "").strip(),
        received_on=received_on,
        due_on=received_on + dt.timedelta(days=ANSWER_DAYS),
        created_by=_user(actor),
    )
    record_event(
        actor=actor,
        action="receive_privacy_request",
        obj=privacy_request,
        changes={
            "kind": kind,
            "person": person.pk if person else None,
            "due_on": privacy_request.due_on,
        },
    )
    return privacy_request


@transaction.atomic
def assign_privacy_request(*, actor, privacy_request: PrivacyRequest, assignee) -> PrivacyRequest:
    """Give the request to someone who handles it (a DPO or the ministry); work starts."""
    require_privacy_officer(actor)
    _open(privacy_request)
    if assignee is None or not may_handle_privacy(assignee):
        raise ValidationError({"assigned_to": "ผู้รับผิดชอบต้องเป็นเจ้าหน้าที่คุ้มครองข้อมูลหรือผู้ดูแลส่วนกลาง"})
    before = privacy_request.assigned_to_id
    privacy_request.assigned_to = assignee
    privacy_request.status = RequestStatus.IN_PROGRESS
    privacy_request.save(update_fields=["assigned_to", "status"])
    record_event(
        actor=actor,
        action="assign_privacy_request",
        obj=privacy_request,
        changes={"assigned_to": [before, assignee.pk]},
    )
    return privacy_request


@transaction.atomic
def verify_requester_identity(
    *, actor, privacy_request: PrivacyRequest, method: str, person=None
) -> PrivacyRequest:
    """Note how the requester proved who they are, and which registry person they are."""
    require_privacy_officer(actor)
    _open(privacy_request)
    errors = {}
    if method not in IdentityMethod.values:
        errors["identity_method"] = "กรุณาเลือกวิธียืนยันตัวตน"
    person = person or privacy_request.person
    if person is None:
        errors["person"] = "กรุณาระบุบุคคลในฐานข้อมูลที่เป็นเจ้าของข้อมูล"
    elif person.merged_into_id:
        errors["person"] = "บุคคลนี้ถูกรวมกับข้อมูลอื่นแล้ว กรุณาเลือกข้อมูลหลัก"
    if errors:
        raise ValidationError(errors)
    privacy_request.person = person
    privacy_request.identity_method = method
    privacy_request.identity_verified_at = timezone.now()
    privacy_request.identity_verified_by = _user(actor)
    privacy_request.status = RequestStatus.IN_PROGRESS
    privacy_request.save(
        update_fields=[
            "person",
            "identity_method",
            "identity_verified_at",
            "identity_verified_by",
            "status",
        ]
    )
    record_event(
        actor=actor,
        action="verify_requester_identity",
        obj=privacy_request,
        changes={"person": person.pk, "method": method},
    )
    return privacy_request


@transaction.atomic
def generate_access_answer(*, actor, privacy_request: PrivacyRequest) -> PrivacyRequest:
    """Write the copy of everything Asa holds on the person: a Thai PDF and a JSON file."""
    from asa.privacy import answer

    require_privacy_officer(actor)
    _open(privacy_request)
    if privacy_request.kind not in COPY_KINDS:
        raise ValidationError({"kind": "สำเนาข้อมูลใช้กับคำขอเข้าถึงหรือขอรับข้อมูลเท่านั้น"})
    if privacy_request.person is None or privacy_request.identity_verified_at is None:
        raise ValidationError({"person": "กรุณายืนยันตัวตนผู้ขอและระบุบุคคลก่อนจัดทำสำเนา"})
    data = answer.collect(privacy_request.person, privacy_request=privacy_request)
    old = [f.name for f in (privacy_request.answer_json, privacy_request.answer_pdf) if f]
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    privacy_request.answer_json.save(
        f"asa-data-{privacy_request.pk}-{stamp}.json", ContentFile(answer.to_json(data)), save=False
    )
    privacy_request.answer_pdf.save(
        f"asa-data-{privacy_request.pk}-{stamp}.pdf", ContentFile(answer.to_pdf(data)), save=False
    )
    privacy_request.answer_generated_at = timezone.now()
    privacy_request.status = RequestStatus.IN_PROGRESS
    privacy_request.save(
        update_fields=["answer_json", "answer_pdf", "answer_generated_at", "status"]
    )
    transaction.on_commit(lambda: [default_storage.delete(name) for name in old])
    record_event(
        actor=actor,
        action="generate_access_answer",
        obj=privacy_request,
        changes={"person": privacy_request.person_id, "sections": sorted(data)},
    )
    return privacy_request


@transaction.atomic
def answer_privacy_request(
    *, actor, privacy_request: PrivacyRequest, answer: str
) -> PrivacyRequest:
    """Record the decision and the answer sent to the requester; the clock stops.

    A copy request needs its generated copy first; an erasure request is answered through
    `erase_person_data`, which does the anonymising.
    """
    require_privacy_officer(actor)
    _open(privacy_request)
    errors = {}
    if not (answer or "").strip():
        errors["answer"] = "กรุณากรอกคำตอบที่แจ้งผู้ขอ"
    if privacy_request.kind in COPY_KINDS and not privacy_request.answer_pdf:
        errors["answer"] = "กรุณาจัดทำสำเนาข้อมูล (PDF และ JSON) ก่อนตอบคำขอ"
    if privacy_request.kind == RequestKind.ERASURE:
        errors["kind"] = "คำขอลบข้อมูลให้ใช้ปุ่ม 'ลบข้อมูลที่ระบุตัวตน' หรือปฏิเสธพร้อมเหตุผล"
    if errors:
        raise ValidationError(errors)
    _close(privacy_request, actor=actor, status=RequestStatus.ANSWERED, answer=answer.strip())
    record_event(
        actor=actor,
        action="answer_privacy_request",
        obj=privacy_request,
        changes={"status": RequestStatus.ANSWERED},
        reason=privacy_request.answer,
    )
    return privacy_request


def _close(privacy_request: PrivacyRequest, *, actor, status: str, answer: str = "") -> None:
    privacy_request.status = status
    privacy_request.answer = answer
    privacy_request.answered_at = timezone.now()
    privacy_request.answered_by = _user(actor)
    privacy_request.save(update_fields=["status", "answer", "answered_at", "answered_by"])


@transaction.atomic
def refuse_privacy_request(
    *, actor, privacy_request: PrivacyRequest, reason: str
) -> PrivacyRequest:
    """Refuse with the legal reason (e.g. the data must be kept while a case is open)."""
    require_privacy_officer(actor)
    _open(privacy_request)
    if not (reason or "").strip():
        raise ValidationError({"refusal_reason": "กรุณาระบุเหตุผลที่ปฏิเสธตามกฎหมาย"})
    privacy_request.refusal_reason = reason.strip()
    privacy_request.save(update_fields=["refusal_reason"])
    _close(privacy_request, actor=actor, status=RequestStatus.REFUSED, answer=reason.strip())
    record_event(
        actor=actor,
        action="refuse_privacy_request",
        obj=privacy_request,
        changes={"status": RequestStatus.REFUSED},
        reason=privacy_request.refusal_reason,
    )
    return privacy_request


@transaction.atomic
def withdraw_privacy_request(
    *, actor, privacy_request: PrivacyRequest, reason: str = ""
) -> PrivacyRequest:
    require_privacy_officer(actor)
    _open(privacy_request)
    _close(privacy_request, actor=actor, status=RequestStatus.WITHDRAWN, answer=reason.strip())
    record_event(
        actor=actor,
        action="withdraw_privacy_request",
        obj=privacy_request,
        changes={"status": RequestStatus.WITHDRAWN},
        reason=reason,
    )
    return privacy_request


def erasure_refusal(person) -> str:
    """Why the law requires keeping this person's identity now ('' when erasure may go ahead)."""
    from asa.aid.models import Loan, LoanStatus
    from asa.cases.models import OPEN_STATUSES, Case

    if Case.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        return (
            "ยังมีกรณีที่เปิดอยู่ ต้องเก็บข้อมูลไว้เพื่อปฏิบัติหน้าที่ตามกฎหมายในการช่วยเหลือ"
            " (มาตรา 24(4)/(5) และมาตรา 33 วรรคหนึ่ง)"
        )
    if Loan.objects.filter(person=person, status=LoanStatus.OUT).exists():
        return "ยังมีอุปกรณ์ที่ยืมไปและยังไม่ได้คืน ต้องเก็บข้อมูลไว้จนกว่าจะคืน"
    return ""


@transaction.atomic
def erase_person_data(*, actor, privacy_request: PrivacyRequest, answer: str = "") -> int:
    """Answer an erasure request by anonymising the person (the same as retention does).

    Refused (ValidationError naming the reason) while the law requires keeping the data; the
    DPO then refuses the request with that reason.
    """
    require_privacy_officer(actor)
    _open(privacy_request)
    if privacy_request.kind != RequestKind.ERASURE:
        raise ValidationError({"kind": "ใช้ได้กับคำขอให้ลบข้อมูลเท่านั้น"})
    person = privacy_request.person
    if person is None or privacy_request.identity_verified_at is None:
        raise ValidationError({"person": "กรุณายืนยันตัวตนผู้ขอและระบุบุคคลก่อนลบข้อมูล"})
    refusal = erasure_refusal(person)
    if refusal:
        raise ValidationError({"person": refusal})
    count = anonymise_people(
        actor=actor,
        person_ids=[person.pk],
        reason=AnonymisationReason.ERASURE,
        privacy_request=privacy_request,
    )
    text = (answer or "").strip() or (
        "ได้ลบข้อมูลที่ระบุตัวตนของท่านแล้ว คงไว้เฉพาะข้อมูลสถิติที่ไม่สามารถระบุตัวบุคคลได้"
    )
    _close(privacy_request, actor=actor, status=RequestStatus.ANSWERED, answer=text)
    record_event(
        actor=actor,
        action="answer_privacy_request",
        obj=privacy_request,
        changes={"status": RequestStatus.ANSWERED, "anonymised": count},
        reason=text,
    )
    return count


# --- Anonymisation -----------------------------------------------------------------------------


def _identity_columns() -> dict:
    """The person's identity columns and what they become (birth year, sex, district, target
    groups and problems stay: they are the statistics)."""
    from asa.registry.models import BirthDatePrecision, IdType, Person

    values = {
        "title": "",
        "first_name": PLACEHOLDER,
        "last_name": "",
        "name_en": "",
        "id_type": IdType.NONE,
        "id_number": "",
        "phone": "",
        "birth_date": TruncYear("birth_date"),
        "birth_date_precision": Conditional(
            When(birth_date__isnull=True, then=Value(BirthDatePrecision.UNKNOWN)),
            default=Value(BirthDatePrecision.YEAR),
        ),
        "house_number": "",
        "moo": "",
        "village": "",
        "soi": "",
        "road": "",
        "subdistrict": None,
        "postal_code": "",
        "latitude": None,
        "longitude": None,
        "disability_card_number": "",
        "notes": "",
        "source_ref": "",
        "version": F("version") + 1,
    }
    # Search keys emptied, so the person no longer matches a name, sound, ID or phone search,
    # nor the duplicate finder: the name keys and the keyed lookup hashes of the encrypted
    # columns (whatever they are called: `*_key`, `*_sound`, `*_hash`).
    for field in Person._meta.concrete_fields:
        if field.name.endswith(("_key", "_sound", "_hash")):
            values[field.name] = None if field.null else ""
    return values


@transaction.atomic
def anonymise_people(
    *,
    actor,
    person_ids,
    reason: str,
    policy: str = "",
    privacy_request: PrivacyRequest | None = None,
) -> int:
    """Remove the identity of these people in set-based updates; keep the statistics.

    Idempotent: people already anonymised are skipped. Names become "ลบข้อมูลแล้ว"; ID, phone,
    address line, day and month of birth, free-text notes, visit stories and photos, signatures
    and what was shared with partners are removed. Returns how many were anonymised.
    """
    from asa.aid.models import Distribution
    from asa.cases.models import Case, Visit, VisitPhoto
    from asa.referrals.models import Referral
    from asa.registry.models import Consent, DuplicateCandidate, Person, PersonProblem

    require_privacy_officer(actor)
    done = Anonymisation.objects.filter(person_id__in=person_ids).values("person_id")
    ids = list(
        Person.objects.filter(pk__in=list(person_ids))
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Person.objects.filter(pk__in=ids).update(**_identity_columns())
    PersonProblem.objects.filter(person_id__in=ids).update(notes="")
    Consent.objects.filter(person_id__in=ids).update(
        guardian_name="", witness_name="", notes="", withdrawal_reason=""
    )
    cases = Case.objects.filter(person_id__in=ids)
    cases.update(reporter_name="", reporter_phone="", story=PLACEHOLDER, closure_note="")
    visits = Visit.objects.filter(case__in=cases)
    visits.update(met_whom="", observations=PLACEHOLDER, needs="", latitude=None, longitude=None)
    photos = VisitPhoto.objects.filter(visit__in=visits)
    files = [name for name in photos.values_list("image", flat=True) if name]
    photos.delete()
    Referral.objects.filter(case__in=cases).update(shared_data={}, note="")
    distributions = Distribution.objects.filter(person_id__in=ids)
    files += [name for name in distributions.values_list("signature", flat=True) if name]
    distributions.update(signed_by_name="", note="", signature="")
    DuplicateCandidate.objects.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids)).delete()
    now = timezone.now()
    Anonymisation.objects.bulk_create(
        Anonymisation(
            person_id=pk,
            reason=reason,
            policy=policy,
            privacy_request=privacy_request,
            done_at=now,
            done_by=_user(actor),
        )
        for pk in ids
    )
    households = _forget_empty_household_addresses(ids)
    record_event(
        actor=actor,
        action="anonymise_people",
        object_type="registry.person",
        object_id=str(ids[0]) if len(ids) == 1 else "",
        changes={
            "people": ids,
            "reason": reason,
            "policy": policy,
            "files": len(files),
            "households": households,
        },
    )
    # Files go only once the rows saying they are gone are committed.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return len(ids)


def _forget_empty_household_addresses(person_ids: list[int]) -> list[int]:
    """Clear the address line of households whose every member is now anonymised.

    A household someone still lives in keeps its address: it is theirs too.
    """
    from asa.registry.models import Household, HouseholdMembership

    touched = HouseholdMembership.objects.filter(person_id__in=person_ids).values("household_id")
    someone_known = HouseholdMembership.objects.exclude(
        person_id__in=Anonymisation.objects.values("person_id")
    ).values("household_id")
    households = Household.objects.filter(pk__in=touched).exclude(pk__in=someone_known)
    cleared = list(households.values_list("pk", flat=True))
    if cleared:
        Household.objects.filter(pk__in=cleared).update(
            house_number="",
            moo="",
            village="",
            soi="",
            road="",
            subdistrict=None,
            postal_code="",
            latitude=None,
            longitude=None,
            source_ref="",
            version=F("version") + 1,
        )
    return cleared


@transaction.atomic
def forget_import_files(*, actor, job_ids) -> int:
    """Delete uploaded import files past their retention (the job's counts stay)."""
    from asa.registry.models import ImportJob

    require_privacy_officer(actor)
    jobs = ImportJob.objects.filter(pk__in=list(job_ids)).exclude(file_path="")
    paths = list(jobs.values_list("pk", "file_path"))
    if not paths:
        return 0
    jobs.update(file_path="")
    record_event(
        actor=actor,
        action="forget_import_files",
        object_type="registry.importjob",
        changes={"jobs": [pk for pk, _path in paths]},
    )
    transaction.on_commit(lambda: [default_storage.delete(path) for _pk, path in paths])
    return len(paths)


# --- Breaches ----------------------------------------------------------------------------------


@transaction.atomic
def record_breach(
    *,
    actor,
    discovered_at: dt.datetime,
    description: str,
    kind: str,
    period_start: dt.datetime,
    period_end: dt.datetime,
    suspected_accounts=(),
    notes: str = "",
) -> Breach:
    """Open a breach record; the 72-hour clock to tell the regulator starts at discovery."""
    require_privacy_officer(actor)
    errors = {}
    if not (description or "").strip():
        errors["description"] = "กรุณาอธิบายเหตุการณ์"
    if kind not in BreachKind.values:
        errors["kind"] = "กรุณาเลือกลักษณะการละเมิด"
    if period_start > period_end:
        errors["period_end"] = "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"
    if discovered_at > timezone.now() + dt.timedelta(minutes=5):
        errors["discovered_at"] = "เวลาที่ทราบเหตุต้องไม่อยู่ในอนาคต"
    if errors:
        raise ValidationError(errors)
    breach = Breach.objects.create(
        discovered_at=discovered_at,
        description=description.strip(),
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        notes=(notes or "").strip(),
        recorded_by=_user(actor),
    )
    accounts = list(suspected_accounts)
    breach.suspected_accounts.set(accounts)
    record_event(
        actor=actor,
        action="record_breach",
        obj=breach,
        changes={
            "kind": kind,
            "suspected_accounts": [user.pk for user in accounts],
            "period": [period_start, period_end],
            "deadline": breach.regulator_deadline,
        },
    )
    return breach


@transaction.atomic
def notify_regulator(*, actor, breach: Breach, at: dt.datetime | None = None) -> Breach:
    """Note when the Office of the PDPC was told (s.37(4))."""
    require_privacy_officer(actor)
    if breach.regulator_notified_at is not None:
        raise ValidationError({"regulator_notified_at": "บันทึกการแจ้ง สคส. ไว้แล้ว"})
    breach.regulator_notified_at = at or timezone.now()
    if breach.status == BreachStatus.INVESTIGATING:
        breach.status = BreachStatus.REGULATOR_NOTIFIED
    breach.save(update_fields=["regulator_notified_at", "status"])
    record_event(
        actor=actor,
        action="notify_regulator",
        obj=breach,
        changes={
            "regulator_notified_at": breach.regulator_notified_at,
            "late": breach.regulator_notified_at > breach.regulator_deadline,
        },
    )
    return breach


@transaction.atomic
def notify_breach_people(*, actor, breach: Breach, at: dt.datetime | None = None) -> Breach:
    """Note when the affected people were told (high risk to their rights, s.37(4))."""
    require_privacy_officer(actor)
    if breach.people_notified_at is not None:
        raise ValidationError({"people_notified_at": "บันทึกการแจ้งเจ้าของข้อมูลไว้แล้ว"})
    breach.people_notified_at = at or timezone.now()
    breach.save(update_fields=["people_notified_at"])
    record_event(
        actor=actor,
        action="notify_breach_people",
        obj=breach,
        changes={"people_notified_at": breach.people_notified_at},
    )
    return breach


@transaction.atomic
def close_breach(*, actor, breach: Breach, notes: str = "") -> Breach:
    require_privacy_officer(actor)
    if breach.status == BreachStatus.CLOSED:
        raise ValidationError({"status": "ปิดเรื่องแล้ว"})
    breach.status = BreachStatus.CLOSED
    if notes.strip():
        breach.notes = f"{breach.notes}\n{notes.strip()}".strip()
    breach.save(update_fields=["status", "notes"])
    record_event(
        actor=actor, action="close_breach", obj=breach, changes={"status": "closed"}, reason=notes
    )
    return breach


@transaction.atomic
def record_answer_download(*, actor, privacy_request: PrivacyRequest, file_format: str) -> None:
    """Leave a trace each time a generated copy of someone's data leaves the system."""
    require_privacy_officer(actor)
    record_event(
        actor=actor,
        action="download_privacy_answer",
        obj=privacy_request,
        changes={"format": file_format, "person": privacy_request.person_id},
    )


@transaction.atomic
def record_affected_people_export(*, actor, breach: Breach, count: int) -> None:
    require_privacy_officer(actor)
    record_event(
        actor=actor, action="export_breach_affected_people", obj=breach, changes={"people": count}
    )
