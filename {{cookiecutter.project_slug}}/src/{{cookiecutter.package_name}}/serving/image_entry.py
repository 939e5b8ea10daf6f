"""The `serve-image` subcommand: the scoring image's entry point, one image for every target.

AKS runs the image as it is: the project's server on 8080, an API key required. The Azure ML
online deployments run the same image digest (an environment CD registers from it) with
SCORING_SERVER=azureml: Azure ML's inference server (azmlinfsrv) on 5001 running the online entry
script, behind the endpoint's Entra-token authentication. That mode starts only where Azure ML has
mounted the deployment's registered model (AZUREML_MODEL_DIR) and only when it is the model baked
into the image, file for file, so the registry's record of what serves is true.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.serving.commands import serve
from {{ cookiecutter.package_name }}.serving.config import DEFAULT_PORT

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ModelCard

SERVER_ENV = "SCORING_SERVER"
AZUREML_PORT = 5001  # pipelines/online/image-environment.yml's inference_config routes
MOUNTED_MODEL_ENV = "AZUREML_MODEL_DIR"
# The project server in a container listens on its port; its API key is required all the same.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # nosec B104 - inside a container, with the key


def same_model(baked: ModelCard, mounted: ModelCard) -> bool:
    """Whether two packaged models are one: name, version and every file's SHA-256."""
    return (baked.name, baked.version, dict(baked.sha256)) == (
        mounted.name,
        mounted.version,
        dict(mounted.sha256),
    )


def check_mounted_model(model_dir: Path) -> None:
    """Refuse unless Azure ML mounted the deployment's model and it is the baked one."""
    from {{ cookiecutter.package_name }}.model.folder import find_model_dir, read_card

    mounted = os.environ.get(MOUNTED_MODEL_ENV)
    if not mounted:
        raise LifecycleError(
            f"{SERVER_ENV}=azureml serves only inside an Azure ML online deployment "
            f"({MOUNTED_MODEL_ENV} is unset); without {SERVER_ENV} the image runs the project's "
            "server, which requires SCORING_API_KEY"
        )
    baked, deployed = read_card(model_dir), read_card(find_model_dir(Path(mounted)))
    if not same_model(baked, deployed):
        raise LifecycleError(
            f"the deployment's model {deployed.name} {deployed.version} is not the one baked into "
            f"this image ({baked.name} {baked.version}): roll out the model version the image "
            "was built with"
        )


def azmlinfsrv_command(model_dir: Path, port: int) -> list[str]:
    """azmlinfsrv with the online entry script and the baked model, from this environment."""
    server = Path(sys.executable).parent / "azmlinfsrv"
    if not server.is_file():
        raise LifecycleError(
            f"{server} is missing: the image installs the `serving` group (requirements-image.txt, "
            "`make lock`)"
        )
    entry = str(Path(__file__).resolve().with_name("azureml_online.py"))  # not imported here
    args = ["--entry_script", entry, "--model_dir", str(model_dir), "--port", str(port)]
    return [str(server), *args]


@click.command("serve-image")
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    required=True,
    help="The model baked into the image.",
)
@click.option(
    "--server",
    type=click.Choice(["project", "azureml"]),
    envvar=SERVER_ENV,
    default="project",
    show_default=True,
    show_envvar=True,
    help="project: our server (API key); azureml: azmlinfsrv inside an Azure ML deployment.",
)
@click.option("--host", default=ALL_INTERFACES, show_default=True, help="The project server's.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help=f"Default: {DEFAULT_PORT} (project), {AZUREML_PORT} (azureml, as Azure ML probes).",
)
@click.pass_context
def serve_image(
    ctx: click.Context, model_dir: Path, server: str, host: str, port: int | None
) -> None:
    """Run the scoring image's server: the project's (AKS) or Azure ML's (online deployments)."""
    folder = model_dir.resolve()
    if server == "project":
        ctx.invoke(serve, host=host, port=port or DEFAULT_PORT, model_dir=folder)
        return
    check_mounted_model(folder)
    command = azmlinfsrv_command(folder, port or AZUREML_PORT)
    print(f"serving {folder} with azmlinfsrv on port {command[-1]}", file=sys.stderr, flush=True)
    # azmlinfsrv becomes the container's process (signals reach it), from this venv's bin folder
    os.execv(command[0], command)  # noqa: S606  # nosec B606 - an absolute path, no shell
