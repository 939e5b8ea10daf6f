"""The scanned scoring image across stacks and into Azure ML: promoted by digest, never rebuilt.

CD builds and scans the scoring image once per release (in dev) and imports that digest into the
staging and prod registries (`promote_image`). The online deployments run it through an Azure ML
environment whose `image` is that digest (no conda file, so Azure ML builds nothing). Only a
digest in the workspace's own registry is registered, and a version names one digest for good:
registering it again changes nothing, a different image under the same version is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from {{ cookiecutter.package_name }}.deploy.rollout import AzError, Runner
from {{ cookiecutter.package_name }}.errors import LifecycleError

SCANNED_IMAGE = re.compile(
    r"^(?P<server>[a-z0-9]+\.azurecr\.io)/(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"@sha256:(?P<digest>[0-9a-f]{64})$"
)
VERSION_DIGITS = 16  # the environment's version: the digest's first hex digits


def parse_image(image: str) -> re.Match[str]:
    """The parts of ``<registry>.azurecr.io/<repository>@sha256:<digest>``; others refused."""
    match = SCANNED_IMAGE.match(image)
    if match is None:
        raise LifecycleError(
            f"--image {image!r} is not a scanned image digest: give "
            "<registry>.azurecr.io/<repository>@sha256:<64 hex>, as the image job reports it"
        )
    return match


def environment_name(spec: Path) -> str:
    """The `name` of the image environment spec (pipelines/online/image-environment.yml)."""
    try:
        name = yaml.safe_load(spec.read_text(encoding="utf-8")).get("name")
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise LifecycleError(f"{spec}: unreadable environment spec ({exc})") from None
    if not isinstance(name, str) or not name:
        raise LifecycleError(f"{spec}: the environment spec has no name")
    return name


def workspace_registry(workspace: str, resource_group: str, runner: Runner) -> str:
    """The login server of the workspace's container registry."""
    show = ("az", "ml", "workspace", "show", "--name", workspace)
    query = ("--resource-group", resource_group, "--query", "container_registry", "--output", "tsv")
    registry_id = runner((*show, *query)).strip()
    if not registry_id:
        raise LifecycleError(f"workspace {workspace} has no container registry")
    return f"{registry_id.rsplit('/', 1)[-1].lower()}.azurecr.io"


def register_environment(
    image: str, spec: Path, resource_group: str, workspace: str, runner: Runner
) -> tuple[str, bool]:
    """Register ``spec`` with ``image`` once per digest: (azureml:name:version, created)."""
    match = parse_image(image)
    registry = workspace_registry(workspace, resource_group, runner)
    if match["server"] != registry:
        raise LifecycleError(
            f"{image} is in {match['server']}, not in this workspace's registry {registry}: "
            "build and scan the image there (tools/build_image.sh)"
        )
    name, version = environment_name(spec), match["digest"][:VERSION_DIGITS]
    where = ("--resource-group", resource_group, "--workspace-name", workspace)
    reference = f"azureml:{name}:{version}"
    show = ("az", "ml", "environment", "show", "--name", name, "--version", version, *where)
    try:
        registered = runner((*show, "--query", "image", "--output", "tsv")).strip()
    except AzError:
        create = ("az", "ml", "environment", "create", "--file", str(spec), "--version", version)
        runner((*create, "--set", f"image={image}", *where))
        return reference, True
    if registered != image:
        raise LifecycleError(
            f"{reference} is registered with {registered}, not {image}: environment versions "
            "are immutable; archive that version if it is wrong"
        )
    return reference, False


def promote_image(image: str, source_registry_id: str, registry: str, runner: Runner) -> str:
    """Import the scanned ``image`` by digest into ``registry``; return its reference there.

    The release builds the image once (in dev) and promotes that very digest to staging and prod:
    `az acr import` copies the manifest and its layers, so the digest cannot change, and the
    target registry must report it afterwards.
    """
    match = parse_image(image)
    source = source_registry_id.rstrip("/").rsplit("/", 1)[-1].lower()
    if f"{source}.azurecr.io" != match["server"]:
        raise LifecycleError(
            f"{image} is not in the registry {source_registry_id}: give the resource ID of the "
            "registry the image was scanned in"
        )
    repository, digest = match["repository"], f"sha256:{match['digest']}"
    tag = f"{repository}:release-{match['digest'][:VERSION_DIGITS]}"
    acr = ("az", "acr")
    copy = ("import", "--name", registry, "--source", f"{repository}@{digest}")
    runner((*acr, *copy, "--registry", source_registry_id, "--image", tag, "--force"))
    show = (*acr, "repository", "show", "--name", registry, "--image", f"{repository}@{digest}")
    reported = runner((*show, "--query", "digest", "--output", "tsv")).strip()
    if reported != digest:
        raise LifecycleError(
            f"{registry} reports {reported or 'no digest'} for {tag}, not {digest}"
        )
    return f"{registry.lower()}.azurecr.io/{repository}@{digest}"
