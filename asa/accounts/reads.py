"""Who opened whose record: read events and the reason asked for out-of-routine access.

Every page and API read of one person, household or case writes an audit event (action
`view_record`: who, when, what, from which address, through the page or the API, why), and so
do the API's parts of one record (a person's timeline and consents, a case's timeline and plan).
Every list or search of people, households or cases — pages and API, each page of results —
writes one event too (action `search_records`): who, the search text and filters exactly as
given (the query text is personal data itself — a name, an ID number — and stays in the audit
row, which only the DPO and the ministry read), how many results, and the searcher's scope.
Exports are logged as `export_people`.

Routine and out-of-routine access
---------------------------------
Routine — no reason asked — is the work a user does every day on a record:
- the staff of the record's own center (its chair and volunteers) reading its people,
  households and cases;
- whoever registered the person or reported the case;
- a volunteer assigned to the case;
- an officer opening a case that waits for an officer's decision (closure requested);
- anyone who has already acted on the record (an event of theirs other than a read on it:
  registered, edited, approved, transferred, ...).
Everything else — an officer or the ministry browsing to someone's record — is out of routine:
the page asks for a reason first (a short Thai form) and the API answers 428 until the request
carries one (`X-Access-Reason` header, URL-encoded, or `?reason=`). A reason given for a record
covers that user's reads of it for REASON_COVERS (each read is still logged, with the reason).

Repeated reads are all logged — a DPO wants every access — except htmx partial refreshes of a
page already logged within PARTIAL_REFRESH (they are the same visit).
"""

import datetime as dt
import unicodedata
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from asa.accounts.access import scope_of
from asa.accounts.events import SEARCH_RECORDS, VIEW_RECORD, record_event
from asa.accounts.models import AuditEvent

REASON_COVERS = dt.timedelta(hours=12)
PARTIAL_REFRESH = dt.timedelta(minutes=5)
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
SESSION_KEY = "asa_access_reasons"
REASON_HEADER = "X-Access-Reason"

# The records whose reads are logged, and the page that shows each.
DETAIL_PAGES = {
    "registry.person": "registry:person_detail",
    "registry.household": "registry:household_detail",
    "cases.case": "cases:case_detail",
}


class AccessReasonRequired(Exception):
    """An out-of-routine API read without a (long enough) reason: answered with 428."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def record_read(
    user, obj: Model, *, via: str = "page", reason: str = "", part: str = ""
) -> AuditEvent:
    """Log that `user` read `obj` (through the page or the API), with the reason if given.

    `part` names a part of the record read on its own (an API timeline, consents, plan).
    """
    changes = {"via": via, "part": part} if part else {"via": via}
    return record_event(actor=user, action=VIEW_RECORD, obj=obj, changes=changes, reason=reason)


def _routine_by_role(user, obj: Model) -> bool:
    scope = scope_of(user)
    label = obj._meta.label_lower
    if obj.center_id in scope.center_ids:
        return True  # the record's own center: its chair and volunteers
    if getattr(obj, "created_by_id", None) == user.pk:
        return True  # registered the person / reported the case
    if label == "cases.case":
        from asa.cases.models import CaseAssignment, Status

        if scope.is_officer and obj.status == Status.CLOSURE_REQUESTED:
            return True  # waits for an officer's approval
        if scope.volunteer_ids:
            return CaseAssignment.objects.filter(
                case_id=obj.pk, volunteer_id__in=scope.volunteer_ids, ended_at__isnull=True
            ).exists()
    return False


def reason_needed(user, obj: Model) -> tuple[bool, str]:
    """(whether a reason must be asked, the reason already on record to log with the read).

    At most one query, on the (object_type, object_id, at) index: the user's latest event on
    the record that makes the read routine — any act on it, or a read with a reason given
    within REASON_COVERS.
    """
    if _routine_by_role(user, obj):
        return False, ""
    since = timezone.now() - REASON_COVERS
    latest = (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), actor=user
        )
        .filter(~Q(action=VIEW_RECORD) | (Q(at__gte=since) & ~Q(reason="")))
        .order_by("-at")
        .values_list("action", "reason")
        .first()
    )
    if latest is None:
        return True, ""
    action, reason = latest
    return False, reason if action == VIEW_RECORD else ""


def _session_key(obj: Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def read_page(request, obj: Model):
    """Log a page read of `obj`; answer the reason form instead when one must be asked.

    Returns None when the page may be shown (the read is logged), or the response asking for
    a reason. Views call it right after fetching the object through the access layer.
    """
    user = request.user
    needed, reason = reason_needed(user, obj)
    if needed:
        given = request.session.get(SESSION_KEY, {})
        reason = given.pop(_session_key(obj), "")
        if not reason:
            return ask_reason(request, obj)
        request.session.modified = True  # the reason is now on record with this read
    elif getattr(request, "htmx", False):
        recent = AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            actor=user,
            action=VIEW_RECORD,
            at__gte=timezone.now() - PARTIAL_REFRESH,
        )
        if recent.exists():
            return None  # a part of a page already logged, refreshed in place
    record_read(user, obj, via="page", reason=reason)
    return None


def ask_reason(request, obj: Model, *, form=None, status: int = 200):
    from asa.accounts.audit_forms import AccessReasonForm

    label = obj._meta.label_lower
    form = form or AccessReasonForm(initial={"object_type": label, "object_id": obj.pk})
    return render(
        request,
        "accounts/access_reason.html",
        {"form": form, "kind": obj._meta.verbose_name, "object_id": obj.pk},
        status=status,
    )


def remember_reason(request, *, object_type: str, object_id: int, reason: str) -> str:
    """Keep the reason for the next read of the record (its page); returns the page's URL."""
    given = request.session.get(SESSION_KEY, {})
    given[f"{object_type}:{object_id}"] = reason
    # Only a few at a time: a reason is used by the very next read of its record.
    request.session[SESSION_KEY] = dict(list(given.items())[-20:])
    return reverse(DETAIL_PAGES[object_type], args=[object_id])


def read_api(request, obj: Model, *, part: str = "") -> None:
    """Log an API read of `obj` (or of one part of it: its timeline, consents, plan); refuse
    (428) an out-of-routine read that gives no reason."""
    user = request.auth
    needed, reason = reason_needed(user, obj)
    given = unquote(request.headers.get(REASON_HEADER, "") or request.GET.get("reason", ""))
    given = " ".join(given.split())[:REASON_MAX_LENGTH]
    if any(unicodedata.category(char) == "Cc" for char in given):
        # A NUL cannot be stored in PostgreSQL text (a 500), and no reason holds control codes.
        raise ValidationError({"reason": _("เหตุผลมีอักขระที่ไม่อนุญาต (อักขระควบคุม)")})
    if needed:
        if not given:
            raise AccessReasonRequired(
                _(
                    "การเปิดดูข้อมูลนี้อยู่นอกงานประจำของคุณ กรุณาระบุเหตุผล "
                    "(ส่วนหัว X-Access-Reason หรือพารามิเตอร์ reason)"
                )
            )
        if len(given) < REASON_MIN_LENGTH:
            raise AccessReasonRequired(
                _("เหตุผลสั้นเกินไป (อย่างน้อย %(count)s ตัวอักษร)") % {"count": REASON_MIN_LENGTH}
            )
    record_read(user, obj, via="api", reason=given or reason, part=part)


# --- Searches and lists --------------------------------------------------------------------------

QUERY_VALUE_MAX = 200
NOT_THE_QUERY = frozenset({"page", "limit", "offset", "csrfmiddlewaretoken"})


def _scope_label(user) -> dict:
    """The searcher's scope, as the codes and ids the access layer gave them."""
    scope = scope_of(user)
    if scope.national or scope.data_protection_officer:
        return {"national": True}
    label = {
        "provinces": sorted(scope.province_codes),
        "districts": sorted(scope.district_codes),
        "centers": sorted(scope.center_ids),
        "agencies": sorted(scope.agency_ids),
    }
    return {key: value for key, value in label.items() if value}


def _query(params) -> dict:
    return {
        key: str(value)[:QUERY_VALUE_MAX]
        for key, value in params.items()
        if key not in NOT_THE_QUERY and value not in (None, "")
    }


def record_search(
    user, *, object_type: str, params, results: int | None, via: str = "page"
) -> AuditEvent:
    """Log one list or search of `object_type` records: the query (search text and filters,
    from `params`, e.g. request.GET), how many records matched, and the searcher's scope.
    One INSERT."""
    changes = {
        "via": via,
        "query": _query(params),
        "results": results,
        "scope": _scope_label(user),
    }
    if "page" in params:
        changes["page"] = str(params.get("page"))[:10]
    if "offset" in params:
        changes["offset"] = str(params.get("offset"))[:20]
    return record_event(actor=user, action=SEARCH_RECORDS, object_type=object_type, changes=changes)


def audited_pagination(object_type: str):
    """The API's limit/offset pagination that logs each page it serves as a search of
    `object_type` (with the total count it has just computed)."""
    from ninja.pagination import LimitOffsetPagination

    class AuditedPagination(LimitOffsetPagination):
        def paginate_queryset(self, queryset, pagination, request, **params):
            page = super().paginate_queryset(queryset, pagination, request, **params)
            record_search(
                request.auth,
                object_type=object_type,
                params=request.GET,
                results=page["count"],
                via="api",
            )
            return page

    return AuditedPagination
