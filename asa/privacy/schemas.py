"""Input and output of the privacy-requests API. Dates are ISO, Common Era."""

import datetime as dt

from ninja import Field, Schema
from pydantic import field_validator

from asa.centers.schemas import InputSchema
from asa.privacy.models import (
    BreachKind,
    BreachStatus,
    IdentityMethod,
    RequestKind,
    RequestStatus,
)


class PrivacyPersonRef(Schema):
    id: int
    full_name: str


class UserRef(Schema):
    id: int
    username: str


class PrivacyRequestOut(Schema):
    id: int
    kind: RequestKind
    status: RequestStatus
    person: PrivacyPersonRef | None
    requester_name: str
    requester_contact: str
    on_behalf: bool
    details: str
    received_on: dt.date
    due_on: dt.date
    days_left: int = Field(description="Days until due; negative when overdue")
    overdue: bool
    assigned_to: UserRef | None
    identity_method: str
    identity_verified_at: dt.datetime | None
    answer: str
    refusal_reason: str
    answered_at: dt.datetime | None
    answer_generated_at: dt.datetime | None
    answer_files: list[str] = Field(description="Formats ready to download: pdf, json")

    @staticmethod
    def resolve_days_left(obj) -> int:
        return obj.days_left()

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_answer_files(obj) -> list[str]:
        return [
            name for name, stored in (("pdf", obj.answer_pdf), ("json", obj.answer_json)) if stored
        ]


class PrivacyRequestIn(InputSchema):
    kind: RequestKind
    requester_name: str = Field(max_length=200)
    requester_contact: str = Field("", max_length=300)
    on_behalf: bool = False
    details: str = ""
    received_on: dt.date | None = Field(None, description="Defaults to today")
    person: int | None = Field(None, description="The registry person's id, when known")


class PrivacyRequestAssignIn(InputSchema):
    assigned_to: int = Field(description="A user id: a DPO or a ministry admin")


class VerifyIn(InputSchema):
    method: IdentityMethod
    person: int | None = Field(None, description="The registry person's id (if not set yet)")


class PrivacyRequestAnswerIn(InputSchema):
    answer: str = Field(min_length=1)


class RefuseIn(InputSchema):
    reason: str = Field(min_length=1)


class PrivacyRequestWithdrawIn(InputSchema):
    reason: str = ""


# --- Breaches and the retention run ------------------------------------------------------------


class BreachOut(Schema):
    id: int
    kind: BreachKind
    status: BreachStatus
    description: str
    discovered_at: dt.datetime
    period_start: dt.datetime
    period_end: dt.datetime
    suspected_accounts: list[UserRef]
    regulator_deadline: dt.datetime = Field(
        description="72 hours after discovery: when the PDPC must have been told (s.37(4))"
    )
    regulator_late: bool = Field(description="Past the deadline and the PDPC not yet told")
    regulator_notified_at: dt.datetime | None
    people_notified_at: dt.datetime | None
    notes: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_suspected_accounts(obj) -> list:
        return list(obj.suspected_accounts.all())

    @staticmethod
    def resolve_regulator_late(obj) -> bool:
        return obj.is_regulator_late()


def _local(value: dt.datetime) -> dt.datetime:
    # A time without a zone is Thai local time, as on the pages.
    from django.utils import timezone

    return timezone.make_aware(value) if timezone.is_naive(value) else value


class BreachIn(InputSchema):
    discovered_at: dt.datetime = Field(
        description="When the breach became known (no zone: Thai time); not in the future"
    )
    kind: BreachKind
    description: str = Field(min_length=1, max_length=5000)
    suspected_accounts: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="User names of the accounts involved; their reads and changes in the "
        "period name the affected people",
    )
    period_start: dt.datetime = Field(description="When the breach began (no zone: Thai time)")
    period_end: dt.datetime = Field(description="When it ended (not before `period_start`)")
    notes: str = Field("", max_length=5000)

    @field_validator("discovered_at", "period_start", "period_end", mode="after")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        return _local(value)


class BreachCloseIn(InputSchema):
    notes: str = Field("", max_length=5000, description="What was done, added to the notes")


class RetentionRunOut(Schema):
    task_id: str = Field(description="The queued background job (`asa db_worker` runs it)")
    status: str = Field(description="The job's status when queued (READY)")
