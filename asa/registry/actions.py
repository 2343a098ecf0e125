"""Every write to the registry: people, households, problems, assessments, consent, merges.

Pages, the API, the importer and the CLI all call these. Each validates with the same rules
(`check_person`), writes in one transaction and leaves an audit event.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.events import diff, record_event
from asa.centers.models import Center
from asa.geo.models import Subdistrict
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import ThaiDateError, check_ce_date
from asa.lib.thai_text import name_key, phone_key, sound_key
from asa.lib.validators import TOO_EARLY_MESSAGE, is_too_early
from asa.registry import assessment
from asa.registry.models import (
    BirthDatePrecision,
    Consent,
    ConsentGivenBy,
    ConsentMethod,
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    HouseholdAssessment,
    HouseholdMembership,
    IdType,
    LegalBasis,
    Merge,
    Person,
    PersonProblem,
    ProblemStatus,
    ProblemType,
    Relationship,
    Severity,
)
from asa.reports.actions import mark_people_rollups_stale, mark_rollups_stale

MAXIMUM_AGE = 120
MAXIMUM_TEXT = 2000
PERSON_FIELDS = [
    "title",
    "first_name",
    "last_name",
    "name_en",
    "id_type",
    "id_number",
    "birth_date",
    "birth_date_precision",
    "sex",
    "phone",
    "nationality",
    "disability_type",
    "disability_card_number",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict",
    "postal_code",
    "latitude",
    "longitude",
    "notes",
]
ADDRESS_FIELDS = [
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict",
    "postal_code",
    "latitude",
    "longitude",
]


class DuplicateSuspected(ValidationError):
    """Registration stopped: likely duplicates exist and no reason to create anyway was given."""

    def __init__(self, candidates):
        self.candidates = candidates
        super().__init__(
            {
                "duplicate_override_reason": "พบข้อมูลที่อาจเป็นบุคคลเดียวกัน กรุณาตรวจสอบ "
                "หรือระบุเหตุผลที่ต้องการบันทึกเป็นบุคคลใหม่"
            }
        )


# --- Validation shared by forms, API and import -----------------------------------------------


ID_TYPES = frozenset(IdType.values)
# Fields whose runs of whitespace are folded to one space.
SPACED_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "name_en",
    "nationality",
    "village",
    "soi",
    "road",
    "house_number",
    "moo",
    "disability_type",
    "disability_card_number",
)


def clean_identity(id_type, id_number) -> tuple[str, str, str, str]:
    """(id_type, id_number, field, message): the document cleaned, or the field in error."""
    id_type = id_type or IdType.NONE
    id_number = str(id_number or "").strip()
    if id_type not in ID_TYPES:
        return id_type, id_number, "id_type", "ประเภทเอกสารไม่ถูกต้อง"
    if id_type == IdType.NATIONAL_ID:
        try:
            return id_type, normalize_national_id(id_number), "", ""
        except NationalIdError as error:
            return id_type, id_number, "id_number", str(error)
    if id_type == IdType.NONE:
        return id_type, "", "", ""
    if not id_number:
        return id_type, id_number, "id_number", "กรุณากรอกเลขเอกสาร"
    return id_type, id_number, "", ""


def birth_date_error(birth_date: dt.date, today: dt.date) -> str:
    """Why a birth date cannot be right ('' when it can)."""
    try:
        check_ce_date(birth_date)
    except ThaiDateError as error:
        return str(error)
    if birth_date > today:
        return "วันเกิดต้องไม่อยู่ในอนาคต"
    if today.year - birth_date.year > MAXIMUM_AGE:
        return f"อายุเกิน {MAXIMUM_AGE} ปี กรุณาตรวจสอบปีเกิด (ปี พ.ศ. หรือ ค.ศ.)"
    return ""


def clean_phones(text) -> tuple[str, str]:
    """(phones in their stored form joined by ', ', message): see thai_text.phone_key.

    A number Excel kept as a number (814966696) gets its leading zero back; what cannot be a
    Thai or an international (+country) number is refused, never stored as typed."""
    phones = []
    message = ""
    for part in re.split(r"[,;/]", str(text or "")):
        if not part.strip():
            continue
        phone = phone_key(part)
        if not phone:
            message = (
                f"หมายเลขโทรศัพท์ {part.strip()} ไม่ถูกต้อง (มือถือ 10 หลักขึ้นต้นด้วย 06 08 09, "
                "โทรศัพท์บ้าน 9 หลักขึ้นต้นด้วย 02–07 หรือเบอร์ต่างประเทศขึ้นต้นด้วย +)"
            )
        elif phone not in phones:
            phones.append(phone)
    return ", ".join(phones), message


def clean_postal_code(postal_code, subdistrict, *, subdistrict_ok: bool = True) -> tuple[str, str]:
    """(postal code, message): five digits, one of the subdistrict's; its first when blank."""
    postal_code = str(postal_code or "").strip()
    if postal_code and (len(postal_code) != 5 or not postal_code.isdigit()):
        return postal_code, "รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก"
    if subdistrict is not None and subdistrict_ok:
        codes = subdistrict.postal_code_list
        if postal_code and postal_code not in codes:
            return postal_code, (
                f"รหัสไปรษณีย์ {postal_code} ไม่ตรงกับแขวง/ตำบล{subdistrict.name_th} "
                f"({', '.join(codes)})"
            )
        if not postal_code:
            postal_code = codes[0]
    return postal_code, ""


COORDINATE_RANGES = (("latitude", 5, 21), ("longitude", 97, 106))


def coordinate_error(value, low: float, high: float) -> str:
    if value not in (None, "") and not low <= float(value) <= high:
        return "พิกัดอยู่นอกประเทศไทย"
    return ""


def check_person(data: dict, *, today: dt.date | None = None) -> dict:
    """Clean person fields; raise ValidationError({field: Thai message}) for bad ones.

    The importer runs the same helpers (clean_identity, birth_date_error, clean_phones,
    clean_postal_code, coordinate_error) in the same order, so a row and the form agree.
    """
    today = today or timezone.localdate()
    cleaned = dict(data)
    errors: dict[str, str] = {}
    for field in SPACED_FIELDS:
        if field in cleaned:
            cleaned[field] = " ".join(str(cleaned[field] or "").split())
    if "first_name" in cleaned and not cleaned["first_name"]:
        errors["first_name"] = "กรุณากรอกชื่อ"
    if "notes" in cleaned and len(cleaned["notes"] or "") > MAXIMUM_TEXT * 5:
        errors["notes"] = "บันทึกยาวเกินไป"

    id_type, id_number, field, message = clean_identity(
        cleaned.get("id_type"), cleaned.get("id_number")
    )
    if field:
        errors[field] = message
    if "id_type" in cleaned or "id_number" in cleaned:
        cleaned["id_type"], cleaned["id_number"] = id_type, id_number

    birth_date = cleaned.get("birth_date")
    if birth_date is not None:
        if message := birth_date_error(birth_date, today):
            errors["birth_date"] = message
        if cleaned.get("birth_date_precision") in (None, "", BirthDatePrecision.UNKNOWN):
            cleaned["birth_date_precision"] = BirthDatePrecision.EXACT
    elif "birth_date" in cleaned:
        cleaned["birth_date_precision"] = BirthDatePrecision.UNKNOWN

    if "phone" in cleaned:
        cleaned["phone"], message = clean_phones(cleaned["phone"])
        if message:
            errors["phone"] = message

    subdistrict = cleaned.get("subdistrict")
    if isinstance(subdistrict, str):
        subdistrict = Subdistrict.objects.filter(code=subdistrict.strip()).first()
        if subdistrict is None:
            errors["subdistrict"] = f"ไม่พบรหัสแขวง/ตำบล {cleaned['subdistrict']}"
        cleaned["subdistrict"] = subdistrict
    postal_code, message = clean_postal_code(
        cleaned.get("postal_code"), subdistrict, subdistrict_ok=not errors.get("subdistrict")
    )
    if message:
        errors["postal_code"] = message
    if "postal_code" in cleaned or subdistrict is not None:
        cleaned["postal_code"] = postal_code
    for field, low, high in COORDINATE_RANGES:
        if message := coordinate_error(cleaned.get(field), low, high):
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    return cleaned


def _keys(person: Person) -> None:
    person.name_key = name_key(f"{person.first_name}{person.last_name}")
    person.first_name_sound = sound_key(person.first_name)
    person.last_name_sound = sound_key(person.last_name)
    # Keyed hashes of the encrypted numbers: exact search and uniqueness (asa.lib.crypto).
    person.phone_hash = phone_hash(person.phone)
    person.id_number_hash = identity_hash(person.id_number)


def _place(record, subdistrict) -> None:
    """Fill district, province and the covering center from the subdistrict."""
    if subdistrict is None:
        record.district_id = record.province_id = None
        return
    record.district_id = subdistrict.district_id
    record.province_id = subdistrict.district_id[:2]
    covering = center_covering(subdistrict)
    if covering is not None:
        record.center = covering


def center_covering(subdistrict: Subdistrict | None) -> Center | None:
    """The coordination center of the subdistrict's district, if it has one."""
    if subdistrict is None:
        return None
    return Center.objects.filter(district_id=subdistrict.district_id).first()


def _check_can_register(actor, center: Center | None, subdistrict: Subdistrict | None) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.national:
        return
    if center is not None and center.pk in scope.center_ids:
        return
    district_id = (
        subdistrict.district_id
        if subdistrict is not None
        else center.district_id
        if center is not None
        else None
    )
    if district_id and (
        district_id in scope.district_codes or district_id[:2] in scope.province_codes
    ):
        return
    raise ValidationError({"subdistrict": "ที่อยู่นี้อยู่นอกพื้นที่ที่คุณรับผิดชอบ"})


# --- People ------------------------------------------------------------------------------------


@transaction.atomic
def register_person(
    *,
    actor,
    first_name: str,
    last_name: str = "",
    center: Center | None = None,
    target_groups=(),
    duplicate_override_reason: str = "",
    source: str = "",
    source_ref: str = "",
    check_duplicates: bool = True,
    **fields,
) -> Person:
    """Add a person to the registry, after a duplicate check.

    Likely duplicates (same sound-alike name and birth year in the subdistrict, same phone)
    stop the registration with `DuplicateSuspected` unless a reason to create anyway is given;
    the reason is recorded. The same identity number is never registered twice.
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"register_person got unexpected fields: {sorted(unknown)}")
    data = check_person({"first_name": first_name, "last_name": last_name, **fields})
    person = Person(source=source, source_ref=source_ref, **data)
    person.center = center
    _place(person, data.get("subdistrict"))
    if person.center is None and actor is not None:
        centers = scope_of(actor).center_ids
        if len(centers) == 1:
            person.center_id = next(iter(centers))
    _check_can_register(actor, person.center, data.get("subdistrict"))
    _keys(person)
    from asa.registry.queries import likely_duplicates

    if person.id_number:
        same = Person.objects.filter(
            id_type=person.id_type, id_number_hash=person.id_number_hash, merged_into__isnull=True
        ).first()
        if same is not None:
            from asa.accounts.access import visible

            if actor is None or visible(actor, Person.objects.filter(pk=same.pk)).exists():
                message = f"เลขเอกสารนี้มีอยู่ในฐานข้อมูลแล้ว (รหัสบุคคล {same.pk})"
            else:  # registered outside the actor's area: no id, nothing about the person
                message = (
                    "เลขเอกสารนี้ลงทะเบียนไว้แล้วนอกพื้นที่ของคุณ หากเป็นบุคคลเดียวกัน "
                    "โปรดขอให้เจ้าหน้าที่ พมจ. ขอโอนข้อมูล"
                )
            raise ValidationError({"id_number": message})
    candidates = likely_duplicates(person) if check_duplicates else []
    if candidates and not duplicate_override_reason.strip():
        raise DuplicateSuspected(candidates)
    person.created_by = actor if actor is not None and actor.is_authenticated else None
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise ValidationError({"id_number": "เลขเอกสารหรือรหัสอ้างอิงนี้มีอยู่แล้ว"}) from error
    if target_groups:
        person.target_groups.set(target_groups)
    mark_people_rollups_stale(person_ids=[person.pk])
    for candidate, _score, reasons in candidates:
        _remember_candidate(person, candidate, score=_score, reasons=reasons)
    record_event(
        actor=actor,
        action="register_person",
        obj=person,
        changes={
            "center": person.center_id,
            "source": source or "form",
            "target_groups": [group.code for group in target_groups],
        },
        reason=duplicate_override_reason.strip(),
    )
    return person


def _remember_candidate(first: Person, second: Person, *, score: float, reasons: list) -> None:
    low, high = sorted([first, second], key=lambda person: person.pk)
    DuplicateCandidate.objects.get_or_create(
        person_a=low, person_b=high, defaults={"score": score, "reasons": reasons}
    )


class StaleEdit(ValidationError):
    def __init__(self):
        super().__init__(
            {
                "version": "ข้อมูลนี้ถูกแก้ไขโดยผู้อื่นหลังจากที่คุณเปิดหน้า "
                "กรุณาโหลดหน้าใหม่แล้วแก้ไขอีกครั้ง (ยังไม่ได้บันทึกการแก้ไขของคุณ)"
            }
        )


@transaction.atomic
def update_person(
    *, actor, person: Person, expected_version: int | None = None, target_groups=None, **fields
) -> Person:
    """Change a person's details. With expected_version, a concurrent edit is refused."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"update_person got unexpected fields: {sorted(unknown)}")
    data = check_person(fields)
    changes = diff(person, data)
    groups_changed = False
    if target_groups is not None:
        before = set(person.target_groups.values_list("pk", flat=True))
        after = {group.pk for group in target_groups}
        groups_changed = before != after
        if groups_changed:
            changes["target_groups"] = [sorted(before), sorted(after)]
    if not changes:
        return person
    if "subdistrict" in data:
        _check_can_register(
            actor, center_covering(data["subdistrict"]) or person.center, data["subdistrict"]
        )
    if data.get("id_number"):
        clash = Person.objects.filter(
            id_type=data.get("id_type", person.id_type),
            id_number_hash=identity_hash(data["id_number"]),
            merged_into__isnull=True,
        )
        if clash.exclude(pk=person.pk).exists():
            raise ValidationError({"id_number": "เลขเอกสารนี้เป็นของบุคคลอื่นในฐานข้อมูลแล้ว"})
    center_before = person.center_id
    for field, value in data.items():
        setattr(person, field, value)
    if "subdistrict" in data:
        _place(person, data["subdistrict"])
    _keys(person)
    version_filter = {"version": expected_version} if expected_version is not None else {}
    field_names = [f for f in changes if f != "target_groups"]
    if "subdistrict" in changes:
        field_names += ["district", "province", "center"]
    values = {name: getattr(person, name) for name in field_names}
    values |= {
        "name_key": person.name_key,
        "first_name_sound": person.first_name_sound,
        "last_name_sound": person.last_name_sound,
        "phone_hash": person.phone_hash,
        "id_number_hash": person.id_number_hash,
        "updated_at": timezone.now(),
    }
    updated = Person.objects.filter(pk=person.pk, **version_filter).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise StaleEdit()
    person.version = (expected_version or person.version) + 1
    if groups_changed:
        person.target_groups.set(target_groups)
    for hidden in ("id_number", "phone"):  # encrypted at rest: never copied into the log
        if hidden in changes:
            changes[hidden] = ["***", "***"]
    record_event(actor=actor, action="update_person", obj=person, changes=changes)
    if groups_changed or person.center_id != center_before:
        mark_people_rollups_stale(
            person_ids=[person.pk], previous_center_ids=[center_before], with_problems=True
        )
    return person


@transaction.atomic
def record_problem(
    *,
    actor,
    person: Person,
    problem_type: ProblemType,
    severity: str = Severity.MEDIUM,
    first_reported_on: dt.date | None = None,
    notes: str = "",
) -> PersonProblem:
    """Note a problem the person faces (one row per problem type; reporting again updates)."""
    first_reported_on = first_reported_on or timezone.localdate()
    if first_reported_on > timezone.localdate():
        raise ValidationError({"first_reported_on": "วันที่รับแจ้งต้องไม่อยู่ในอนาคต"})
    problem, created = PersonProblem.objects.get_or_create(
        person=person,
        problem_type=problem_type,
        defaults={
            "severity": Severity(severity),
            "first_reported_on": first_reported_on,
            "notes": notes,
        },
    )
    if not created:
        problem.severity = Severity(severity)
        problem.status = ProblemStatus.ACTIVE
        problem.resolved_on = None
        problem.notes = notes or problem.notes
        problem.save(update_fields=["severity", "status", "resolved_on", "notes"])
    record_event(
        actor=actor,
        action="record_problem",
        obj=person,
        changes={"problem": problem_type.code, "severity": severity, "new": created},
    )
    mark_rollups_stale(center_id=person.center_id, on=problem.first_reported_on)
    return problem


@transaction.atomic
def update_problem_status(
    *,
    actor,
    problem: PersonProblem,
    status: str,
    notes: str = "",
    resolved_on: dt.date | None = None,
) -> PersonProblem:
    """Change a problem's status; resolving it dates it (`resolved_on`, default today)."""
    old = problem.status
    problem.status = ProblemStatus(status)
    if problem.status != ProblemStatus.RESOLVED:
        problem.resolved_on = None
    elif old != ProblemStatus.RESOLVED or problem.resolved_on is None:
        problem.resolved_on = resolved_on or timezone.localdate()
    if problem.resolved_on is not None and problem.resolved_on < problem.first_reported_on:
        raise ValidationError({"resolved_on": "วันที่คลี่คลายต้องไม่ก่อนวันที่รับแจ้งครั้งแรก"})
    if problem.resolved_on is not None and problem.resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": "วันที่คลี่คลายต้องไม่อยู่ในอนาคต"})
    if notes:
        problem.notes = notes
    problem.save(update_fields=["status", "resolved_on", "notes"])
    record_event(
        actor=actor,
        action="update_problem_status",
        obj=problem.person,
        changes={"problem": problem.problem_type.code, "status": [old, status]},
    )
    # "Resolved within the fiscal year" counts in the month the problem was first reported.
    mark_rollups_stale(center_id=problem.person.center_id, on=problem.first_reported_on)
    return problem


# --- Households --------------------------------------------------------------------------------


def _next_household_code() -> str:
    last = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"HH{last + 1:08d}"


@transaction.atomic
def create_household(
    *,
    actor,
    head: Person,
    started_on: dt.date | None = None,
    source: str = "",
    source_ref: str = "",
    code: str = "",
    **address,
) -> Household:
    """Open a household (สมุดพกครอบครัว) with `head` as its head; address defaults to theirs."""
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"create_household got unexpected fields: {sorted(unknown)}")
    if not address:
        address = {field: getattr(head, field) for field in ADDRESS_FIELDS}
    data = check_person(address)
    household = Household(
        code=code or _next_household_code(), head=head, source=source, source_ref=source_ref, **data
    )
    household.center = head.center
    _place(household, data.get("subdistrict"))
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        household.code = f"HH{timezone.now():%y%m%d%H%M%S%f}"
        household.save()
    add_household_member(
        actor=actor,
        household=household,
        person=head,
        relationship=Relationship.HEAD,
        started_on=started_on,
    )
    record_event(
        actor=actor,
        action="create_household",
        obj=household,
        changes={"head": head.pk, "code": household.code},
    )
    return household


@transaction.atomic
def add_household_member(
    *,
    actor,
    household: Household,
    person: Person,
    relationship: str,
    started_on: dt.date | None = None,
) -> HouseholdMembership:
    """Put a person in a household; their current household, if any, ends today (history)."""
    started_on = started_on or timezone.localdate()
    relationship = Relationship(relationship)
    current = (
        HouseholdMembership.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.household_id == household.pk:
            if current.relationship != relationship:
                current.relationship = relationship
                current.save(update_fields=["relationship"])
            return current
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
        Household.objects.filter(pk=current.household_id, head=person).update(head=None)
    membership = HouseholdMembership.objects.create(
        household=household, person=person, relationship=relationship, started_on=started_on
    )
    if relationship == Relationship.HEAD and household.head_id != person.pk:
        household.head = person
        household.save(update_fields=["head", "updated_at"])
    record_event(
        actor=actor,
        action="add_household_member",
        obj=household,
        changes={
            "person": person.pk,
            "relationship": relationship,
            "moved_from": current.household_id if current else None,
        },
    )
    return membership


@transaction.atomic
def end_household_membership(
    *, actor, membership: HouseholdMembership, ended_on: dt.date | None = None
) -> HouseholdMembership:
    ended_on = ended_on or timezone.localdate()
    if ended_on < membership.started_on:
        raise ValidationError({"ended_on": "วันที่ย้ายออกต้องไม่ก่อนวันที่เข้าร่วม"})
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    Household.objects.filter(pk=membership.household_id, head_id=membership.person_id).update(
        head=None
    )
    record_event(
        actor=actor,
        action="end_household_membership",
        obj=membership.household,
        changes={"person": membership.person_id},
    )
    return membership


@transaction.atomic
def record_household_assessment(
    *,
    actor,
    household: Household,
    indicators: dict[str, bool],
    assessed_on: dt.date | None = None,
    notes: str = "",
) -> HouseholdAssessment:
    """Assess a household on the five dimensions; scores are computed from the indicators."""
    assessed_on = assessed_on or timezone.localdate()
    errors = {}
    unknown = set(indicators) - assessment.ALL_INDICATOR_CODES
    if unknown:
        errors["indicators"] = f"ไม่รู้จักตัวชี้วัด: {', '.join(sorted(unknown))}"
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "วันที่ประเมินต้องไม่อยู่ในอนาคต"
    if errors:
        raise ValidationError(errors)
    scores = assessment.dimension_scores(indicators)
    previous_latest = (
        HouseholdAssessment.objects.filter(household=household)
        .order_by("-assessed_on")
        .values_list("assessed_on", flat=True)
        .first()
    )
    row = HouseholdAssessment.objects.create(
        household=household,
        assessed_on=assessed_on,
        assessed_by=actor if actor is not None and actor.is_authenticated else None,
        indicators={code: bool(value) for code, value in indicators.items()},
        notes=notes,
        **{f"{dimension}_score": score for dimension, score in scores.items()},
    )
    record_event(
        actor=actor,
        action="record_household_assessment",
        obj=household,
        changes={"scores": scores, "assessed_on": assessed_on},
    )
    # A household's change counts in the month of its latest assessment, which may move.
    for day in {assessed_on, previous_latest} - {None}:
        mark_rollups_stale(center_id=household.center_id, on=day)
    return row


# --- Consent -----------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    actor,
    person: Person,
    basis: str,
    given_by: str,
    given_on: dt.date,
    method: str,
    guardian_name: str = "",
    guardian_relationship: str = "",
    witness_name: str = "",
    allows_sharing: bool = False,
    notes: str = "",
) -> Consent:
    """Record the legal basis for holding a person's data, and who consented, when and how."""
    errors = {}
    basis, given_by, method = LegalBasis(basis), ConsentGivenBy(given_by), ConsentMethod(method)
    if given_on > timezone.localdate():
        errors["given_on"] = "วันที่ต้องไม่อยู่ในอนาคต"
    elif is_too_early(given_on):
        errors["given_on"] = str(TOO_EARLY_MESSAGE)
    if basis == LegalBasis.CONSENT:
        if given_by == ConsentGivenBy.NOT_APPLICABLE:
            errors["given_by"] = "ฐานความยินยอมต้องระบุผู้ให้ความยินยอม"
        if method == ConsentMethod.NOT_APPLICABLE:
            errors["method"] = "ฐานความยินยอมต้องระบุวิธีการให้ความยินยอม"
        if _is_minor(person, given_on) and given_by == ConsentGivenBy.SELF:
            errors["given_by"] = "ผู้เยาว์ต้องได้รับความยินยอมจากผู้ใช้อำนาจปกครอง"
    if given_by == ConsentGivenBy.GUARDIAN and not guardian_name.strip():
        errors["guardian_name"] = "กรุณากรอกชื่อผู้ปกครองหรือผู้แทนโดยชอบธรรม"
    if method == ConsentMethod.VERBAL_WITNESSED and not witness_name.strip():
        errors["witness_name"] = "ความยินยอมด้วยวาจาต้องมีพยาน"
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        basis=basis,
        given_by=given_by,
        given_on=given_on,
        method=method,
        guardian_name=guardian_name.strip(),
        guardian_relationship=guardian_relationship.strip(),
        witness_name=witness_name.strip(),
        allows_sharing=allows_sharing,
        notes=notes,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_event(
        actor=actor,
        action="record_consent",
        obj=person,
        changes={
            "basis": basis,
            "given_by": given_by,
            "method": method,
            "allows_sharing": allows_sharing,
        },
    )
    return consent


def _is_minor(person: Person, on: dt.date) -> bool:
    if person.birth_date is None:
        return False
    age = (
        on.year
        - person.birth_date.year
        - ((on.month, on.day) < (person.birth_date.month, person.birth_date.day))
    )
    return age < 20  # the Civil and Commercial Code's age of majority


@transaction.atomic
def withdraw_consent(
    *, actor, consent: Consent, reason: str, withdrawn_on: dt.date | None = None
) -> Consent:
    if consent.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": "ความยินยอมนี้ถูกถอนไปแล้ว"})
    if not reason.strip():
        raise ValidationError({"withdrawal_reason": "กรุณาระบุเหตุผลการถอนความยินยอม"})
    consent.withdrawn_on = withdrawn_on or timezone.localdate()
    consent.withdrawal_reason = reason.strip()
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    record_event(
        actor=actor,
        action="withdraw_consent",
        obj=consent.person,
        changes={"consent": consent.pk},
        reason=reason.strip(),
    )
    # Partners sent the person's data under this consent stop seeing it: their links stop
    # now, and their pages show nothing of the person (Referral.partner_shared_data).
    from asa.referrals.actions import revoke_referral_links
    from asa.referrals.models import Referral

    revoke_referral_links(
        actor=actor, referrals=Referral.objects.filter(consent=consent), reason="ถอนความยินยอม"
    )
    return consent


# --- Duplicates and merges ---------------------------------------------------------------------


@transaction.atomic
def merge_people(*, actor, survivor: Person, merged: Person, reason: str = "") -> Merge:
    """Merge `merged` into `survivor`: everything that pointed at it follows the survivor.

    Every relation to Person in every app moves (asa.registry.merging: found from the models,
    except the few that stay with the merged record for a stated reason). The merged record
    stays, marked merged_into, and the merge lists the ids of the rows that moved on each
    relation, so undo puts back exactly those.
    """
    from asa.privacy.models import Anonymisation
    from asa.registry.merging import Rule, movable_rows, person_relations

    if survivor.pk == merged.pk:
        raise ValidationError({"merged": "ไม่สามารถรวมบุคคลกับตัวเองได้"})
    # Lock both rows: two reviewers merging the same pair at once must not both succeed.
    locked = {
        row.pk: row
        for row in Person.objects.select_for_update()
        .filter(pk__in=[survivor.pk, merged.pk])
        .only("pk", "merged_into")
    }
    if any(row.merged_into_id for row in locked.values()):
        raise ValidationError({"merged": "บุคคลนี้ถูกรวมไปแล้ว"})
    if Anonymisation.objects.filter(person_id__in=[survivor.pk, merged.pk]).exists():
        raise ValidationError({"merged": "ไม่สามารถรวมข้อมูลที่ถูกลบตัวตนแล้ว"})
    # The months both people count in now (the merged record's problems move away from its
    # center: that center's figures change too).
    mark_people_rollups_stale(person_ids=[survivor.pk, merged.pk], with_problems=True)
    moved: dict[str, list[int]] = {}
    kept: dict[str, list[int]] = {}
    for relation in person_relations():
        if relation.rule is Rule.STAY:
            continue
        manager = relation.model._default_manager
        name = relation.field.name
        ids = movable_rows(relation, survivor=survivor, merged=merged)
        if ids:
            manager.filter(pk__in=ids).update(**{name: survivor})
            moved[relation.key] = ids
        left = list(manager.filter(**{name: merged}).values_list("pk", flat=True))
        if left:
            kept[relation.key] = left
    moved |= _follow_survivor(survivor=survivor, merged=merged)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor, updated_at=timezone.now())
    merged.merged_into = survivor
    merge = Merge.objects.create(
        survivor=survivor, merged=merged, moved=moved, merged_by=_user(actor), reason=reason
    )
    low, high = sorted([survivor.pk, merged.pk])
    DuplicateCandidate.objects.filter(person_a_id=low, person_b_id=high).update(
        status=DuplicateStatus.MERGED, reviewed_by=_user(actor), reviewed_at=timezone.now()
    )
    record_event(
        actor=actor,
        action="merge_people",
        obj=survivor,
        changes={"merged": merged.pk, "merge": merge.pk, "moved": moved, "kept": kept},
        reason=reason,
    )
    mark_people_rollups_stale(person_ids=[survivor.pk, merged.pk], with_problems=True)
    return merge


FOLLOWED_CANDIDATES = "registry.duplicatecandidate.followed"


def _follow_survivor(*, survivor: Person, merged: Person) -> dict[str, list[int]]:
    """Reviews still waiting on the merged record follow the survivor, not drop out of the
    queues: a refused import row now points at the survivor; a pending pair of the merged
    record with a third person becomes the same pair with the survivor (a new candidate; the
    old one stays as it was made, hidden from the queue while its record is merged). Undo
    puts the rows back and deletes the new pairs still pending."""
    from asa.registry.models import ImportRowResult, RowOutcome

    followed: dict[str, list[int]] = {}
    rows = ImportRowResult.objects.filter(person=merged, outcome=RowOutcome.DUPLICATE, review="")
    ids = list(rows.values_list("pk", flat=True))
    if ids:
        ImportRowResult.objects.filter(pk__in=ids).update(person=survivor)
        followed["registry.importrowresult.person"] = ids
    pending = DuplicateCandidate.objects.filter(
        Q(person_a=merged) | Q(person_b=merged), status=DuplicateStatus.PENDING
    )
    created = []
    for candidate in pending:
        other = (
            candidate.person_b_id if candidate.person_a_id == merged.pk else candidate.person_a_id
        )
        if other == survivor.pk:
            continue
        low, high = sorted([survivor.pk, other])
        new, made = DuplicateCandidate.objects.get_or_create(
            person_a_id=low,
            person_b_id=high,
            defaults={"score": candidate.score, "reasons": candidate.reasons},
        )
        if made:
            created.append(new.pk)
    if created:
        followed[FOLLOWED_CANDIDATES] = created
    return followed


@transaction.atomic
def undo_merge(*, actor, merge: Merge, reason: str = "") -> Merge:
    """Put back on the merged record exactly the rows the merge moved; make it active again."""
    from django.apps import apps

    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError({"merge": "การรวมนี้ถูกยกเลิกไปแล้ว"})
    if Person.objects.filter(pk=merge.survivor_id, merged_into__isnull=False).exists():
        raise ValidationError({"merge": "ข้อมูลที่คงไว้ถูกรวมเข้ากับรายการอื่นต่อแล้ว ยกเลิกการรวมครั้งหลังก่อน"})
    mark_people_rollups_stale(person_ids=[merge.survivor_id, merge.merged_id], with_problems=True)
    try:
        with transaction.atomic():  # a savepoint: PostgreSQL goes on after the refusal
            Person.objects.filter(pk=merge.merged_id).update(
                merged_into=None, updated_at=timezone.now()
            )
    except IntegrityError:
        # The survivor was given the merged record's identity number after the merge.
        raise ValidationError(
            {"merge": "ข้อมูลที่คงไว้ใช้เลขเอกสารเดียวกับรายการที่ถูกรวม แก้เลขเอกสารก่อนยกเลิกการรวม"}
        ) from None
    for key, ids in merge.moved.items():
        if key == "target_groups":
            continue  # merges made before 2026-12 added target groups without noting which
        if key == FOLLOWED_CANDIDATES:  # pairs made for the survivor: gone unless decided
            DuplicateCandidate.objects.filter(pk__in=ids, status=DuplicateStatus.PENDING).delete()
            continue
        label, field = key.rsplit(".", 1)
        apps.get_model(label)._default_manager.filter(pk__in=ids).update(**{field: merge.merged_id})
    merge.undone_at = timezone.now()
    merge.undone_by = _user(actor)
    merge.save(update_fields=["undone_at", "undone_by"])
    low, high = sorted([merge.survivor_id, merge.merged_id])
    DuplicateCandidate.objects.filter(person_a_id=low, person_b_id=high).update(
        status=DuplicateStatus.PENDING, reviewed_by=None, reviewed_at=None
    )
    record_event(
        actor=actor,
        action="undo_merge",
        obj=merge.survivor,
        changes={"merged": merge.merged_id, "merge": merge.pk, "moved": merge.moved},
        reason=reason,
    )
    mark_people_rollups_stale(person_ids=[merge.survivor_id, merge.merged_id], with_problems=True)
    return merge


@transaction.atomic
def mark_distinct(*, actor, candidate: DuplicateCandidate, reason: str = "") -> None:
    """A reviewer decides the pair are two different people."""
    candidate.status = DuplicateStatus.DISTINCT
    candidate.reviewed_by = _user(actor)
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record_event(
        actor=actor,
        action="mark_distinct",
        obj=candidate.person_a,
        changes={"other": candidate.person_b_id},
        reason=reason,
    )


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- Pages -------------------------------------------------------------------------------------


@transaction.atomic
def register_person_with_problems(
    *, actor, problems: list[tuple[ProblemType, str]] = (), **registration
) -> Person:
    """Register a person and the problems they face (type, severity) in one transaction.

    The registration page asks for both at once; nothing is saved if any part is refused.
    """
    person = register_person(actor=actor, **registration)
    for problem_type, severity in problems:
        record_problem(actor=actor, person=person, problem_type=problem_type, severity=severity)
    return person
