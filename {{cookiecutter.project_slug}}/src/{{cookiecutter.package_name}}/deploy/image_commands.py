"""The scanned scoring image's CD steps: `promote-image` (into the next stack's registry, by
digest) and `register-environment` (the online deployments' Azure ML environment from it)."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.deploy import image_environment
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.release_commands import az_step, with_workspace
from {{ cookiecutter.package_name }}.options import json_option

image_option = click.option(
    "--image",
    metavar="REF",
    required=True,
    help="The scanned image: <registry>.azurecr.io/<repository>@sha256:<digest>.",
)


@click.command("promote-image")
@image_option
@click.option(
    "--source-registry-id",
    metavar="ID",
    required=True,
    help="Resource ID of the registry the image was built and scanned in.",
)
@click.option("--registry", metavar="NAME", required=True, help="The next stack's registry.")
@json_option
def promote_image(image: str, source_registry_id: str, registry: str, as_json: bool) -> None:
    """Import a scanned image into another stack's registry by digest; print its reference there."""
    promoted = az_step(
        lambda: image_environment.promote_image(
            image, source_registry_id, registry, driver.az_runner
        )
    )
    emit({"image": promoted, "source": image}, [promoted], as_json)


@click.command("register-environment")
@image_option
@click.option(
    "--environment-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=Path("pipelines/online/image-environment.yml"),
    show_default=True,
)
@with_workspace
@json_option
def register_environment(
    image: str, environment_file: Path, resource_group: str, workspace_name: str, as_json: bool
) -> None:
    """Register the online deployments' environment from a scanned image digest; print it."""
    reference, created = az_step(
        lambda: image_environment.register_environment(
            image, environment_file, resource_group, workspace_name, driver.az_runner
        )
    )
    emit({"environment": reference, "image": image, "registered": created}, [reference], as_json)


IMAGE_COMMANDS = (promote_image, register_environment)
