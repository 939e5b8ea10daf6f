"""Run-time guardrails: Azure Policy assignments and exemptions, delete locks, Defender plans."""
