"""Refusals (403) are logged as one line — who, which path, which rule — not a traceback.

Django logs every PermissionDenied on `django.request` with the exception's whole traceback:
hundreds of lines an hour of ordinary refusals (an outsider following a link) that bury the
real errors. This filter rewrites such a record into one line naming the user, the path and
the rule that refused: the exception's message when it has one, else the place in Asa's code
that raised it (the view or check that called `require`).
"""

import logging
import traceback


def _rule(exception: BaseException) -> str:
    message = str(exception)
    if message:
        return message
    # The innermost frame in Asa's own code other than the `require` helper.
    frames = [
        frame
        for frame in traceback.extract_tb(exception.__traceback__)
        if "/asa/" in frame.filename and "/tests/" not in frame.filename
    ]
    for frame in reversed(frames):
        if frame.name != "require":
            module = frame.filename.rsplit("/asa/", 1)[1].removesuffix(".py").replace("/", ".")
            return f"asa.{module}.{frame.name}:{frame.lineno}"
    return type(exception).__name__


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or not record.exc_info:
            return True
        exception = record.exc_info[1]
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        username = user.get_username() if getattr(user, "is_authenticated", False) else "-"
        path = getattr(request, "path", "")
        record.msg = "Forbidden: user=%s path=%s rule=%s"
        record.args = (username, path, _rule(exception) if exception else "-")
        record.exc_info = None
        record.exc_text = None
        return True
