from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asa.accounts.actions import user_for_token
from asa.accounts.models import ApiToken, AuditEvent


def run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_token_printed_alone_on_the_last_line(chair_a):
    output = run("create", "chair.a", "--name", "laptop")
    secret = output.strip().splitlines()[-1]
    assert secret.startswith("asa_") and " " not in secret
    assert user_for_token(secret) == chair_a
    token = ApiToken.objects.get(user=chair_a)
    assert token.name == "laptop"
    assert secret not in token.key_hash  # only a hash is kept
    assert AuditEvent.objects.filter(action="create_api_token", object_id=str(chair_a.pk)).exists()


def test_it_lists_the_users_tokens_without_secrets(chair_a, volunteer_a):
    secret = run("create", "chair.a").strip().splitlines()[-1]
    run("create", "volunteer.a", "--name", "other")
    output = run("list", "chair.a")
    assert secret[:12] in output
    assert secret not in output
    assert "other" not in output
    assert "active" in output


def test_it_revokes_by_prefix(chair_a):
    secret = run("create", "chair.a").strip().splitlines()[-1]
    output = run("revoke", "chair.a", secret[:12])
    assert "Revoked" in output
    assert user_for_token(secret) is None
    assert "revoked" in run("list", "chair.a")


def test_it_does_not_revoke_another_users_token(chair_a, volunteer_a):
    secret = run("create", "volunteer.a").strip().splitlines()[-1]
    with pytest.raises(CommandError):
        run("revoke", "chair.a", secret[:12])
    assert user_for_token(secret) == volunteer_a


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        run("create", "nobody")
    assert not ApiToken.objects.exists()


def test_it_exits_non_zero_from_the_console_script(db, capsys):
    import sys

    from asa.__main__ import main

    argv = sys.argv
    sys.argv = ["asa", "token", "create", "nobody"]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    assert exit_info.value.code != 0
    assert "nobody" in capsys.readouterr().err
