"""A real SMS gateway on loopback for the HTTP backend's tests: ``http.server`` in a
thread on 127.0.0.1 at a free port, answering the statuses it is scripted with and keeping
every request it received (headers and the exact body bytes)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A scripted answer that never comes: the handler holds the request until the server
# stops, so the client's own timeout fires.
HANG = "hang"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Gateway:
    script: list
    received: list[Received] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    @property
    def deliveries(self) -> list[Received]:
        """The requests answered 2xx: messages the gateway took."""
        return [r for r, status in zip(self.received, self.answered, strict=True) if 200 <= status < 300]


def start_gateway(script: list) -> tuple[Gateway, ThreadingHTTPServer]:
    gateway = Gateway(script=list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                gateway.received.append(Received(self.path, dict(self.headers), body))
                answer = gateway.script.pop(0) if gateway.script else 200
                gateway.answered.append(0 if answer == HANG else answer)
            if answer == HANG:
                gateway.release.wait()
                return
            payload = json.dumps({"id": f"gw-{len(gateway.received)}"} if answer < 300 else {"error": "no"}).encode()
            self.send_response(answer)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    return gateway, server


def stop_gateway(gateway: Gateway, server: ThreadingHTTPServer) -> None:
    gateway.release.set()
    server.shutdown()
    server.server_close()
