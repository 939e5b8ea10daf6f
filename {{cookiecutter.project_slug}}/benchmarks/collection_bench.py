"""Our server at concurrency 8 with online data collection off and at 100 %, interleaved.

Both servers run side by side (one worker each) and the load alternates between them ROUNDS
times, so a noisy neighbour slows both alike; the median requests/s of each is compared. The
collected files are counted afterwards: every request of the 100 % server must be there.
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import servers
from loadgen import run_load

ROUNDS = 5


def collection_overhead(model_dir: Path, payload: bytes, total: int) -> dict:
    """Median c=8 throughput without and with 100 % collection, and the lines collected."""
    headers = {"Authorization": f"Bearer {servers.API_KEY}"}
    rps: dict[str, list[float]] = {"off": [], "on": []}
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as folder, ExitStack() as stack:
        ports = {}
        for mode, rate in (("off", "0"), ("on", "1")):
            command, env = servers.ours(model_dir, "--collect-rate", rate, "--collect-dir", folder)
            ports[mode] = stack.enter_context(servers.serving(command, "/health", env))
        for round_number in range(ROUNDS):
            for mode in ("off", "on"):
                print(
                    f"  http ours c=8 collection {mode} (round {round_number + 1}/{ROUNDS})",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_load(
                    "127.0.0.1", ports[mode], "/score", payload, total=total, concurrency=8,
                    headers=headers,
                )  # fmt: skip
                rps[mode].append(result.rps)
        stack.close()  # stop both servers: the collector flushes on shutdown
        lines = sum(len(path.read_bytes().splitlines()) for path in Path(folder).rglob("*.jsonl"))
    return {
        "rounds": ROUNDS,
        "off_rps": rps["off"],
        "on_rps": rps["on"],
        "off_median_rps": float(np.median(rps["off"])),
        "on_median_rps": float(np.median(rps["on"])),
        "collected_lines": lines,
        "collected_expected": ROUNDS * (total + 50),  # each run_load sends 50 warm-up requests
    }
