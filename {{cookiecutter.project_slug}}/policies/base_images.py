"""The approved base images: the allowlist's MCR entries pinned by digest, imported per stack.

The allowlist (``policies/packages/allowlist.yaml``) is the one place a base image is approved:
an entry with ``source: mcr`` and ``versions: "===sha256:<digest>"``. ``python -m
policies.base_images ref --registry NAME`` prints each approved image as the stack's registry
serves it (``NAME.azurecr.io/<repository>@sha256:<digest>``); ``import --registry NAME`` copies
each one from MCR into that registry by digest (``az acr import``) and checks the digest the
registry reports. Both refuse the placeholder digest the project ships with (exit 2), so no
build can use an image nobody looked up.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policies.package_lists import PolicyDataError, allowlist
from policies.package_sources import MCR

PLACEHOLDER = "sha256:" + "0" * 64
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
DIGEST_QUERY = ("--query", "digest", "--output", "tsv")
REGISTRY_NAME = re.compile(r"^[a-zA-Z0-9]{5,50}$")
FIX = (
    "look up the digest of a dated tag (the Digest line of `docker buildx imagetools inspect "
    "mcr.microsoft.com/{repository}:<dated tag>`), set it in {where} and in every reference, "
    "then run `python -m policies.base_images import --registry <stack registry>`"
)


class BaseImageError(ValueError):
    """No usable approved base image; the message is one line naming the file and the fix."""


@dataclass(frozen=True)
class BaseImage:
    """An approved image: its repository in MCR (and in each stack's registry) and digest."""

    repository: str
    digest: str
    where: str

    def placeholder(self) -> bool:
        """Whether the digest is the placeholder, still to be looked up."""
        return self.digest == PLACEHOLDER

    def fix(self) -> str:
        """How to replace the placeholder digest."""
        return FIX.format(repository=self.repository, where=self.where)


def approved_images(root: Path) -> list[BaseImage]:
    """Every allowlisted MCR image pinned by digest, in allowlist order."""
    found = []
    for permit in allowlist(root):
        for versions in permit.versions:
            digest = versions.removeprefix("===")
            if permit.source == "mcr" and DIGEST.match(digest):
                repository = permit.name.removeprefix(MCR)
                found.append(BaseImage(repository, digest, f"{permit.path}:{permit.line}"))
    return found


def usable_images(root: Path) -> list[BaseImage]:
    """The approved images, refusing none at all or a placeholder digest."""
    images = approved_images(root)
    if not images:
        raise BaseImageError("policies/packages/allowlist.yaml: no mcr image pinned by digest")
    for image in images:
        if image.placeholder():
            message = f"{image.where}: {image.repository} still has the placeholder digest"
            raise BaseImageError(f"{message}; {image.fix()}")
    return images


def import_image(registry: str, image: BaseImage) -> str:
    """Import ``image`` by digest into ``registry``; "" when the registry reports that digest."""
    source = f"{MCR}{image.repository}@{image.digest}"
    tag = f"{image.repository}:{image.digest.replace(':', '-')}"
    base = ["az", "acr"]
    commands = [
        [*base, "import", "--name", registry, "--source", source, "--image", tag, "--force"],
        [*base, "repository", "show", "--name", registry, "--image", tag, *DIGEST_QUERY],
    ]
    done = None
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return f"`{' '.join(command[:3])}` failed for {source}: {reason}"
    reported = done.stdout.strip() if done else ""
    if reported != image.digest:
        return f"{registry} reports {reported or 'no digest'} for {tag}, not {image.digest}"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Print or import the approved base images; 0 done, 1 import failed, 2 unusable input."""
    parser = argparse.ArgumentParser(
        prog="python -m policies.base_images",
        description="The approved base images (allowlist, by digest) in a stack's registry.",
    )
    parser.add_argument("action", choices=("ref", "import"))
    parser.add_argument("--registry", required=True, help="the stack's registry name (no host)")
    parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    args = parser.parse_args(argv)
    try:
        if not REGISTRY_NAME.match(args.registry):
            raise BaseImageError(f"{args.registry!r} is no registry name (5-50 letters, digits)")
        images = usable_images(args.root)
    except (BaseImageError, PolicyDataError) as error:
        print(f"base-images: {error}", file=sys.stderr)
        return 2
    if args.action == "ref":
        for image in images:
            print(f"{args.registry.lower()}.azurecr.io/{image.repository}@{image.digest}")
        return 0
    failures = [reason for image in images if (reason := import_image(args.registry, image))]
    for reason in failures:
        print(f"base-images: {reason}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
