"""CLI steps for serving: ONNX export, packaging, the online server and batch scoring."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from {{ cookiecutter.package_name }} import asgi
from {{ cookiecutter.package_name }}.console import step
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.steps import Outcome

KEY_HINT = "export SCORING_API_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"


def export_onnx(settings: Settings, version: int | None) -> Outcome:
    """Convert a registered version to ONNX and record parity on it."""
    from {{ cookiecutter.package_name }}.onnx_export import export_onnx as convert

    with step("export-onnx: converting and checking parity on the test split"):
        result = convert(settings, version)
    return result, [result.message]


def package(settings: Settings, version: int | None, output: Path) -> Outcome:
    """Assemble a self-contained model folder."""
    from {{ cookiecutter.package_name }}.model_package import package_model

    with step("package: downloading the model and its ONNX file"):
        result = package_model(settings, version, output)
    card = result.card
    return result, [
        f"packaged {card.name} version {card.version} ({card.runtime}) in {result.path}"
    ]


def serve(settings: Settings, options: dict) -> None:
    """Run the scoring server with uvicorn until interrupted."""
    import uvicorn

    environment = _server_environment(settings, options)
    os.environ.update(environment)
    auth = "off (--no-auth)" if options["no_auth"] else "Authorization: Bearer $SCORING_API_KEY"
    print(
        f"serving {environment[asgi.MODEL_DIR]} on http://{options['host']}:{options['port']} "
        f"with {options['workers']} worker(s); auth {auth}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "{{ cookiecutter.package_name }}.asgi:app",
        factory=True,
        host=options["host"],
        port=options["port"],
        workers=options["workers"],
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="auto",
    )


def _server_environment(settings: Settings, options: dict) -> dict[str, str]:
    if not options["no_auth"] and not os.environ.get(asgi.API_KEY):
        raise LifecycleError(f"no API key: set one ({KEY_HINT}) or pass --no-auth for local use")
    model_dir = options["model_dir"] or _packaged(settings, options["version"])
    return {
        asgi.MODEL_DIR: str(Path(model_dir).resolve()),
        asgi.NO_AUTH: "1" if options["no_auth"] else "0",
        asgi.MAX_BODY: str(options["max_body_bytes"]),
    }


def score_batch(settings: Settings, options: dict) -> Outcome:
    """Score a folder of CSV/Parquet files, resumably; failed files are listed, not fatal."""
    from {{ cookiecutter.package_name }}.batch import score_batch as run_batch
    from {{ cookiecutter.package_name }}.serving_model import load_model_dir

    folder = options["model_dir"] or _packaged(settings, options["version"])
    model = folder if options["workers"] > 1 else load_model_dir(folder)
    with step(f"score-batch: {options['input_dir']} -> {options['output_dir']}"):
        report = run_batch(
            model,
            options["input_dir"],
            options["output_dir"],
            workers=options["workers"],
            restart=options["restart"],
        )
    lines = [
        f"scored {report.rows} rows in {len(report.scored)} file(s) "
        f"({report.rows_per_second:,.0f} rows/s); {len(report.skipped)} already done"
    ]
    lines += [f"FAILED {failure.file}: {failure.reason}" for failure in report.failed]
    return report.to_dict(), lines


def _packaged(settings: Settings, version: int | None) -> Path:
    from {{ cookiecutter.package_name }}.model_package import serving_folder

    with step("preparing the model"):
        return serving_folder(settings, version)
