"""Pure builders of the scoring pod: the hardened container, its probes, env and the pod spec."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from mlops_infra.naming import SLUG
from mlops_infra.serving.args import PORT, RUN_AS_USER, KubernetesServingArgs


class _RunAs(TypedDict):
    """The non-root identity shared by the pod's and the container's security context."""

    run_as_non_root: bool
    run_as_user: int
    run_as_group: int


_RUN_AS: _RunAs = {
    "run_as_non_root": True,
    "run_as_user": RUN_AS_USER,
    "run_as_group": RUN_AS_USER,
}
_TOPOLOGY_KEYS = ("topology.kubernetes.io/zone", "kubernetes.io/hostname")


def selector(slot: str) -> dict[str, str]:
    """The labels selecting the pods of one slot."""
    return {"app": SLUG, "slot": slot}


def probe(path: str, period: int, failures: int) -> k8s.core.v1.ProbeArgs:
    """An HTTP GET probe on the ``http`` port."""
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="http", scheme="HTTP"),
        period_seconds=period,
        timeout_seconds=2,
        failure_threshold=failures,
        success_threshold=1,
    )


def _env(args: KubernetesServingArgs, slot: str) -> list[k8s.core.v1.EnvVarArgs]:
    """The API key from its out-of-band Secret, the slot and the environment."""
    api_key = k8s.core.v1.SecretKeySelectorArgs(
        name=args.api_key_secret_name, key=args.api_key_secret_key, optional=False
    )
    return [
        k8s.core.v1.EnvVarArgs(
            name="SCORING_API_KEY",
            value_from=k8s.core.v1.EnvVarSourceArgs(secret_key_ref=api_key),
        ),
        k8s.core.v1.EnvVarArgs(name="SERVING_SLOT", value=slot),
        k8s.core.v1.EnvVarArgs(name="SERVING_ENVIRONMENT", value=args.environment),
    ]


def _resources(args: KubernetesServingArgs) -> k8s.core.v1.ResourceRequirementsArgs:
    """Requests and limits of the scoring container; /tmp counts as ephemeral storage."""
    return k8s.core.v1.ResourceRequirementsArgs(
        requests={
            "cpu": args.cpu_request,
            "memory": args.memory_request,
            "ephemeral-storage": args.tmp_size_limit,
        },
        limits={
            "cpu": args.cpu_limit,
            "memory": args.memory_limit,
            "ephemeral-storage": args.tmp_size_limit,
        },
    )


def container(args: KubernetesServingArgs, slot: str) -> k8s.core.v1.ContainerArgs:
    """The hardened scoring container of one slot."""
    return k8s.core.v1.ContainerArgs(
        name="scoring",
        image=args.images[slot],
        image_pull_policy="Always",
        ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=PORT, protocol="TCP")],
        env=_env(args, slot),
        resources=_resources(args),
        startup_probe=probe("/health", period=5, failures=24),
        liveness_probe=probe("/health", period=10, failures=3),
        readiness_probe=probe("/ready", period=5, failures=3),
        security_context=k8s.core.v1.SecurityContextArgs(
            **_RUN_AS,
            read_only_root_filesystem=True,
            allow_privilege_escalation=False,
            privileged=False,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],  # noqa: S108  # nosec B108 - own emptyDir
    )


def pod_spec(
    args: KubernetesServingArgs, slot: str, service_account_name: pulumi.Input[str]
) -> k8s.core.v1.PodSpecArgs:
    """The pod of one slot: no API token, restricted security context, spread over zones."""
    return k8s.core.v1.PodSpecArgs(
        service_account_name=service_account_name,
        automount_service_account_token=False,
        enable_service_links=False,
        termination_grace_period_seconds=30,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            **_RUN_AS,
            fs_group=RUN_AS_USER,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        containers=[container(args, slot)],
        volumes=[
            k8s.core.v1.VolumeArgs(
                name="tmp",
                empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=args.tmp_size_limit),
            )
        ],
        topology_spread_constraints=[
            k8s.core.v1.TopologySpreadConstraintArgs(
                max_skew=1,
                topology_key=key,
                when_unsatisfiable="ScheduleAnyway",
                label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(slot)),
            )
            for key in _TOPOLOGY_KEYS
        ],
    )
