"""Thin ASGI entry for uvicorn workers: the app built from the config `serve` handed over."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.serving.config import ServerConfig
from {{ cookiecutter.package_name }}.serving.server import ScoringApp, create_app


def app() -> ScoringApp:
    """App factory that uvicorn calls in every worker (`--factory ...serving.asgi:app`)."""
    return create_app(ServerConfig.from_env())
