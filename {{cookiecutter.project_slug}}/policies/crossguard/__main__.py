"""The policy pack the Pulumi CLI runs: every policy of ``mlops_policies``, all mandatory."""

from mlops_policies import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
