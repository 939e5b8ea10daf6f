"""A scoring server process on loopback, for the benchmark and the live-server tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager


class ServerStartError(RuntimeError):
    """The server process exited or did not answer in time."""


def free_port() -> int:
    """A loopback TCP port that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Poll `url` until it answers 200; fail early if the process exits."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310  # nosec B310 - http(s) only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise ServerStartError(f"{url} did not answer 200 within {timeout:.0f}s")


@contextmanager
def running(
    command: Sequence[str], probe_url: str, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server command for the duration of the block, once `probe_url` answers."""
    process = subprocess.Popen(  # noqa: S603 - an argument list, no shell
        list(command),
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(probe_url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
