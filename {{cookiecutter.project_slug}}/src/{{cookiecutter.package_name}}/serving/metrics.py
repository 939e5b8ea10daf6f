"""Prometheus text metrics for the scoring server: requests, latency histogram, model info."""

from __future__ import annotations

import bisect
from collections import Counter

from {{ cookiecutter.package_name }}.serving_model import ModelCard

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
PREFIX = "scoring"


def labels(**pairs: object) -> str:
    """Prometheus label set, e.g. {route="/score",status="200"}."""
    return "{" + ",".join(f'{name}="{value}"' for name, value in pairs.items()) + "}"


class Metrics:
    """Counters kept in-process (one set per worker process), rendered in Prometheus format."""

    def __init__(self, card: ModelCard) -> None:
        self.card = card
        self.requests: Counter[tuple[str, int]] = Counter()
        self.bucket_counts = [0] * (len(BUCKETS) + 1)
        self.latency_sum = 0.0

    def observe(self, route: str, status: int, seconds: float) -> None:
        """Count one finished request and its latency."""
        self.requests[route, status] += 1
        self.bucket_counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.latency_sum += seconds

    def render(self) -> str:
        """The metrics in Prometheus text exposition format 0.0.4."""
        info = {"name": self.card.name, "version": self.card.version, "runtime": self.card.runtime}
        lines = [
            f"# HELP {PREFIX}_requests_total Requests by route and HTTP status.",
            f"# TYPE {PREFIX}_requests_total counter",
        ]
        for (route, status), count in sorted(self.requests.items()):
            lines.append(f"{PREFIX}_requests_total{labels(route=route, status=status)} {count}")
        lines += [
            f"# HELP {PREFIX}_request_seconds Request latency in seconds.",
            f"# TYPE {PREFIX}_request_seconds histogram",
        ]
        cumulative = 0
        for bound, count in zip((*BUCKETS, "+Inf"), self.bucket_counts, strict=True):
            cumulative += count
            lines.append(f"{PREFIX}_request_seconds_bucket{labels(le=bound)} {cumulative}")
        lines += [
            f"{PREFIX}_request_seconds_sum {self.latency_sum:.6f}",
            f"{PREFIX}_request_seconds_count {cumulative}",
            f"# HELP {PREFIX}_model_info The model being served.",
            f"# TYPE {PREFIX}_model_info gauge",
            f"{PREFIX}_model_info{labels(**info)} 1",
        ]
        return "\n".join(lines) + "\n"
