"""Approvals as code: deployment environments, reviewers and branch rules (``infra/governance``)."""
