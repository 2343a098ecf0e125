"""Who is asking, from where: set once per request so actions can stamp their audit events."""

import contextvars

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def ip_from_request(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a known proxy (ASA_BEHIND_PROXY).
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")
