"""The scoring server's settings: one typed object, built once by `serve`, read by every worker.

uvicorn starts each worker process from an import string, so the config travels to the workers
as one JSON document in `SCORING_SERVER_CONFIG`. The API key is a secret and never part of it:
every worker reads it from `SCORING_API_KEY` (Kubernetes sets it from a Secret reference).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings

DEFAULT_MAX_BODY_BYTES = 1_048_576
# Outside a project (the scoring image has no mlops.toml) collection is off unless asked for.
COLLECTION_OFF = CollectionSettings(0.0, Path("data/collected"), 10_000)
DEFAULT_PORT = 8080
API_KEY_ENV = "SCORING_API_KEY"
CONFIG_ENV = "SCORING_SERVER_CONFIG"
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it when imported
KEY_HINT = "export SCORING_API_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"


def require_api_key() -> str:
    """The API key from SCORING_API_KEY, or an error saying how to set one."""
    key = os.environ.get(API_KEY_ENV, "")
    if not key:
        raise LifecycleError(f"no API key: set one ({KEY_HINT}) or pass --no-auth")
    return key


@dataclass(frozen=True)
class ServerConfig:
    """The model, where to listen, workers, limits, whether a key is needed, data collection."""

    model_dir: Path
    auth: bool = True
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    collect_rate: float = COLLECTION_OFF.sample_rate
    collect_dir: Path = COLLECTION_OFF.directory
    collect_queue_size: int = COLLECTION_OFF.queue_size

    def api_key(self) -> str | None:
        """The key every request must present, or None with auth off; refuses a missing key."""
        return require_api_key() if self.auth else None

    def collection(self) -> CollectionSettings:
        """What share of requests to collect, where, and how many may wait for the writer."""
        return CollectionSettings(self.collect_rate, self.collect_dir, self.collect_queue_size)

    def to_json(self) -> str:
        """The config as one JSON document (no secret in it)."""
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        """Read a config written by `to_json`."""
        raw = json.loads(text)
        paths = {"model_dir": Path(raw["model_dir"]), "collect_dir": Path(raw["collect_dir"])}
        return cls(**{**raw, **paths})

    @classmethod
    def from_env(cls) -> ServerConfig:
        """The config `serve` handed to this worker process."""
        text = os.environ.get(CONFIG_ENV)
        if not text:
            raise LifecycleError(f"{CONFIG_ENV} is not set: start the server with `serve`")
        return cls.from_json(text)
