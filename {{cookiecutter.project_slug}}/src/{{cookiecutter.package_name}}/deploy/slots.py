"""Which deployment is live and which one gets the new model: one rule for every CI provider.

The online endpoint has two deployments, ``blue`` and ``green``. The one with the most traffic is
live; the other one is the candidate. A tie (a new endpoint with no traffic, or an even split
left by a rollback that did not finish) leaves ``blue`` live: the rollout's preflight then
refuses an even split, since the candidate must be idle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from {{ cookiecutter.package_name }}.errors import LifecycleError

DEPLOYMENTS = ("blue", "green")


def other(deployment: str) -> str:
    """The deployment that is not ``deployment``."""
    if deployment not in DEPLOYMENTS:
        raise LifecycleError(
            f"unknown deployment {deployment!r}: the endpoint's deployments are blue and green"
        )
    return DEPLOYMENTS[1 - DEPLOYMENTS.index(deployment)]


def traffic_shares(traffic: object) -> dict[str, int]:
    """The endpoint's traffic as {deployment: percent}; unknown names or non-numbers refused."""
    if traffic is None:
        return {}
    if not isinstance(traffic, Mapping):
        raise LifecycleError(f"the endpoint's traffic is not a mapping: {traffic!r}")
    unknown = sorted(str(name) for name in traffic if name not in DEPLOYMENTS)
    if unknown:
        raise LifecycleError(
            f"the endpoint has traffic on {', '.join(unknown)}: only blue and green are rolled "
            "out; move that traffic by hand (az ml online-endpoint update --traffic)"
        )
    shares = {str(k): v for k, v in traffic.items()}
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in shares.values()):
        raise LifecycleError(f"the endpoint's traffic shares must be whole percents: {shares}")
    return shares


def choose_slots(traffic: object) -> tuple[str, str]:
    """(live, candidate): the deployment with the most traffic is live; a tie leaves blue live."""
    shares = traffic_shares(traffic)
    live = max(DEPLOYMENTS, key=lambda name: (shares.get(name, 0), name == "blue"))
    return live, other(live)


def slots_from_json(text: str) -> tuple[str, str]:
    """``choose_slots`` of ``az ml online-endpoint show --query traffic --output json``."""
    try:
        traffic = json.loads(text or "null")
    except ValueError:
        raise LifecycleError(f"the endpoint's traffic is not JSON: {text[:200]!r}") from None
    return choose_slots(traffic)
