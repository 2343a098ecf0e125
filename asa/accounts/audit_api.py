"""`GET /api/v1/audit-events`: the audit trail for the DPO and the ministry admin (403 for
everyone else)."""

import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts import queries
from asa.accounts.access import require, scope_of

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    sequence: int | None
    at: dt.datetime
    actor: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    reason: str
    ip_address: str | None
    hash: str

    @staticmethod
    def resolve_actor(event) -> int | None:
        return event.actor_id


@router.get(
    "/audit-events",
    response=list[AuditEventOut],
    summary="Audit events: who did or read what, when, from where, why (DPO and admin only)",
    description=(
        "Newest first. Filters: `person` (events on the person's record and on their cases, "
        "households and referrals), `user` (the actor's user id), `object_type` "
        "(`registry.person`, `registry.household`, `cases.case`, ...), `object_id`, `action` "
        "(e.g. `view_record` for reads), `since` / `until` (ISO dates or date-times; a date is "
        "the whole day). Reads of one person, household or case are logged as `view_record` "
        "with `changes.via` = `page` or `api` and the reason given for out-of-routine access. "
        "403 for everyone but the data protection officer and the ministry admin."
    ),
)
@paginate(LimitOffsetPagination)
def list_audit_events(
    request,
    person: int | None = Query(None, description="person id"),
    user: int | None = Query(None, description="user id of the actor"),
    object_type: str = Query("", max_length=60),
    object_id: str = Query("", max_length=40),
    action: str = Query("", max_length=80),
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
):
    scope = scope_of(request.auth)
    require(scope.national or scope.data_protection_officer)
    return queries.search_audit(
        request.auth,
        person=person,
        actor=user,
        object_type=object_type,
        object_id=object_id,
        action=action,
        since=since,
        until=until,
    )
