"""The online scoring server: a small, dependency-free ASGI app around the `score` core."""

from __future__ import annotations

import hmac
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.scoring import (
    AZUREML,
    MLFLOW,
    PayloadError,
    dumps,
    parse_json,
    score,
)
from {{ cookiecutter.package_name }}.server_metrics import Metrics
from {{ cookiecutter.package_name }}.serving_model import ServingModel

JSON = b"application/json"
REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
CONTRACTS = {"/score": AZUREML, "/invocations": MLFLOW}
PROBES = ("/", "/health", "/ready", "/metrics")
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ServerOptions:
    """Security and limits; `api_key=None` means authentication is off (`--no-auth`)."""

    api_key: str | None
    max_body_bytes: int = 1_048_576


@dataclass(frozen=True)
class Reply:
    """A response: status, body and content type."""

    status: int
    body: bytes
    media: bytes = JSON


class ScoringApp:
    """ASGI app: POST /score and /invocations, GET probes and /metrics; 4xx for any bad input."""

    def __init__(self, model: ServingModel, options: ServerOptions) -> None:
        self.model, self.options = model, options
        self.metrics = Metrics(model.card)
        self.key = options.api_key.encode() if options.api_key is not None else None
        self.fixed_headers = [
            (b"x-model-name", model.card.name.encode()),
            (b"x-model-version", model.card.version.encode()),
        ]

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        reply = await self.dispatch(scope["method"], scope["path"], headers, receive)
        given = headers.get(b"x-request-id", b"")
        request_id = given if REQUEST_ID.fullmatch(given) else os.urandom(16).hex().encode()
        response_headers = [
            (b"content-type", reply.media),
            (b"x-request-id", request_id),
            (b"content-length", b"%d" % len(reply.body)),
            *self.fixed_headers,
        ]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": response_headers}
        )
        await send({"type": "http.response.body", "body": reply.body})
        if scope["path"] != "/metrics":
            self.metrics.observe(_route(scope["path"]), reply.status, time.perf_counter() - started)

    async def dispatch(self, method: str, path: str, headers: dict, receive: Receive) -> Reply:
        """Route a request and turn refusals into error replies."""
        try:
            if path in CONTRACTS:
                if method != "POST":
                    raise PayloadError(f"use POST for {path}", 405)
                return await self.score(CONTRACTS[path], headers, receive)
            if path in PROBES:
                if method not in ("GET", "HEAD"):
                    raise PayloadError(f"use GET for {path}", 405)
                return self.probe(path)
            raise PayloadError("no such route: use POST /score or /invocations", 404)
        except PayloadError as exc:
            return Reply(exc.status, orjson.dumps({"error": exc.message, "status": exc.status}))

    async def score(self, contract: str, headers: dict, receive: Receive) -> Reply:
        """Authorize, read the body within the limit, score."""
        self.authorize(headers.get(b"authorization", b""))
        body = await _read_body(headers, receive, self.options.max_body_bytes)
        return Reply(200, dumps(score(parse_json(body), self.model, contract)))

    def authorize(self, header: bytes) -> None:
        """Constant-time check of `Authorization: Bearer <key>` (no-op with --no-auth)."""
        if self.key is None:
            return
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(token, self.key):
            raise PayloadError(
                "missing or invalid API key: send 'Authorization: Bearer <key>'", 401
            )

    def probe(self, path: str) -> Reply:
        """Liveness, readiness (the model is loaded and warmed) and Prometheus metrics."""
        card = self.model.card
        if path == "/metrics":
            return Reply(200, self.metrics.render().encode(), b"text/plain; version=0.0.4")
        if path == "/ready":
            return Reply(
                200,
                orjson.dumps(
                    {
                        "status": "ready",
                        "model": card.name,
                        "version": card.version,
                        "runtime": card.runtime,
                    }
                ),
            )
        return Reply(200, b'{"status":"ok"}')


def create_app(model: ServingModel, options: ServerOptions) -> ScoringApp:
    """Build the app serving `model`; warms the model first so /ready is honest."""
    model.predict(np.zeros((1, len(model.card.features)), dtype=np.float32))
    return ScoringApp(model, options)


def _route(path: str) -> str:
    return path if path in CONTRACTS or path in PROBES else "other"


async def _read_body(headers: dict, receive: Receive, limit: int) -> bytes:
    content_type = headers.get(b"content-type", b"")
    if content_type.split(b";")[0].strip().lower() != JSON:
        shown = content_type.decode("latin-1")[:60]
        raise PayloadError(f"unsupported content type {shown!r}: send application/json", 415)
    declared = headers.get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise PayloadError(f"body larger than {limit} bytes", 413)
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit:
            raise PayloadError(f"body larger than {limit} bytes", 413)
        if not message.get("more_body"):
            return bytes(body)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
