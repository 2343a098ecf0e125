"""Input and output of the centers and volunteers API. One schema per direction (STYLE.md).

Dates are ISO, Common Era. Areas are given by DOPA code (`subdistrict: "100502"`) and come back
as `{code, name_th, name_en}`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from asa.centers.models import (
    CenterStatus,
    EventKind,
    HoursStatus,
    Sex,
    Title,
    VolunteerRole,
    VolunteerStatus,
)
from asa.geo.schemas import AreaRef
from asa.lib.schemas import TextInputSchema


class InputSchema(TextInputSchema):
    """Input refuses fields it does not know, so a typo or a read-only field is not ignored."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


# --- Centers -----------------------------------------------------------------------------------


class CenterOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    district: AreaRef
    province: AreaRef
    subdistrict: AreaRef
    address: str
    venue: str
    opened_on: dt.date
    status: CenterStatus
    phone: str
    email: str
    active_volunteer_count: int

    @staticmethod
    def resolve_province(obj):
        return obj.district.province


class CommitteeMemberOut(Schema):
    id: int
    full_name: str
    role: VolunteerRole


class CenterDetailOut(CenterOut):
    committee: list[CommitteeMemberOut]


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("รูปแบบอีเมลไม่ถูกต้อง") from None
    return value


def _required_text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("จำเป็นต้องกรอกช่องนี้")
    return value


class CenterIn(InputSchema):
    code: str = Field(..., max_length=20, description="the center's code, e.g. BKK-1005")
    name_th: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    subdistrict: str = Field(..., description="DOPA subdistrict code; sets the district too")
    opened_on: dt.date = Field(..., description="ISO date, Common Era")
    address: str = Field("", max_length=300)
    venue: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)

    _check_email = field_validator("email")(_email)
    _check_required = field_validator("code", "name_th")(_required_text)


class CenterPatch(InputSchema):
    """Only the fields sent are changed. The district of a center does not change."""

    name_th: str = Field(None, max_length=200)
    name_en: str = Field(None, max_length=200)
    address: str = Field(None, max_length=300)
    venue: str = Field(None, max_length=200)
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=254)
    status: CenterStatus = None

    _check_email = field_validator("email")(_email)
    _check_required = field_validator("name_th")(_required_text)


# --- Volunteers --------------------------------------------------------------------------------


class CenterRef(Schema):
    id: int
    code: str
    name_th: str
    name_en: str


class SkillOut(Schema):
    id: int
    name_th: str
    name_en: str


class VolunteerOut(Schema):
    """A volunteer as a list shows them: nothing private."""

    id: int
    title: Title
    first_name: str
    last_name: str
    full_name: str
    center: CenterRef
    role: VolunteerRole
    is_youth: bool
    status: VolunteerStatus
    phone: str
    joined_on: dt.date


def _private(obj, read):
    # Identity, birth date and home address go only to those who may edit the record and to
    # the volunteer themself; the endpoint marks the object. Unmarked means hidden.
    return read() if getattr(obj, "show_private_fields", False) else None


class VolunteerDetailOut(VolunteerOut):
    """One volunteer. Private fields are null unless you may edit the record or it is yours."""

    sex: Sex
    skills: list[SkillOut]
    national_id: str | None
    birth_date: dt.date | None
    house_number: str | None
    moo: str | None
    village: str | None
    soi: str | None
    road: str | None
    subdistrict: AreaRef | None
    district: AreaRef | None
    province: AreaRef | None
    postal_code: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_skills(obj):
        return list(obj.skills.all())

    @staticmethod
    def resolve_national_id(obj):
        return _private(obj, lambda: obj.national_id)

    @staticmethod
    def resolve_birth_date(obj):
        return _private(obj, lambda: obj.birth_date)

    @staticmethod
    def resolve_house_number(obj):
        return _private(obj, lambda: obj.house_number)

    @staticmethod
    def resolve_moo(obj):
        return _private(obj, lambda: obj.moo)

    @staticmethod
    def resolve_village(obj):
        return _private(obj, lambda: obj.village)

    @staticmethod
    def resolve_soi(obj):
        return _private(obj, lambda: obj.soi)

    @staticmethod
    def resolve_road(obj):
        return _private(obj, lambda: obj.road)

    @staticmethod
    def resolve_subdistrict(obj):
        return _private(obj, lambda: obj.subdistrict)

    @staticmethod
    def resolve_district(obj):
        return _private(obj, lambda: obj.subdistrict.district)

    @staticmethod
    def resolve_province(obj):
        return _private(obj, lambda: obj.subdistrict.district.province)

    @staticmethod
    def resolve_postal_code(obj):
        return _private(obj, lambda: obj.postal_code)


class VolunteerIn(InputSchema):
    center: int = Field(..., description="id of a center whose volunteers you manage")
    title: Title
    first_name: str = Field(..., max_length=100)
    last_name: str = Field(..., max_length=100)
    national_id: str = Field(..., max_length=20, description="13 digits, checksum validated")
    birth_date: dt.date = Field(..., description="ISO date, Common Era (not 25xx)")
    sex: Sex
    subdistrict: str = Field(..., description="DOPA subdistrict code of the home address")
    joined_on: dt.date = Field(..., description="ISO date, Common Era")
    role: VolunteerRole = VolunteerRole.MEMBER
    is_youth: bool = False
    phone: str = Field("", max_length=20)
    house_number: str = Field("", max_length=30)
    moo: str = Field("", max_length=10)
    village: str = Field("", max_length=100)
    soi: str = Field("", max_length=100)
    road: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=5, description="empty: the subdistrict's first")
    skills: list[int] = Field(default_factory=list, description="skill ids")


class VolunteerPatch(InputSchema):
    """Only the fields sent are changed. Role, status and center have their own endpoints."""

    title: Title = None
    first_name: str = Field(None, max_length=100)
    last_name: str = Field(None, max_length=100)
    national_id: str = Field(None, max_length=20)
    birth_date: dt.date = None
    sex: Sex = None
    subdistrict: str = None
    joined_on: dt.date = None
    is_youth: bool = None
    phone: str = Field(None, max_length=20)
    house_number: str = Field(None, max_length=30)
    moo: str = Field(None, max_length=10)
    village: str = Field(None, max_length=100)
    soi: str = Field(None, max_length=100)
    road: str = Field(None, max_length=100)
    postal_code: str = Field(None, max_length=5)
    skills: list[int] = None


class VolunteerStatusIn(InputSchema):
    status: VolunteerStatus
    reason: str = Field(..., max_length=300, description="why (kept in the history)")


class VolunteerRoleIn(InputSchema):
    role: VolunteerRole
    reason: str = Field("", max_length=300)


# --- Events, attendance, hours -----------------------------------------------------------------


class EventOut(Schema):
    id: int
    kind: EventKind
    title: str
    center: CenterRef
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    volunteer_count: int
    staff_count: int
    guest_count: int


class AttendanceOut(Schema):
    volunteer: VolunteerOut
    hours: Decimal


class TrainingRecordOut(Schema):
    id: int
    volunteer_id: int
    topic: str
    completed_on: dt.date
    hours: Decimal
    certificate_number: str | None
    certificate_url: str

    @staticmethod
    def resolve_certificate_url(obj) -> str:
        return f"/trainings/{obj.pk}/certificate/"


class EventDetailOut(EventOut):
    """One event. Speakers and topics as lists (one per line in the pages)."""

    other_centers: list[CenterRef]
    subdistrict: AreaRef | None
    speakers: list[str]
    topics: list[str]
    description: str
    photo_urls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_other_centers(obj):
        return list(obj.other_centers.all())

    @staticmethod
    def resolve_speakers(obj):
        return [line for line in obj.speakers.splitlines() if line.strip()]

    @staticmethod
    def resolve_topics(obj):
        return [line for line in obj.topics.splitlines() if line.strip()]

    @staticmethod
    def resolve_photo_urls(obj):
        return [f"/events/photos/{photo.pk}/" for photo in obj.photos.all()]


def _aware(value: dt.datetime) -> dt.datetime:
    # A time without a zone is Thai local time, as on the pages.
    from django.utils import timezone

    return timezone.make_aware(value) if timezone.is_naive(value) else value


class EventIn(InputSchema):
    center: int = Field(..., description="id of the host center (you must run its events)")
    kind: EventKind
    title: str = Field(..., max_length=300)
    starts_at: dt.datetime = Field(..., description="ISO date-time, CE; no zone = Thai time")
    ends_at: dt.datetime
    place: str = Field(..., max_length=300)
    subdistrict: str | None = Field(None, description="DOPA subdistrict code of the place")
    other_centers: list[int] = Field(default_factory=list, description="ids of joint centers")
    speakers: list[str] = Field(default_factory=list)
    topics: list[str] = Field(
        default_factory=list, description="a training's topics: one certificate per topic"
    )
    description: str = ""
    staff_count: int = Field(0, ge=0)
    guest_count: int = Field(0, ge=0)

    _check_required = field_validator("title", "place")(_required_text)
    _check_aware = field_validator("starts_at", "ends_at")(_aware)


class EventPatch(InputSchema):
    """Only the fields sent change. The host center does not change."""

    kind: EventKind = None
    title: str = Field(None, max_length=300)
    starts_at: dt.datetime = None
    ends_at: dt.datetime = None
    place: str = Field(None, max_length=300)
    subdistrict: str | None = None
    other_centers: list[int] = None
    speakers: list[str] = None
    topics: list[str] = None
    description: str = None
    staff_count: int = Field(None, ge=0)
    guest_count: int = Field(None, ge=0)

    _check_required = field_validator("title", "place")(_required_text)
    _check_aware = field_validator("starts_at", "ends_at")(_aware)


class AttendeeIn(InputSchema):
    volunteer: int = Field(..., description="volunteer id (host or joint center, active)")
    hours: Decimal | None = Field(None, description="empty: the event's length")


class AttendanceIn(InputSchema):
    attendees: list[AttendeeIn] = Field(
        ..., description="everyone present; anyone left out is no longer counted"
    )


class HoursEntryOut(Schema):
    id: int
    volunteer: VolunteerOut
    worked_on: dt.date
    hours: Decimal
    description: str
    status: HoursStatus
    decision_note: str
    decided_at: dt.datetime | None
    created_at: dt.datetime


class HoursEntryIn(InputSchema):
    volunteer: int | None = Field(
        None, description="whose hours: empty for your own; a chair may enter a volunteer's"
    )
    worked_on: dt.date = Field(..., description="ISO date, Common Era")
    hours: Decimal = Field(..., gt=0, le=24, decimal_places=1)
    description: str = Field(..., max_length=300)

    _check_required = field_validator("description")(_required_text)


class HoursDecisionIn(InputSchema):
    note: str = Field("", max_length=300, description="required when rejecting")


class HoursOut(Schema):
    """A volunteer's hours in a fiscal year (1 Oct – 30 Sep, named by its BE year)."""

    volunteer_id: int
    fiscal_year: int
    event_hours: Decimal
    entry_hours: Decimal
    visit_count: int
    visit_hours: Decimal
    total: Decimal


# --- Bulk import of centers and volunteers -----------------------------------------------------


class BulkImportRowOut(Schema):
    row_number: int
    outcome: str = Field(description="imported, unchanged or error")
    field: str = Field(description="the column at fault (errors)")
    message: str
    object_id: int | None = Field(description="the center or volunteer made or found")


class BulkImportOut(Schema):
    """The row report of a center or volunteer import (good rows are kept, bad ones reported)."""

    imported: int
    unchanged: int
    errors: int
    rows: list[BulkImportRowOut]


class OwnProfilePatch(InputSchema):
    """What a volunteer may correct about themself (as on their profile page): phone, address.
    Only the fields sent change."""

    phone: str = Field(None, max_length=20)
    house_number: str = Field(None, max_length=30)
    moo: str = Field(None, max_length=10)
    village: str = Field(None, max_length=100)
    soi: str = Field(None, max_length=100)
    road: str = Field(None, max_length=100)
    subdistrict: str = Field(None, description="DOPA subdistrict code")
    postal_code: str = Field(None, max_length=5)
