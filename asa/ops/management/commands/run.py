"""`asa run` (what `make run` runs): the web server, the task worker and the scheduler together.

One command, one Ctrl-C stops all three. If one of them stops on its own, the others are
stopped too and the exit status says so (a half-running site that looks fine is worse).
Production runs the same three as separate services: `gunicorn asa.wsgi ...`, `asa db_worker`,
`asa scheduler`.
"""

import os
import signal
import subprocess  # nosec B404  # our own three commands, argument lists, never a shell
import sys
import time

from django.core.management.base import BaseCommand

STOP_WAIT_SECONDS = 20


class Command(BaseCommand):
    help = "Serve the site with its task worker and scheduler; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))

    def handle(self, *args, host: str, port: int, workers: int, **options):
        environment = dict(os.environ)
        # Links in emails and messages point at the address served here, unless set.
        shown_host = f"[{host}]" if ":" in host else host
        environment.setdefault("SITE_URL", f"http://{shown_host}:{port}")
        python = sys.executable
        commands = {
            "web": [
                python, "-m", "gunicorn", "asa.wsgi", "--bind", f"{shown_host}:{port}",
                "--workers", str(workers), "--threads", "4", "--access-logfile", "-",
                "--forwarded-allow-ips", "",
            ],
            "worker": [python, "-m", "asa", "db_worker"],
            "scheduler": [python, "-m", "asa", "scheduler"],
        }  # fmt: skip
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children = {
            name: subprocess.Popen(command, env=environment)  # noqa: S603  # nosec B603
            for name, command in commands.items()
        }
        self.stdout.write(
            f"asa run: web (pid {children['web'].pid}), worker (pid {children['worker'].pid}), "
            f"scheduler (pid {children['scheduler'].pid}); SITE_URL={environment['SITE_URL']}"
        )
        status = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    # Ctrl-C reaches the children too: one may stop before our own handler ran.
                    time.sleep(0.5)
                    if stopping:
                        break
                    self.stderr.write(
                        f"asa run: the {name} stopped (exit status {child.returncode}); "
                        "stopping the others"
                    )
                    status = 1
                    stopping = True
                    break
            else:
                time.sleep(0.5)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"asa run: the {name} did not stop; killing it")
                child.kill()
                child.wait()
        self.stdout.write("asa run: stopped")
        if status:
            sys.exit(status)
