"""Pulumi entry point (`pulumi up -s dev|staging|prod`): read config once, wire, export."""

from mlops_infra.program import build, export
from mlops_infra.settings import load_settings

export(build(load_settings()))
