"""The scoring server's settings: one typed object, built once by `serve`, read by every worker.

uvicorn starts each worker process from an import string, so the config travels to the workers
as one JSON document in `SCORING_SERVER_CONFIG`. The API key is a secret and never part of it:
every worker reads it from `SCORING_API_KEY` (Kubernetes sets it from a Secret reference).
"""

from __future__ import annotations

import ipaddress
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
# A worker answers 503 at once when it already holds this many requests (being read, queued or
# scored until answered): about 20 ms of ONNX scoring, and at most this many request bodies
# (--max-body-bytes each) in memory. Lower it for a slower model (the skops fallback: ~18 ms
# per request).
DEFAULT_MAX_IN_FLIGHT = 256
# A request's headers must arrive within this many seconds, and then its body within as many.
DEFAULT_READ_TIMEOUT = 10.0
# What serving/protocol.py tells the app: scope["extensions"][QUEUE_EXTENSION]["depth"].
QUEUE_EXTENSION = "x-queue"
API_KEY_ENV = "SCORING_API_KEY"
CONFIG_ENV = "SCORING_SERVER_CONFIG"
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it when imported
MIN_KEY_LENGTH = 32
KEY_HINT = "export SCORING_API_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
LOOPBACK_NAMES = ("localhost",)


def require_api_key() -> str:
    """The API key from SCORING_API_KEY (at least MIN_KEY_LENGTH characters), or how to set one."""
    key = os.environ.get(API_KEY_ENV, "")
    if not key:
        raise LifecycleError(f"no API key: set one ({KEY_HINT}) or pass --no-auth")
    if len(key) < MIN_KEY_LENGTH:
        raise LifecycleError(
            f"{API_KEY_ENV} has {len(key)} characters, fewer than {MIN_KEY_LENGTH}: "
            f"generate a key with {KEY_HINT}"
        )
    return key


def api_key_for(auth: bool, host: str) -> str | None:
    """The key every request must present; None only for --no-auth on a loopback interface."""
    if auth:
        return require_api_key()
    if not is_loopback(host):
        raise LifecycleError(
            f"--no-auth would serve anyone who reaches {host}: it is allowed only on a loopback "
            f"interface (--host 127.0.0.1, ::1 or localhost); elsewhere set a key ({KEY_HINT})"
        )
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` names a loopback interface (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """The model, where to listen, workers, limits, whether a key is needed, data collection."""

    model_dir: Path
    auth: bool = True
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    collect_rate: float = COLLECTION_OFF.sample_rate
    collect_dir: Path = COLLECTION_OFF.directory
    collect_queue_size: int = COLLECTION_OFF.queue_size

    def api_key(self) -> str | None:
        """The key every request must present (None with --no-auth on loopback): api_key_for."""
        return api_key_for(self.auth, self.host)

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
