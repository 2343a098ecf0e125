"""Notification channels behind one interface: email, SMS and LINE (in-app is the row itself).

Each channel is a class with `send(address, message, url)`. The defaults keep everything on
this machine (Django's configured email backend, which is a file backend in the demo; SMS and
LINE written to files under var/outbox), so nothing leaves the machine in demo or tests. A
deployment points NOTIFICATION_CHANNELS at real adapters (an SMS gateway, LINE Messaging API).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string


class EmailChannel:
    def send(self, address: str, message: str, url: str) -> None:
        body = message + (f"\n\n{settings.SITE_URL.rstrip('/')}{url}" if url else "")
        send_mail("Asa (อาสา): การแจ้งเตือน", body, None, [address])


class FileChannel:
    """Writes each message as a JSON line to var/outbox/<name>.jsonl (demo and tests)."""

    name = "outbox"

    def send(self, address: str, message: str, url: str) -> None:
        outbox = Path(settings.VAR_DIR) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": address, "message": message, "url": url}
        with (outbox / f"{self.name}.jsonl").open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")


class FileSmsChannel(FileChannel):
    name = "sms"


class FileLineChannel(FileChannel):
    name = "line"


def channel_for(name: str):
    return import_string(settings.NOTIFICATION_CHANNELS[name])()
