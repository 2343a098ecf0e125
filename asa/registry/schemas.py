"""Input and output of the registry API. One schema per direction (STYLE.md).

Dates are ISO, Common Era. Areas are DOPA codes; target groups and problems are catalogue codes.
"""

import datetime as dt

from ninja import Field, Schema

from asa.lib.schemas import TextInputSchema
from asa.registry.models import (
    BirthDatePrecision,
    ConsentGivenBy,
    ConsentMethod,
    IdType,
    ImportReview,
    ImportStatus,
    LegalBasis,
    ProblemStatus,
    Relationship,
    RowOutcome,
    Severity,
    Sex,
)


class CatalogueRef(Schema):
    code: str
    name_th: str


class PersonOut(Schema):
    """A person as a list shows them: no identity number, no address detail."""

    id: int
    title: str
    first_name: str
    last_name: str
    full_name: str
    sex: Sex
    birth_date: dt.date | None
    birth_date_precision: BirthDatePrecision
    center: int | None = Field(None, alias="center_id")
    subdistrict: str | None = Field(None, alias="subdistrict_id")
    district: str | None = Field(None, alias="district_id")
    province: str | None = Field(None, alias="province_id")
    version: int


class ProblemOut(Schema):
    problem_type: CatalogueRef
    severity: str
    status: str
    first_reported_on: dt.date


class CurrentHouseholdOut(Schema):
    id: int
    code: str
    relationship: Relationship


class PersonDetailOut(PersonOut):
    """One person. The identity number is shown only to those who may edit the record."""

    name_en: str
    id_type: IdType
    id_number: str | None
    phone: str
    nationality: str
    disability_type: str
    disability_card_number: str
    house_number: str
    moo: str
    village: str
    soi: str
    road: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    notes: str
    source: str
    source_ref: str
    target_groups: list[CatalogueRef]
    problems: list[ProblemOut]
    household: CurrentHouseholdOut | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_number if getattr(obj, "show_private_fields", False) else None

    @staticmethod
    def resolve_target_groups(obj):
        return list(obj.target_groups.all())

    @staticmethod
    def resolve_problems(obj):
        return list(obj.problems.all())

    @staticmethod
    def resolve_household(obj):
        memberships = getattr(obj, "current_memberships", [])
        if not memberships:
            return None
        membership = memberships[0]
        return {
            "id": membership.household_id,
            "code": membership.household.code,
            "relationship": membership.relationship,
        }


class PersonIn(TextInputSchema):
    title: str = Field("", max_length=40)
    first_name: str = Field(..., max_length=100)
    last_name: str = Field("", max_length=100)
    name_en: str = Field("", max_length=200)
    id_type: IdType = IdType.NONE
    id_number: str = Field("", max_length=30, description="13 digits for national_id")
    birth_date: dt.date | None = Field(None, description="ISO date, Common Era")
    birth_date_precision: BirthDatePrecision | None = None
    sex: Sex = Sex.UNKNOWN
    phone: str = Field("", max_length=60)
    nationality: str = Field("ไทย", max_length=60)
    disability_type: str = Field("", max_length=120)
    disability_card_number: str = Field("", max_length=30)
    house_number: str = Field("", max_length=30)
    moo: str = Field("", max_length=10)
    village: str = Field("", max_length=120)
    soi: str = Field("", max_length=120)
    road: str = Field("", max_length=120)
    subdistrict: str | None = Field(None, description="DOPA subdistrict code")
    postal_code: str = Field("", max_length=5)
    latitude: float | None = None
    longitude: float | None = None
    notes: str = Field("", max_length=10000)
    target_groups: list[str] = Field(default_factory=list, description="target group codes")
    center: int | None = Field(None, description="center id (default: the covering center)")
    duplicate_override_reason: str = Field(
        "", max_length=500, description="why to register although likely duplicates exist"
    )


class PersonPatch(TextInputSchema):
    """Only the fields sent change. `version` is the version you read: a stale one is 409."""

    version: int = Field(..., description="the person's version when you read it")
    title: str = Field(None, max_length=40)
    first_name: str = Field(None, max_length=100)
    last_name: str = Field(None, max_length=100)
    name_en: str = Field(None, max_length=200)
    id_type: IdType = None
    id_number: str = Field(None, max_length=30)
    birth_date: dt.date | None = None
    birth_date_precision: BirthDatePrecision = None
    sex: Sex = None
    phone: str = Field(None, max_length=60)
    nationality: str = Field(None, max_length=60)
    disability_type: str = Field(None, max_length=120)
    disability_card_number: str = Field(None, max_length=30)
    house_number: str = Field(None, max_length=30)
    moo: str = Field(None, max_length=10)
    village: str = Field(None, max_length=120)
    soi: str = Field(None, max_length=120)
    road: str = Field(None, max_length=120)
    subdistrict: str | None = None
    postal_code: str = Field(None, max_length=5)
    latitude: float | None = None
    longitude: float | None = None
    notes: str = Field(None, max_length=10000)
    target_groups: list[str] = None


class CandidateOut(Schema):
    id: int | None  # None: someone outside the caller's area (nothing more is said of them)
    full_name: str | None
    score: float | None
    reasons: list[str]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


class DuplicateConflictOut(ErrorOut):
    candidates: list[CandidateOut]


class PersonEventOut(Schema):
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    action: str
    changes: dict
    reason: str


# --- Households --------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    full_name: str


class HouseholdOut(Schema):
    id: int
    code: str
    head: PersonRef | None
    center: int | None = Field(None, alias="center_id")
    subdistrict: str | None = Field(None, alias="subdistrict_id")
    district: str | None = Field(None, alias="district_id")
    province: str | None = Field(None, alias="province_id")


class MemberOut(Schema):
    person: PersonRef
    relationship: Relationship
    started_on: dt.date
    ended_on: dt.date | None


class AssessmentOut(Schema):
    id: int
    assessed_on: dt.date
    income_score: int
    housing_score: int
    health_score: int
    education_score: int
    public_services_score: int
    indicators: dict
    notes: str


class HouseholdDetailOut(HouseholdOut):
    house_number: str
    moo: str
    village: str
    soi: str
    road: str
    postal_code: str
    members: list[MemberOut]
    assessments: list[AssessmentOut]

    @staticmethod
    def resolve_members(obj):
        return list(obj.memberships.all())

    @staticmethod
    def resolve_assessments(obj):
        return list(obj.assessments.all()[:20])


class HouseholdIn(TextInputSchema):
    head: int = Field(..., description="id of the person who heads the household")
    started_on: dt.date | None = None


class MemberIn(TextInputSchema):
    person: int
    relationship: Relationship
    started_on: dt.date | None = None


class AssessmentIn(TextInputSchema):
    indicators: dict[str, bool]
    assessed_on: dt.date | None = None
    notes: str = Field("", max_length=5000)


# --- Consent -----------------------------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    basis: LegalBasis
    given_by: ConsentGivenBy
    guardian_name: str
    guardian_relationship: str
    given_on: dt.date
    method: ConsentMethod
    witness_name: str
    allows_sharing: bool
    withdrawn_on: dt.date | None
    withdrawal_reason: str


class ConsentIn(TextInputSchema):
    basis: LegalBasis
    given_by: ConsentGivenBy
    given_on: dt.date
    method: ConsentMethod
    guardian_name: str = Field("", max_length=200)
    guardian_relationship: str = Field("", max_length=100)
    witness_name: str = Field("", max_length=200)
    allows_sharing: bool = False
    notes: str = Field("", max_length=5000)


class ProblemIn(Schema):
    problem_type: str = Field(..., max_length=50, description="problem type code (e.g. `debt`)")
    severity: Severity = Severity.MEDIUM
    first_reported_on: dt.date | None = Field(None, description="today if left out")
    notes: str = Field("", max_length=5000)


class ProblemStatusIn(Schema):
    status: ProblemStatus


class MembershipEndIn(Schema):
    ended_on: dt.date | None = Field(None, description="the day they moved out (today if left out)")


class ConsentWithdrawIn(Schema):
    reason: str = Field(..., max_length=1000, description="why the consent is withdrawn")
    withdrawn_on: dt.date | None = Field(
        None, description="the day it was withdrawn (today if left out)"
    )


# --- Duplicates --------------------------------------------------------------------------------


class DuplicateOut(Schema):
    id: int
    person_a: PersonRef
    person_b: PersonRef
    score: float
    reasons: list


class MergeIn(TextInputSchema):
    survivor: int = Field(..., description="id of the record that stays (one of the pair)")
    reason: str = Field("", max_length=500)


class DistinctIn(TextInputSchema):
    reason: str = Field("", max_length=500)


class MergeOut(Schema):
    id: int
    survivor: int = Field(..., alias="survivor_id")
    merged: int = Field(..., alias="merged_id")
    moved: dict[str, list[int]] = Field(
        ..., description="ids of the rows that moved to the survivor, per relation"
    )
    merged_at: dt.datetime
    undone_at: dt.datetime | None
    undo_url: str

    @staticmethod
    def resolve_moved(obj):
        # Merges made before 2026-12 noted target groups by group id, not by row.
        return {key: ids for key, ids in obj.moved.items() if key != "target_groups"}

    @staticmethod
    def resolve_undo_url(obj):
        return f"/api/v1/merges/{obj.pk}/undo"


class UndoMergeIn(Schema):
    reason: str = Field("", max_length=500)


# --- Imports -----------------------------------------------------------------------------------


class ImportJobOut(Schema):
    id: int
    file_name: str
    source: str
    status: ImportStatus
    all_or_nothing: bool
    dry_run: bool
    total_rows: int
    processed_rows: int
    progress: int
    counts: dict
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    status_url: str
    rows_url: str

    @staticmethod
    def resolve_progress(obj):
        if obj.status == ImportStatus.DONE:
            return 100
        return min(100, round(100 * obj.processed_rows / obj.total_rows)) if obj.total_rows else 0

    @staticmethod
    def resolve_status_url(obj):
        return f"/api/v1/imports/{obj.pk}"

    @staticmethod
    def resolve_rows_url(obj):
        return f"/api/v1/imports/{obj.pk}/rows"


class PersonImportRowOut(Schema):
    id: int = Field(..., description="a likely duplicate is decided at /import-rows/{id}/review")
    row_number: int
    outcome: RowOutcome
    field: str
    message: str
    person: int | None = Field(None, alias="person_id")
    review: str = Field(
        ...,
        description="a likely duplicate's decision (taken_over, registered, dismissed); '' "
        "while it waits for one",
    )


class ImportRowReviewIn(TextInputSchema):
    decision: ImportReview = Field(
        ...,
        description="taken_over: fill in what the matched person lacks (an ID, a phone, an exact "
        "birth date); registered: register the row as a new person after all; dismissed: set "
        "the row aside",
    )
    reason: str = Field("", max_length=500, description="why (kept in the audit trail)")


class ImportRowReviewOut(Schema):
    id: int
    job: int = Field(..., alias="job_id")
    row_number: int
    person: int | None = Field(None, alias="person_id", description="the person it matched")
    review: ImportReview
    reviewed_at: dt.datetime
