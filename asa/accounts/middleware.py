"""Hold every request of a session that still owes its second factor (see security.py), and
every request of a user who must change a password someone else chose (`must_change_password`)."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from asa.accounts import security

# Pages a half-signed-in session may still open: the code pages, signing out, language/digits.
OPEN_URL_NAMES = (
    "accounts:two_factor",
    "accounts:two_factor_enrol",
    "accounts:login",
    "accounts:logout",
    "accounts:set_digits",
    "set_language",
    "healthz",
)
# ... and, while a new password is owed, the change form itself.
PASSWORD_OPEN_URL_NAMES = (*OPEN_URL_NAMES, "accounts:password_change")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None
        self._password_open_paths: frozenset[str] | None = None

    def __call__(self, request):
        if self._owes_code(request):
            request.two_factor_pending = True  # base.html leaves the menu out meanwhile
            if request.path.startswith("/api/"):
                # The session does not count as signed in for the API; a bearer token still does
                # (tokens are made by fully signed-in users).
                request.user = AnonymousUser()
            elif not self._is_open(request.path):
                if request.method == "GET" and not getattr(request, "htmx", False):
                    request.session[security.NEXT_SESSION_KEY] = request.get_full_path()
                return redirect("accounts:two_factor")
        elif self._owes_password(request):
            request.password_change_pending = True  # base.html leaves the menu out meanwhile
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            elif not self._is_password_open(request.path):
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _owes_password(request) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.must_change_password)

    def _is_password_open(self, path: str) -> bool:
        if self._password_open_paths is None:
            self._password_open_paths = frozenset(reverse(name) for name in PASSWORD_OPEN_URL_NAMES)
        return path in self._password_open_paths or path.startswith("/static/")

    @staticmethod
    def _owes_code(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        session = request.session
        if session.get(security.VERIFIED_SESSION_KEY):
            return False
        return bool(session.get(security.PENDING_SESSION_KEY)) or security.two_factor_required(user)

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return path in self._open_paths or path.startswith("/static/")
