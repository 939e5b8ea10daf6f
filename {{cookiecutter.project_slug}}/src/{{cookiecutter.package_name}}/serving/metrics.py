"""Prometheus metrics of the scoring server, for the whole server whatever the worker count.

`serve` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before any worker starts; each worker
then writes its samples there and every scrape, whichever worker answers it, aggregates all of
them with prometheus_client's multiprocess collector. Without that variable (the app embedded in
one process) the metrics are this process's own.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from {{ cookiecutter.package_name }}.model.folder import ModelCard
from {{ cookiecutter.package_name }}.monitoring.collection import Tallies
from {{ cookiecutter.package_name }}.serving.config import METRICS_DIR_ENV

CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Refused by the HTTP protocol before a request reaches the app (serving/protocol.py), so it lives
# at module level; each app's registry shows it too.
PROTOCOL_REFUSALS = Counter(
    "scoring_protocol_refusals",
    "Requests refused before the app: 408 (sent too slowly) or 431 (headers too large).",
    ["status"],
    registry=None,
)


class Metrics:
    """Requests by route and status, latency, the model served, and data collection counts."""

    def __init__(self, card: ModelCard) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "scoring_requests",
            "Requests by route and HTTP status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scoring_request_seconds",
            "Request latency in seconds.",
            buckets=BUCKETS,
            registry=self.registry,
        )
        info = Gauge(
            "scoring_model_info",
            "The model being served.",
            ["name", "version", "runtime"],
            registry=self.registry,
            multiprocess_mode="max",
        )
        info.labels(card.name, card.version, card.runtime).set(1)
        collected = Counter(
            "scoring_collection_samples",
            "Sampled requests written by online data collection.",
            registry=self.registry,
        )
        dropped = Counter(
            "scoring_collection_dropped",
            "Sampled requests not collected: queue_full (the writer lags) or write_failed.",
            ["reason"],
            registry=self.registry,
        )
        self.collection = Tallies(
            collected, dropped.labels("queue_full"), dropped.labels("write_failed")
        )
        self.registry.register(PROTOCOL_REFUSALS)
        self._counters: dict[tuple[str, int], Counter] = {}

    def observe(self, route: str, status: int, seconds: float) -> None:
        """Count one finished request and its latency."""
        counter = self._counters.get((route, status))
        if counter is None:
            counter = self._counters[route, status] = self.requests.labels(route, str(status))
        counter.inc()
        self.latency.observe(seconds)

    def render(self) -> bytes:
        """The metrics in Prometheus text format: every worker's samples when there are several."""
        if os.environ.get(METRICS_DIR_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


def count_refusal(status: int) -> None:
    """Count one request the protocol refused (408 or 431)."""
    PROTOCOL_REFUSALS.labels(str(status)).inc()
