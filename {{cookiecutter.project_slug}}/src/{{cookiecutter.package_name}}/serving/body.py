"""A request body, read once within the size limit; what is refused is drained, never buffered.

A client that is still uploading when the server answers (a body over the limit, a wrong key or
content type) would see its connection reset instead of the answer if the server closed with
unread bytes in the socket. So before replying to such a request the rest of the body is read
and dropped, chunk by chunk, for at most DRAIN_SECONDS: at most one chunk is in memory at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from {{ cookiecutter.package_name }}.errors import InvalidInputError

JSON = b"application/json"
CSV = b"text/csv"
UTF8 = (b"utf-8", b"utf8", b"us-ascii")
DRAIN_SECONDS = 30.0
INCOMPLETE = "request body incomplete: the client stopped sending it or disconnected"
Receive = Callable[[], Awaitable[dict[str, Any]]]


class RequestBody:
    """The body of one request: `read()` within the limit, `discard()` whatever is left."""

    def __init__(self, headers: dict[bytes, bytes], receive: Receive, limit: int) -> None:
        self.headers, self.receive, self.limit = headers, receive, limit
        declared = headers.get(b"content-length")
        self.complete = declared in (None, b"0") and b"transfer-encoding" not in headers
        self.started = False

    async def read(self, accepted: tuple[bytes, ...]) -> tuple[bytes, bytes]:
        """The media type and the whole body; 415 for a type not `accepted`, 413 over the limit."""
        content_type = self.headers.get(b"content-type", b"")
        media, _, parameters = content_type.partition(b";")
        media = media.strip().lower()
        if media not in accepted:
            shown = content_type.decode("latin-1")[:60]
            names = " or ".join(name.decode() for name in accepted)
            raise InvalidInputError(f"unsupported content type {shown!r}: send {names}", 415)
        if media == CSV and _charset(parameters) not in UTF8:
            raise InvalidInputError(
                f"unsupported charset in {content_type.decode('latin-1')[:60]!r}: send UTF-8", 415
            )
        declared = self.headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            raise InvalidInputError(f"body larger than {self.limit} bytes", 413)
        body = bytearray()
        while not self.complete:
            body += await self._next_chunk()
            if len(body) > self.limit:
                raise InvalidInputError(f"body larger than {self.limit} bytes", 413)
        return media, bytes(body)

    async def discard(self) -> None:
        """Read and drop the rest of the body so that the client receives the reply."""
        if self.complete or (not self.started and self._expects_continue()):
            return  # nothing left, or the client waits for our answer before it uploads
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                while not self.complete:
                    await self._next_chunk()
        except TimeoutError:
            self.complete = True  # give up: the connection closes with the reply sent
        except InvalidInputError:
            pass  # the client left: nothing more to drain

    async def _next_chunk(self) -> bytes:
        self.started = True
        message = await self.receive()
        if message["type"] != "http.request":  # the client left, or the read timeout closed it
            self.complete = True
            raise InvalidInputError(INCOMPLETE, 408)
        if not message.get("more_body"):
            self.complete = True
        return message.get("body", b"")

    def _expects_continue(self) -> bool:
        return self.headers.get(b"expect", b"").lower() == b"100-continue"


def _charset(parameters: bytes) -> bytes:
    """The charset a content type's parameters name (`; charset=utf-8`), UTF-8 when none."""
    for parameter in parameters.split(b";"):
        name, _, value = parameter.partition(b"=")
        if name.strip().lower() == b"charset":
            return value.strip().strip(b'"').lower()
    return b"utf-8"
