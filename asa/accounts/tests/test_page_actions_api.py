"""Every action a page offers has an API operation (issue 15, "The API contract").

The page URLs that take a POST are found by reading each view (a view that reads
`request.POST` or `request.FILES`, checks for a POST, is decorated `require_POST`, or is a class
view with a `post` method), together with every page the scope walker says takes a POST. Each
must be mapped below to the API operations that do the same thing (through the same action),
or be in NO_API with the reason it has none. A page action added without an API operation, or
a mapping to an operation that no longer exists, fails here.
"""

import functools
import inspect
import re

from django.urls import URLPattern, URLResolver, get_resolver

from asa.accounts.tests.test_scope import PAGES
from asa.api import api

PAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    # accounts
    "accounts:revoke_token": ("POST /api/v1/tokens/{token_id}/revoke",),
    "cases:notification_read": ("POST /api/v1/notifications/read",),
    "channels:settings": ("PUT /api/v1/notification-channels",),
    "channels:line_link": ("POST /api/v1/notification-channels/line/link",),
    "channels:line_unlink": ("POST /api/v1/notification-channels/line/unlink",),
    "accounts:user_create": ("POST /api/v1/users",),
    "accounts:user_role_add": ("POST /api/v1/users/{user_id}/roles",),
    "accounts:user_role_remove": ("POST /api/v1/users/{user_id}/roles/{assignment_id}/remove",),
    "accounts:user_active": ("POST /api/v1/users/{user_id}/active",),
    "accounts:user_two_factor_reset": ("POST /api/v1/users/{user_id}/two-factor-reset",),
    "accounts:user_password_reset": ("POST /api/v1/users/{user_id}/password-reset",),
    # centers, volunteers, events, hours
    "centers:center_edit": ("PATCH /api/v1/centers/{center_id}",),
    "centers:volunteer_create": ("POST /api/v1/volunteers",),
    "centers:center_import": ("POST /api/v1/centers/import",),
    "centers:volunteer_import": ("POST /api/v1/volunteers/import",),
    "centers:volunteer_edit": ("PATCH /api/v1/volunteers/{volunteer_id}",),
    "centers:own_profile_edit": ("PATCH /api/v1/volunteers/me",),
    "centers:volunteer_role": ("POST /api/v1/volunteers/{volunteer_id}/role",),
    "centers:volunteer_status": ("POST /api/v1/volunteers/{volunteer_id}/status",),
    "centers:event_create": ("POST /api/v1/events",),
    "centers:event_edit": ("PATCH /api/v1/events/{event_id}",),
    "centers:event_attendance": ("PUT /api/v1/events/{event_id}/attendance",),
    "centers:event_photo_add": ("POST /api/v1/events/{event_id}/photos",),
    "centers:hours_entry_create": ("POST /api/v1/hours-entries",),
    "centers:hours_entry_decide": (
        "POST /api/v1/hours-entries/{entry_id}/approve",
        "POST /api/v1/hours-entries/{entry_id}/reject",
    ),
    # registry
    "registry:person_create": ("POST /api/v1/people",),
    "registry:person_edit": ("PATCH /api/v1/people/{person_id}",),
    "registry:consent_create": ("POST /api/v1/people/{person_id}/consents",),
    "registry:consent_withdraw": ("POST /api/v1/consents/{consent_id}/withdraw",),
    "registry:problem_create": ("POST /api/v1/people/{person_id}/problems",),
    "registry:problem_status": ("POST /api/v1/people/{person_id}/problems/{problem_type}/status",),
    "registry:household_create": ("POST /api/v1/households",),
    "registry:household_add_member": ("POST /api/v1/households/{household_id}/members",),
    "registry:membership_end": ("POST /api/v1/households/{household_id}/members/{person_id}/end",),
    "registry:household_assess": ("POST /api/v1/households/{household_id}/assessments",),
    "registry:duplicate_merge": ("POST /api/v1/duplicates/{candidate_id}/merge",),
    "registry:duplicate_distinct": ("POST /api/v1/duplicates/{candidate_id}/distinct",),
    "registry:merge_undo": ("POST /api/v1/merges/{merge_id}/undo",),
    "imports:import_create": ("POST /api/v1/imports",),
    "field:review_detail": (
        "POST /api/v1/offline-submissions/{submission_id}/apply",
        "POST /api/v1/offline-submissions/{submission_id}/discard",
    ),
    "imports:import_review_detail": ("POST /api/v1/import-rows/{row_id}/review",),
    # cases
    "cases:case_create": ("POST /api/v1/cases",),
    "cases:case_assign": ("POST /api/v1/cases/{case_id}/assign",),
    "cases:case_unassign": ("POST /api/v1/cases/{case_id}/unassign",),
    "cases:case_transfer": ("POST /api/v1/cases/{case_id}/transfer",),
    "cases:case_status": ("POST /api/v1/cases/{case_id}/status",),
    "cases:closure_request": ("POST /api/v1/cases/{case_id}/closure-request",),
    "cases:closure_approve": ("POST /api/v1/cases/{case_id}/approve-closure",),
    "cases:case_reopen": ("POST /api/v1/cases/{case_id}/reopen",),
    "cases:visit_create": ("POST /api/v1/visits",),
    "cases:plan_item_create": ("POST /api/v1/cases/{case_id}/plan",),
    "cases:plan_item_update": ("PATCH /api/v1/plan-items/{item_id}",),
    "cases:assistance_create": ("POST /api/v1/assistance",),
    # referrals
    "referrals:agency_edit": ("PATCH /api/v1/agencies/{agency_id}",),
    "referrals:contact_create": ("POST /api/v1/agencies/{agency_id}/contacts",),
    "referrals:referral_create": ("POST /api/v1/referrals",),
    "referrals:referral_answer": ("POST /api/v1/referrals/{referral_id}/answer",),
    "referrals:referral_withdraw": ("POST /api/v1/referrals/{referral_id}/withdraw",),
    "referrals:referral_link": ("POST /api/v1/referrals/{referral_id}/links",),
    "referrals:conference_create": ("POST /api/v1/conferences",),
    "referrals:conference_action_create": ("POST /api/v1/conferences/{conference_id}/actions",),
    "referrals:conference_action_done": ("POST /api/v1/conference-actions/{action_id}/done",),
    # goods
    "aid:donation_create": ("POST /api/v1/donations",),
    "aid:distribution_create": ("POST /api/v1/distributions",),
    "aid:drive_list": ("POST /api/v1/drives",),
    "aid:loan_create": ("POST /api/v1/loans",),
    "aid:loan_return": ("POST /api/v1/loans/{loan_id}/return",),
    "aid:transfer_create": ("POST /api/v1/transfers",),
    "aid:write_off_create": ("POST /api/v1/write-offs",),
    "aid:threshold_edit": ("POST /api/v1/stock-thresholds",),
    "aid:stock_take_create": ("POST /api/v1/stock-takes",),
    # privacy
    "privacy:request_create": ("POST /api/v1/privacy-requests",),
    "privacy:request_act": (
        "POST /api/v1/privacy-requests/{request_id}/assign",
        "POST /api/v1/privacy-requests/{request_id}/verify-identity",
        "POST /api/v1/privacy-requests/{request_id}/generate-answer",
        "POST /api/v1/privacy-requests/{request_id}/answer",
        "POST /api/v1/privacy-requests/{request_id}/erase",
        "POST /api/v1/privacy-requests/{request_id}/refuse",
        "POST /api/v1/privacy-requests/{request_id}/withdraw",
    ),
    "privacy:retention_run": ("POST /api/v1/retention/run",),
    "privacy:breach_create": ("POST /api/v1/breaches",),
    "privacy:breach_act": (
        "POST /api/v1/breaches/{breach_id}/notify-regulator",
        "POST /api/v1/breaches/{breach_id}/notify-people",
        "POST /api/v1/breaches/{breach_id}/close",
    ),
}

# Page actions with no API operation, and why. Keep this list short: an action that changes the
# record of someone's work belongs in the API.
CREDENTIALS = (
    "a credential is changed only by its owner in a signed-in browser session (with the current "
    "password, an emailed link or a second-factor code): a bearer token must not be able to "
    "change the password or second factor of its account (a stolen token would take it over)"
)
NO_API: dict[str, str] = {
    "accounts:login": "sign-in makes the browser session; API clients send a bearer token",
    "accounts:logout": "ends the browser session; a token ends with POST /tokens/{id}/revoke",
    "accounts:password_change": CREDENTIALS,
    "accounts:password_reset": CREDENTIALS,
    "accounts:password_reset_confirm": CREDENTIALS,
    "accounts:two_factor": CREDENTIALS,
    "accounts:two_factor_enrol": CREDENTIALS,
    "accounts:recovery_codes": CREDENTIALS,
    "accounts:tokens": "a token is made on the tokens page or by `asa token create`: a token "
    "that could make tokens would outlive its own revocation",
    "accounts:set_digits": "how the pages show digits (Thai or Arabic); JSON always carries "
    "Arabic digits",
    "set_language": "the pages' language, kept in a cookie; the API answers in Thai",
    "audit:access_reason": "the API takes the reason with each read: the X-Access-Reason "
    "header or ?reason= (a 428 says when it is needed)",
    "field:sync": "the phone's outbox of the field app (its own JSON endpoint, replayed by its "
    "service worker): an API client records the same visit, report or handover with POST "
    "/visits, /cases or /distributions",
    "channels:line_webhook": "called by LINE's servers (signed with the channel secret), not "
    "by a user",
    "referrals:link_page": "the single-use link of a partner without an account; partner users "
    "answer with POST /referrals/{id}/answer",
}

# Page actions still without their API operation: none left (issue 15), and none may be added.
MISSING: dict[str, str] = {}

TAKES_A_POST = re.compile(
    r"request\.(POST|FILES)|method\s*(==|!=|in)\s*[\(\[\{]?\s*['\"]POST|require_POST"
    r"|require_http_methods\([^)]*POST"
)

READS_A_POST = re.compile(r"request\.(POST|FILES)")


def _patterns(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner != "admin":
                yield from _patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback


def _source(function) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def takes_a_post(callback) -> bool:
    """The view takes a POST, or a function of its own module that it calls (one page helper
    deep) reads the posted data."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    view = inspect.unwrap(callback)
    while isinstance(view, functools.partial):
        view = inspect.unwrap(view.func)
    if not inspect.isfunction(view):
        return False
    helpers = [
        value
        for name in view.__code__.co_names
        if inspect.isfunction(value := view.__globals__.get(name))
        and value.__module__ == view.__module__
    ]
    # A helper that only looks at the method (`write=request.method == "POST"`) does not count.
    return bool(TAKES_A_POST.search(_source(view))) or any(
        READS_A_POST.search(_source(function)) for function in helpers
    )


def post_pages() -> set[str]:
    found = {name for name, _callback in _patterns(get_resolver().url_patterns)}
    by_source = {
        name for name, callback in _patterns(get_resolver().url_patterns) if takes_a_post(callback)
    }
    by_walker = {name for name, entry in PAGES.items() if "POST" in entry.methods}
    assert by_walker <= found, by_walker - found
    return by_source | by_walker


def api_operations() -> set[str]:
    document = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method != "get"
    }


def test_every_page_action_has_an_api_operation_or_a_reason():
    unmapped = sorted(post_pages() - set(PAGE_ACTIONS) - set(NO_API) - set(MISSING))
    assert not unmapped, (
        "These pages take a POST but have no API operation: add one (calling the same action) "
        f"and map it in PAGE_ACTIONS, or say in NO_API why it has none: {unmapped}"
    )


def test_the_map_names_real_page_actions_and_operations():
    pages, operations = post_pages(), api_operations()
    lists = (PAGE_ACTIONS, NO_API, MISSING)
    for index, first in enumerate(lists):
        for second in lists[index + 1 :]:
            assert not set(first) & set(second), set(first) & set(second)
        stale = sorted(set(first) - pages)
        assert not stale, f"not (or no longer) a page that takes a POST: {stale}"
    unknown = sorted(
        {operation for mapped in PAGE_ACTIONS.values() for operation in mapped} - operations
    )
    assert not unknown, f"no such API operation: {unknown}"


def test_no_page_action_is_missing_its_operation():
    # Issue 15's gaps are closed: a page action added later gets its operation or a reason.
    assert not MISSING


def test_the_reader_of_views_tells_a_page_action_from_a_page():
    from asa.aid import views as aid_views
    from asa.centers import import_views
    from asa.privacy import views as privacy_views

    assert takes_a_post(privacy_views.retention_run)  # @require_POST
    assert takes_a_post(privacy_views.breach_create)  # request.POST or None
    assert takes_a_post(aid_views.drive_list)  # a list page that also plans a drive
    assert takes_a_post(import_views.volunteer_import)  # through its page helper
    assert not takes_a_post(privacy_views.retention_page)
    assert not takes_a_post(privacy_views.breach_export)
