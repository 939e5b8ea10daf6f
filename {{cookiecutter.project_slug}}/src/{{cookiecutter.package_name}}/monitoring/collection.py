"""Online data collection: a sampled share of scored requests, written as JSON lines off the path.

The request path only draws a random number and, for a sampled request, appends the already
validated Features and the Prediction to a bounded deque (references: no copy, no encoding); a
full deque drops the sample and counts it. A writer thread drains the deque every FLUSH_SECONDS,
encodes the batch with orjson (monitoring/encoding.py) and appends it in one write to
`<directory>/<yyyy-mm-dd>/<host>-<pid>.jsonl` (UTC date of the request; one file per process, so
two workers never append to the same file):

    {"time": "2026-11-29T09:00:00.123Z", "request_id": "...", "model": "<name>",
     "model_version": "3", "features": ["age", ...], "inputs": [[52.0, "basic", true, null]],
     "outputs": ["yes"], "probabilities": [[0.2, 0.8]]}

`inputs` are rows in the contract's feature order with typed values; `probabilities` (one row
per scored row, contract class order) only for a classifier.
"""

from __future__ import annotations

import os
import random
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import IO, Protocol

import orjson

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.monitoring.encoding import InputRows, encode_outputs
from {{ cookiecutter.package_name }}.private_io import open_private, private_dir
from {{ cookiecutter.package_name }}.tasks.base import Prediction

FLUSH_SECONDS = 0.1
CLOSE_TIMEOUT_SECONDS = 10.0
Sample = tuple[float, bytes, Features, Prediction]


class Named(Protocol):
    """What names the served model in each line (the model card)."""

    @property
    def name(self) -> str:
        """The registered model's name."""
        ...

    @property
    def version(self) -> str:
        """Its version."""
        ...


class Tally(Protocol):
    """A counter (prometheus_client's Counter or one of its label children)."""

    def inc(self, amount: float = 1) -> None:
        """Add `amount`."""
        ...


@dataclass(frozen=True)
class Tallies:
    """What became of the sampled requests: written, dropped as the queue was full, write failed."""

    written: Tally
    queue_full: Tally
    write_failed: Tally


class Collector:
    """Samples requests on the request path; a background thread writes them as JSON lines."""

    def __init__(
        self, settings: CollectionSettings, card: Named, contract: Contract, tallies: Tallies
    ) -> None:
        self.directory, self.rate = settings.directory, settings.sample_rate
        self.queue_size, self.tallies = settings.queue_size, tallies
        names = list(contract.feature_names)
        static = {"model": card.name, "model_version": card.version, "features": names}
        self._static = orjson.dumps(static)[1:-1]  # "model":...,"features":[...] for each line
        self._rows = InputRows(contract)
        self._queue: deque[Sample] = deque()
        self._random = random.random
        self._file: tuple[str, IO[bytes]] | None = None
        self._second: tuple[int, str] = (-1, "")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="collection-writer", daemon=True)
        self._thread.start()

    def offer(self, request_id: bytes, features: Features, prediction: Prediction) -> None:
        """On the request path: keep this request with probability sample_rate, never wait."""
        if self._random() >= self.rate:
            return
        if len(self._queue) >= self.queue_size:  # only the writer pops meanwhile: never exceeds
            self.tallies.queue_full.inc()
            return
        self._queue.append((time.time(), request_id, features, prediction))

    def close(self) -> None:
        """Write everything accepted so far and stop the writer (the server's lifespan shutdown)."""
        self._stop.set()
        self._thread.join(CLOSE_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self._flush()
        self._flush()
        if self._file is not None:
            self._file[1].close()

    def _flush(self) -> None:
        queue, batch = self._queue, []
        while queue:
            batch.append(queue.popleft())
        by_day: dict[str, list[bytes]] = {}
        for sample in batch:
            try:
                day, line = self._encode(sample)
            except Exception as exc:  # a defect: count it, keep the writer alive for the rest
                self.tallies.write_failed.inc()
                print(f"warning: a collected sample could not be encoded: {exc}", file=sys.stderr)
                continue
            by_day.setdefault(day, []).append(line)
        for day, lines in by_day.items():
            try:
                self._open(day).write(b"".join(lines))
            except OSError as exc:
                self.tallies.write_failed.inc(len(lines))
                print(f"warning: {len(lines)} collected samples lost: {exc}", file=sys.stderr)
            else:
                self.tallies.written.inc(len(lines))

    def _encode(self, sample: Sample) -> tuple[str, bytes]:
        stamp, request_id, features, prediction = sample
        second = int(stamp)
        if second != self._second[0]:  # a batch mostly shares one second: format it once
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        when = b"%s.%03dZ" % (self._second[1].encode(), int(stamp * 1000) % 1000)
        line = b'{"time":"%s","request_id":"%s",%s,"inputs":%s,%s}\n' % (
            when,
            request_id,  # the server's x-request-id: [A-Za-z0-9._-] only, nothing to escape
            self._static,
            self._rows.encode(features),
            encode_outputs(prediction),
        )
        return self._second[1][:10], line

    def _open(self, day: str) -> IO[bytes]:
        if self._file is None or self._file[0] != day:
            if self._file is not None:
                self._file[1].close()
                self._file = None
            folder = private_dir(self.directory / day)  # 0700 folders, 0600 files: user data
            path = folder / f"{socket.gethostname()}-{os.getpid()}.jsonl"
            self._file = (day, open_private(path))  # one write per batch, unbuffered
        return self._file[1]
