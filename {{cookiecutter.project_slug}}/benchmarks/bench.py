"""`make bench`: one run, one champion model, every number side by side with its peer.

In-process scikit-learn vs ONNX; HTTP at concurrency 1 and 8 for our server, `mlflow models
serve` and Azure ML's `azmlinfsrv`; classification, on models built aside from the registry
(classification_bench.py): our server vs `mlflow models serve` on a breast-cancer model, and
our server with a contract that has categories vs its numeric-only twin; our server at c=8
with online data collection off and at 100 %; our server overloaded (2 workers, c=512) with
and without load shedding; batch scoring end to end vs the raw model. Prints a table and
writes build/bench/results.json. Numbers, not assertions: targets are reported as met or not.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.lifecycle.packaging import serving_folder
from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from classification_bench import classification
from collection_bench import collection_overhead
from http_bench import http
from overload_bench import overload
from sample import features, json_rows


def per_call_ms(function, repeat: int) -> float:
    """Median wall time of one call in milliseconds."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return float(np.median(samples) * 1000)


def in_process(model_dir: Path) -> dict:
    """scikit-learn vs ONNX Runtime on one row and on 10,000 rows."""
    sklearn = load_model_dir(model_dir, prefer_onnx=False)
    onnx = load_model_dir(model_dir)
    one, many = features(onnx.contract, 1), features(onnx.contract, 10_000, seed=1)
    return {
        f"{name}_{label}_ms": per_call_ms(lambda m=model, x=x: m.predict(x), repeat)
        for name, model in (("sklearn", sklearn), ("onnx", onnx))
        for label, x, repeat in (("1row", one, 200), ("10k", many, 5))
    }


def main() -> int:
    """Run every benchmark and print the comparison."""
    settings = load_settings()
    model_dir = serving_folder(settings)
    if not (model_dir / "model.onnx").is_file():
        print(
            "error: the champion has no ONNX export: run `make bench` (it exports first)",
            file=sys.stderr,
        )
        return 1
    print("benchmarking in-process prediction ...", file=sys.stderr, flush=True)
    results = {"in_process": in_process(model_dir)}
    print("benchmarking HTTP servers ...", file=sys.stderr, flush=True)
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    results["http"] = http(model_dir, total)
    print(
        "benchmarking classification (models built aside, never registered) ...",
        file=sys.stderr,
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-classification-") as folder:
        results["classification"] = classification(
            Path(folder), settings.default_params, settings.seed, total
        )
    print("benchmarking online data collection ...", file=sys.stderr, flush=True)
    contract = load_model_dir(model_dir).contract
    split = {"columns": list(contract.feature_names), "data": json_rows(contract, 1)}
    payload = orjson.dumps({"input_data": split})
    results["collection"] = collection_overhead(model_dir, payload, total)
    print("benchmarking overload (load shedding) ...", file=sys.stderr, flush=True)
    results["overload"] = overload(model_dir, payload, 5 * total)
    print("benchmarking batch scoring ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        from batch_bench import batch

        results["batch"] = batch(model_dir, Path(folder))
    from report import print_report

    print_report(results)
    out = settings.root / "build" / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
