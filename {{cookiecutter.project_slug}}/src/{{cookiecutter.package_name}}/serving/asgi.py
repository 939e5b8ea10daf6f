"""Thin ASGI entry for uvicorn workers: builds the app from environment variables set by `serve`."""

from __future__ import annotations

import os
from pathlib import Path

from {{ cookiecutter.package_name }}.server import ScoringApp, ServerOptions, create_app
from {{ cookiecutter.package_name }}.serving_model import load_model_dir

MODEL_DIR = "SCORING_MODEL_DIR"
API_KEY = "SCORING_API_KEY"
NO_AUTH = "SCORING_NO_AUTH"
MAX_BODY = "SCORING_MAX_BODY_BYTES"


def app() -> ScoringApp:
    """App factory (`uvicorn --factory {{ cookiecutter.package_name }}.asgi:app`)."""
    api_key = None if os.environ.get(NO_AUTH) == "1" else os.environ[API_KEY]
    options = ServerOptions(api_key, int(os.environ.get(MAX_BODY, "1048576")))
    return create_app(load_model_dir(Path(os.environ[MODEL_DIR])), options)
