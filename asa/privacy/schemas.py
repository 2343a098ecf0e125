"""Input and output of the privacy-requests API. Dates are ISO, Common Era."""

import datetime as dt

from ninja import Field, Schema

from asa.centers.schemas import InputSchema
from asa.privacy.models import IdentityMethod, RequestKind, RequestStatus


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
