"""Audit pages: the reason form for out-of-routine access, the DPO's audit search and export.

The search and export are for the data protection officer and the ministry admin only. They show
who did what to whose record; of a person they show only the name and district (enough to tell
people apart), never the record itself.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from asa.accounts import audit_export, queries
from asa.accounts.access import get_for, require, scope_of
from asa.accounts.audit_forms import (
    OBJECT_TYPES,
    AccessReasonForm,
    AuditAnchorForm,
    AuditSearchForm,
)
from asa.accounts.events import action_label
from asa.accounts.reads import ask_reason, remember_reason
from asa.lib.thai import format_be_date_numeric

PAGE_SIZE = 50
TYPE_LABELS = dict(OBJECT_TYPES)


def _record_queryset(user, object_type: str):
    from asa.cases.queries import cases_for
    from asa.registry.queries import households_for, people_for

    return {
        "registry.person": people_for,
        "registry.household": households_for,
        "cases.case": cases_for,
    }[object_type](user)


@login_required
@require_POST
def access_reason(request):
    """The reason for an out-of-routine read; the record's page then shows and logs it."""
    form = AccessReasonForm(request.POST)
    object_type = request.POST.get("object_type", "")
    if object_type not in ("registry.person", "registry.household", "cases.case"):
        require(False)
    # Only for a record the user may read at all (404 otherwise, like its page).
    records = _record_queryset(request.user, object_type)
    obj = get_for(request.user, records, request.POST.get("object_id"))
    if not form.is_valid():
        return ask_reason(request, obj, form=form, status=400)
    url = remember_reason(
        request, object_type=object_type, object_id=obj.pk, reason=form.cleaned_data["reason"]
    )
    return redirect(url)


def _may_audit(user) -> bool:
    scope = scope_of(user)
    return scope.national or scope.data_protection_officer


def _filters(request, form: AuditSearchForm) -> tuple[dict, dict]:
    """(filters for search_audit, context for the page) from a valid search form."""
    data = form.cleaned_data
    filters: dict = {
        "action": data.get("action") or "",
        "object_type": data.get("object_type") or "",
        "since": data.get("since"),
        "until": data.get("until"),
    }
    context: dict = {}
    if data.get("person"):
        filters["person"] = data["person"]
        context["person"] = queries.person_label(data["person"])
    elif data.get("q"):
        context["people"] = queries.find_people(data["q"])
    if data.get("user"):
        users = queries.find_users(data["user"])
        if len(users) == 1:
            filters["actor"] = users[0].pk
            context["actor"] = users[0]
        else:
            context["users"] = users
            filters["actor"] = -1 if not users else None
            if not users:
                form.add_error("user", _("ไม่พบผู้ใช้ชื่อนี้"))
    return filters, context


def _plain(filters: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in filters.items()
        if value not in (None, "")
    }


@login_required
def audit_search(request):
    require(_may_audit(request.user))
    form = AuditSearchForm(request.GET or None)
    month = request.GET.copy()
    for key in ("page", "until"):
        month.pop(key, None)
    month["since"] = format_be_date_numeric(timezone.localdate().replace(day=1))
    context: dict = {"form": form, "this_month_query": month.urlencode()}
    if form.is_bound and form.is_valid():
        filters, found = _filters(request, form)
        context |= found
        # A search: by person (once picked), by user, or by action, type or period alone.
        searching = (
            "person" in filters
            or filters.get("actor") is not None
            or any(filters.get(key) for key in ("action", "object_type", "since", "until"))
        )
        if searching and "people" not in found and "users" not in found and form.is_valid():
            events = queries.search_audit(request.user, **filters)
            page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
            for event in page:
                event.label = action_label(event.action)
                event.type_label = TYPE_LABELS.get(event.object_type, event.object_type)
            query = request.GET.copy()
            query.pop("page", None)
            encoded = query.urlencode()
            context |= {
                "page_obj": page,
                "query_without_page": f"{encoded}&" if encoded else "",
                "export_query": encoded,
            }
    return render(request, "accounts/audit_search.html", context)


@login_required
def audit_anchor(request):
    """The chain's head now, the heads published to the DPOs, and a check of a kept head.

    The published list lives in this database, so it is a convenience: the copy that counts is
    the one outside it (the DPO's mailbox). Pasting that copy here tells whether the chain still
    holds it; `asa audit verify --head` also walks every link.
    """
    from asa.accounts.audit import chain_head, check_anchor, published_heads

    require(_may_audit(request.user))
    form = AuditAnchorForm(request.GET or None)
    check = None
    if form.is_bound and form.is_valid():
        check = check_anchor(form.cleaned_data["head"])
    sequence, head = chain_head()
    context = {
        "form": form,
        "check": check,
        "head_sequence": sequence,
        "head_hash": head,
        "published": published_heads(),
    }
    return render(request, "accounts/audit_anchor.html", context, status=200)


@login_required
def export_history(request, file_format: str):
    require(_may_audit(request.user))
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "accounts/audit_search.html", {"form": form}, status=400)
    filters, _found = _filters(request, form)
    if filters.get("actor") is None:
        filters.pop("actor", None)
    events = queries.search_audit(request.user, **filters)
    audit_export.export_audit_events(
        actor=request.user,
        events=events,
        file_format=file_format,
        filters=_plain(filters),
        person_id=filters.get("person"),
    )
    name = f"access-history-{filters.get('person', 'all')}.{file_format}"
    if file_format == "xlsx":
        response = HttpResponse(
            audit_export.xlsx_bytes(events),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            audit_export.csv_lines(events), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
