"""uvicorn's httptools protocol with the limits it lacks: header size, read deadlines, queue depth.

- A request's header block may hold at most MAX_HEADER_BYTES: more gets 431 and the connection
  closes, so an unterminated header cannot grow the worker's memory.
- Its headers must arrive within the read timeout (`serve --read-timeout`; counted from the
  connection's opening for the first request, from the request's first byte after that) and its
  body within as long again; a trickling client gets 408 and the connection closes. An idle
  keep-alive connection is closed by uvicorn's own keep-alive timeout.
- Every request's scope carries how many requests this worker already holds (QUEUE_EXTENSION):
  received or being received, queued or being scored, until their response is sent. The app
  answers 503 beyond its limit at once instead of letting the queue grow.

The common path costs one addition and two comparisons per read: a request that arrives whole
in one read never arms a timer.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from {{ cookiecutter.package_name }}.serving.config import QUEUE_EXTENSION, ServerConfig
from {{ cookiecutter.package_name }}.serving.metrics import count_refusal

MAX_HEADER_BYTES = 16_384


class Held:
    """The requests this worker process holds, over all its connections."""

    count = 0


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus a header size limit, read deadlines and the queue depth."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0
        self._in_request = False  # a request has begun and is not yet fully received
        self._in_headers = True  # ... and its headers are not complete
        self._deadline: asyncio.TimerHandle | None = None
        self._deadline_phase: str | None = None
        self._held = 0  # this connection's requests in Held.count

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection; its first request's headers are due within HEADER_SECONDS."""
        super().connection_made(transport)
        self._arm("headers")

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline and release this connection's requests; then uvicorn cleans up."""
        self._disarm()
        Held.count -= self._held
        self._held = 0
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does, then enforce the header limit and the deadline of what is due."""
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm()
        elif self._in_headers and self._header_bytes > MAX_HEADER_BYTES:
            count_refusal(431)
            self._refuse(431, f"request headers larger than {MAX_HEADER_BYTES} bytes")
        elif self._in_request:
            self._arm("headers" if self._in_headers else "body")
        else:
            self._disarm()

    def on_message_begin(self) -> None:
        """A request's first byte."""
        self._in_request = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        """Hand the app the number of requests this worker holds, then start the request."""
        self._in_headers = False
        self.scope["extensions"] = {QUEUE_EXTENSION: {"depth": Held.count}}
        Held.count += 1
        self._held += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request is fully received: the next one's header count starts at zero."""
        self._in_request, self._in_headers, self._header_bytes = False, True, 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """A response is sent: its request is no longer held."""
        if self._held:
            self._held -= 1
            Held.count -= 1
        super().on_response_complete()

    def _arm(self, phase: str) -> None:
        if phase != self._deadline_phase:
            self._disarm()
            self._deadline = self.loop.call_later(read_timeout(), self._expire, phase)
            self._deadline_phase = phase

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline, self._deadline_phase = None, None

    def _expire(self, phase: str) -> None:
        self._deadline, self._deadline_phase = None, None
        if phase == "headers":  # a request with a body in progress reached the app: counted there
            count_refusal(408)
        self._refuse(408, f"request {phase} not received within {read_timeout():g} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close, unless a response is already under way (then just close)."""
        self._disarm()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            cycle.disconnected = True  # the app's reply to this request is dropped
            cycle.message_event.set()
        body = orjson.dumps({"error": message, "status": status})
        head = b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
        self.transport.write(STATUS_LINE[status] + head % len(body) + body)
        self.transport.close()


@cache
def read_timeout() -> float:
    """This worker's read timeout, from the config `serve` handed over (read once)."""
    return ServerConfig.from_env().read_timeout
