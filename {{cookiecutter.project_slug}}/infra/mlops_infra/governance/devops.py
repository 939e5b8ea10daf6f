"""``DevOpsGovernance``: the project's pipeline environments and the checks that gate them.

staging and prod get an approval check (the requester cannot approve); prod also gets a branch
control check: only ``refs/heads/main``, and only while its branch policies protect it. Approver
groups are looked up by name in the project once each (``azuredevops.get_group``) and passed by
origin id. The provider needs ``azuredevops:orgServiceUrl`` (or ``AZDO_ORG_SERVICE_URL``) and
``AZDO_PERSONAL_ACCESS_TOKEN``.
"""

from __future__ import annotations

import pulumi
import pulumi_azuredevops as azuredevops

from mlops_infra.governance.args import ENVIRONMENTS, MAIN_BRANCH, DevOpsGovernanceArgs
from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("governance", "DevOpsGovernance")
TARGET = "environment"


class DevOpsGovernance(pulumi.ComponentResource):
    """``environments``, ``approvals`` by environment and ``branch_control`` on prod."""

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
        self.environments = {env: self._environment(env) for env in ENVIRONMENTS}
        self.approvals = {
            env: self._approval(env, groups) for env, groups in args.approvals().items()
        }
        self.branch_control = self._branch_control("prod")
        self.register_outputs(
            {
                "environment_ids": {env: e.id for env, e in self.environments.items()},
                "approval_ids": {env: a.id for env, a in self.approvals.items()},
                "branch_control_id": self.branch_control.id,
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

    def _approval(self, env: str, groups: tuple[str, ...]) -> azuredevops.CheckApproval:
        args = self._args
        return azuredevops.CheckApproval(
            f"{self._name}-{env}-approval",
            project_id=self.project.id,
            target_resource_type=TARGET,
            target_resource_id=self.environments[env].id,
            approvers=[self.group_ids[group] for group in groups],
            minimum_required_approvers=args.minimum_approvers,
            requester_can_approve=False,
            timeout=args.approval_timeout,
            instructions=f"Approve the {env} deployment after reviewing its plan and tests.",
            opts=self._child,
        )

    def _branch_control(self, env: str) -> azuredevops.CheckBranchControl:
        return azuredevops.CheckBranchControl(
            f"{self._name}-{env}-branch-control",
            project_id=self.project.id,
            target_resource_type=TARGET,
            target_resource_id=self.environments[env].id,
            display_name=f"{env} deploys from protected {MAIN_BRANCH} only",
            allowed_branches=f"refs/heads/{MAIN_BRANCH}",
            verify_branch_protection=True,
            ignore_unknown_protection_status=False,
            opts=self._child,
        )
