"""A refusal (403) is logged as one line with user, path and rule — not a traceback."""

import logging

from django.urls import reverse


def test_a_refusal_is_one_line_naming_user_path_and_rule(client_for, chair_a, caplog):
    url = reverse("audit:search")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for(chair_a).get(url).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = record.getMessage()
    assert record.exc_info is None and record.exc_text is None
    expected = f"Forbidden: user={chair_a.get_username()} path={url} rule="
    assert line.startswith(expected + "asa.accounts.audit_views.audit_search:"), line
    assert "Traceback" not in caplog.text and "\n" not in line


def test_a_refusal_with_a_message_logs_the_message_as_its_rule(rf, chair_a, caplog):
    from django.core.exceptions import PermissionDenied

    from asa.lib.refusals import OneLineRefusals

    request = rf.get("/somewhere/")
    request.user = chair_a
    try:
        raise PermissionDenied("not this center's case")
    except PermissionDenied as error:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden (Permission denied): %s",
            ("/somewhere/",),
            (type(error), error, error.__traceback__),
        )
    record.status_code, record.request = 403, request
    assert OneLineRefusals().filter(record)
    assert record.getMessage() == (
        f"Forbidden: user={chair_a.get_username()} path=/somewhere/ rule=not this center's case"
    )
    assert record.exc_info is None
