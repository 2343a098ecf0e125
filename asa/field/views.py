"""Pages of the field app: the offline app shell, its pack and outbox endpoints, the service
worker and manifest, and the chair's review of items that could not be applied."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from asa.accounts.access import get_for, require, scope_of
from asa.field import actions, queries
from asa.field.models import OfflineSubmissionFile, SubmissionStatus

# The app shell a phone keeps (precached by the service worker): styles, fonts, scripts, icons.
SHELL_ASSETS = [
    "asa/sarabun.css",
    "asa/asa.css",
    "asa/asa.js",
    "asa/field.css",
    "asa/field.js",
    "asa/field-register.js",
    "asa/signature.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/umd.js",
    "vendor/sarabun/sarabun-thai-400-normal.woff2",
    "vendor/sarabun/sarabun-latin-400-normal.woff2",
    "vendor/sarabun/sarabun-thai-700-normal.woff2",
    "vendor/sarabun/sarabun-latin-700-normal.woff2",
    "field/icon-192.png",
    "field/icon-512.png",
]
WORKBOX_MODULES = ["workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching"]
PAGE_SIZE = 25


def _revision(path: str) -> str:
    found = finders.find(path)
    if not found:
        return ""
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _json_401():
    return JsonResponse({"detail": _("กรุณาเข้าสู่ระบบอีกครั้ง")}, status=401)


@require_GET
def service_worker(request):
    """The service worker, at the site's root so its scope covers every page.

    Workbox (workbox-sw, pinned from npm, served from our static files: no CDN) precaches the
    app shell; the list carries each file's served URL and a content hash as its revision.
    """
    entries = [{"url": static(path), "revision": _revision(path)} for path in SHELL_ASSETS]
    body = render(
        request,
        "field/sw.js",
        {
            "workbox_sw": static("vendor/workbox/workbox-sw.js"),
            "workbox_prefix": static("vendor/workbox/").rstrip("/"),
            "precache": json.dumps(entries),
            "app_url": "/field/",
        },
        content_type="application/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = "/"
    body["Cache-Control"] = "no-cache"
    return body


@require_GET
def manifest(request):
    """The web app manifest: installable, opening on the field app."""
    data = {
        "name": "Asa อาสา — งานภาคสนาม อพม.",
        "short_name": "อาสา",
        "lang": "th",
        "start_url": "/field/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0f5c4d",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("field/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
def field_app(request):
    """The field app: today's work, assigned cases and the forms, from the pack on the phone.

    The page itself holds no case data: its script draws everything from IndexedDB, so the
    same cached page works offline."""
    require(bool(scope_of(request.user).volunteer_ids))
    return render(request, "field/app.html", {"device_days": settings.FIELD_DEVICE_DAYS})


@never_cache
@login_required
@require_GET
def pack(request):
    """The signed-in volunteer's offline pack (JSON) and a CSRF token for the outbox.

    Signed out, the phone is sent to the login page (it sees the redirect and drops the pack)."""
    data = queries.offline_pack(request.user)
    data["csrf_token"] = get_token(request)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_POST
def sync(request):
    """One outbox item: `client_id`, `kind`, `payload` (JSON), `photos` files, `signature`.

    Answers {"state": "sent" | "needs_attention" | "discarded", "reason", "url"}; a resend of the
    same `client_id` gets the same answer and writes nothing.
    """
    if not request.user.is_authenticated:
        return _json_401()
    require(bool(scope_of(request.user).volunteer_ids))
    try:
        payload = json.loads(request.POST.get("payload") or "{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse(
            {"detail": "payload", "errors": [{"field": "payload", "message": "ข้อมูลไม่ถูกต้อง"}]},
            status=422,
        )
    try:
        result = actions.submit_offline_item(
            actor=request.user,
            client_id=request.POST.get("client_id"),
            kind=request.POST.get("kind", ""),
            payload=payload,
            photos=request.FILES.getlist("photos"),
            signature=request.FILES.get("signature") or request.POST.get("signature"),
        )
    except ValidationError as error:
        errors = [
            {"field": field, "message": message}
            for field, messages_ in error.message_dict.items()
            for message in messages_
        ]
        return JsonResponse({"detail": errors[0]["message"], "errors": errors}, status=422)
    return JsonResponse(
        {"state": result.state, "reason": result.reason, "url": result.url},
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def review_list(request):
    """Items from phones that could not be applied, for the chair of the volunteer's center."""
    scope = scope_of(request.user)
    require(scope.national or scope.is_officer or bool(scope.chair_center_ids))
    status = request.GET.get("status") or SubmissionStatus.NEEDS_ATTENTION
    if status not in SubmissionStatus.values:
        status = SubmissionStatus.NEEDS_ATTENTION
    rows = queries.submissions_for(request.user).filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "field/review_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": SubmissionStatus.choices,
            "query_without_page": f"status={status}&",
        },
    )


@login_required
def review_detail(request, pk):
    submission = get_for(request.user, queries.submissions_for(request.user), pk)
    error = ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        try:
            if request.POST.get("decision") == "apply":
                url = actions.apply_offline_submission(
                    actor=request.user, submission=submission, note=note
                )
                messages.success(request, _("บันทึกรายการแล้ว"))
                return redirect(url)
            actions.discard_offline_submission(actor=request.user, submission=submission, note=note)
            messages.success(request, _("ไม่นำรายการไปบันทึกแล้ว"))
            return redirect("field:review_list")
        except ValidationError as problem:
            error = " ".join(
                message for values in problem.message_dict.values() for message in values
            )
    files = list(submission.files.all())
    return render(
        request,
        "field/review_detail.html",
        {
            "submission": submission,
            "files": files,
            "payload": sorted(submission.payload.items()),
            "error": error,
        },
    )


@login_required
def review_file(request, pk):
    """A kept photo or signature, streamed after the access check (private media)."""
    kept = get_for(request.user, OfflineSubmissionFile.objects.all(), pk)
    try:
        handle = kept.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    kind = "image/png" if kept.role == "signature" else "image/jpeg"
    response = FileResponse(handle, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="offline-{kept.pk}"'
    return response
