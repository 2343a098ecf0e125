"""Input and output of the casework API. One schema per direction (STYLE.md).

Dates and times are ISO, Common Era; a Buddhist Era year in one (2568-01-05) is refused with a
Thai message. People, cases, volunteers and centers are named by id; problems and target
groups by their catalogue code.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import field_validator

from asa.cases.models import (
    AssistanceKind,
    Outcome,
    PlanItemStatus,
    Source,
    Status,
    Urgency,
)
from asa.centers.schemas import CenterRef, InputSchema
from asa.lib.thai import check_ce_date


def _common_era(value):
    """Refuse 2568-… in a CE field (ThaiDateError is a ValueError: a 422 naming the field)."""
    if value is not None:
        check_ce_date(value.date() if isinstance(value, dt.datetime) else value)
    return value


def _required_text(value: str) -> str:
    if value is not None and not value.strip():
        raise ValueError("จำเป็นต้องกรอกช่องนี้")
    return value


# --- Output ------------------------------------------------------------------------------------


class CasePersonRef(Schema):
    id: int
    full_name: str


class VolunteerRef(Schema):
    id: int
    full_name: str


class CaseCatalogueRef(Schema):
    code: str
    name_th: str


class AssignmentOut(Schema):
    id: int
    volunteer: VolunteerRef
    assigned_at: dt.datetime
    ended_at: dt.datetime | None


class CaseOut(Schema):
    """A case as lists show it."""

    id: int
    number: str
    person: CasePersonRef
    household_id: int | None
    center: CenterRef
    district: str = Field(..., description="DOPA district code of the responsible center")
    source: Source
    urgency: Urgency
    status: Status
    outcome: str
    reported_at: dt.datetime
    next_follow_up_on: dt.date | None
    version: int

    @staticmethod
    def resolve_district(obj):
        return obj.district_id


class CaseDetailOut(CaseOut):
    story: str
    reporter_name: str
    reporter_phone: str
    problems: list[CaseCatalogueRef]
    target_groups: list[CaseCatalogueRef]
    assignments: list[AssignmentOut] = Field(..., description="current and past assignments")
    closure_note: str
    closed_at: dt.datetime | None
    first_visit_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_problems(obj):
        return list(obj.problems.all())

    @staticmethod
    def resolve_target_groups(obj):
        return list(obj.target_groups.all())

    @staticmethod
    def resolve_assignments(obj):
        return list(obj.assignments.all())


class TimelineEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(..., description="username of who did it, or `system`")
    action: str
    changes: dict
    reason: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_label


class WatchBucketOut(Schema):
    count: int
    items: list[CaseOut]


class WatchOut(Schema):
    """Open cases by next follow-up: overdue, due today, due within 7 days; most urgent first."""

    today: dt.date
    overdue: WatchBucketOut
    due_today: WatchBucketOut
    this_week: WatchBucketOut


class PhotoOut(Schema):
    id: int
    width: int
    height: int
    caption: str
    url: str = Field(..., description="served only to those who may read the visit")

    @staticmethod
    def resolve_url(obj):
        return f"/api/v1/visits/{obj.visit_id}/photos/{obj.pk}"


class VisitOut(Schema):
    id: int
    case_id: int
    visited_at: dt.datetime
    volunteers: list[VolunteerRef]
    staff_names: str
    partner_names: str
    at_household_address: bool
    latitude: Decimal | None
    longitude: Decimal | None
    met_whom: str
    observations: str
    needs: str
    assessment_id: int | None
    next_visit_on: dt.date | None
    recorded_at: dt.datetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_volunteers(obj):
        return list(obj.volunteers.all())

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())


class PlanItemOut(Schema):
    id: int
    case_id: int
    need: str
    action: str
    responsible_volunteer: VolunteerRef | None
    responsible_other: str
    due_on: dt.date
    status: PlanItemStatus
    progress_note: str
    done_on: dt.date | None


class AssistanceOut(Schema):
    id: int
    case_id: int | None
    person: CasePersonRef
    household_id: int | None
    center: CenterRef
    kind: AssistanceKind
    regulation: str
    amount: Decimal | None = Field(..., description="baht")
    description: str
    given_on: dt.date
    provider: str
    recorded_at: dt.datetime


# --- Input -------------------------------------------------------------------------------------


class CaseVersionIn(InputSchema):
    version: int = Field(
        ..., description="the case's `version` as you read it; a newer one answers 409"
    )


class CaseIn(InputSchema):
    person: int = Field(..., description="id of a registry person you may see")
    source: Source
    urgency: Urgency = Urgency.ROUTINE
    story: str = Field(..., max_length=5000)
    reported_at: dt.datetime | None = Field(None, description="ISO date-time; default: now")
    reporter_name: str = Field("", max_length=200)
    reporter_phone: str = Field("", max_length=40)
    problems: list[str] = Field(default_factory=list, description="problem type codes")
    target_groups: list[str] = Field(default_factory=list, description="target group codes")
    center: int | None = Field(
        None, description="only when the person's address has no covering center"
    )

    _check_era = field_validator("reported_at")(_common_era)
    _check_story = field_validator("story")(_required_text)


class CaseAssignIn(CaseVersionIn):
    volunteers: list[int] = Field(..., description="ids of active volunteers of the case's center")


class CaseUnassignIn(InputSchema):
    volunteer: int = Field(..., description="id of a volunteer now assigned to the case")
    reason: str = Field("", max_length=500)


class CaseTransferIn(CaseVersionIn):
    to_center: int = Field(..., description="id of the center taking the case over")
    reason: str = Field(..., max_length=1000)


class StatusIn(CaseVersionIn):
    status: Status
    reason: str = Field("", max_length=1000)


class ClosureIn(CaseVersionIn):
    outcome: Outcome | None = Field(None, description="required")
    note: str = Field("", max_length=5000)


class ReopenIn(CaseVersionIn):
    reason: str = Field(..., max_length=1000)


class VisitIn(InputSchema):
    """A visit. As multipart/form-data, repeat `volunteers` and `photos`; send `indicators` as
    a JSON object in one field."""

    case: int = Field(..., description="id of a case you work on")
    visited_at: dt.datetime
    observations: str = Field(..., max_length=10000)
    volunteers: list[int] = Field(default_factory=list, description="volunteer ids who went")
    staff_names: str = Field("", max_length=300)
    partner_names: str = Field("", max_length=300)
    met_whom: str = Field("", max_length=300)
    needs: str = Field("", max_length=10000)
    next_visit_on: dt.date | None = None
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    at_household_address: bool = True
    indicators: dict[str, bool] | None = Field(
        None, description="household reassessment: indicator code → met"
    )

    _check_era = field_validator("visited_at", "next_visit_on")(_common_era)


class PlanItemIn(InputSchema):
    need: str = Field(..., max_length=300)
    action: str = Field(..., max_length=500)
    due_on: dt.date
    responsible_volunteer: int | None = Field(None, description="volunteer id of the center")
    responsible_other: str = Field("", max_length=200, description="an agency or person")

    _check_era = field_validator("due_on")(_common_era)


class PlanItemPatch(InputSchema):
    status: PlanItemStatus
    progress_note: str = Field("", max_length=5000)


class AssistanceIn(InputSchema):
    case: int = Field(..., description="id of a case you work on")
    kind: AssistanceKind
    description: str = Field(..., max_length=500)
    given_on: dt.date
    amount: Decimal | None = Field(None, description="baht, up to 2 decimals")
    regulation: str = Field("", max_length=200)
    provider: str = Field("", max_length=200)

    _check_era = field_validator("given_on")(_common_era)
