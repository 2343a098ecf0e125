"""The files of deploy/ agree with the application and with each other.

test_deploy_e2e.py runs them; these checks need no server and run in every pass.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(settings.BASE_DIR) / "deploy"
UNITS = DEPLOY / "systemd"
SETTINGS_SOURCE = (Path(settings.BASE_DIR) / "asa" / "settings.py").read_text()
SITE = (DEPLOY / "nginx" / "asa.conf").read_text()
TEMPLATE = (DEPLOY / "asa.env.example").read_text()


def _template_values() -> dict[str, str]:
    """Every VARIABLE=value of the environment template, commented-out defaults included."""
    return dict(re.findall(r"^#?([A-Z][A-Z0-9_]+)=(.*)$", TEMPLATE, flags=re.MULTILINE))


def test_the_environment_template_lists_every_setting():
    read = set(re.findall(r'env(?:str|int|bool|list)\("([A-Z0-9_]+)"', SETTINGS_SOURCE))
    read -= {"SQLITE_TEST_NAME"}  # the suite's own
    read |= {"IMPORT_MAX_BYTES", "DEMO_PASSWORD"}  # read where they are used
    assert len(read) > 30
    missing = sorted(read - set(_template_values()))
    assert not missing, f"add these to deploy/asa.env.example: {missing}"


def test_the_environment_template_is_a_production_one():
    values = _template_values()
    for name in ("ASA_HTTPS", "ASA_BEHIND_PROXY"):
        assert re.search(rf"^{name}=1$", TEMPLATE, flags=re.MULTILINE), name
    assert re.search(r"^DEBUG=0$", TEMPLATE, flags=re.MULTILINE)
    assert values["DATABASE_URL"].startswith("postgres://")
    assert values["SITE_URL"].startswith("https://")
    assert values["CSRF_TRUSTED_ORIGINS"] == values["SITE_URL"]


def test_the_nginx_site_matches_the_application():
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", SITE).group(1))
    assert megabytes * 1024 * 1024 == settings.MAX_REQUEST_BYTES
    var_dir = _template_values()["ASA_VAR_DIR"]
    # Static files from STATIC_ROOT; media never from a public path.
    assert f"alias {var_dir}/static/;" in SITE
    assert re.search(r"location /media/ \{\s+return 404;", SITE)
    assert not re.search(r"(alias|root)\s+\S*media", SITE)
    # The client address Asa trusts (rate limits, lockouts, audit) is the one nginx saw.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in SITE
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in SITE
    socket = re.search(r"^ListenStream=(\S+)$", (UNITS / "asa-web.socket").read_text(), re.M)
    assert f"server unix:{socket.group(1)} " in SITE


def _units() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(UNITS.iterdir())}


def test_the_three_processes_and_the_backup_have_units():
    units = _units()
    assert {
        "asa-web.service",
        "asa-web.socket",
        "asa-worker.service",
        "asa-scheduler.service",
        "asa-backup.service",
        "asa-backup.timer",
    } <= set(units)
    for name, text in units.items():
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/asa/asa.env" in text, name
            assert "User=asa" in text, name
    assert "gunicorn asa.wsgi" in units["asa-web.service"]
    backups = _template_values()["ASA_VAR_DIR"] + "/backups"
    assert f"find {backups} " in units["asa-backup.service"]


def test_every_asa_command_in_the_units_exists():
    used = set()
    for text in _units().values():
        used |= set(re.findall(r"/srv/asa/\.venv/bin/asa (\w+)", text))
    assert {"db_worker", "backup"} <= used
    missing = used - set(get_commands())
    if missing == {"scheduler"}:
        pytest.skip("`asa scheduler` comes with the ops branch; this checks it once merged")
    assert not missing


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is missing")
def test_systemd_accepts_the_units(tmp_path):
    venv_bin = Path(settings.BASE_DIR) / ".venv" / "bin"
    for name, text in _units().items():
        # Only the install path changes: the commands must exist for systemd to accept them.
        (tmp_path / name).write_text(text.replace("/srv/asa/.venv/bin/", f"{venv_bin}/"))
    if not (venv_bin / "asa").exists():
        pytest.skip(f"no virtualenv at {venv_bin}")
    answer = subprocess.run(  # noqa: S603 (fixed command)
        [
            SYSTEMD_ANALYZE,
            "verify",
            "--man=no",
            *sorted(str(path) for path in tmp_path.iterdir()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [line for line in answer.stderr.splitlines() if line.strip()]
    assert answer.returncode == 0 and not complaints, answer.stderr
