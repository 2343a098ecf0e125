"""Per-request context (display preferences, client address), the CSP header, rate limits."""

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from asa.lib.rate_limit import Limit, hit
from asa.lib.request_context import client_ip, ip_from_request
from asa.lib.thai import thai_digits_preferred

THAI_DIGITS_SESSION_KEY = "thai_digits"

# No inline scripts or styles anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class DisplayPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        digits_token = thai_digits_preferred.set(bool(request.session.get(THAI_DIGITS_SESSION_KEY)))
        ip_token = client_ip.set(ip_from_request(request))
        try:
            return self.get_response(request)
        finally:
            thai_digits_preferred.reset(digits_token)
            client_ip.reset(ip_token)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API's interactive docs page loads its own assets; everything else is strict.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


# Powerful browser features: only the visit form's location (visit.js) is used, on our origin.
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), midi=(), interest-cohort=()"
)


class PrivateResponseMiddleware:
    """`Cache-Control: private, no-store` on every response that may carry personal data.

    That is every response to a signed-in user or an API token (pages, API, exports, private
    photos) and the partners' signed-link pages: nothing personal stays in a shared computer's
    browser cache or an intermediate proxy. Static files are served before this runs
    (WhiteNoise) and keep their long cache. Every response also gets a Permissions-Policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        personal = (
            getattr(user, "is_authenticated", False)
            or "Authorization" in request.headers
            or request.path.startswith("/r/")
        )
        # A response that already forbids storing keeps its own header (the link pages').
        if personal and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "private, no-store"
        return response


class RateLimitMiddleware:
    """429 with Retry-After when a client goes past a limit in settings.RATE_LIMITS.

    - login: each sign-in POST (password, code, enrolment), per address and per user name;
    - search: each request with a search text (`q`), per user (or address);
    - api: each API request, per bearer token (or signed-in user, or address).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._sign_in_paths: frozenset[str] | None = None

    def __call__(self, request):
        for bucket, key in self._buckets(request):
            limit = Limit(*settings.RATE_LIMITS[bucket.split("-")[0]])
            wait = hit(bucket, key, limit)
            if wait is not None:
                return self._refuse(request, wait)
        return self.get_response(request)

    def _buckets(self, request):
        address = ip_from_request(request) or "unknown"
        if request.method == "POST" and request.path in self.sign_in_paths():
            yield "login-address", address
            if username := request.POST.get("username", "")[:150]:
                yield "login-user", username
            elif email := request.POST.get("email", "")[:254]:  # a password reset request
                yield "login-user", f"email:{email.lower()}"
            elif request.user.is_authenticated:  # a password change
                yield "login-user", request.user.get_username()
        elif request.method == "POST" and request.path.startswith(self.reset_prefix()):
            yield "login-address", address  # choosing a new password from an emailed link
        is_api = request.path.startswith("/api/")
        if is_api:
            yield "api", self._api_client(request, address)
        if request.GET.get("q", "").strip():
            user = request.user
            yield "search", f"user:{user.pk}" if user.is_authenticated else f"address:{address}"

    @staticmethod
    def _api_client(request, address: str) -> str:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
        user = request.user
        return f"user:{user.pk}" if user.is_authenticated else f"address:{address}"

    def sign_in_paths(self) -> frozenset[str]:
        if self._sign_in_paths is None:
            self._sign_in_paths = frozenset(
                reverse(name)
                for name in (
                    "accounts:login",
                    "accounts:two_factor",
                    "accounts:two_factor_enrol",
                    "accounts:password_change",
                    "accounts:password_reset",
                )
            )
        return self._sign_in_paths

    @staticmethod
    def reset_prefix() -> str:
        # The links emailed for a reset (…/password/reset/<uid>/<token>/) all start here.
        return reverse("accounts:password_reset")

    @staticmethod
    def _refuse(request, wait: int):
        message = _("ส่งคำขอถี่เกินไป กรุณารอ %(seconds)d วินาทีแล้วลองใหม่") % {"seconds": wait}
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=429)
        elif getattr(request, "htmx", False):  # search-as-you-type: a notice in the results
            response = HttpResponse(
                format_html('<p class="error-summary" role="alert">{}</p>', message), status=429
            )
        else:
            response = render(request, "429.html", {"message": message}, status=429)
        response["Retry-After"] = str(wait)
        return response


class RequestSizeMiddleware:
    """413 before reading a body larger than settings.MAX_REQUEST_BYTES.

    Each upload also has its own limit where it is checked (photos, scans, import files); this
    one stops an oversized request before its files are spooled to disk at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            megabytes = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            message = _("ข้อมูลที่ส่งมีขนาดใหญ่เกิน %(size)d MB") % {"size": megabytes}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


class NulByteMiddleware:
    """400 for a NUL character in the address, the query, a form field or a JSON body.

    No one types one, and PostgreSQL can neither store nor compare text holding one (a query
    filtering on it fails with DataError, a 500), so it is refused before any view reads it.
    Uploaded files are not looked at: their bytes may hold anything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._field_with_nul(request)
        if field is None:
            return self.get_response(request)
        message = _("ข้อมูลในช่อง %(field)s มีอักขระที่ไม่อนุญาต (NUL)") % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "errors": [{"field": field, "message": message}]}, status=400
            )
        return render(request, "400.html", {"message": message}, status=400)

    @staticmethod
    def _field_with_nul(request) -> str | None:
        if "\x00" in request.path:
            return "path"
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                for name, values in request.POST.lists():
                    if "\x00" in name or any("\x00" in value for value in values):
                        return name.replace("\x00", "")
            elif content_type.endswith("json") and b"\\u0000" in request.body:
                return "body"
        return None


LARGEST_WHOLE_NUMBER = 2**63 - 1  # a 64-bit column: SQLite's INTEGER, PostgreSQL's bigint
FREE_TEXT_PARAMETERS = frozenset({"q", "reason"})  # a search text may be a long run of digits


class NumberRangeMiddleware:
    """422 for an API request naming a whole number past 64 bits (an id, an offset, a count).

    No column can hold one: SQLite refuses to bind it (OverflowError) and PostgreSQL refuses an
    OFFSET past bigint (DataError), both 500s; the number is refused, naming its field, before
    the operation runs. Checked: the address's parts, the query (but search texts) and the
    numbers of a JSON body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith("/api/"):
            return None
        field = self._field_too_large(request, view_kwargs)
        if field is None:
            return None
        message = _("ค่าในช่อง %(field)s มากเกินกว่าที่ระบบรับได้") % {"field": field}
        return JsonResponse(
            {"detail": message, "errors": [{"field": field, "message": message}]}, status=422
        )

    @classmethod
    def _field_too_large(cls, request, view_kwargs) -> str | None:
        for name, value in view_kwargs.items():
            if isinstance(value, str | int) and cls._too_large_text(str(value)):
                return name
        for name, values in request.GET.lists():
            if name not in FREE_TEXT_PARAMETERS and any(map(cls._too_large_text, values)):
                return name
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH") and content_type.endswith("json"):
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return None  # not JSON: the operation answers 400
            return cls._field_in_json(body, "body")
        return None

    @staticmethod
    def _too_large_text(value: str) -> bool:
        digits = value.strip().replace("_", "").removeprefix("-").removeprefix("+")
        if not digits.isdecimal():
            return False
        digits = digits.lstrip("0")
        return len(digits) > 19 or int(digits or "0") > LARGEST_WHOLE_NUMBER

    @classmethod
    def _field_in_json(cls, value, name: str) -> str | None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if (found := cls._field_in_json(inner, str(key))) is not None:
                    return found
        elif isinstance(value, list):
            for inner in value:
                if (found := cls._field_in_json(inner, name)) is not None:
                    return found
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > LARGEST_WHOLE_NUMBER
        ):
            return name
        return None
