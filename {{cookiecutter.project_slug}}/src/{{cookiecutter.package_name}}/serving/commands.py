"""The `serve` subcommand: one typed ServerConfig from the options, then the server."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.options import (
    model_dir_option,
    version_option,
    workers_option,
)
from {{ cookiecutter.package_name }}.serving.config import (
    COLLECTION_OFF,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_PORT,
    ServerConfig,
    require_api_key,
)
from {{ cookiecutter.package_name }}.settings import Settings, find_root, load_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@workers_option("Processes; each loads the model once; /metrics covers all of them.")
@click.option("--no-auth", is_flag=True, help="Serve without the API key (local use only).")
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Larger request bodies get 413.",
)
@click.option(
    "--collect-rate",
    type=click.FloatRange(0, 1),
    default=None,
    metavar="R",
    help="Share of requests whose inputs and outputs are logged, 0 (off) to 1 "
    "(default: mlops.toml [monitoring.collection] sample_rate; off outside a project).",
)
@click.option(
    "--collect-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="Where collected JSON lines go (default: mlops.toml's directory, data/collected).",
)
@version_option
@model_dir_option
def serve(
    host: str,
    port: int,
    workers: int,
    no_auth: bool,
    max_body_bytes: int,
    collect_rate: float | None,
    collect_dir: Path | None,
    version: int | None,
    model_dir: Path | None,
) -> None:
    """Serve the model over HTTP: POST /score (Azure ML) and /invocations (MLflow)."""
    from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model
    from {{ cookiecutter.package_name }}.serving.launch import serve as run_server
    from {{ cookiecutter.package_name }}.serving.model import load_model_dir

    if not no_auth:
        require_api_key()  # refused before any packaging work
    settings = project_settings()
    folder = model_dir or packaged_model(settings or load_settings(), version)
    load_model_dir(folder)  # a bad or altered model is refused here, before any worker starts
    collection = settings.monitoring.collection if settings else COLLECTION_OFF
    config = ServerConfig(
        model_dir=folder.resolve(),
        auth=not no_auth,
        host=host,
        port=port,
        workers=workers,
        max_body_bytes=max_body_bytes,
        collect_rate=collection.sample_rate if collect_rate is None else collect_rate,
        collect_dir=(collect_dir or collection.directory).resolve(),
        collect_queue_size=collection.queue_size,
    )
    run_server(config)


def project_settings() -> Settings | None:
    """mlops.toml's settings, read once, inside a project; None outside one (the image)."""
    try:
        root = find_root()
    except LifecycleError:
        return None
    return load_settings(root)
