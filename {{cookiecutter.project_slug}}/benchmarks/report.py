"""Print benchmark results side by side and say which targets are met."""

from __future__ import annotations


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def targets(results: dict) -> list[tuple[str, float, str, bool]]:
    """(target, measured, goal, met) for every performance target."""
    http, local, batch = results["http"], results["in_process"], results["batch"]
    ours = http["ours_c8"]
    vs_mlflow = _ratio(ours["rps"], http["mlflow_c8"]["rps"])
    vs_aml = _ratio(ours["rps"], http["azmlinfsrv_c8"]["rps"])
    onnx_gain = _ratio(local["sklearn_1row_ms"], local["onnx_1row_ms"])
    batch_share = _ratio(batch["end_to_end_rows_per_s"], batch["raw_model_rows_per_s"])
    collection = results["collection"]
    collect_share = _ratio(collection["on_median_rps"], collection["off_median_rps"])
    return [
        ("throughput vs mlflow models serve (c=8)", vs_mlflow, ">= 20x", vs_mlflow >= 20),
        ("throughput vs azmlinfsrv (c=8)", vs_aml, ">= 5x", vs_aml >= 5),
        ("our p99 at c=8 (ms)", ours["p99_ms"], "< 10 ms", ours["p99_ms"] < 10),
        ("ONNX speed-up, one row", onnx_gain, ">= 2x", onnx_gain >= 2),
        ("batch end-to-end / raw model", batch_share, ">= 0.5", batch_share >= 0.5),
        ("c=8 throughput, collection 100 % / off", collect_share, ">= 0.9", collect_share >= 0.9),
        classification_target(results["classification"]),
    ]


def classification_target(classification: dict) -> tuple[str, float, str, bool]:
    """Our c=8 single-row throughput with categories / numeric only (same run, same forest)."""
    rows = classification["categories"]
    share = _ratio(rows["categories_median_rps"], rows["numeric_median_rps"])
    return ("c=8 throughput, categories / numeric only", share, ">= 0.9", share >= 0.9)


def print_report(results: dict) -> None:
    """The comparison tables and the target check."""
    local = results["in_process"]
    print("\nIn-process prediction (median ms per call)")
    print(f"  {'':10} {'1 row':>10} {'10k rows':>10}")
    for name in ("sklearn", "onnx"):
        print(f"  {name:10} {local[f'{name}_1row_ms']:10.3f} {local[f'{name}_10k_ms']:10.2f}")
    print("\nHTTP, one row per request, one worker, loopback")
    print_http(results["http"])
    print_classification(results["classification"])
    print_collection(results["collection"])
    print_overload(results["overload"])
    batch = results["batch"]
    print("\nBatch scoring")
    print(
        f"  end to end  {batch['end_to_end_rows_per_s']:12,.0f} rows/s ({batch['rows']:,} rows, "
        f"{batch['files']} files)"
    )
    print(f"  raw model   {batch['raw_model_rows_per_s']:12,.0f} rows/s")
    print("\nTargets")
    for name, measured, goal, met in targets(results):
        print(f"  {'MET ' if met else 'MISS'} {name:42} {measured:10.2f}  (goal {goal})")


def print_http(rows: dict) -> None:
    """One line per server and concurrency: p50, p99, requests/s, errors."""
    print(f"  {'server':12} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9} {'errors':>7}")
    for key, row in sorted(rows.items(), key=lambda item: item[0].rsplit("_c", 1)[1]):
        name, concurrency = key.rsplit("_c", 1)
        print(
            f"  {name:12} {concurrency:>4} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
            f"{row['rps']:9.0f} {row['errors']:7d}"
        )


def print_classification(classification: dict) -> None:
    """Breast cancer, ours beside mlflow; categories vs numeric only, every interleaved round."""
    cancer, rows = classification["breast_cancer"], classification["categories"]
    http = cancer["http"]
    print(
        f"\nClassification: breast cancer (binary, 30 numbers, {cancer['nodes']:,} tree nodes), "
        "one row per request, one worker"
    )
    print_http(http)
    vs_mlflow = _ratio(http["ours_c8"]["rps"], http["mlflow_c8"]["rps"])
    print(f"  ours / mlflow models serve at c=8: {vs_mlflow:.1f}x")
    nodes = rows["nodes"]
    print(
        f"\nClassification with categories vs numeric only, our server at c=8, {rows['rounds']} "
        f"interleaved rounds (tree nodes {nodes['categories']:,} vs {nodes['numeric']:,})"
    )
    for mode in ("categories", "numeric"):
        rounds = " ".join(f"{rps:7.0f}" for rps in rows[f"{mode}_rps"])
        print(f"  {mode:10} median {rows[f'{mode}_median_rps']:7.0f} req/s  rounds {rounds}")


def print_collection(collection: dict) -> None:
    """Our server at c=8, collection off vs 100 %: every interleaved round and the medians."""
    print(f"\nOnline data collection, our server at c=8, {collection['rounds']} interleaved rounds")
    for mode, label in (("off", "off"), ("on", "100 %")):
        rounds = " ".join(f"{rps:7.0f}" for rps in collection[f"{mode}_rps"])
        print(f"  {label:6} median {collection[f'{mode}_median_rps']:7.0f} req/s  rounds {rounds}")
    print(
        f"  collected {collection['collected_lines']} lines "
        f"(expected {collection['collected_expected']})"
    )


def print_overload(overload: dict) -> None:
    """Our server, 2 workers at c=512: load shed (503 beyond --max-in-flight) or queued."""
    print(
        f"\nOverload, our server, 2 workers, c={overload['concurrency']}, "
        f"{overload['rounds']} interleaved rounds (medians; max over all rounds)"
    )
    print(f"  {'mode':9} {'scored/s':>9} {'503 %':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for mode in ("shedding", "queueing"):
        row = overload[mode]
        print(
            f"  {mode:9} {row['goodput_rps']:9.0f} {row['shed_share'] * 100:6.1f} "
            f"{row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {row['max_ms']:8.1f}"
        )
