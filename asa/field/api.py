"""The chair's decision on an item kept from a volunteer's phone (asa/field), over JSON: the same
queue, rule and actions as the review page (`/field/review/<id>/`).

The phone's outbox itself (`/field/sync/`) is the field app's endpoint, not an API operation:
an API client records a visit, a report or a handover with POST /visits, /cases or
/distributions directly.
"""

import datetime as dt

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from asa.accounts.access import get_for
from asa.field import actions, queries
from asa.field.models import SubmissionKind, SubmissionStatus
from asa.lib.schemas import TextInputSchema

router = Router(tags=["field"])


class OfflineSubmissionOut(Schema):
    id: int
    kind: SubmissionKind
    status: SubmissionStatus
    center: int = Field(..., alias="center_id")
    case: int | None = Field(None, alias="case_id")
    reason: str = Field(..., description="why the phone's item was kept for review")
    decided_at: dt.datetime | None
    decision_note: str
    result_url: str = Field(..., description="the page of what was recorded (applied items)")


class OfflineDecisionIn(TextInputSchema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        "",
        max_length=2000,
        description="the reason: required to discard, and to apply a report (e.g. checked it is "
        "not the same person)",
    )


def _submission(request, submission_id: int):
    return get_for(request.auth, queries.submissions_for(request.auth), submission_id)


@router.post(
    "/offline-submissions/{submission_id}/apply",
    response=OfflineSubmissionOut,
    summary="Record an item kept from a volunteer's phone, as yourself (chairs and above)",
    description="Decided already, or what it records is refused (a closed case, stock "
    "run out, a missing reason): 422 on `status` or `note`; nothing is recorded.",
)
def apply_submission(request, submission_id: int, payload: OfflineDecisionIn):
    submission = _submission(request, submission_id)
    actions.apply_offline_submission(actor=request.auth, submission=submission, note=payload.note)
    submission.refresh_from_db()
    return submission


@router.post(
    "/offline-submissions/{submission_id}/discard",
    response=OfflineSubmissionOut,
    summary="Set aside an item kept from a volunteer's phone, with the reason they will see",
    description="Without a reason: 422 on `note`; decided already: 422 on `status`.",
)
def discard_submission(request, submission_id: int, payload: OfflineDecisionIn):
    submission = _submission(request, submission_id)
    actions.discard_offline_submission(actor=request.auth, submission=submission, note=payload.note)
    submission.refresh_from_db()
    return submission
