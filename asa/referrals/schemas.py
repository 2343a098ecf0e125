"""Input and output of the One Home API. One schema per direction (STYLE.md).

A referral has two outputs: `ReferralOut` for those who may read the case (the sending center,
officers) and `PartnerReferralOut` for the users of the agency it is addressed to, who see only
what was shared (`shared_data`) and never the case or the person. Each item says which it is in
`view` ("sender" or "partner").
"""

import datetime as dt
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from asa.accounts.models import Channel
from asa.centers.schemas import InputSchema, _email, _required_text
from asa.lib.crypto import open_values
from asa.lib.schemas import TextInputSchema
from asa.lib.thai import check_ce_date
from asa.referrals.models import AgencyKind, ReferralStatus


def _common_era(value):
    if value is not None:
        check_ce_date(value)
    return value


# --- Directory ---------------------------------------------------------------------------------


class ServiceOut(Schema):
    code: str
    name_th: str
    name_en: str
    shared_fields: list[str] = Field(..., description="what a referral for it shares")
    respond_within_days: int
    complete_within_days: int


class ServiceRef(Schema):
    code: str
    name_th: str


class AgencyRef(Schema):
    id: int
    name_th: str


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    line_id: str
    receives_referrals: bool


class AgencyOut(Schema):
    id: int
    name_th: str
    name_en: str
    kind: AgencyKind
    kind_label: str
    province: str | None = Field(None, description="DOPA province code")
    phone: str
    email: str
    address: str
    is_active: bool
    services: list[ServiceRef]
    areas: list[str] = Field(..., description="DOPA codes it covers (2, 4 or 6 digits)")
    has_users: bool = Field(..., description="whether its staff answer referrals in Asa")

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_province(obj):
        return obj.province_id

    @staticmethod
    def resolve_services(obj):
        return list(obj.services.all())

    @staticmethod
    def resolve_areas(obj):
        return [area.area_code for area in obj.areas.all()]


class AgencyDetailOut(AgencyOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


class ContactIn(InputSchema):
    name: str = Field(..., max_length=200)
    position: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    line_id: str = Field("", max_length=60)
    receives_referrals: bool = True

    _check_email = field_validator("email")(_email)
    _check_required = field_validator("name")(_required_text)


class AgencyIn(InputSchema):
    name_th: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    kind: AgencyKind
    province: str | None = Field(None, description="DOPA province code")
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    services: list[str] = Field(default_factory=list, description="service codes")
    areas: list[str] = Field(default_factory=list, description="DOPA area codes")
    contacts: list[ContactIn] = Field(default_factory=list)

    _check_email = field_validator("email")(_email)
    _check_required = field_validator("name_th")(_required_text)


class AgencyPatch(InputSchema):
    """Only the fields sent change. `services` and `areas`, when sent, replace the lists."""

    name_th: str = Field(None, max_length=200)
    name_en: str = Field(None, max_length=200)
    kind: AgencyKind = None
    province: str | None = None
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=254)
    address: str = Field(None, max_length=300)
    is_active: bool = None
    services: list[str] = None
    areas: list[str] = None

    _check_email = field_validator("email")(_email)
    _check_required = field_validator("name_th")(_required_text)


class AgencyImportRowOut(Schema):
    row: int = Field(..., description="row number in the file (the header is row 1)")
    name_th: str
    outcome: Literal["created", "updated", "unchanged", "error"]
    message: str


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int
    rows: list[AgencyImportRowOut]


# --- Referrals ---------------------------------------------------------------------------------


class CaseRef(Schema):
    id: int
    number: str


class ReferralPersonRef(Schema):
    id: int
    full_name: str


class _ReferralCommon(TextInputSchema):
    id: int
    agency: AgencyRef
    service: ServiceRef
    need: str
    note: str
    shared_data: dict = Field(..., description="the minimum of the person's data shared")
    status: ReferralStatus
    status_label: str
    status_reason: str
    respond_by: dt.date
    complete_by: dt.date
    is_overdue: bool
    sent_at: dt.datetime
    responded_at: dt.datetime | None
    finished_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_shared_data(obj):
        # Phone and ID are stored encrypted; nothing of the person once consent is withdrawn.
        return open_values(obj.partner_shared_data())

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_is_overdue(obj):
        today = timezone.localdate()
        if obj.status == ReferralStatus.SENT:
            return obj.respond_by < today
        if obj.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
            return obj.complete_by < today
        return False


class ReferralOut(_ReferralCommon):
    """A referral as the sending side sees it: with its case and person."""

    view: Literal["sender"] = "sender"
    case: CaseRef
    person: ReferralPersonRef
    plan_item: int | None
    sent_by: str

    @staticmethod
    def resolve_person(obj):
        return obj.case.person

    @staticmethod
    def resolve_plan_item(obj):
        return obj.plan_item_id

    @staticmethod
    def resolve_sent_by(obj):
        if obj.sent_by is None:
            return ""
        return obj.sent_by.get_full_name() or obj.sent_by.username


class PartnerReferralOut(_ReferralCommon):
    """A referral as the agency it is addressed to sees it: only what was shared."""

    view: Literal["partner"] = "partner"

    # Once the consent the referral was sent under is withdrawn, the partner sees nothing of
    # the person: the need and the note describe them too.
    @staticmethod
    def resolve_need(obj):
        return "" if obj.consent_withdrawn else obj.need

    @staticmethod
    def resolve_note(obj):
        return "" if obj.consent_withdrawn else obj.note


AnyReferralOut = Annotated[ReferralOut | PartnerReferralOut, Field(discriminator="view")]


class ReferralIn(InputSchema):
    case: int = Field(..., description="id of a case you work on")
    agency: int = Field(..., description="agency id")
    service: str = Field(..., description="service code the agency offers")
    need: str = Field(..., max_length=300)
    note: str = Field("", max_length=2000)
    plan_item: int | None = Field(None, description="the case's plan item this referral serves")

    _check_required = field_validator("need")(_required_text)


class ReferralVersionIn(InputSchema):
    version: int = Field(
        ..., description="the referral's `version` as you read it; a newer one answers 409"
    )


class ReferralAnswerIn(ReferralVersionIn):
    status: Literal["accepted", "declined", "in_service", "completed", "not_completed"]
    reason: str = Field(
        "", max_length=2000, description="required to decline, complete or not complete"
    )


class ReferralWithdrawIn(ReferralVersionIn):
    reason: str = Field(..., max_length=2000)

    _check_required = field_validator("reason")(_required_text)


class LinkIn(InputSchema):
    contact: int | None = Field(
        None, description="the agency's contact to send it to; none: only returned here"
    )


class LinkOut(Schema):
    path: str = Field(..., description="shown once; the link works once and expires")
    url: str


# --- Conferences -------------------------------------------------------------------------------


class ReferralCenterRef(Schema):
    id: int
    name_th: str


class ConferenceActionOut(Schema):
    id: int
    conference: int
    action: str
    owner_agency: AgencyRef | None
    owner_center: ReferralCenterRef | None
    due_on: dt.date
    done_on: dt.date | None
    done_note: str

    @staticmethod
    def resolve_conference(obj):
        return obj.conference_id


class ConferenceOut(Schema):
    id: int
    case: int | None = Field(None, description="null for partners, who do not see the case")
    held_on: dt.date
    place: str
    agencies: list[AgencyRef]
    attendees: str
    decisions: str
    actions: list[ConferenceActionOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_case(obj):
        return obj.case_id if getattr(obj, "shows_case", False) else None

    @staticmethod
    def resolve_agencies(obj):
        return list(obj.agencies.all())

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.all())


class ConferenceIn(InputSchema):
    case: int = Field(..., description="id of a case you work on")
    held_on: dt.date
    decisions: str = Field(..., max_length=5000)
    agencies: list[int] = Field(default_factory=list, description="agency ids")
    place: str = Field("", max_length=200)
    attendees: str = Field("", max_length=2000)

    _check_date = field_validator("held_on")(_common_era)
    _check_required = field_validator("decisions")(_required_text)


class ConferenceActionIn(InputSchema):
    action: str = Field(..., max_length=300)
    due_on: dt.date
    owner_agency: int | None = None
    owner_center: int | None = None

    _check_date = field_validator("due_on")(_common_era)
    _check_required = field_validator("action")(_required_text)


class DoneIn(InputSchema):
    note: str = Field("", max_length=2000)


# --- Notification channels ---------------------------------------------------------------------


class ChannelOut(Schema):
    channel: Channel
    address: str
    enabled: bool


class ChannelsOut(Schema):
    items: list[ChannelOut]
    count: int


class ChannelIn(InputSchema):
    channel: Literal["email", "sms", "line"]
    address: str = Field("", max_length=200)
    enabled: bool


class ChannelsIn(InputSchema):
    items: list[ChannelIn] = Field(..., description="the channels to set; others stay as they are")
