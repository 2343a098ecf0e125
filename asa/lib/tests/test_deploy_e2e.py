"""Asa as deployed: Debian's nginx with TLS in front of gunicorn, and a real task worker.

The nginx site is the repository's own deploy/nginx/asa.conf with only its ports and paths
replaced; the certificate is a fresh self-signed one. Over HTTPS a chair signs in, searches,
uploads an import that a separate `asa db_worker` process finishes, and downloads a PDF.
Slow (three servers start): CI runs it in the PostgreSQL pass only (-m "not e2e" on SQLite).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from asa.conftest import PASSWORD
from asa.registry.actions import register_person
from asa.registry.models import ImportJob, ImportStatus

NGINX = "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
SITE = BASE_DIR / "deploy" / "nginx" / "asa.conf"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.access(NGINX, os.X_OK), reason="nginx is not installed (apt-get install nginx)"
    ),
    pytest.mark.skipif(
        OPENSSL is None, reason="openssl is not installed (apt-get install openssl)"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


def render_site(work: Path, *, http_port: int, https_port: int) -> str:
    """deploy/nginx/asa.conf with test ports and paths; every replaced text must still be there."""
    site = SITE.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        # The test binds one IPv4 address; a machine without IPv6 could not bind [::].
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
        "unix:/run/asa/web.sock": f"unix:{work / 'web.sock'}",
        "/etc/ssl/asa/fullchain.pem": str(work / "cert.pem"),
        "/etc/ssl/asa/privkey.pem": str(work / "key.pem"),
        "/var/lib/asa/static/": f"{work / 'var' / 'static'}/",
        "/var/www/letsencrypt": str(work / "acme"),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/asa.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    return site


def _nginx_conf(work: Path, site: Path) -> str:
    temp = {name: work / "nginx" / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    user = "user root root;" if os.geteuid() == 0 else ""  # workers must read the test's files
    return f"""
{user}
worker_processes 1;
pid {work / "nginx.pid"};
error_log {work / "nginx-error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work / "nginx-access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""


class Stack:
    """nginx, gunicorn and a task worker started for one test, stopped after it."""

    def __init__(self, work: Path, environment: dict, http_port: int, https_port: int):
        self.work = work
        self.environment = environment
        self.http_port = http_port
        self.https_port = https_port
        self.base = f"https://127.0.0.1:{https_port}"
        self.processes: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 (fixed commands of this test)
            command, cwd=BASE_DIR, env=self.environment, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.work.glob("*.log"))
        )

    def start_worker(self) -> subprocess.Popen:
        self.worker = self.start(
            "worker",
            [
                str(BIN / "asa"),
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
        )
        return self.worker

    def stop(self, process: subprocess.Popen, timeout: float = 30) -> int:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process, timeout=15)


def _run(command: list[str], environment: dict) -> None:
    answer = subprocess.run(  # noqa: S603 (fixed commands of this test)
        command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=300
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr


def _wait_until(check, *, timeout: float, stack: Stack, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout} s\n{_last_errors[-1:]}\n{stack.logs()}")


@pytest.fixture
def stack(transactional_db):
    # A short path: a unix socket's path must stay under 108 bytes.
    work = Path(tempfile.mkdtemp(prefix="asa-e2e-"))
    (work / "acme").mkdir()
    http_port, https_port = _free_port(), _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "CACHE_URL", "SQLITE_TEST"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="asa.settings",
        PYTHONPATH=str(BASE_DIR),
        DATABASE_URL=_database_url(),
        ASA_VAR_DIR=str(work / "var"),
        SECRET_KEY="e2e-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"https://127.0.0.1:{https_port}",
        ASA_HTTPS="1",
        ASA_BEHIND_PROXY="1",
        DEBUG="0",
        # The test process wrote the personas' encrypted fields with these keys.
        ASA_FIELD_KEYS=",".join(settings.ASA_FIELD_KEYS),
        ASA_LOOKUP_KEY=settings.ASA_LOOKUP_KEY,
    )
    _run(
        [
            *(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        environment,
    )
    _run([str(BIN / "asa"), "collectstatic", "--no-input", "-v", "0"], environment)
    site = work / "asa.conf"
    site.write_text(render_site(work, http_port=http_port, https_port=https_port))
    (work / "nginx.conf").write_text(_nginx_conf(work, site))
    nginx = [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "e.log")]
    _run([*nginx, "-t", "-q"], environment)

    running = Stack(work, environment, http_port, https_port)
    try:
        running.start(
            "gunicorn",
            [
                *(str(BIN / "gunicorn"), "asa.wsgi", "--bind", f"unix:{work / 'web.sock'}"),
                *("--workers", "2", "--threads", "2", "--forwarded-allow-ips", "*"),
                *("--access-logfile", "-", "--no-control-socket"),
            ],
        )
        running.start("nginx", [*nginx, "-g", "daemon off;"])
        yield running
    finally:
        running.stop_all()
        shutil.rmtree(work, ignore_errors=True)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_sign_in_search_import_and_pdf_over_https(stack, chair_a, center_a, settings):
    import requests

    # The server's password hashers (argon2) are not the suite's fast test hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    chair_a.set_password(PASSWORD)
    chair_a.save(update_fields=["password"])
    register_person(actor=chair_a, first_name="ประภาพร", last_name="ค้นหาเจอ", subdistrict="100502")

    session = requests.Session()
    session.trust_env = False  # no proxy, and no CA bundle from the environment overriding ours
    certificate = str(stack.work / "cert.pem")  # the self-signed certificate is checked
    base = stack.base

    def get(path, **options):
        return session.get(base + path, timeout=60, verify=certificate, **options)

    def post(path, data, **options):
        # Django checks the Referer of HTTPS posts against the host nginx passed on.
        headers = {"Referer": base + path}
        return session.post(
            base + path, data=data, headers=headers, timeout=60, verify=certificate, **options
        )

    _wait_until(
        lambda: (stack.work / "web.sock").exists() and (stack.work / "nginx.pid").exists(),
        timeout=90,
        stack=stack,
        what="gunicorn and nginx did not start",
    )
    login = _wait_until(
        lambda: _answer_or_none(get, "/accounts/login/"),
        timeout=90,
        stack=stack,
        what="the login page did not answer over HTTPS",
    )
    assert login.status_code == 200, stack.logs()
    # Behind nginx Asa knows the request came over HTTPS: HSTS, and no redirect loop.
    assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    # Plain HTTP is sent to HTTPS.
    plain = requests.get(
        f"http://127.0.0.1:{stack.http_port}/people/?q=x", allow_redirects=False, timeout=30
    )
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/people/?q=x"

    # Sign in (a chair has no second factor).
    answer = post(
        "/accounts/login/",
        {
            "username": "chair.a",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(login.text),
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert session.cookies.get("sessionid")

    # Search.
    found = get("/people/?q=ประภาพร")
    assert found.status_code == 200
    assert "ค้นหาเจอ" in found.text

    # An import: queued by the web process; the worker is not running yet, and the task waits
    # in the database for it (as across a worker restart during an upgrade).
    form = get("/imports/new/")
    csv = "ชื่อ,นามสกุล,รหัสตำบล\nสมปอง,นำเข้าผ่านเวิร์กเกอร์,100502\n"
    answer = post(
        "/imports/new/",
        {"source": "e2e", "csrfmiddlewaretoken": _csrf(form.text)},
        files={"file": ("people.csv", csv.encode(), "text/csv")},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:2000]
    job_id = int(re.search(r"/imports/(\d+)/", answer.headers["Location"]).group(1))
    time.sleep(1)
    assert ImportJob.objects.get(pk=job_id).status == ImportStatus.QUEUED

    worker = stack.start_worker()
    _wait_until(
        lambda: ImportJob.objects.get(pk=job_id).status in (ImportStatus.DONE, ImportStatus.FAILED),
        timeout=120,
        stack=stack,
        what="the worker did not finish the import",
    )
    assert ImportJob.objects.get(pk=job_id).status == ImportStatus.DONE, stack.logs()
    assert "เสร็จแล้ว" in get(f"/imports/{job_id}/").text
    assert "นำเข้าผ่านเวิร์กเกอร์" in get("/people/?q=สมปอง").text
    # The worker stops gracefully on SIGTERM (systemctl stop).
    assert stack.stop(worker) == 0, stack.logs()

    # A PDF download.
    pdf = get(f"/reports/export/center/{center_a.pk}.pdf")
    assert pdf.status_code == 200, pdf.text[:2000]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    # Static files come from nginx (its cache times), uploaded files from nowhere public.
    manifest = json.loads((stack.work / "var" / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/htmx/htmx.min.js"]
    static = get(f"/static/{hashed}")
    assert static.status_code == 200 and "max-age=315360000" in static.headers["Cache-Control"]
    plain_name = get("/static/vendor/htmx/htmx.min.js")
    assert plain_name.status_code == 200 and plain_name.headers["Cache-Control"] == "max-age=3600"
    assert get("/media/imports/people.csv").status_code == 404


def _answer_or_none(get, path):
    import requests

    try:
        answer = get(path)
    except requests.ConnectionError as error:
        _last_errors.append(repr(error))
        return None
    _last_errors.append(f"{answer.status_code} {answer.text[:300]}")
    return answer if answer.status_code != 502 else None


_last_errors: list[str] = []
