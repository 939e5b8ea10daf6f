"""A loopback stand-in for Azure Artifacts that speaks the documented request shapes.

It answers Feed Management (get/update feed, list/create views; api-version 7.1) under
``/feeds`` and PyPI (get package version, update package versions; 7.1-preview.1) under
``/pkgs``, checks the bearer token and every body's shape (400 otherwise), records every request,
and can fail a promotion batch half-way (non-atomic, as documented) with a 5xx.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FEED = re.compile(
    r"^/feeds/(?P<project>[^/]+)/_apis/packaging/feeds/(?P<feed>[^/]+)(?P<rest>/views)?$"
)
PYPI = re.compile(
    r"^/pkgs/(?P<project>[^/]+)/_apis/packaging/feeds/(?P<feed>[^/]+)/pypi/"
    r"(?:packages/(?P<name>[^/]+)/versions/(?P<version>[^/]+)|(?P<batch>packagesbatch))$"
)


@dataclass
class FeedState:
    """The feed as the server holds it; ``fail_after`` promotions succeed, then one 503."""

    project: str = "proj"
    feed: str = "feed-app-prod"
    token: str = "secret-token"  # noqa: S105  # nosec B105 - a test fixture
    upstreams: list[dict[str, Any]] = field(default_factory=list)
    views: dict[str, str] = field(default_factory=dict)  # name -> id
    versions: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # -> view ids
    fail_after: int | None = None
    promotions: Counter[tuple[str, str]] = field(default_factory=Counter)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, api


def _answer(handler: BaseHTTPRequestHandler, status: int, body: object = None) -> None:
    data = b"" if body is None else json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _view_names(state: FeedState, ids: set[str]) -> list[dict[str, str]]:
    return [{"id": i, "name": n, "type": "release"} for n, i in state.views.items() if i in ids]


def _feed_call(state: FeedState, method: str, views: bool, body: Any) -> tuple[int, object]:
    if not views and method == "GET":
        return 200, {"name": state.feed, "upstreamEnabled": bool(state.upstreams),
                     "upstreamSources": state.upstreams}  # fmt: skip
    if not views and method == "PATCH":
        sources = body.get("upstreamSources") if isinstance(body, dict) else None
        keys = {"name", "protocol", "location", "upstreamSourceType"}
        if body.get("upstreamEnabled") is not True or not isinstance(sources, list):
            return 400, {"message": "FeedUpdate needs upstreamEnabled and upstreamSources"}
        if not all(keys <= set(source) for source in sources):
            return 400, {"message": "an UpstreamSource needs " + ", ".join(sorted(keys))}
        state.upstreams = sources
        return 200, {"name": state.feed, "upstreamSources": sources}
    if views and method == "GET":
        value = [{"id": i, "name": n, "type": "release"} for n, i in state.views.items()]
        return 200, {"count": len(value), "value": value}
    if views and method == "POST":
        if set(body) != {"name", "type", "visibility"} or body["type"] != "release":
            return 400, {"message": "FeedView needs name, type release and visibility"}
        state.views[body["name"]] = f"view-{len(state.views) + 1}"
        return 200, {"id": state.views[body["name"]], **body}
    return 405, None


def _promote(state: FeedState, body: Any) -> tuple[int, object]:
    packages = body.get("packages") if isinstance(body, dict) else None
    view_id = str((body.get("data") or {}).get("viewId")) if isinstance(body, dict) else ""
    if body.get("operation") != "promote" or view_id not in state.views.values() or not packages:
        return 400, {"message": "PyPiPackagesBatchRequest: operation promote, data.viewId"}
    for package in packages:
        key = (str(package.get("id")), str(package.get("version")))
        if key not in state.versions:
            return 404, {"message": f"package {key} not found in feed"}
        if state.fail_after is not None and sum(state.promotions.values()) >= state.fail_after:
            state.fail_after = None  # one outage; the next run goes through
            return 503, {"message": "service unavailable"}
        state.versions[key].add(view_id)
        state.promotions[key] += 1
    return 200, None


def _route(state: FeedState, method: str, path: str, api: str, body: Any) -> tuple[int, object]:
    if (match := FEED.match(path)) and api == "7.1":
        if (match["project"], match["feed"]) != (state.project, state.feed):
            return 404, {"message": "feed not found"}
        return _feed_call(state, method, bool(match["rest"]), body)
    if (match := PYPI.match(path)) and api == "7.1-preview.1":
        if (match["project"], match["feed"]) != (state.project, state.feed):
            return 404, {"message": "feed not found"}
        if match["batch"] and method == "POST":
            return _promote(state, body)
        key = (unquote(match["name"]), unquote(match["version"]))
        if method != "GET" or key not in state.versions:
            return 404, {"message": "package version not found"}
        return 200, {
            "name": key[0],
            "version": key[1],
            "views": _view_names(state, state.versions[key]),
        }
    return 400, {"message": f"unknown call {method} {path} api-version={api}"}


def _handler(state: FeedState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            api = parse_qs(url.query).get("api-version", [""])[0]
            state.requests.append((self.command, url.path, api))
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                _answer(self, 401)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            _answer(self, *_route(state, self.command, url.path, api, body))

        def do_GET(self) -> None:
            """Get."""
            self._serve()

        def do_POST(self) -> None:
            """Post."""
            self._serve()

        def do_PATCH(self) -> None:
            """Patch."""
            self._serve()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Handler


@contextmanager
def running_feed(state: FeedState) -> Iterator[str]:
    """Serve ``state`` on a free loopback port; yields the root URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
