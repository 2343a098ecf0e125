"""A local HTTP server standing in for a message provider: it records each request exactly and
answers with the responses a test scripts (the provider's real success and error shapes)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class FakeProvider:
    url: str
    requests: list[Seen] = field(default_factory=list)
    answers: list[tuple[int, dict, dict]] = field(default_factory=list)

    def answer(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        """Queue the next answer; without one the server says 200 {}."""
        self.answers.append((status, body or {}, headers or {}))


def start_fake_provider() -> tuple[FakeProvider, ThreadingHTTPServer]:
    provider = FakeProvider(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            provider.requests.append(
                Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status, answer, headers = provider.answers.pop(0) if provider.answers else (200, {}, {})
            raw = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server
