"""`asa check --deploy` with production settings reports nothing; the HTTPS settings follow."""

import base64
import os
import secrets
import subprocess
import sys


def _production_environment(tmp_path, **overrides) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ASA_", "DJANGO_")) and key not in ("SECRET_KEY", "DEBUG")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "asa.settings",
            "ASA_VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "asa.example.go.th",
            "DEBUG": "0",
            "ASA_HTTPS": "1",
            "ASA_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "ASA_LOOKUP_KEY": secrets.token_urlsafe(40),
        }
    )
    environment.update(overrides)
    return environment


def _check_deploy(environment: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asa", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_reports_no_issues_with_production_settings(tmp_path):
    result = _check_deploy(_production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_would_report_plain_http(tmp_path):
    # The same check does see a problem: without HTTPS, cookies are not marked secure.
    result = _check_deploy(_production_environment(tmp_path, ASA_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE


def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_SECONDS",
    ]
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(*(getattr(settings, name) for name in {names!r}))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed snippet)
        [sys.executable, "-c", code],
        env=_production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *flags, hsts_seconds = result.stdout.split()
    assert flags == ["True"] * 4
    assert int(hsts_seconds) >= 31536000


def test_it_serves_the_policy_without_unsafe_inline(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_it_warns_when_the_second_factor_is_off(tmp_path):
    result = _check_deploy(_production_environment(tmp_path, ASA_REQUIRE_TWO_FACTOR="0"))
    assert result.returncode != 0
    assert "asa.W010" in result.stderr + result.stdout
