"""A small HTTP/1.1 load generator on raw asyncio sockets: keep-alive aware, low overhead."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LoadResult:
    """Latency percentiles and maximum (ms), throughput and errors (4xx/5xx) of one load run."""

    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    rps: float
    max_ms: float


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One POST request as raw bytes."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    await reader.readexactly(int(fields.get("content-length", "0")))
    return status, fields.get("connection", "").lower() == "close"


async def _worker(
    target: tuple[str, int], request: bytes, count: int, latencies: list[float], errors: list[int]
) -> None:
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for _ in range(count):
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection(*target)
            reader, writer = connection
            writer.write(request)
            status, closing = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status, closing = 599, True
        latencies.append(time.perf_counter() - started)
        if status >= 400:
            errors.append(status)
        if closing and connection is not None:
            connection[1].close()
            connection = None
    if connection is not None:
        connection[1].close()


async def _run(target: tuple[str, int], request: bytes, total: int, concurrency: int) -> LoadResult:
    latencies: list[float] = []
    errors: list[int] = []
    share = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]
    started = time.perf_counter()
    await asyncio.gather(*(_worker(target, request, n, latencies, errors) for n in share))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return LoadResult(
        total,
        len(errors),
        float(np.percentile(ms, 50)),
        float(np.percentile(ms, 99)),
        total / elapsed,
        float(ms.max()),
    )


def run_load(
    host: str,
    port: int,
    path: str,
    body: bytes,
    *,
    total: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
    warmup: int = 50,
) -> LoadResult:
    """Send `total` requests with `concurrency` connections after a short warm-up."""
    request = build_request(host, port, path, body, headers or {})
    runner = _event_loop_runner()
    runner(_run((host, port), request, warmup, 1))
    return runner(_run((host, port), request, total, concurrency))


def _event_loop_runner():
    """uvloop when installed (less client overhead, so the server is what gets measured)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run
