"""``DevOpsGovernance``: the project's pipeline environments and the checks on what deploys.

Checks gate resources, not pipelines: any YAML, a pull request's included, can name any service
connection or pool of the project, and a check runs before every stage that uses its resource.
So every service connection that reaches Azure from ``main`` only (the deploy connections of dev,
staging and prod; the read connections of staging and prod) and the private agent pool get a
branch control check: only ``refs/heads/main``, and only while its branch policies protect it.
staging's and prod's deploy connections also get an approval check (the requester cannot
approve). Connections and the pool are looked up by name in the project (they hold credentials
this stack never sees); approver groups are looked up once each and passed by origin id. The
environments stay for deployment history, prod's with its branch control. The provider needs
``azuredevops:orgServiceUrl`` (or ``AZDO_ORG_SERVICE_URL``) and ``AZDO_PERSONAL_ACCESS_TOKEN``.
"""

from __future__ import annotations

import pulumi
import pulumi_azuredevops as azuredevops

from mlops_infra.governance.args import ENVIRONMENTS, MAIN_BRANCH
from mlops_infra.governance.devops_args import DevOpsGovernanceArgs
from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("governance", "DevOpsGovernance")
ENVIRONMENT, ENDPOINT, QUEUE = "environment", "endpoint", "queue"


class DevOpsGovernance(pulumi.ComponentResource):
    """``environments``; ``branch_controls`` by target name; ``approvals`` by environment."""

    def __init__(
        self, name: str, args: DevOpsGovernanceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self.project = azuredevops.get_project_output(name=args.project, opts=invoke)
        self.group_ids: dict[str, pulumi.Output[str]] = {
            group: azuredevops.get_group_output(
                name=group, project_id=self.project.id, opts=invoke
            ).origin_id
            for group in args.groups()
        }
        self.connection_ids: dict[str, pulumi.Output[str]] = {
            connection: azuredevops.get_service_endpoint_azure_rm_output(
                project_id=self.project.id, service_endpoint_name=connection, opts=invoke
            ).id
            for connection in args.connections()
        }
        self.queue_id = azuredevops.get_agent_queue_output(
            name=args.private_pool, project_id=self.project.id, opts=invoke
        ).id
        self.environments = {env: self._environment(env) for env in ENVIRONMENTS}
        self.branch_controls = self._branch_controls()
        self.approvals = {
            env: self._approval(env, groups) for env, groups in args.approvals().items()
        }
        self.register_outputs(
            {
                "environment_ids": {env: e.id for env, e in self.environments.items()},
                "branch_control_ids": {key: c.id for key, c in self.branch_controls.items()},
                "approval_ids": {env: a.id for env, a in self.approvals.items()},
            }
        )

    def _environment(self, env: str) -> azuredevops.Environment:
        return azuredevops.Environment(
            f"{self._name}-{env}",
            project_id=self.project.id,
            name=env,
            description=f"{env}: deployments of {self._args.project}, gated as code",
            opts=self._child,
        )

    def _branch_controls(self) -> dict[str, azuredevops.CheckBranchControl]:
        """Main only: every gated connection, the private pool and the prod environment."""
        targets: dict[str, tuple[str, pulumi.Input[str]]] = {
            connection: (ENDPOINT, self.connection_ids[connection])
            for connection in self._args.connections()
        }
        targets[self._args.private_pool] = (QUEUE, self.queue_id)
        targets["prod"] = (ENVIRONMENT, self.environments["prod"].id)
        return {
            key: self._branch_control(key, kind, target) for key, (kind, target) in targets.items()
        }

    def _branch_control(
        self, key: str, kind: str, target: pulumi.Input[str]
    ) -> azuredevops.CheckBranchControl:
        # The prod environment's check keeps the name it had before connections were gated.
        prefix = self._name if kind == ENVIRONMENT else f"{self._name}-{kind}"
        return azuredevops.CheckBranchControl(
            f"{prefix}-{key}-branch-control",
            project_id=self.project.id,
            target_resource_type=kind,
            target_resource_id=target,
            display_name=f"{key}: protected {MAIN_BRANCH} only",
            allowed_branches=f"refs/heads/{MAIN_BRANCH}",
            verify_branch_protection=True,
            ignore_unknown_protection_status=False,
            opts=self._child,
        )

    def _approval(self, env: str, groups: tuple[str, ...]) -> azuredevops.CheckApproval:
        args = self._args
        connection = args.deploy_connections[env]
        return azuredevops.CheckApproval(
            f"{self._name}-{env}-approval",
            project_id=self.project.id,
            target_resource_type=ENDPOINT,
            target_resource_id=self.connection_ids[connection],
            approvers=[self.group_ids[group] for group in groups],
            minimum_required_approvers=args.minimum_approvers,
            requester_can_approve=False,
            timeout=args.approval_timeout,
            instructions=(
                f"Approve the use of {connection} (the {env} deployment) after reviewing its "
                "plan, its preview and its tests."
            ),
            opts=self._child,
        )
