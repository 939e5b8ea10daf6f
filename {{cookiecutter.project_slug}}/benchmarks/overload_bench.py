"""Our server overloaded: 2 workers, 512 connections, with load shedding (the default
--max-in-flight) and without it (a limit no burst reaches), interleaved.

Both servers run side by side and the load alternates between them ROUNDS times, so a noisy
neighbour slows both alike. Reported per mode: requests scored per second (goodput), the share
answered 503, and the latency percentiles and maximum over every request, 503s included: with
shedding a client learns at once that it should retry rather than waiting in a queue.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import servers
from loadgen import run_load

ROUNDS = 3
WORKERS = "2"
CONCURRENCY = 512
UNLIMITED = "1000000"


def overload(model_dir: Path, payload: bytes, total: int) -> dict:
    """Per mode (shedding, queueing): median goodput, 503 share, p50/p99/max latency."""
    headers = {"Authorization": f"Bearer {servers.API_KEY}"}
    runs: dict[str, list[dict]] = {"shedding": [], "queueing": []}
    with ExitStack() as stack:
        ports = {}
        for mode, extra in (("shedding", ()), ("queueing", ("--max-in-flight", UNLIMITED))):
            command, env = servers.ours(model_dir, "--workers", WORKERS, *extra)
            ports[mode] = stack.enter_context(servers.serving(command, "/health", env))
        for round_number in range(ROUNDS):
            for mode in runs:
                print(
                    f"  http ours 2 workers c={CONCURRENCY} {mode} "
                    f"(round {round_number + 1}/{ROUNDS})",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_load(
                    "127.0.0.1", ports[mode], "/score", payload, total=total,
                    concurrency=CONCURRENCY, headers=headers,
                )  # fmt: skip
                runs[mode].append(result.__dict__)
    summaries = {mode: _summary(mode_runs) for mode, mode_runs in runs.items()}
    return {"rounds": ROUNDS, "concurrency": CONCURRENCY, **summaries}


def _summary(runs: list[dict]) -> dict:
    """Medians over the rounds, and the worst maximum latency of any round."""
    goodput = [run["rps"] * (1 - run["errors"] / run["requests"]) for run in runs]
    return {
        "goodput_rps": float(np.median(goodput)),
        "shed_share": float(np.median([run["errors"] / run["requests"] for run in runs])),
        "p50_ms": float(np.median([run["p50_ms"] for run in runs])),
        "p99_ms": float(np.median([run["p99_ms"] for run in runs])),
        "max_ms": float(max(run["max_ms"] for run in runs)),
    }
