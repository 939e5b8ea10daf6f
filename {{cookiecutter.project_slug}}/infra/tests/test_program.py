"""The wiring: settings become every component's Args, validated before anything registers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi
import pytest

from mlops_infra.aks.args import AksArgsError
from mlops_infra.naming import SLUG
from mlops_infra.plan import ARGS_ERRORS
from mlops_infra.program import build, export
from mlops_infra.serving.values import ServingArgsError
from mlops_infra.settings import load_settings
from mlops_infra.workspace.args import WorkspaceArgsError
from support import PlannedStack, access_records, mock_stack, mocked, of_type

CLUSTER = "azure-native:containerservice:ManagedCluster"


def test_without_aks_create_serving_targets_the_ambient_cluster() -> None:
    mocks = mock_stack("staging", aksCreate="false")
    settings = load_settings()
    built = []

    @mocked
    def run() -> None:
        built.append(build(settings))

    run()
    assert built[0].cluster is None
    assert of_type(mocks.resources, CLUSTER) == []
    assert of_type(mocks.resources, "pulumi:providers:kubernetes") == []
    assert len(of_type(mocks.resources, "kubernetes:apps/v1:Deployment")) == 2
    assert len(of_type(mocks.resources, f"{SLUG}:ml:Workspace")) == 1


def test_the_planned_program_has_every_component(planned: dict[str, PlannedStack]) -> None:
    types = [r["type"] for r in planned["staging"].resources]
    components = ("ml:Workspace", "ml:TrainingCompute", "network:PrivateNetwork")
    for token in (*components, "k8s:AksCluster", "k8s:Serving"):
        assert types.count(f"{SLUG}:{token}") == 1, token
    assert types.count(f"{SLUG}:network:PrivateLinkEndpoint") == 5
    assert types.count(CLUSTER) == 1
    access = len(access_records(planned["staging"].resources))
    # 31 before the private network (the training cluster's Storage Blob Data Contributor
    # included): + the compute component, the network (component, VNet, six zones, six links),
    # five endpoints (component, endpoint, zone group) and AKS' Network Contributor on its subnet;
    # + persona access; + monitoring (18: the online endpoint and its component, diagnostics with
    # four settings, alerts with an action group, six metric alerts and the stale-workspace rule,
    # the budget and its component); + security (11: the guardrails component with six policy
    # assignments, the Defender component with three plans; staging has no delete locks).
    assert len(types) - access == 31 + 1 + 14 + 15 + 1 + 18 + 11
    dev = [r["type"] for r in planned["dev"].resources]
    # dev: no network, no Defender plans (defenderPlans: false), no locks.
    assert len(dev) - len(access_records(planned["dev"].resources)) == 32 + 18 + 7
    prod = planned["prod"].resources
    # prod adds the locks component and its five locks.
    assert len(prod) - len(access_records(prod)) == len(types) - access + 6
    assert not any(":network:" in t or ":privatedns:" in t for t in dev)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"serving_image": f"{SLUG}:1.0", "serving_image_digest": None},
            ServingArgsError,
            "requires one",
        ),
        ({"compute_max_nodes": 0}, WorkspaceArgsError, "compute_max_nodes must be at least 1"),
        ({"aks_node_count": 0}, AksArgsError, "node_count must be at least 1"),
        ({"aks_vm_size": "D4s"}, AksArgsError, "vm_size must be an Azure VM size"),
    ],
)
def test_bad_settings_are_refused_before_anything_registers(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    mocks = mock_stack("staging")
    settings = replace(load_settings(), **changes)

    @mocked
    def run() -> None:
        build(settings)

    with pytest.raises(error, match=message):
        run()
    assert mocks.resources == []
    assert error in ARGS_ERRORS  # the offline plan prints each as one Error: line


DIGEST = "sha256:" + "ab" * 32


def exported_outputs(
    stack: str, monkeypatch: pytest.MonkeyPatch, **config: str | None
) -> dict[str, Any]:
    """The stack outputs ``export`` sets for ``stack`` with ``config`` applied (mock engine)."""
    outputs: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", outputs.__setitem__)
    mock_stack(stack, **config)

    @mocked
    def run() -> None:
        export(build(load_settings()))

    run()
    return outputs


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_stack_exports_the_digest_its_serving_runs(
    monkeypatch: pytest.MonkeyPatch, stack: str
) -> None:
    outputs = exported_outputs(stack, monkeypatch, servingImageDigest=DIGEST)
    assert outputs["servingImageDigest"] == DIGEST
    assert outputs["servingImage"].endswith(f"/{SLUG}@{DIGEST}")


def test_a_dev_tag_exports_no_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"servingImage": f"{SLUG}:dev", "servingImageDigest": ""}
    outputs = exported_outputs("dev", monkeypatch, **config)
    assert outputs["servingImageDigest"] == ""
    assert outputs["servingImage"].endswith(f"/{SLUG}:dev")
