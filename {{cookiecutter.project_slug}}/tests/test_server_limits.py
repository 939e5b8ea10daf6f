"""Attacks on the live server's sockets: huge or trickled headers, trickled bodies, idle
connections and more concurrent requests than a worker holds. Each gets a 4xx/503 and a closed
or free connection, never unbounded memory, a held socket or a long queue."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ROW
from .contracts import FEATURES
from .serving_fixtures import AUTH, live_server_process

BODY = json.dumps({"input_data": {"columns": list(FEATURES), "data": [ROW]}}).encode()
REQUEST = (
    b"POST /score HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    + f"Authorization: {AUTH['Authorization']}\r\nContent-Length: {len(BODY)}\r\n\r\n".encode()
    + BODY
)
MIB = 1024 * 1024


@pytest.fixture
def guarded(model_dir: Path) -> Iterator[tuple[str, int]]:
    """A one-worker server of its own with a 1 s read timeout and 3 requests in flight at most."""
    options = ("--no-auth", "--read-timeout", "1", "--max-in-flight", "3")
    with live_server_process(model_dir, *options) as (base_url, process):
        yield base_url, process.pid


def connect(base_url: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def response_of(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response: status, lower-cased headers and body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response; got {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def is_closed(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (EOF or reset on the next read)."""
    try:
        return sock.recv(1) == b""
    except ConnectionError:
        return True


def send_until_refused(sock: socket.socket, pieces: Iterable[bytes], pause: float = 0) -> int:
    """Send `pieces` until the server closes the connection; return the bytes it took first."""
    sent = 0
    for piece in pieces:
        time.sleep(pause)
        try:
            sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            return sent
        sent += len(piece)
    raise AssertionError(f"the server took all {sent} bytes without closing the connection")


def refusals(base_url: str, status: int) -> float:
    """The server's count of requests its protocol refused with `status`."""
    pattern = r'^scoring_protocol_refusals_total\{status="STATUS"\} (\S+)$'
    text = httpx.get(f"{base_url}/metrics").text
    found = re.search(pattern.replace("STATUS", str(status)), text, re.M)
    return float(found.group(1)) if found else 0.0


def test_a_header_block_over_16_kib_gets_431_and_the_connection_closes(
    guarded: tuple[str, int],
) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Padding: " + b"a" * 20_000)
        status, headers, body = response_of(sock)
        assert (status, headers["connection"]) == (431, "close")
        assert json.loads(body)["error"] == "request headers larger than 16384 bytes"
        assert is_closed(sock)
    assert refusals(base_url, 431) == 1


def test_50_mib_of_unterminated_headers_are_cut_off_long_before_the_end(
    guarded: tuple[str, int],
) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-A: ")
        sent = send_until_refused(sock, [*[b"a" * MIB] * 50, b"\r\n\r\n"])
    assert sent < 32 * MIB  # what sits in the socket buffers when the server closes
    assert httpx.get(f"{base_url}/health").status_code == 200


def test_headers_trickled_a_line_at_a_time_get_408_within_the_read_timeout(
    guarded: tuple[str, int],
) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
        send_until_refused(sock, [b"X-Slow: 1\r\n"] * 40, pause=0.2)  # 8 s if never closed
        status, _, body = response_of(sock)
    assert status == 408
    assert json.loads(body)["error"] == "request headers not received within 1 s"
    assert refusals(base_url, 408) == 1


def test_a_body_trickled_after_its_headers_gets_408_counted_once(
    guarded: tuple[str, int],
) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:
        sock.sendall(REQUEST[:-10])  # all but the last 10 bytes of the body, never sent
        status, _, answer = response_of(sock)
        assert status == 408
        assert json.loads(answer)["error"] == "request body not received within 1 s"
        assert is_closed(sock)
    text = httpx.get(f"{base_url}/metrics").text
    assert 'scoring_requests_total{route="/score",status="408"} 1.0' in text
    assert refusals(base_url, 408) == 0  # reached the app: counted there, not twice


def test_a_connection_that_never_sends_a_request_is_closed(guarded: tuple[str, int]) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:  # recv gives up after 10 s: the server must close first
        assert response_of(sock)[0] == 408
        assert is_closed(sock)


def test_a_request_arriving_whole_is_never_cut_by_the_read_timeout(
    guarded: tuple[str, int],
) -> None:
    base_url, _ = guarded
    with connect(base_url) as sock:
        for _ in range(3):  # keep-alive: each request after a pause longer than the timeout
            sock.sendall(REQUEST)
            assert response_of(sock)[0] == 200
            time.sleep(1.3)
        sock.sendall(REQUEST)
        assert response_of(sock)[0] == 200


def test_requests_beyond_max_in_flight_get_503_at_once_and_are_counted(
    guarded: tuple[str, int],
) -> None:
    """With the worker stopped, 12 requests pile up in the sockets; on resume the worker reads
    them in one go: 3 are scored, the rest are answered 503 with Retry-After, none queues."""
    base_url, pid = guarded
    sockets = [connect(base_url) for _ in range(12)]
    for sock in sockets:  # accepted and warm before the worker stops
        sock.sendall(REQUEST)
        assert response_of(sock)[0] == 200
    os.kill(pid, signal.SIGSTOP)
    try:
        for sock in sockets:
            sock.sendall(REQUEST)
    finally:
        os.kill(pid, signal.SIGCONT)
    replies = [response_of(sock) for sock in sockets]
    for sock in sockets:
        sock.close()
    statuses = sorted(status for status, _, _ in replies)
    assert set(statuses) == {200, 503}
    assert statuses.count(200) >= 3
    shed = [(headers, body) for status, headers, body in replies if status == 503]
    assert all(headers["retry-after"] == "1" for headers, _ in shed)
    assert json.loads(shed[0][1])["error"].startswith("overloaded: this worker holds ")
    counted = 'scoring_requests_total{route="/score",status="503"} ' + f"{len(shed)}.0"
    assert counted in httpx.get(f"{base_url}/metrics").text
