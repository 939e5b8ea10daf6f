"""Run the scoring server: uvicorn workers, each building the app from one typed config."""

from __future__ import annotations

import os
import sys
import tempfile

from {{ cookiecutter.package_name }}.serving.config import (
    CONFIG_ENV,
    METRICS_DIR_ENV,
    ServerConfig,
)

APP = "{{ cookiecutter.package_name }}.serving.asgi:app"
PROTOCOL = "{{ cookiecutter.package_name }}.serving.protocol:GuardedHttpToolsProtocol"


def serve(config: ServerConfig) -> None:
    """Serve until interrupted; /metrics covers every worker through a shared metrics folder."""
    import uvicorn

    config.api_key()  # a missing or short key, or an exposed --no-auth, is refused here
    with tempfile.TemporaryDirectory(prefix="scoring-metrics-") as metrics_dir:
        os.environ[METRICS_DIR_ENV] = metrics_dir
        os.environ[CONFIG_ENV] = config.to_json()
        auth = "Authorization: Bearer $SCORING_API_KEY" if config.auth else "off (--no-auth)"
        rate = config.collect_rate
        collect = f"{rate * 100:g} % to {config.collect_dir}" if rate else "off"
        print(
            f"serving {config.model_dir} on http://{config.host}:{config.port} "
            f"with {config.workers} worker(s); auth {auth}; data collection {collect}",
            file=sys.stderr,
            flush=True,
        )
        uvicorn.run(
            APP,
            factory=True,
            host=config.host,
            port=config.port,
            workers=config.workers,
            log_level="warning",
            access_log=False,
            http=PROTOCOL,  # httptools with header, deadline and queue-depth limits
            proxy_headers=False,  # no proxy's X-Forwarded-* is trusted: the app never uses them
            loop="auto",
        )
