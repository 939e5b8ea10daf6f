"""Rules for the serving inputs' values: image references and Kubernetes resource quantities."""

from __future__ import annotations

import math
import re

# Reference grammar of the OCI distribution spec (docker/distribution reference.go), simplified.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_DIGEST = r"sha256:[0-9a-f]{64}"
_IMAGE = re.compile(
    rf"(?P<repository>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    rf"(?:@(?P<digest>{_DIGEST}))?"
)
_CPU = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<milli>m?)")
_MEMORY = re.compile(r"(?P<number>\d+)(?P<unit>Ki|Mi|Gi|Ti|k|M|G|T)?")
_MEMORY_UNITS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


class ServingArgsError(ValueError):
    """``KubernetesServingArgs`` are invalid; the message names the field and the fix."""


def parse_image(image: str) -> dict[str, str | None]:
    """Split ``registry/repo[:tag][@sha256:...]`` into repository, tag and digest, or refuse it."""
    match = _IMAGE.fullmatch(image)
    if not match:
        raise ServingArgsError(
            f"image {image!r} is not a valid image reference: expected "
            "registry/repository@sha256:<64 hex> or registry/repository:tag"
        )
    return match.groupdict()


def image_reference(repository: str, digest: str | None, registry: str) -> str:
    """``repository`` (in ``registry`` unless it names one), pinned ``@digest`` when one is set.

    With a digest the repository must carry no tag: ``repo:tag@digest`` runs the digest while
    reading like the tag.
    """
    image = repository if "/" in repository else f"{registry}/{repository}"
    if not digest:
        return image
    if not re.fullmatch(_DIGEST, digest):
        raise ServingArgsError(
            f"image digest {digest!r} must be sha256:<64 lowercase hex digits>: "
            "use the digest that CI pushed"
        )
    parts = parse_image(image)
    if parts["tag"] or parts["digest"]:
        bare = str(parts["repository"]).removeprefix(f"{registry}/")
        raise ServingArgsError(
            f"image repository {repository!r} must not carry a tag when a digest is set: "
            f"give the bare repository {bare!r}, the digest pins the image"
        )
    return f"{image}@{digest}"


def cpu_millis(quantity: str) -> int:
    """``"250m"`` -> 250, ``"1.5"`` -> 1500."""
    match = _CPU.fullmatch(quantity)
    if not match:
        raise ServingArgsError(f"CPU quantity {quantity!r} must look like 250m or 1.5")
    number = float(match["number"])
    return math.ceil(number if match["milli"] else number * 1000)


def memory_bytes(quantity: str) -> int:
    """``"512Mi"`` -> 536870912."""
    match = _MEMORY.fullmatch(quantity)
    if not match:
        raise ServingArgsError(f"memory quantity {quantity!r} must look like 512Mi or 1Gi")
    return int(match["number"]) * _MEMORY_UNITS[match["unit"]]


def mebibytes(size: int) -> str:
    """A byte count as a whole number of mebibytes, rounded up: ``"512Mi"``."""
    return f"{math.ceil(size / 2**20)}Mi"
