"""EMAIL_URL → Django's SMTP settings: smtp://user:password@host:587?tls=1, smtps://host:465."""

from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
TRUE = {"1", "true", "yes", "on"}


def parse_email_url(url: str) -> dict:
    """The settings an EMAIL_URL stands for. `smtps` is TLS from the first byte (port 465);
    `smtp` with ?tls=1 upgrades with STARTTLS (port 587); a bad URL raises ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("EMAIL_URL has no host")
    query = {key: values[-1].strip().lower() for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps" or query.get("ssl") in TRUE
    use_tls = not use_ssl and query.get("tls") in TRUE
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": int(query.get("timeout") or 20),
    }
