"""Azure ML's data collector runtime, played on loopback: the collector config and its sidecar.

In an online deployment with `data_collector` enabled, Azure ML writes a JSON config naming the
collections (AZUREML_MDC_CONFIG_PATH) and runs a sidecar that azureml.ai.monitoring POSTs each
collected table to (AZUREML_MDC_HOST:AZUREML_MDC_PORT, path /modeldata/log). Here the sidecar is
a real HTTP server that records what it receives.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

COLLECTIONS = ("model_inputs", "model_outputs")


@dataclass
class Payload:
    """One table the collector sent: its collection, correlation id and rows."""

    collection: str
    correlation_id: str
    rows: list[dict[str, Any]]


@dataclass
class Sidecar:
    """The recording sidecar: its port and every payload received so far."""

    port: int
    payloads: list[Payload] = field(default_factory=list)

    def find(self, collection: str, wanted: Callable[[Payload], bool]) -> Payload:
        """The first `collection` payload that is `wanted`, waiting for the sender (bounded)."""
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            for payload in list(self.payloads):
                if payload.collection == collection and wanted(payload):
                    return payload
            time.sleep(0.05)
        raise AssertionError(f"no such {collection} payload in {self.payloads}")


def write_collector_config(path: Path, sample_percent: int = 100) -> Path:
    """The collector config Azure ML writes for a deployment collecting inputs and outputs."""
    collection = {"enabled": True, "sampleRatePercentage": sample_percent}
    path.write_text(json.dumps({"collections": dict.fromkeys(COLLECTIONS, collection)}))
    return path


@contextmanager
def running_sidecar() -> Iterator[Sidecar]:
    """A sidecar on a free loopback port for the duration of the block."""
    payloads: list[Payload] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            collection = self.headers["ce-type"].removeprefix("azureml.inference.")
            payloads.append(Payload(collection, self.headers["ce-x-request-id"], json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            """Quiet: the tests read the payloads, not the access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Sidecar(server.server_address[1], payloads)
    finally:
        server.shutdown()
        server.server_close()
