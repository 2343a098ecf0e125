"""Notification channels behind one interface: email, SMS and LINE (in-app is the row itself).

Each channel is a class with `send(address, message, url, *, key) -> str` (what the provider
answered, kept on the delivery row). A failure raises `DeliveryError` saying, in Thai, why, and
whether trying again later may help (rate limits, outages, network) or not (a refused number,
bad credentials): `deliver_pending_notifications` retries the first kind with backoff.

The defaults keep everything on this machine (Django's email backend writes files in the demo;
SMS and LINE are JSON lines under var/outbox): the channel page says "demo mode" while they are
in use. A deployment sets EMAIL_URL, LINE_CHANNEL_ACCESS_TOKEN and SMS_API_KEY (README,
"Configuration") and the real adapters below take over.
"""

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from urllib import error as urlerror
from urllib import parse, request

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

EMAIL_SUBJECT = "Asa (อาสา): การแจ้งเตือน"


class DeliveryError(Exception):
    """A message that did not go out. `retry`: trying later may work; `retry_after`: seconds."""

    def __init__(self, reason: str, *, retry: bool, retry_after: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after = retry_after


def _with_link(message: str, url: str) -> str:
    return message + (f"\n{settings.SITE_URL.rstrip('/')}{url}" if url else "")


# --- Email -------------------------------------------------------------------------------------

DEMO_EMAIL_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


class EmailChannel:
    """Django's email backend: SMTP from EMAIL_URL / EMAIL_HOST, or files in the demo."""

    def send(self, address: str, message: str, url: str, *, key: str = "") -> str:
        try:
            send_mail(EMAIL_SUBJECT, _with_link(message, url), None, [address])
        except OSError as error:  # smtplib's errors are OSErrors: refused, timed out, rejected
            code = getattr(error, "smtp_code", None)
            # SMTP 5xx is permanent (a refused address); 4xx and network trouble are temporary.
            permanent = isinstance(code, int) and code >= 500
            detail = f"SMTP {code}" if code else type(error).__name__
            raise DeliveryError(
                f"ส่งอีเมลไม่สำเร็จ ({detail}): {error}", retry=not permanent
            ) from error
        return ""

    @staticmethod
    def is_demo() -> bool:
        return settings.EMAIL_BACKEND in DEMO_EMAIL_BACKENDS


# --- Files (demo) ------------------------------------------------------------------------------


class FileChannel:
    """Writes each message as a JSON line to var/outbox/<name>.jsonl (demo and tests)."""

    name = "outbox"

    def send(self, address: str, message: str, url: str, *, key: str = "") -> str:
        outbox = Path(settings.VAR_DIR) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": address, "message": message, "url": url}
        with (outbox / f"{self.name}.jsonl").open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"var/outbox/{self.name}.jsonl"

    @staticmethod
    def is_demo() -> bool:
        return True


class FileSmsChannel(FileChannel):
    name = "sms"


class FileLineChannel(FileChannel):
    name = "line"


# --- HTTP providers ----------------------------------------------------------------------------


def _http(method: str, url: str, *, headers: dict, body: bytes, timeout: int = 15):
    """One request; answers (status, parsed JSON or {}, headers). Network trouble is retried."""
    if not url.startswith(("https://", "http://")):  # a provider's address, never file: or ftp:
        raise ValueError(f"not an http(s) address: {url[:40]}")
    outgoing = request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        # The configured provider's http(s) address, checked above.
        with request.urlopen(outgoing, timeout=timeout) as response:  # noqa: S310  # nosec B310
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urlerror.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    except (urlerror.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"ติดต่อผู้ให้บริการไม่ได้: {reason}", retry=True) from error
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        parsed = {}
    return status, parsed if isinstance(parsed, dict) else {}, answer_headers


def _retry_after(headers) -> int | None:
    value = (headers or {}).get("Retry-After", "")
    return int(value) if str(value).isdigit() else None


def _refusal(status: int, detail: str, headers) -> DeliveryError:
    """The provider said no: 429 and 5xx are worth another try later, other 4xx are not."""
    detail = f": {detail}" if detail else ""
    if status == 429:
        return DeliveryError(
            f"ผู้ให้บริการจำกัดจำนวนคำขอ (HTTP 429){detail}",
            retry=True,
            retry_after=_retry_after(headers),
        )
    if status >= 500:
        return DeliveryError(f"ผู้ให้บริการขัดข้อง (HTTP {status}){detail}", retry=True)
    return DeliveryError(f"ผู้ให้บริการปฏิเสธ (HTTP {status}){detail}", retry=False)


class LineChannel:
    """LINE Messaging API push message (LINE Notify closed in 2025).

    POST {LINE_API_URL}/v2/bot/message/push with the channel access token; the address is the
    LINE user id the webhook linked. A retry key (a UUID fixed per delivery) makes LINE accept
    a retried push once, even if the first try timed out after LINE had taken it.
    """

    def send(self, address: str, message: str, url: str, *, key: str = "") -> str:
        body = {"to": address, "messages": [{"type": "text", "text": _with_link(message, url)}]}
        status, answer, headers = _http(
            "POST",
            f"{settings.LINE_API_URL.rstrip('/')}/v2/bot/message/push",
            headers={
                "Authorization": f"Bearer {settings.LINE_CHANNEL_ACCESS_TOKEN}",
                "Content-Type": "application/json",
                "X-Line-Retry-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, key or address + message)),
            },
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )
        if 200 <= status < 300:
            return headers.get("X-Line-Request-Id", "")
        if status == 409:  # the same retry key was accepted before: it was sent
            return headers.get("X-Line-Accepted-Request-Id", "")
        raise _refusal(status, answer.get("message", ""), headers)

    @staticmethod
    def is_demo() -> bool:
        return False


def reply_line(reply_token: str, text: str) -> None:
    """Answer a user's message in the LINE chat (the webhook's confirmation)."""
    status, answer, headers = _http(
        "POST",
        f"{settings.LINE_API_URL.rstrip('/')}/v2/bot/message/reply",
        headers={
            "Authorization": f"Bearer {settings.LINE_CHANNEL_ACCESS_TOKEN}",
            "Content-Type": "application/json",
        },
        body=json.dumps(
            {"replyToken": reply_token, "messages": [{"type": "text", "text": text}]},
            ensure_ascii=False,
        ).encode("utf-8"),
    )
    if not 200 <= status < 300:
        raise _refusal(status, answer.get("message", ""), headers)


def line_signature_is_valid(body: bytes, signature: str) -> bool:
    """X-Line-Signature is base64(HMAC-SHA256(channel secret, raw request body))."""
    secret = settings.LINE_CHANNEL_SECRET
    if not secret or not signature:
        return False
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), signature)


# --- SMS ---------------------------------------------------------------------------------------

# The GSM 03.38 default alphabet; the extension characters cost two septets each.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"


def sms_parts(text: str) -> tuple[str, int]:
    """How the text travels and in how many parts: GSM-7 160 alone / 153 per part when split;
    anything else (Thai) UCS-2, 70 alone / 67 per part, counted in UTF-16 code units."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        length = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, each = 160, 153
        encoding = "GSM-7"
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, each = 70, 67
        encoding = "UCS-2"
    if length <= single:
        return encoding, 1
    return encoding, -(-length // each)


class HttpSmsChannel:
    """An HTTP SMS gateway in the shape of ThaiBulkSMS API v2 (api-v2.thaibulksms.com/sms).

    POST form fields msisdn, message, sender (and force = standard/corporate when set) with HTTP
    Basic auth (API key, API secret). Success is a 2xx JSON with `phone_number_list` (each with
    a message_id); a refused number comes back in `bad_phone_number_list`; errors are
    {"error": {"code", "name", "description"}}. Another provider with the same shape only needs
    SMS_API_URL; a different shape is another class named by NOTIFY_SMS_CHANNEL.
    """

    def send(self, address: str, message: str, url: str, *, key: str = "") -> str:
        text = _with_link(message, url)
        encoding, parts = sms_parts(text)
        fields = {"msisdn": address, "message": text, "sender": settings.SMS_SENDER}
        if settings.SMS_CREDIT_TYPE:
            fields["force"] = settings.SMS_CREDIT_TYPE
        credentials = f"{settings.SMS_API_KEY}:{settings.SMS_API_SECRET}".encode()
        status, answer, headers = _http(
            "POST",
            settings.SMS_API_URL,
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            body=parse.urlencode(fields).encode("ascii"),
        )
        if not 200 <= status < 300:
            problem = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            detail = problem.get("description") or problem.get("name") or ""
            raise _refusal(status, detail, headers)
        refused = answer.get("bad_phone_number_list") or []
        if refused:
            detail = refused[0].get("message", "") if isinstance(refused[0], dict) else ""
            raise DeliveryError(f"ผู้ให้บริการไม่รับหมายเลขนี้: {detail}", retry=False)
        sent = answer.get("phone_number_list") or [{}]
        message_id = sent[0].get("message_id", "") if isinstance(sent[0], dict) else ""
        return f"{message_id} ({encoding} {parts} ส่วน)".strip()

    @staticmethod
    def is_demo() -> bool:
        return False


def channel_for(name: str):
    return import_string(settings.NOTIFICATION_CHANNELS[name])()


def is_demo(name: str) -> bool:
    """Whether messages on this channel only go to files on this machine (demo mode)."""
    return channel_for(name).is_demo()
