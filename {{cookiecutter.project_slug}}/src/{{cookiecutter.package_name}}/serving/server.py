"""The online scoring server: a raw ASGI app (no web framework) around the `score` core."""

from __future__ import annotations

import hmac
import os
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import ServingModel, load_model_dir
from {{ cookiecutter.package_name }}.monitoring.collection import Collector
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.serving.body import CSV, RequestBody
from {{ cookiecutter.package_name }}.serving.config import (
    DEFAULT_MAX_IN_FLIGHT,
    QUEUE_EXTENSION,
    ServerConfig,
)
from {{ cookiecutter.package_name }}.serving.csv_table import csv_table
from {{ cookiecutter.package_name }}.serving.metrics import CONTENT_TYPE, Metrics
from {{ cookiecutter.package_name }}.serving.scoring import (
    AZUREML,
    MLFLOW,
    dumps,
    extract_table,
    parse_json,
    predict_table,
    result_of,
)

JSON = b"application/json"
REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
APIS = {"/score": AZUREML, "/invocations": MLFLOW}
MEDIA_TYPES = {AZUREML: (JSON,), MLFLOW: (JSON, CSV)}  # Azure ML online endpoints take no CSV
PROBES = ("/", "/health", "/ready", "/metrics")
RETRY_AFTER = ((b"retry-after", b"1"),)
NO_EXTENSIONS: dict[str, Any] = {}
INTERNAL_ERROR = b'{"error":"internal error: the server log has request %s","status":500}'
Scope = dict[str, Any]
Headers = dict[bytes, bytes]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Reply:
    """A response: status, body, content type and any further headers."""

    status: int
    body: bytes
    media: bytes = JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()


class ScoringApp:
    """ASGI app: POST /score and /invocations, GET probes and /metrics; 4xx for any bad input."""

    def __init__(
        self,
        model: ServingModel,
        api_key: str | None,
        max_body_bytes: int,
        collection: CollectionSettings | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        self.model, self.max_body_bytes = model, max_body_bytes
        self.max_in_flight = max_in_flight
        self.key = api_key.encode() if api_key is not None else None
        self.metrics = Metrics(model.card)
        self.collector = (
            Collector(collection, model.card, model.contract, self.metrics.collection)
            if collection is not None and collection.sample_rate > 0
            else None
        )
        self.fixed_headers = [
            (b"x-model-name", model.card.name.encode()),
            (b"x-model-version", model.card.version.encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"")
        request_id = given if REQUEST_ID.fullmatch(given) else os.urandom(16).hex().encode()
        body = RequestBody(headers, receive, self.max_body_bytes)
        reply = await self.dispatch(scope, headers, body, request_id)
        await body.discard()
        response_headers = [
            (b"content-type", reply.media),
            (b"x-request-id", request_id),
            (b"content-length", b"%d" % len(reply.body)),
            *self.fixed_headers,
            *reply.headers,
        ]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": response_headers}
        )
        await send({"type": "http.response.body", "body": reply.body})
        if scope["path"] != "/metrics":
            self.metrics.observe(_route(scope["path"]), reply.status, time.perf_counter() - started)

    async def dispatch(
        self, scope: Scope, headers: Headers, body: RequestBody, request_id: bytes
    ) -> Reply:
        """Route a request and turn refusals into error replies."""
        method, path = scope["method"], scope["path"]
        try:
            if path in APIS:
                if method != "POST":
                    raise InvalidInputError(f"use POST for {path}", 405)
                self.admit(scope)
                return await self.score(APIS[path], headers, body, request_id)
            if path in PROBES:
                if method not in ("GET", "HEAD"):
                    raise InvalidInputError(f"use GET for {path}", 405)
                return self.probe(path)
            raise InvalidInputError("no such route: use POST /score or /invocations", 404)
        except InvalidInputError as exc:
            error = orjson.dumps({"error": exc.message, "status": exc.status})
            return Reply(exc.status, error, headers=RETRY_AFTER if exc.status == 503 else ())
        except Exception:  # a defect, not the client's fault: logged, counted, never collected
            return _internal_error(request_id)

    async def score(
        self, api: str, headers: Headers, body: RequestBody, request_id: bytes
    ) -> Reply:
        """Authorize, read the body within the limit, score; offer the request for collection."""
        self.authorize(headers.get(b"authorization", b""))
        media, raw = await body.read(MEDIA_TYPES[api])
        contract = self.model.contract
        if media == CSV:
            table = csv_table(contract, raw)
        else:
            table = extract_table(parse_json(raw), api, contract)
        features, prediction, index = predict_table(table, self.model)
        reply = Reply(200, dumps(result_of(contract, prediction, index)))
        if self.collector is not None:  # only what was answered with a 200 is collected
            self.collector.offer(request_id, features, prediction)
        return reply

    def admit(self, scope: Scope) -> None:
        """Shed load: 503 at once when this worker already holds max_in_flight requests."""
        queue = (scope.get("extensions") or NO_EXTENSIONS).get(QUEUE_EXTENSION)
        if queue is not None and queue["depth"] >= self.max_in_flight:
            raise InvalidInputError(
                f"overloaded: this worker holds {queue['depth']} requests; retry shortly", 503
            )

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """ASGI lifespan: on shutdown, write every collected sample before the process exits."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.collector is not None:
                    self.collector.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def authorize(self, header: bytes) -> None:
        """Constant-time check of `Authorization: Bearer <key>` (no-op with --no-auth)."""
        if self.key is None:
            return
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(token, self.key):
            raise InvalidInputError(
                "missing or invalid API key: send 'Authorization: Bearer <key>'", 401
            )

    def probe(self, path: str) -> Reply:
        """Liveness, readiness (the model is loaded and warmed) and Prometheus metrics."""
        card = self.model.card
        if path == "/metrics":
            return Reply(200, self.metrics.render(), CONTENT_TYPE)
        if path == "/ready":
            ready = {"status": "ready", "model": card.name, "version": card.version}
            return Reply(200, orjson.dumps({**ready, "runtime": card.runtime}))
        return Reply(200, b'{"status":"ok"}')


def create_app(config: ServerConfig) -> ScoringApp:
    """Load and warm the configured model (so /ready is honest) and build the app around it."""
    api_key = config.api_key()
    model = load_model_dir(config.model_dir)  # refused unless it predicts a row of its contract
    return ScoringApp(
        model, api_key, config.max_body_bytes, config.collection(), config.max_in_flight
    )


def _internal_error(request_id: bytes) -> Reply:
    """Log the exception being handled with the request id; a 500 naming that id."""
    print(f"request {request_id.decode()}: internal error", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)
    return Reply(500, INTERNAL_ERROR % request_id)


def _route(path: str) -> str:
    return path if path in APIS or path in PROBES else "other"
