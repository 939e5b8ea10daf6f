"""Pulumi entry point (`pulumi up -s governance`): read config once, wire, export."""

import sys
from pathlib import Path

# The program lives in infra/mlops_infra, shared with the infra project; Pulumi runs this file
# from infra/governance, so infra/ goes on the import path first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlops_infra.governance.program import build, export
from mlops_infra.governance.settings import load_governance_settings

export(build(load_governance_settings()))
