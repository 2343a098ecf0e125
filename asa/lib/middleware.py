"""Per-request context (display preferences, client address) and the CSP header."""

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
