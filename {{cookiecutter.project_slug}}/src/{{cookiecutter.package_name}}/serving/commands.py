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
    DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_PORT,
    DEFAULT_READ_TIMEOUT,
    ServerConfig,
    api_key_for,
)
from {{ cookiecutter.package_name }}.settings import Settings, find_root, load_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@workers_option("Processes; each loads the model once; /metrics covers all of them.")
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve without the API key: only on a loopback --host (127.0.0.1, ::1, localhost).",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Larger request bodies get 413.",
)
@click.option(
    "--max-in-flight",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_IN_FLIGHT,
    show_default=True,
    help="Requests one worker holds at once; beyond that it answers 503 (Retry-After) at once.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_READ_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="A request's headers, then its body, must each arrive within this time, else 408.",
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
    max_in_flight: int,
    read_timeout: float,
    collect_rate: float | None,
    collect_dir: Path | None,
    version: int | None,
    model_dir: Path | None,
) -> None:
    """Serve the model over HTTP: POST /score (Azure ML) and /invocations (MLflow)."""
    from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model
    from {{ cookiecutter.package_name }}.model.folder import load_model_dir
    from {{ cookiecutter.package_name }}.serving.launch import serve as run_server

    api_key_for(not no_auth, host)  # a missing key or an exposed --no-auth: refused first
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
        max_in_flight=max_in_flight,
        read_timeout=read_timeout,
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
